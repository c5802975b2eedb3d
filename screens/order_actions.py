"""The merchant's order actions, shared by the queue and the detail screen: ask what is needed, then submit.

Whether an action applies comes from the one transition table in `o2o_tui.domain.transitions`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import msgspec
from textual.content import Content

from o2o_tui.domain.limits import DENY_REASON, PREP_MINUTES_MAX, PREP_MINUTES_MIN, REJECT_REASONS
from o2o_tui.domain.order import Order
from o2o_tui.domain.requests import CodeBody, ConfirmBody, EmptyBody, ReasonBody
from o2o_tui.domain.transitions import OrderAction, TransitionCheck, check_order_transition
from o2o_tui.i18n import t
from o2o_tui.sync.explain import wrong_type
from screens import order_format as fmt
from screens.console_messages import PrintRequested
from screens.dialogs import ChoicePrompt, CodePrompt, NumberPrompt
from screens.source import ActionRefused, QueueEntry, link_up

if TYPE_CHECKING:
    from screens.app import MerchantApp

DEFAULT_PREP_MINUTES = 15


class OrderActions:
    def __init__(self, app: MerchantApp) -> None:
        self.app = app

    def _title(self, key: str, order: Order) -> Content:
        return Content(t(key, number=order.display_number))

    def _check(self, order: Order, action: OrderAction) -> bool:
        refusal = wrong_type(action, order.type, order.display_number)  # never for this type: say why
        if refusal is not None:
            self.app.say(refusal, severity="warning")
            return False
        check = check_order_transition(order.status, order.type, action)
        if check is TransitionCheck.APPLY:
            return True
        key = "ui.action.already" if check is TransitionCheck.ALREADY else "ui.action.not_now"
        self.app.say(
            t(
                key,
                number=order.display_number,
                status=fmt.status_label(order),
                action=t(f"ui.action.{action.value}"),
            ),
            severity="warning",
        )
        return False

    def accept(self, entry: QueueEntry) -> None:
        order = entry.order
        self.app.acknowledge(order.id)
        if not self._check(order, OrderAction.CONFIRM):
            return
        store = self.app.source.store()
        default = store.default_prep_minutes if store else DEFAULT_PREP_MINUTES

        def answered(minutes: int | None) -> None:
            if minutes is not None:
                self._submit(
                    order, "order.confirm", ConfirmBody(preparation_minutes=minutes), OrderAction.CONFIRM
                )

        prompt = NumberPrompt.kept(  # built once: `a` is the queue's most frequent key
            self.app,
            self._title("ui.dialog.prep_minutes", order),
            default,
            minimum=PREP_MINUTES_MIN,
            maximum=PREP_MINUTES_MAX,
        )
        self.app.push_screen(prompt, answered)

    def reject(self, entry: QueueEntry) -> None:
        order = entry.order
        self.app.acknowledge(order.id)
        if not self._check(order, OrderAction.REJECT):
            return
        choices = [(code.value, t(f"ui.reason.{code.value}")) for code in REJECT_REASONS]

        def answered(code: str | None) -> None:
            if code is not None:
                self._submit(order, "order.reject", ReasonBody(reason_code=code), OrderAction.REJECT)

        self.app.push_screen(ChoicePrompt(self._title("ui.dialog.reject_reason", order), choices), answered)

    def preparing(self, entry: QueueEntry) -> None:
        if self._check(entry.order, OrderAction.PREPARING):
            self._submit(entry.order, "order.preparing", EmptyBody(), OrderAction.PREPARING)

    def ready(self, entry: QueueEntry) -> None:
        if self._check(entry.order, OrderAction.READY):
            self._submit(entry.order, "order.ready", EmptyBody(), OrderAction.READY)

    def handoff(self, entry: QueueEntry) -> None:
        order = entry.order
        if not self._check(order, OrderAction.HANDOFF):
            return

        def answered(code: str | None) -> None:
            if code is not None:
                self._submit(order, "order.handoff", CodeBody(code=code), OrderAction.HANDOFF)

        self.app.push_screen(CodePrompt(self._title("ui.dialog.pickup_code", order)), answered)

    def answer_cancellation(self, entry: QueueEntry) -> None:
        order = entry.order
        self.app.acknowledge(order.id)
        if order.cancellation is None:
            self.app.say(t("ui.action.no_cancellation", number=order.display_number), severity="warning")
            return
        choices = [("accept", t("ui.dialog.cancel_accept")), ("deny", t("ui.dialog.cancel_deny"))]

        def answered(choice: str | None) -> None:
            if choice == "accept":
                self._submit(order, "order.cancellation.accept", EmptyBody(), OrderAction.CANCEL)
            elif choice == "deny":
                self._submit(order, "order.cancellation.deny", ReasonBody(reason_code=DENY_REASON), None)

        self.app.push_screen(ChoicePrompt(self._title("ui.dialog.cancellation", order), choices), answered)

    def unlock_code(self, entry: QueueEntry) -> None:
        """Lift the lock on the order's codes (too many wrong codes were tried), so the right one works again."""
        order = entry.order
        if fmt.code_lock(order, self.app.now()) is None:
            self.app.say(t("ui.action.no_code_lock", number=order.display_number), severity="warning")
            return
        self._submit(order, "order.unlock_code", EmptyBody(), None, label=t("ui.action.unlock_code"))

    def _submit(
        self,
        order: Order,
        action: str,
        body: msgspec.Struct,
        verb: OrderAction | None,
        *,
        label: str | None = None,
    ) -> None:
        label = label or (t(f"ui.action.{verb.value}") if verb else t("ui.action.deny"))

        async def send() -> None:
            try:
                await self.app.source.submit(action, order.id, body)
            except ActionRefused as refused:
                self.app.say(
                    t("ui.action.refused", number=order.display_number, action=label, reason=refused.message),
                    severity="error",
                    timeout=10,
                )
                return
            key = "ui.action.sent" if link_up(self.app.source) else "ui.action.queued"
            self.app.say(t(key, number=order.display_number, action=label), timeout=3)
            if isinstance(body, ConfirmBody):  # accepted here (queued or sent): the kitchen's ticket
                self.app.post_message(PrintRequested(order.id, prep_minutes=body.preparation_minutes))

        self.app.run_worker(send(), group="actions", exit_on_error=False)
