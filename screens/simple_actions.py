"""The simple mode's two actions that ask no dialog: accept with the order's default prep time (its dishes' own,
the store's default for a dish that sets none: `o2o_tui.domain.prep_time`), and hand
off with the pickup code typed (or scanned) on the simple screen itself. The rest of the simple screen's keys
post the queue's own `OrderActionRequested`; these post `QuickActionRequested`, which the app runs through the
same checks and the same source (`screens.order_actions.OrderActions`), so refusals are told the same way and
offline actions queue in the outbox unchanged.
"""

from __future__ import annotations

from typing import Literal

from textual.message import Message

from o2o_tui.domain.prep_time import accept_minutes_for
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.domain.transitions import OrderAction
from o2o_tui.i18n import t
from screens.order_actions import OrderActions
from screens.source import QueueEntry

QuickActionName = Literal["accept", "handoff"]


class QuickActionRequested(Message):
    """Accept `order_id` with its default prep time, or hand it off with `code`."""

    def __init__(self, action: QuickActionName, order_id: str, *, code: str = "") -> None:
        super().__init__()
        self.action: QuickActionName = action
        self.order_id = order_id
        self.code = code


class QuickActions(OrderActions):
    """`OrderActions` without the dialogs: what the simple screen's 1 and 3 (with its code field) do."""

    def accept_default(self, entry: QueueEntry) -> None:
        order = entry.order
        if not self._check(order, OrderAction.CONFIRM):  # refused: a ringing order rings on (`acknowledge`)
            return
        self.app.acknowledge(order.id)
        store = self.app.source.store()
        minutes = accept_minutes_for(order, store, self.app.source.menu())  # its dishes' own time, as `a`'s Enter
        self._submit(order, "order.confirm", ConfirmBody(preparation_minutes=minutes), OrderAction.CONFIRM)

    def handoff_with_code(self, entry: QueueEntry, code: str) -> None:
        order = entry.order
        if not self._check(order, OrderAction.HANDOFF):
            return
        if self.code_is_wrong(order.id, code):  # checked against the cached code: never sent (as `h` does)
            self.app.say(t("ui.action.wrong_code", number=order.display_number), severity="error", timeout=8)
            self.app.bell()
            return
        self.submit_handoff(order, code)

    def run(self, message: QuickActionRequested, entry: QueueEntry) -> None:
        if message.action == "accept":
            self.accept_default(entry)
        else:
            self.handoff_with_code(entry, message.code)
