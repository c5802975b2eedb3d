"""A courier who brings a picked-up order back: the order is READY at the counter again with no courier, says why,
and the merchant dispatches it again or cancels it."""

from __future__ import annotations

import msgspec

from o2o_tui.domain.order import Order
from screens import order_format
from tests.support.platform import Api, RunningPlatform, api, order_body


def _ok(response: object) -> dict:
    assert getattr(response, "status_code", None) == 200, getattr(response, "text", response)
    return response.json()  # type: ignore[attr-defined]


def _picked_up(platform: RunningPlatform, courier: Api, courier_id: str) -> tuple[dict, dict]:
    """A new delivery order, confirmed, assigned to `courier_id`, accepted and picked up with the pickup code."""
    assert platform.seed is not None
    merchant, dispatcher, customer = (api(platform, role) for role in ("merchant", "dispatcher", "customer"))
    created = customer.post("/v1/orders", order_body(platform.seed.store_id))
    assert created.status_code == 201, created.text
    order = created.json()
    _ok(merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5}))
    delivery = _ok(dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id}))
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/accept"))
    pickup_code = _ok(merchant.get(f"/v1/orders/{order['id']}"))["pickup_code"]
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/picked-up", {"code": pickup_code}))
    return order, delivery


def _bring_back(courier: Api, delivery: dict) -> dict:
    _ok(
        courier.post(
            f"/v1/deliveries/{delivery['id']}/problem", {"reason": "NOBODY_TO_RECEIVE", "note": "门铃坏了"}
        )
    )
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/return"))
    return _ok(courier.post(f"/v1/deliveries/{delivery['id']}/returned"))


def test_returned_order_is_ready_again_and_goes_out_with_another_courier(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    first_id, second_id = seed.courier_ids[0], seed.courier_ids[1]
    first = Api(platform.url, seed.courier_tokens[first_id])
    second = Api(platform.url, seed.courier_tokens[second_id])
    merchant, dispatcher, customer = (api(platform, role) for role in ("merchant", "dispatcher", "customer"))
    cursor = _ok(merchant.get("/v1/events", after="latest"))["cursor"]

    order, delivery = _picked_up(platform, first, first_id)
    on_the_way = _ok(merchant.get(f"/v1/orders/{order['id']}"))
    assert on_the_way["status"] == "DISPATCHED"

    returned = _bring_back(first, delivery)
    assert returned["status"] == "RETURNED"
    back = _ok(merchant.get(f"/v1/orders/{order['id']}"))
    # today's bug: DISPATCHED, still pointing at the finished delivery, and nobody can dispatch it again
    assert back["status"] == "READY_FOR_PICKUP", back
    assert back["courier_id"] is None and back["delivery_id"] is None
    assert back["delivery_status"] == "RETURNED" and back["return_reason"] == "NOBODY_TO_RECEIVE"
    assert back["ended_at"] is None
    changes = _ok(merchant.get("/v1/events", after=cursor))["events"]
    assert any(e["entity_id"] == order["id"] and e["version"] == back["version"] for e in changes)
    assert _ok(first.get(f"/v1/couriers/{first_id}"))["delivery_ids"] == []

    # the counter shows why: the line says "Returned", the detail the courier's reason
    shown = msgspec.convert(back, Order, strict=False)
    assert order_format.courier_stage(shown) == "Returned"
    assert order_format.courier_stage(shown, long=True) == "brought it back (Nobody to receive)"

    # dispatched again, to another courier, and delivered
    again = _ok(dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": second_id}))
    assert again["id"] != delivery["id"]
    reassigned = _ok(merchant.get(f"/v1/orders/{order['id']}"))
    assert reassigned["courier_id"] == second_id and reassigned["return_reason"] is None
    _ok(second.post(f"/v1/deliveries/{again['id']}/accept"))
    _ok(second.post(f"/v1/deliveries/{again['id']}/picked-up", {"code": reassigned["pickup_code"]}))
    delivery_code = _ok(customer.get(f"/v1/orders/{order['id']}"))["delivery_code"]
    _ok(second.post(f"/v1/deliveries/{again['id']}/delivered", {"code": delivery_code}))
    done = _ok(merchant.get(f"/v1/orders/{order['id']}"))
    assert done["status"] == "DELIVERED" and done["delivery_status"] == "DELIVERED"
    assert _ok(first.get(f"/v1/deliveries/{delivery['id']}"))["status"] == "RETURNED"


def test_returned_order_can_be_cancelled_and_a_cancelled_one_stays_cancelled(
    platform: RunningPlatform,
) -> None:
    seed = platform.seed
    assert seed is not None
    courier_id = seed.courier_ids[0]
    courier = Api(platform.url, seed.courier_tokens[courier_id])
    merchant = api(platform, "merchant")

    order, delivery = _picked_up(platform, courier, courier_id)
    _bring_back(courier, delivery)
    assert _ok(merchant.get(f"/v1/orders/{order['id']}"))["status"] == "READY_FOR_PICKUP"
    cancelled = _ok(merchant.post(f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"}))
    assert cancelled["status"] == "CANCELLED"

    # cancelled while the courier was on the way back: the courier's `returned` still ends its delivery
    order, delivery = _picked_up(platform, courier, courier_id)
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/return"))
    _ok(merchant.post(f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"}))
    assert _ok(courier.post(f"/v1/deliveries/{delivery['id']}/returned"))["status"] == "RETURNED"
    after = _ok(merchant.get(f"/v1/orders/{order['id']}"))
    assert after["status"] == "CANCELLED" and after["delivery_status"] == "RETURNED"
    assert _ok(courier.get(f"/v1/couriers/{courier_id}"))["delivery_ids"] == []
