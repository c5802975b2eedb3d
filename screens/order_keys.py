"""Which order keys the footer offers for the order under the cursor (the queue's and the detail's `check_action`).

An ended order (cancelled, refused, done) takes none of the order's own steps any more: `a` Accept, `x` Reject,
`p` Preparing... are not offered for it. Pressed anyway, such a key still says why (the same words as before:
"#0042 is Cancelled: cannot accept now"): a hidden binding of the same key and id runs the action regardless,
since Textual does not run an action its `check_action` turned down.
"""

from __future__ import annotations

from textual.binding import Binding

from o2o_tui.domain.order import ENDED_STATUSES
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
REFUSED_ACTION = "refused_key"


def offered(action: str, entry: QueueEntry | None) -> bool:
    """Whether the footer offers `action` for `entry`: every key but an order step on an ended order (with no
    order at all, the key stays: pressed, it says there is none)."""
    if action not in ORDER_STEP_KEYS or entry is None:
        return True
    return entry.order.status not in ENDED_STATUSES


def refused_bindings(prefix: str) -> list[Binding]:
    """Hidden twins of the order-step keys, declared after them: a key press falls through to its twin only when
    `offered` turned the step down, and the twin runs the step anyway so that it says why. Same ids: a user keymap
    moves both. No description: `?` lists only what the footer offers (the steps, for a live order)."""
    return [
        Binding(key, f"{REFUSED_ACTION}('{action}')", "", show=False, id=f"{prefix}.{action}")
        for action, key in ORDER_STEP_KEYS.items()
    ]
