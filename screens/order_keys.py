"""Which order keys the footer offers for the order under the cursor (the queue's and the detail's `check_action`).

Only the keys that apply to the order now: `a` Accept and `x` Reject on a new order, `p` Preparing on an accepted
one, `r` Ready while it is in the kitchen, `+` Delay while it may still be delayed, `h` Handoff on a takeout or
dine-in order that is ready (never on a delivery: its courier collects it), `c` while a cancellation request is open;
`y` Reply on a live order the customer chased, `$` Refund on an accepted one before handoff and on one handed off
within the refund window (`refunds.refund_offered`, as the detail offers it). An ended order (cancelled, refused,
done) is offered none of them but that `$`. Pressed anyway, such a key still says why (the same words as
before: "Cannot accept #0042: it is Cancelled."): a hidden binding of the same key and id runs the action
regardless, since Textual does not run an action its `check_action` turned down.

The queue asks `offered_actions` once when its cursor moves or its orders change and answers `check_action` from
that set: the footer asks for every binding at each repaint.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime

from textual.binding import Binding

from o2o_tui.domain.delay import DELAYABLE, delay_left
from o2o_tui.domain.limits import DELAY_MINUTES_MIN
from o2o_tui.domain.order import ENDED_STATUSES, Order
from o2o_tui.domain.refunds import refund_offered, refund_window
from o2o_tui.domain.transitions import OrderAction, TransitionCheck, check_order_transition
from screens.source import QueueEntry

# action -> key: the keys of the order's own steps, bound alike on the queue and the detail
ORDER_STEP_KEYS: dict[str, str] = {
    "accept": "a",
    "reject": "x",
    "preparing": "p",
    "ready": "r",
    "delay": "plus",
    "handoff": "h",
    "cancellation": "c",
}
# the customer-care keys, offered by the order's state too
CARE_KEYS: dict[str, str] = {"chase_reply": "y", "refund": "dollar_sign"}
ORDER_KEYS: dict[str, str] = {**ORDER_STEP_KEYS, **CARE_KEYS}
REFUSED_ACTION = "refused_key"


def _steps(action: OrderAction) -> Callable[[Order], bool]:
    return lambda order: check_order_transition(order.status, order.type, action) is TransitionCheck.APPLY


def _delayable(order: Order) -> bool:
    return order.status in DELAYABLE and delay_left(order) >= DELAY_MINUTES_MIN


# action -> whether it applies to a live order (an ended one is offered none)
_APPLIES: dict[str, Callable[[Order], bool]] = {
    "accept": _steps(OrderAction.CONFIRM),
    "reject": _steps(OrderAction.REJECT),
    "preparing": _steps(OrderAction.PREPARING),
    "ready": _steps(OrderAction.READY),
    "delay": _delayable,
    "handoff": _steps(OrderAction.HANDOFF),  # a delivery never: its courier collects it
    "cancellation": lambda order: order.cancellation is not None,
    "chase_reply": lambda order: bool(order.chases),  # the customer chased it: the answer to their latest
}


def _refundable(order: Order, now: datetime | None) -> bool:
    """Before handoff, or handed off (a Done row) within the refund window, with money left to give back."""
    return refund_offered(order, now or datetime.now(UTC), refund_window())


def offered(action: str, entry: QueueEntry | None, now: datetime | None = None) -> bool:
    """Whether the footer offers `action` for `entry` at `now` (the console's clock; default the wall clock):
    every key but an order key that does not apply to it (with no order at all, the key stays: pressed, it says
    there is none)."""
    if action not in ORDER_KEYS or entry is None:
        return True
    order = entry.order
    if action == "refund":
        return _refundable(order, now)
    return order.status not in ENDED_STATUSES and _APPLIES[action](order)


def offered_actions(entry: QueueEntry | None, now: datetime | None = None) -> frozenset[str]:
    """The order keys (`ORDER_KEYS`' actions) offered for `entry` at `now` (as `offered`): all of them with no
    order. Asked once per cursor move or change of the orders, not per repaint."""
    if entry is None:
        return frozenset(ORDER_KEYS)
    order = entry.order
    refund = frozenset({"refund"}) if _refundable(order, now) else frozenset()
    if order.status in ENDED_STATUSES:
        return refund
    return refund | frozenset(action for action, applies in _APPLIES.items() if applies(order))


def refused_bindings(prefix: str) -> list[Binding]:
    """Hidden twins of the order keys, declared after them: a key press falls through to its twin only when
    `offered` turned the key down, and the twin runs the action anyway so that it says why. Same ids: a user
    keymap moves both. No description: `?` lists each under its key's own sentence (`help_screen`), so every order
    key is listed whatever the order under the cursor."""
    return [
        Binding(key, f"{REFUSED_ACTION}('{action}')", "", show=False, id=f"{prefix}.{action}")
        for action, key in ORDER_KEYS.items()
    ]
