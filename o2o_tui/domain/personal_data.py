"""The customer's personal data in an order or a delivery, blanked `O2O_PURGE_PERSONAL_HOURS` after it ended, or
`O2O_PURGE_OPEN_HOURS` after its promised time when it was left open (`last_promised`).

One rule for both sides: the platform blanks its stored documents and answers with it (platform/personal.py,
jobs.purge_personal) and every device blanks its cached copies with it (sync/retention.py), so a device never keeps
what the server no longer has.

A rule maps a path in the document as the API carries it (JSON) to what replaces the value: dotted keys, where
`name[]` steps into every element of the list `name`. A path a document does not have (an older server's, a null
`cancellation`) is skipped.

A delivery that ended without its courier delivering it is blanked at once (`courier_done_with`).

Two copies outside the order and the delivery go by the same rule, at the same moment:
- a courier's position that a hand-over (or an arrival at the door) set to the customer's door is blanked (None,
  not coarsened) when that order's personal data is: `courier_at_door` says which; dispatch plans such a courier
  again from its next arrival, shift start or reported position.
- a refused action kept in a device's conflicts list has the personal text of its body blanked (`ACTION_PERSONAL`,
  by action); what the conflicts screen says (the action, the order, the refusal, the tap time) stays.
"""

from __future__ import annotations

import functools
from collections.abc import Iterator, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

PURGE_PERSONAL_HOURS = 6.0  # the default window, for the server and the devices alike
# An order (or delivery) left open, never marked ready or handed off, is blanked this long after the latest of its
# promised times and its last change (`last_promised`), whatever its state (nothing ends it): the default window of
# `O2O_PURGE_OPEN_HOURS`, for the server and the devices alike. An order someone still works on keeps its data.
PURGE_OPEN_HOURS = 72.0
# The times of an open order or delivery (as the API carries it) its customer was promised something by, or it
# last changed at: the ready time (delays included), an order for later's window, its hold and accept deadline.
_PROMISE_PATHS = (
    ("promised_ready_at",),
    ("ready_at",),
    ("accept_deadline",),
    ("held_until",),
    ("timing", "window_start"),
    ("timing", "window_end"),
    ("created_at",),
    ("updated_at",),
)

ORDER_PERSONAL: Mapping[str, Any] = MappingProxyType(
    {
        "customer.name": "",
        "customer.phone": "",
        "customer.address": None,  # the text and the position of the customer's door
        "note": "",
        "lines[].note": "",
        "cancellation.reason": "",
        "chases[].note": "",  # the customer's own words when chasing the order
        "chases[].text": "",  # the store's free-text answer to them
        "delivery_problem.note": "",  # the courier's words on its open problem
        "refunds[].note": "",  # the store's free text on a refund (its reason code, amounts, lines and time stay)
    }
)

DELIVERY_PERSONAL: Mapping[str, Any] = MappingProxyType(
    {
        "customer_name": "",
        "customer_phone": "",
        "dropoff.text": "",
        "dropoff.position": None,
        "note": "",
        "problems[].note": "",
    }
)

# A delivery that ended without its courier delivering it (taken back or reassigned, rejected, given back on going
# off duty, cancelled, brought back to the store): that courier no longer needs the customer, so DELIVERY_PERSONAL is
# blanked at once, not after the purge window (the order itself keeps it for the store).
UNDELIVERED_ENDS = frozenset({"CANCELLED", "REJECTED", "RETURNED"})


def courier_done_with(delivery: Mapping[str, Any]) -> bool:
    """Whether `delivery` (a document) ended without its courier delivering it."""
    return delivery.get("status") in UNDELIVERED_ENDS


_REASON: Mapping[str, Any] = MappingProxyType({"reason": ""})  # the free text beside a reason code
# The personal text in the body of each order or delivery action (keyed by action, as the outbox stores it); a
# body's other fields (ids, codes, reason codes, templates, minutes, amounts) say what was refused and stay.
ACTION_PERSONAL: Mapping[str, Mapping[str, Any]] = MappingProxyType(
    {
        "order.create": MappingProxyType(
            {"customer_name": "", "customer_phone": "", "address": None, "note": "", "lines[].note": ""}
        ),
        "order.reject": _REASON,
        "order.cancel": _REASON,
        "order.cancellation.request": _REASON,
        "order.cancellation.deny": _REASON,
        "order.chase": MappingProxyType({"note": ""}),
        "order.chase_reply": MappingProxyType({"text": ""}),
        "order.refund": MappingProxyType({"note": ""}),
        "delivery.problem": MappingProxyType({"note": ""}),
    }
)


@functools.cache
def _steps(path: str) -> tuple[tuple[tuple[str, bool], ...], str]:
    """`a.b[].c` -> ((("a", False), ("b", True)), "c"): each parent key, whether it is a list, and the leaf."""
    *parents, leaf = path.split(".")
    return tuple((part.removesuffix("[]"), part.endswith("[]")) for part in parents), leaf


def _places(doc: Any, path: str) -> Iterator[tuple[dict[str, Any], str]]:
    """Each (mapping, key) where `path` reaches a value of `doc`."""
    parents, leaf = _steps(path)
    nodes: list[Any] = [doc]
    for name, is_list in parents:
        found = [node[name] for node in nodes if isinstance(node, dict) and name in node]
        nodes = [item for value in found if isinstance(value, list) for item in value] if is_list else found
    for node in nodes:
        if isinstance(node, dict) and leaf in node:
            yield node, leaf


def needs_blanking(doc: Mapping[str, Any], rule: Mapping[str, Any]) -> bool:
    """Whether some personal field of `doc` still holds something."""
    return any(node[key] != blank for path, blank in rule.items() for node, key in _places(doc, path))


def blank_personal(doc: dict[str, Any], rule: Mapping[str, Any]) -> dict[str, Any]:
    """`doc` (changed in place) with every personal field of `rule` blanked; everything else as it was."""
    for path, blank in rule.items():
        for node, key in _places(doc, path):
            node[key] = blank
    return doc


def _time(value: Any) -> datetime | None:
    if isinstance(value, datetime):
        return value if value.tzinfo else value.replace(tzinfo=UTC)
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _same_place(one: Any, other: Any) -> bool:
    return (
        isinstance(one, Mapping)
        and isinstance(other, Mapping)
        and one.get("lat") == other.get("lat")
        and one.get("lon") == other.get("lon")
    )


def courier_at_door(
    courier: Mapping[str, Any], door: Any, ended_at: datetime | None, pickup: Any = None
) -> bool:
    """Whether `courier` (a document) still stands where an order's hand-over put it: its position is `door` (the
    order's drop-off position as JSON), set no later than the order ended (`ended_at`). A door that is the store
    itself (`pickup`: an order without an address is dropped at the store) is no one's door."""
    if door is None or _same_place(door, pickup) or not _same_place(courier.get("position"), door):
        return False
    set_at, ended = _time(courier.get("position_at")), _time(ended_at)
    return set_at is None or ended is None or set_at <= ended


def last_promised(doc: Mapping[str, Any]) -> datetime | None:
    """The latest of an open order's (or delivery's) promised times and its last change (`_PROMISE_PATHS`): it is
    blanked `O2O_PURGE_OPEN_HOURS` after this, as an ended one is after it ended. None: no time at all."""
    found = []
    for path in _PROMISE_PATHS:
        value: Any = doc
        for name in path:
            value = value.get(name) if isinstance(value, Mapping) else None
        moment = _time(value)
        if moment is not None:
            found.append(moment)
    return max(found, default=None)
