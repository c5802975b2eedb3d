"""The merchant's order actions, shared by the queue and the detail screen: ask what is needed, then submit.

Whether an action applies comes from the one transition table in `o2o_tui.domain.transitions`.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import msgspec
from textual.content import Content

from o2o_tui.domain.delay import DelayCheck, check_delay, delay_left, limit_message
from o2o_tui.domain.limits import (
    DELAY_MINUTES_MIN,
    DENY_REASON,
    PREP_MINUTES_MAX,
    PREP_MINUTES_MIN,
    REJECT_REASONS,
)
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.domain.prep_time import DEFAULT_PREP_MINUTES, accept_minutes_for
from o2o_tui.domain.requests import CodeBody, ConfirmBody, DelayBody, EmptyBody, ReasonBody
from o2o_tui.domain.store import StoreState
from o2o_tui.domain.transitions import OrderAction, TransitionCheck, check_order_transition
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.sync.explain import too_early, wrong_type
from screens import order_format as fmt
from screens.console_messages import PrintRequested
from screens.dialogs import ChoicePrompt, CodePrompt, NumberPrompt
from screens.source import ActionRefused, LinkState, OrderSource, QueueEntry, link_up

if TYPE_CHECKING:
    from collections.abc import Callable
    from typing import Any

    from textual.screen import Screen

    from screens.app import MerchantApp
    from screens.source import SourceChange

DEFAULT_DELAY_MINUTES = 10  # Uber Eats and 美团 offer 5 / 10 / 15 minutes; 10 is the middle
REASON_CELLS = 120  # of a customer's reason in the cancellation dialog: three lines of a narrow screen
VERDICT_POLL_S = 0.05  # how often an accept sent online looks whether the platform has answered it


def queued_key(source: OrderSource) -> str:
    """The words for an action just put in the outbox: sent, queued until the link is back (OFFLINE and the
    like), or queued and retried because the platform answers but cannot store changes now (NOT_STORING)."""
    if link_up(source):
        return "ui.action.sent"
    if source.link().state is LinkState.NOT_STORING:
        return "ui.action.queued_not_storing"
    return "ui.action.queued"


def cancellation_reason(order: Order) -> str:
    """Why the request to cancel was made, as the order's detail says it: the asker's words, else the reason code's
    words (the queue's, `reason_name`: a customer's codes too), or the code itself; "" when neither is known.
    Untrusted: made plain and one line here."""
    request = order.cancellation
    if request is None:
        return ""
    text = safe_text(request.reason, one_line=True).strip()
    if text or not request.reason_code:
        return text
    from o2o_tui.figures_text import reason_name  # loaded with the detail's (order_detail.py)

    return reason_name(request.reason_code)


def accept_hint(default: int, store_default: int, busy: int) -> str | None:
    """What Enter in the accept prompt takes: the order's own minutes (its dishes' when they differ from the
    store's default) and a busy store's extra minutes added on top; None: the prompt's own words (the store
    default, not busy)."""
    own = default != store_default  # the dishes set their own time
    if busy:
        key = "ui.dialog.enter_items_busy" if own else "ui.dialog.enter_default_busy"
        return t(key, default=default, store=store_default, extra=busy, total=default + busy)
    return t("ui.dialog.enter_items", default=default, store=store_default) if own else None


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
        refusal = too_early(action, order.status, order.type, order.display_number)
        if refusal is not None:  # the step to do first, in the words the CLI and the redeem screen use
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
        if not self._check(order, OrderAction.CONFIRM):  # refused: a ringing order rings on (`acknowledge`)
            return
        self.app.acknowledge(order.id)
        store = self.app.source.store()
        # the order's own prep time: its longest dish's minutes on the menu held here, the store's default for a
        # dish that sets none (the one rule the CLI, simple mode and auto-accept use)
        default = accept_minutes_for(order, store, self.app.source.menu())
        store_default = store.default_prep_minutes if store else DEFAULT_PREP_MINUTES

        def answered(minutes: int | None) -> None:
            stop()
            if minutes is None:
                return
            now = self.app.source.order(order.id)  # the order may have left NEW while the dialog was open
            if now is not None and not self._check(now.order, OrderAction.CONFIRM):
                return
            self._submit(order, "order.confirm", ConfirmBody(preparation_minutes=minutes), OrderAction.CONFIRM)

        busy = store.status.extra_minutes if store and store.status.state is StoreState.BUSY else 0
        hint = accept_hint(default, store_default, busy)
        prompt = NumberPrompt.kept(  # built once: `a` is the queue's most frequent key
            self.app,
            self._title("ui.dialog.prep_minutes", order),
            default,
            minimum=PREP_MINUTES_MIN,
            maximum=PREP_MINUTES_MAX,
            hint=hint,  # a busy store adds its minutes to what is typed: the promise is longer than the field
        )
        stop = self._close_when_taken(prompt, order)
        self.app.push_screen(prompt, answered)

    def _close_when_taken(self, prompt: Screen[Any], order: Order) -> Callable[[], None]:
        """While the accept dialog of `order` is open: once the order leaves NEW (another counter accepted it, the
        customer cancelled, the accept deadline passed), the dialog closes and says so; a prompt over it (not
        the top screen) stays, and its Enter is refused then in the same words. Answers the function that stops
        looking (the dialog's answer calls it)."""
        source = self.app.source

        def look() -> None:
            if prompt not in self.app.screen_stack:
                stop()
                return
            entry = source.order(order.id)
            if entry is None or entry.order.status is OrderStatus.CREATED or entry.pending:
                return  # still new (or this device's own action on it waits: it says what becomes of it)
            stop()
            if self.app.screen is prompt:
                prompt.dismiss(None)
            status = fmt.status_label(entry.order)
            self.app.say(
                t("orders.accept_dialog.closed", number=order.display_number, status=status), severity="warning"
            )

        def changed(change: SourceChange) -> None:  # from any thread: looked at on the loop
            if order.id in change.order_ids:
                self.app.call_later(look)

        unsubscribe = source.subscribe(changed)
        stopped = False

        def stop() -> None:
            nonlocal stopped
            if not stopped:
                stopped = True
                unsubscribe()

        return stop

    def reject(self, entry: QueueEntry) -> None:
        order = entry.order
        if not self._check(order, OrderAction.REJECT):
            return
        self.app.acknowledge(order.id)
        choices = [(code.value, t(f"ui.reason.{code.value}")) for code in REJECT_REASONS]

        def answered(code: str | None) -> None:
            if code is not None:
                self._submit(order, "order.reject", ReasonBody(reason_code=code), OrderAction.REJECT)

        self.app.push_screen(ChoicePrompt(self._title("ui.dialog.reject_reason", order), choices), answered)

    def preparing(self, entry: QueueEntry) -> None:
        if self._check(entry.order, OrderAction.PREPARING):
            self._submit(entry.order, "order.preparing", EmptyBody(), OrderAction.PREPARING)

    def delay(self, entry: QueueEntry) -> None:
        """The kitchen needs more time: ask how many minutes, within what the order may still be delayed by."""
        order = entry.order
        verdict = check_delay(order, DELAY_MINUTES_MIN)
        if verdict is DelayCheck.NOT_NOW:
            status = fmt.status_label(order)
            self.app.say(
                t("ui.action.not_now", number=order.display_number, status=status, action=t("ui.action.delay")),
                severity="warning",
            )
            return
        left = delay_left(order)
        if verdict is DelayCheck.OVER_LIMIT or left < DELAY_MINUTES_MIN:
            self.app.say(limit_message(order), severity="warning")
            return

        def answered(minutes: int | None) -> None:
            if minutes is not None:
                self._submit(order, "order.delay", DelayBody(minutes=minutes), None, label=t("ui.action.delay"))

        title = self._title("ui.dialog.delay_minutes", order)
        default = min(DEFAULT_DELAY_MINUTES, left)
        prompt = NumberPrompt(
            title, default, minimum=DELAY_MINUTES_MIN, maximum=left, hint_key="delay.dialog.enter_default"
        )
        self.app.push_screen(prompt, answered)

    def ready(self, entry: QueueEntry) -> None:
        if self._check(entry.order, OrderAction.READY):
            self._submit(entry.order, "order.ready", EmptyBody(), OrderAction.READY)

    def handoff(self, entry: QueueEntry) -> None:
        order = entry.order
        if not self._check(order, OrderAction.HANDOFF):
            return

        def check(code: str) -> str | None:
            return t("ui.dialog.wrong_code") if self.code_is_wrong(order.id, code) else None

        def answered(code: str | None) -> None:
            if code is not None:
                self.submit_handoff(order, code)

        prompt = CodePrompt(self._title("ui.dialog.pickup_code", order), check=check)
        self.app.push_screen(prompt, answered)

    def cached_pickup_code(self, order_id: str) -> str | None:
        """The order's pickup code as this device last heard it from the platform (merchants see the codes)."""
        entry = self.app.source.order(order_id)
        return entry.order.pickup_code if entry is not None else None

    def code_is_wrong(self, order_id: str, code: str) -> bool:
        """A typed pickup code that differs from the cached one: said at once, never sent (a wrong try sent to the
        platform counts toward the code's lock, and offline it showed the order picked up until the link was
        back). No cached code: nothing to check here, the platform checks it."""
        expected = self.cached_pickup_code(order_id)
        return expected is not None and code.strip() != expected

    def submit_handoff(self, order: Order, code: str) -> None:
        """Queue or send the handoff of a code that is right or could not be checked here. An unchecked one is
        said to be so: the goods stay on the counter until the platform has checked it (the queue keeps the order
        under Ready, marked pending, until then)."""
        queued = None
        if self.cached_pickup_code(order.id) is None:
            key = "ui.action.handoff_checking" if link_up(self.app.source) else "ui.action.handoff_unchecked"
            if self.app.source.link().state is LinkState.NOT_STORING:  # answering, not storing: retried, not "link"
                key = "ui.action.handoff_unchecked_not_storing"
            queued = t(key, number=order.display_number)
        self._submit(order, "order.handoff", CodeBody(code=code), OrderAction.HANDOFF, queued=queued)

    def answer_cancellation(self, entry: QueueEntry) -> None:
        order = entry.order
        if order.cancellation is None:  # a `c` pressed by mistake on a ringing new order: it rings on
            self.app.say(t("ui.action.no_cancellation", number=order.display_number), severity="warning")
            return
        self.app.acknowledge(order.id)
        choices = [("accept", t("ui.dialog.cancel_accept")), ("deny", t("ui.dialog.cancel_deny"))]

        def answered(choice: str | None) -> None:
            if choice == "accept":
                self._submit(order, "order.cancellation.accept", EmptyBody(), OrderAction.CANCEL)
            elif choice == "deny":
                self._submit(order, "order.cancellation.deny", ReasonBody(reason_code=DENY_REASON), None)

        by = order.cancellation.requested_by  # who asks, from the request (the customer, or the store's own)
        title = self._title(f"ui.dialog.cancellation.{by}", order)
        reason = fmt.fit(cancellation_reason(order), REASON_CELLS).rstrip()
        if reason:  # the asker's words (untrusted: plain text, one line; a long one cut to a few lines)
            title = Content(t(f"ui.dialog.cancellation_reason.{by}", number=order.display_number, reason=reason))
        self.app.push_screen(ChoicePrompt(title, choices), answered)

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
        queued: str | None = None,
    ) -> None:
        """`queued`: what to say once it is in the outbox (sent or not), instead of "sent" / "queued"."""
        label = label or (t(f"ui.action.{verb.value}") if verb else t("ui.action.deny"))

        async def send() -> None:
            try:
                refused_later, accept_key, confirmed = await self._send(action, order, body)
            except ActionRefused as refused:
                self.app.say(
                    t("ui.action.refused", number=order.display_number, action=label, reason=refused.message),
                    severity="error",
                    timeout=10,
                )
                return
            if refused_later:  # the source says why (the accept that stands), or another accept stood: no ticket
                return
            if queued is not None:
                self.app.say(queued, severity="warning", timeout=10)
            else:
                key = queued_key(self.app.source)
                said = t(key, number=order.display_number, action=label)
                if isinstance(body, ConfirmBody) and (busy := self._busy_said(order, body)):
                    gap = "" if said.endswith(("。", "！", "：")) else " "  # no space after a Chinese sentence
                    self.app.say(f"{said}{gap}{busy}", timeout=6)  # the promise is longer than the minutes typed
                else:
                    self.app.say(said, timeout=3)
            if isinstance(body, ConfirmBody):  # accepted here (queued or sent): the kitchen's ticket
                # what became of it, as the platform answered it here (not the view: it may not show it yet)
                self.app.post_message(
                    PrintRequested(
                        order.id, prep_minutes=body.preparation_minutes, accept_key=accept_key, confirmed=confirmed
                    )
                )

        self.app.run_worker(send(), group="actions", exit_on_error=False)

    def _busy_said(self, order: Order, body: ConfirmBody) -> str:
        """ "Ready in 25 min: 15 to prepare + 10 because the store is busy." for an accept of an order for now
        while the store is busy (the platform adds its minutes to the promise, `promised_on_accept`); "" else."""
        store = self.app.source.store()
        if store is None or store.status.state is not StoreState.BUSY or not store.status.extra_minutes:
            return ""
        from o2o_tui.domain.schedule import is_scheduled  # store hours: not loaded for the first frame

        if is_scheduled(order):  # its promise is also held to the customer's time: not simply the sum
            return ""
        prep, extra = body.preparation_minutes, store.status.extra_minutes
        return t("ui.action.accept_busy", total=prep + extra, prep=prep, extra=extra)

    async def _send(
        self, action: str, order: Order, body: msgspec.Struct
    ) -> tuple[bool, str | None, bool | None]:
        """Queue the action; with the accept's Idempotency-Key when the source gives it (the ticket printed for
        an accept queued offline keeps it, so that a duplicate slip can follow: screens/printing.py). An accept
        sent online is followed until the platform answers it, so that it is said sent and its kitchen ticket
        printed only then: True when the platform refused it (another counter's accept stood first: the source
        says so, with that accept's ready time), or answered it as done because another device's accept of the
        same minutes stood first (said here). Offline, or once the link drops while it waits, it is queued and
        counts as accepted here: the kitchen starts on it. The third: whether the platform took the accept (True),
        or it is queued (False); None when this source cannot tell (the ticket's printer looks at the order)."""
        source = self.app.source
        keyed = getattr(source, "submit_keyed", None)  # a source that can follow its entry (the engine's)
        if not isinstance(body, ConfirmBody) or keyed is None:
            await source.submit(action, order.id, body)
            return False, None, None
        key = await keyed(action, order.id, body)
        while link_up(source):
            pending, refusal = await source.entry_state(key)  # type: ignore[attr-defined]
            if refusal is not None:
                return True, key, False
            if not pending:
                return await self._accepted_elsewhere(source, key, order), key, True
            await asyncio.sleep(VERDICT_POLL_S)
        return False, key, False

    async def _accepted_elsewhere(self, source: object, key: str, order: Order) -> bool:
        """The platform answered this accept as done: whether another device's accept of the same minutes stood
        first (`Order.accept_key`), said here; that device's ticket is the kitchen's, none prints here."""
        stood = getattr(source, "accept_stood", None)
        if stood is None or await stood(key, order.id) is not False:
            return False
        self.app.say(t("printing.console.accepted_elsewhere", number=order.display_number), timeout=10)
        return True
