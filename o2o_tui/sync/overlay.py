"""Optimistic view: a pending outbox entry applied on top of the server's last snapshot.

The transition rules come from `o2o_tui.domain.transitions` (never re-declared here). An entry whose action is
illegal on the snapshot changes nothing in the view: it stays queued and the server will decide.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import msgspec

from o2o_tui.domain.delay import DelayCheck, check_delay, delayed_promise
from o2o_tui.domain.fleet import Delivery
from o2o_tui.domain.limits import as_utc
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.domain.schedule import promised_on_accept
from o2o_tui.domain.store import Store, StoreStatus
from o2o_tui.domain.transitions import (
    DELIVERY_TRANSITIONS,
    ORDER_TRANSITIONS,
    DeliveryAction,
    OrderAction,
    TransitionCheck,
    check_delivery_transition,
    check_order_transition,
)

# Outbox action name -> the state-machine action it performs on the order.
_ORDER_ACTIONS: dict[str, OrderAction] = {
    "order.confirm": OrderAction.CONFIRM,
    "order.reject": OrderAction.REJECT,
    "order.preparing": OrderAction.PREPARING,
    "order.ready": OrderAction.READY,
    "order.dispatch": OrderAction.DISPATCH,
    "order.handoff": OrderAction.HANDOFF,
    "order.delivered": OrderAction.DELIVERED,
    "order.cancel": OrderAction.CANCEL,
    "order.cancellation.accept": OrderAction.CANCEL,
}


def _body(entry: Any) -> dict[str, Any]:
    try:
        value = msgspec.json.decode(entry.body)
    except (msgspec.DecodeError, TypeError):
        return {}
    return value if isinstance(value, dict) else {}


def _occurred(entry: Any) -> datetime | None:
    value = getattr(entry, "occurred_at", None)
    if isinstance(value, datetime):
        return value
    if isinstance(value, str) and value:
        try:
            return datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return None
    return None


def _code_known_right(order: Order, body: dict[str, Any]) -> bool:
    """A queued handoff shows the order handed over only when its code is the order's code as this device knows it
    (the platform refuses any other, and counts it toward the code's lock)."""
    code = body.get("code")
    return bool(order.pickup_code) and isinstance(code, str) and code.strip() == order.pickup_code


def order_action_of(action: str) -> OrderAction | None:
    return _ORDER_ACTIONS.get(action)


def apply_to_order(order: Order, entry: Any, store_status: StoreStatus | None = None) -> Order:
    """`order` as it will be once `entry` is applied (unchanged when the entry would be refused). `store_status`:
    the store's status as it will be when the entry reaches the platform (the store changes queued before it, not
    after), for an accept's promise (a busy store's extra minutes), which counts from the tap as the platform's
    does (docs/api.md: it is later only when the link came back after the promised time had passed)."""
    if entry.action == "order.cancellation.deny":
        return msgspec.structs.replace(order, cancellation=None)
    if entry.action == "order.unlock_code":
        return msgspec.structs.replace(order, code_locks=[])
    if entry.action == "order.chase_reply":
        return _chase_answered(order, entry)
    if entry.action == "order.delay":
        return _delayed(order, entry)
    action = _ORDER_ACTIONS.get(entry.action)
    if action is None:
        return order
    if check_order_transition(order.status, order.type, action) is not TransitionCheck.APPLY:
        return order
    body = _body(entry)
    if action is OrderAction.HANDOFF and not _code_known_right(order, body):
        return order  # a code nobody checked yet: the goods stay on the counter until the platform has
    changes: dict[str, Any] = {"status": ORDER_TRANSITIONS[action].target}
    tapped = _occurred(entry)
    if action is OrderAction.CONFIRM:
        if tapped is not None:  # the platform counts the accept from its tap, never before the order was placed
            tapped = max(as_utc(tapped), as_utc(order.created_at))
        minutes = body.get("preparation_minutes")
        if isinstance(minutes, int):
            changes["preparation_minutes"] = minutes
            if tapped is not None:  # as the platform will promise it (and the ticket printed on it says)
                changes["promised_ready_at"] = promised_on_accept(order, store_status, minutes, tapped)
        changes["confirmed_at"] = tapped
    elif action is OrderAction.READY:
        changes["ready_at"] = tapped
    if changes["status"] in (OrderStatus.CANCELLED, OrderStatus.DELIVERED):
        changes["ended_at"] = tapped
        changes["cancellation"] = None
    if action in (OrderAction.REJECT, OrderAction.CANCEL) and isinstance(body.get("reason_code"), str):
        changes["cancel_reason_code"] = body["reason_code"]
    return msgspec.structs.replace(order, **changes)


def _delayed(order: Order, entry: Any) -> Order:
    """The promise moved as the platform will move it (`o2o_tui.domain.delay`), from the tap's time."""
    minutes = _body(entry).get("minutes")
    tapped = _occurred(entry)
    if not isinstance(minutes, int) or tapped is None or check_delay(order, minutes) is not DelayCheck.OK:
        return order
    return msgspec.structs.replace(
        order,
        promised_ready_at=delayed_promise(order, minutes, tapped),
        delayed_minutes=order.delayed_minutes + minutes,
    )


def _chase_answered(order: Order, entry: Any) -> Order:
    """The latest chase answered as the queued reply says (its `?` badge goes at once, not when the link is back)."""
    chases = list(order.chases)
    body = _body(entry)
    if not chases:
        return order
    minutes = body.get("minutes")
    text = body.get("text")
    reply = body.get("template")
    chases[-1] = msgspec.structs.replace(
        chases[-1],
        answered_at=_occurred(entry) or chases[-1].asked_at,
        reply=reply if isinstance(reply, str) else None,
        minutes=minutes if isinstance(minutes, int) else None,
        text=text if isinstance(text, str) else "",
    )
    return msgspec.structs.replace(order, chases=chases)


def _auto_accept_set(store: Store, entry: Any) -> Store:
    """The store's auto-accept as the queued change leaves it (fields left out stay as they are)."""
    body = _body(entry)
    changes: dict[str, Any] = {}
    if isinstance(body.get("enabled"), bool):
        changes["enabled"] = body["enabled"]
    if isinstance(body.get("daily_cap"), int) and not isinstance(body.get("daily_cap"), bool):
        changes["daily_cap"] = body["daily_cap"]
    if isinstance(body.get("station"), str):
        changes["station"] = body["station"]
    if not changes:
        return store
    return msgspec.structs.replace(store, auto_accept=msgspec.structs.replace(store.auto_accept, **changes))


def apply_to_store(store: Store, entry: Any) -> Store:
    if entry.action == "store.auto_accept":
        return _auto_accept_set(store, entry)
    if entry.action == "store.prep_time":  # the store's default preparation time, as the queued change sets it
        minutes = _body(entry).get("minutes")
        ok = isinstance(minutes, int) and not isinstance(minutes, bool)
        return msgspec.structs.replace(store, default_prep_minutes=minutes) if ok else store
    if entry.action == "store.hours":
        from o2o_tui.domain.requests import HoursBody
        from o2o_tui.store_hours import applied

        data = _body(entry)
        try:
            return applied(store, msgspec.convert(data, HoursBody)) if data else store
        except msgspec.ValidationError:
            return store
    if entry.action != "store.status":
        return store
    try:
        status = msgspec.convert(_body(entry), StoreStatus)
    except msgspec.ValidationError:
        return store
    return msgspec.structs.replace(store, status=status)


def apply_to_delivery(delivery: Delivery, entry: Any) -> Delivery:
    prefix, _, name = entry.action.partition(".")
    if prefix != "delivery":
        return delivery
    try:
        action = DeliveryAction(name.replace("_", "-"))
    except ValueError:
        return delivery
    if check_delivery_transition(delivery.status, action) is not TransitionCheck.APPLY:
        return delivery
    return msgspec.structs.replace(delivery, status=DELIVERY_TRANSITIONS[action][1])
