"""Every transition of the tables, generated from them: illegal ones answer 409 with from/to, the target state
itself is a success that changes nothing."""

from __future__ import annotations

import pytest

from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.transitions import (
    DELIVERY_TRANSITIONS,
    ORDER_TRANSITIONS,
    PLATFORM_ORDER_ACTIONS,
    DeliveryAction,
    DeliveryStatus,
    OrderAction,
    TransitionCheck,
    check_delivery_transition,
    check_order_transition,
)
from tests.support.platform import Api, RunningPlatform, api, order_body

# the API actions of the transition table; `conclude` (tested with the jobs) and `returned` (test_server_returned)
# are the platform's own
API_ACTIONS = [a for a in OrderAction if a not in PLATFORM_ORDER_ACTIONS]
BODIES = {
    OrderAction.CONFIRM: {"preparation_minutes": 10},
    OrderAction.REJECT: {"reason_code": "STORE_BUSY"},
    OrderAction.CANCEL: {"reason_code": "STORE_BUSY"},
}
PATHS: dict[OrderStatus, list[OrderAction]] = {
    OrderStatus.CREATED: [],
    OrderStatus.CONFIRMED: [OrderAction.CONFIRM],
    OrderStatus.PREPARING: [OrderAction.CONFIRM, OrderAction.PREPARING],
    OrderStatus.READY_FOR_PICKUP: [OrderAction.CONFIRM, OrderAction.READY],
    OrderStatus.DISPATCHED: [OrderAction.CONFIRM, OrderAction.READY, OrderAction.DISPATCH],
    OrderStatus.CANCELLED: [OrderAction.CANCEL],
}
ACCEPTED = {OrderStatus.PREPARING, OrderStatus.READY_FOR_PICKUP, OrderStatus.DISPATCHED}


def _body(action: OrderAction, order: dict) -> dict | None:
    if action is OrderAction.HANDOFF:
        return {"code": order["pickup_code"]}
    return BODIES.get(action)


def order_in(merchant: Api, customer: Api, store_id: str, order_type: OrderType, status: OrderStatus) -> dict:
    """A fresh order driven through the API to `status`."""
    order = customer.post("/v1/orders", order_body(store_id, order_type.value)).json()
    path = PATHS.get(status)
    if status is OrderStatus.DELIVERED:
        last = OrderAction.DELIVERED if order_type is OrderType.DELIVERY else OrderAction.HANDOFF
        path = [
            *PATHS[OrderStatus.READY_FOR_PICKUP],
            *([OrderAction.DISPATCH] if last is OrderAction.DELIVERED else []),
            last,
        ]
    assert path is not None
    for action in path:
        response = merchant.post(f"/v1/orders/{order['id']}/{action.value}", _body(action, order))
        assert response.status_code == 200, response.text
    current = merchant.get(f"/v1/orders/{order['id']}").json()
    assert current["status"] == status.value
    return {**current, "pickup_code": order["pickup_code"]}


def check_every_action(merchant: Api, order: dict, order_type: OrderType, status: OrderStatus) -> int:
    """Try every API action on an order in `status`; answer how many were illegal (each must be a 409)."""
    illegal = 0
    for action in API_ACTIONS:
        check = check_order_transition(status, order_type, action)
        if check is TransitionCheck.APPLY:
            continue
        response = merchant.post(f"/v1/orders/{order['id']}/{action.value}", _body(action, order))
        if check is TransitionCheck.ILLEGAL:
            illegal += 1
            assert response.status_code == 409, (status, action, response.text)
            error = response.json()["error"]
            # an accept that finds the order accepted names the accept that stands (tests/test_accept_twice.py)
            accepted = action is OrderAction.CONFIRM and status in ACCEPTED
            assert error["code"] == ("already_accepted" if accepted else "illegal_transition")
            assert error["from"] == status.value and error["to"] == ORDER_TRANSITIONS[action].target.value
        else:
            assert response.status_code == 200, (status, action, response.text)
            assert response.json()["version"] == order["version"]
    return illegal


@pytest.mark.parametrize("order_type", [OrderType.DELIVERY, OrderType.TAKEOUT])
def test_every_illegal_order_transition_is_409(
    shared_platform: RunningPlatform, order_type: OrderType
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    merchant, customer = api(shared_platform, "merchant"), api(shared_platform, "customer")
    statuses = [s for s in OrderStatus if s is not OrderStatus.CONCLUDED]
    if order_type is not OrderType.DELIVERY:
        statuses.remove(OrderStatus.DISPATCHED)
    illegal = 0
    for status in statuses:
        order = order_in(merchant, customer, seed.store_id, order_type, status)
        illegal += check_every_action(merchant, order, order_type, status)
    assert illegal >= 20  # the table really has that many illegal pairs; a broken generator would try none


def test_every_illegal_delivery_transition_is_409(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    merchant, customer, dispatcher = (api(shared_platform, r) for r in ("merchant", "customer", "dispatcher"))
    courier_id = seed.courier_ids[5]
    courier = Api(shared_platform.url, seed.courier_tokens[courier_id])
    order = order_in(merchant, customer, seed.store_id, OrderType.DELIVERY, OrderStatus.READY_FOR_PICKUP)
    delivery = dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id}).json()
    codes = {  # the right codes: only the step is wrong (a wrong code is a wrong_code, and counts)
        DeliveryAction.PICKED_UP: order["pickup_code"],
        DeliveryAction.DELIVERED: customer.get(f"/v1/orders/{order['id']}").json()["delivery_code"],
    }
    walk = [
        DeliveryAction.ACCEPT,
        DeliveryAction.ARRIVED_AT_MERCHANT,
        DeliveryAction.PICKED_UP,
        DeliveryAction.ARRIVED_AT_CUSTOMER,
        DeliveryAction.RETURN,
        DeliveryAction.RETURNED,
    ]
    status = DeliveryStatus.PENDING
    tried = 0
    for next_action in [*walk, None]:
        for action in DeliveryAction:
            if action is DeliveryAction.CANCEL:
                continue
            check = check_delivery_transition(status, action)
            if check is not TransitionCheck.ILLEGAL:
                continue
            body = {"code": codes[action]} if action in codes else None
            response = courier.post(f"/v1/deliveries/{delivery['id']}/{action.value}", body)
            assert response.status_code == 409, (status, action, response.text)
            assert response.json()["error"]["from"] == status.value
            assert response.json()["error"]["to"] == DELIVERY_TRANSITIONS[action][1].value
            tried += 1
        if next_action is None:
            break
        body = {"code": order["pickup_code"]} if next_action is DeliveryAction.PICKED_UP else None
        response = courier.post(f"/v1/deliveries/{delivery['id']}/{next_action.value}", body)
        assert response.status_code == 200, response.text
        status = DeliveryStatus(response.json()["status"])
    assert tried >= 30
    unknown = courier.post(f"/v1/deliveries/{delivery['id']}/cancel")
    assert unknown.status_code == 404
