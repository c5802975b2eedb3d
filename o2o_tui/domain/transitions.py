"""The order and delivery state machines as tables: the one definition both server and client use."""

from __future__ import annotations

import enum

import msgspec

from o2o_tui.domain.order import OrderStatus, OrderType


class OrderAction(enum.StrEnum):
    CONFIRM = "confirm"
    REJECT = "reject"
    PREPARING = "preparing"
    READY = "ready"
    DISPATCH = "dispatch"
    HANDOFF = "handoff"
    DELIVERED = "delivered"
    CONCLUDE = "conclude"
    CANCEL = "cancel"
    RETURNED = "returned"  # the platform's own: the courier brought the bag back (delivery `returned`)


class Transition(msgspec.Struct, frozen=True):
    sources: frozenset[OrderStatus]
    target: OrderStatus
    order_types: frozenset[OrderType] = frozenset(OrderType)


_S = OrderStatus
_BEFORE_DELIVERED = frozenset({_S.CREATED, _S.CONFIRMED, _S.PREPARING, _S.READY_FOR_PICKUP, _S.DISPATCHED})
_PICKUP_TYPES = frozenset({OrderType.TAKEOUT, OrderType.INDOOR})

ORDER_TRANSITIONS: dict[OrderAction, Transition] = {
    OrderAction.CONFIRM: Transition(frozenset({_S.CREATED}), _S.CONFIRMED),
    OrderAction.REJECT: Transition(frozenset({_S.CREATED}), _S.CANCELLED),
    OrderAction.PREPARING: Transition(frozenset({_S.CONFIRMED}), _S.PREPARING),
    OrderAction.READY: Transition(frozenset({_S.CONFIRMED, _S.PREPARING}), _S.READY_FOR_PICKUP),
    OrderAction.DISPATCH: Transition(
        frozenset({_S.READY_FOR_PICKUP}), _S.DISPATCHED, frozenset({OrderType.DELIVERY})
    ),
    OrderAction.HANDOFF: Transition(frozenset({_S.READY_FOR_PICKUP}), _S.DELIVERED, _PICKUP_TYPES),
    OrderAction.DELIVERED: Transition(
        frozenset({_S.DISPATCHED}), _S.DELIVERED, frozenset({OrderType.DELIVERY})
    ),
    OrderAction.CONCLUDE: Transition(frozenset({_S.DELIVERED}), _S.CONCLUDED),
    OrderAction.CANCEL: Transition(_BEFORE_DELIVERED, _S.CANCELLED),
    # a courier who picked the bag up brought it back (delivery RETURNING -> RETURNED): the order is ready at the
    # counter again with no courier; the merchant assigns another courier or cancels it
    OrderAction.RETURNED: Transition(
        frozenset({_S.DISPATCHED}), _S.READY_FOR_PICKUP, frozenset({OrderType.DELIVERY})
    ),
}
# the actions the platform takes by itself (no `POST /v1/orders/{id}/<action>` route)
PLATFORM_ORDER_ACTIONS = frozenset({OrderAction.CONCLUDE, OrderAction.RETURNED})


class TransitionCheck(enum.Enum):
    APPLY = "apply"  # move to the target
    ALREADY = "already"  # already in the target state: success, nothing changes
    ILLEGAL = "illegal"


def check_order_transition(
    status: OrderStatus, order_type: OrderType, action: OrderAction
) -> TransitionCheck:
    rule = ORDER_TRANSITIONS[action]
    if order_type not in rule.order_types:
        return TransitionCheck.ILLEGAL
    if status == rule.target:
        return TransitionCheck.ALREADY
    if status in rule.sources:
        return TransitionCheck.APPLY
    return TransitionCheck.ILLEGAL


# an action refused where another one does what was meant: a store rejects only a new order; once it accepted the
# order, it cancels it (`cancel`, with the same reason codes). The action to use, and how the refusal says why.
_INSTEAD: dict[OrderAction, tuple[OrderAction, str]] = {
    OrderAction.REJECT: (OrderAction.CANCEL, "an accepted order is cancelled, not rejected (reject is for a new order)"),
}


def refused_message(status: OrderStatus, order_type: OrderType, action: OrderAction) -> str:
    """The 409 `illegal_transition`'s message for `action` refused on an order in `status`: "cannot go from A to
    B", and, when another action takes the order on from `status`, why and which one to use instead."""
    message = f"cannot go from {status.value} to {ORDER_TRANSITIONS[action].target.value}"
    other, why = _INSTEAD.get(action, (None, ""))
    if (
        other is not None
        and check_order_transition(status, order_type, action) is TransitionCheck.ILLEGAL
        and check_order_transition(status, order_type, other) is TransitionCheck.APPLY
    ):
        message += f": {why}; use {other.value}"
    return message


def applies_to_type(action: OrderAction, order_type: OrderType) -> bool:
    """Whether `action` is ever possible on an order of `order_type`, whatever its state: a delivery is never
    handed off at the counter (its courier collects it, with the pickup code on the bag, from the handheld),
    and a takeout or dine-in order is never dispatched. Checked before anything is queued, so the refusal is
    said at once and no conflict is filed."""
    return order_type in ORDER_TRANSITIONS[action].order_types


# How a person names an order's end per type: a handed-off takeout was picked up, a dine-in order was served;
# only a delivery was delivered. The platform's status stays DELIVERED for all three (Open Delivery's name).
_FINAL_NAMES: dict[OrderType, str] = {OrderType.TAKEOUT: "PICKED_UP", OrderType.INDOOR: "SERVED"}


def shown_status(status: OrderStatus, order_type: OrderType) -> str:
    """The state's name for labels (`ui.status.<name>`): the status itself, but DELIVERED reads PICKED_UP for a
    takeout order and SERVED for a dine-in one."""
    if status is OrderStatus.DELIVERED:
        return _FINAL_NAMES.get(order_type, status.value)
    return status.value


class DeliveryStatus(enum.StrEnum):
    PENDING = "PENDING"
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"
    ARRIVED_AT_MERCHANT = "ARRIVED_AT_MERCHANT"
    PICKED_UP = "PICKED_UP"
    ARRIVED_AT_CUSTOMER = "ARRIVED_AT_CUSTOMER"
    DELIVERED = "DELIVERED"
    RETURNING = "RETURNING"
    RETURNED = "RETURNED"
    CANCELLED = "CANCELLED"


class DeliveryAction(enum.StrEnum):
    ACCEPT = "accept"
    REJECT = "reject"
    ARRIVED_AT_MERCHANT = "arrived-at-merchant"
    PICKED_UP = "picked-up"
    ARRIVED_AT_CUSTOMER = "arrived-at-customer"
    DELIVERED = "delivered"
    RETURN = "return"
    RETURNED = "returned"
    CANCEL = "cancel"


_D = DeliveryStatus
DELIVERY_ENDED = frozenset({_D.REJECTED, _D.DELIVERED, _D.RETURNED, _D.CANCELLED})

DELIVERY_TRANSITIONS: dict[DeliveryAction, tuple[frozenset[DeliveryStatus], DeliveryStatus]] = {
    DeliveryAction.ACCEPT: (frozenset({_D.PENDING}), _D.ACCEPTED),
    DeliveryAction.REJECT: (frozenset({_D.PENDING}), _D.REJECTED),
    DeliveryAction.ARRIVED_AT_MERCHANT: (frozenset({_D.ACCEPTED}), _D.ARRIVED_AT_MERCHANT),
    DeliveryAction.PICKED_UP: (frozenset({_D.ACCEPTED, _D.ARRIVED_AT_MERCHANT}), _D.PICKED_UP),
    DeliveryAction.ARRIVED_AT_CUSTOMER: (frozenset({_D.PICKED_UP}), _D.ARRIVED_AT_CUSTOMER),
    DeliveryAction.DELIVERED: (frozenset({_D.PICKED_UP, _D.ARRIVED_AT_CUSTOMER}), _D.DELIVERED),
    DeliveryAction.RETURN: (frozenset({_D.PICKED_UP, _D.ARRIVED_AT_CUSTOMER}), _D.RETURNING),
    DeliveryAction.RETURNED: (frozenset({_D.RETURNING}), _D.RETURNED),
    DeliveryAction.CANCEL: (frozenset({_D.PENDING, _D.ACCEPTED, _D.ARRIVED_AT_MERCHANT}), _D.CANCELLED),
}


# the way a delivery goes when all is well, in order
DELIVERY_FORWARD: tuple[DeliveryStatus, ...] = (
    _D.PENDING, _D.ACCEPTED, _D.ARRIVED_AT_MERCHANT, _D.PICKED_UP, _D.ARRIVED_AT_CUSTOMER, _D.DELIVERED
)  # fmt: skip


def check_delivery_transition(status: DeliveryStatus, action: DeliveryAction) -> TransitionCheck:
    """A step the delivery has already passed on its way forward is done, not refused: the courier's other
    handheld (or an earlier try) took it further, and the arrival it reports did happen."""
    sources, target = DELIVERY_TRANSITIONS[action]
    if status == target:
        return TransitionCheck.ALREADY
    if status in sources:
        return TransitionCheck.APPLY
    forward = DELIVERY_FORWARD
    if target in forward and status in forward and forward.index(status) > forward.index(target):
        return TransitionCheck.ALREADY
    return TransitionCheck.ILLEGAL
