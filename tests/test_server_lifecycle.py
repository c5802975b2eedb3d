"""Whole order lives against the real server: delivery with a courier, takeout handoff, cancellations."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from tests.support.platform import Api, RunningPlatform, api, order_body


@pytest.fixture(scope="module")
def apis(shared_platform: RunningPlatform) -> Iterator[dict[str, Api]]:
    clients = {
        role: api(shared_platform, role)
        for role in ("admin", "merchant", "dispatcher", "courier", "customer")
    }
    yield clients
    for client in clients.values():
        client.close()


def _create(apis: dict[str, Api], store_id: str, order_type: str = "DELIVERY", **overrides: object) -> dict:
    response = apis["customer"].post("/v1/orders", order_body(store_id, order_type, **overrides))
    assert response.status_code == 201, response.text
    return response.json()


def test_delivery_order_from_creation_to_doorstep(
    shared_platform: RunningPlatform, apis: dict[str, Api]
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    created = _create(apis, seed.store_id)
    order_id = created["id"]
    assert created["status"] == "CREATED"
    assert created["totals"]["subtotal"] == {"amount": 2 * (3800 + 300), "currency": "CNY"}
    assert created["totals"]["total"]["amount"] == 2 * (3800 + 300) + 500
    assert created["number"] >= 1 and created["accept_deadline"] is not None
    assert len(created["pickup_code"]) == 4 and len(created["delivery_code"]) == 4
    assert created["customer"]["phone"] == "13812345678"  # the customer sees its own number

    merchant, dispatcher, courier = apis["merchant"], apis["dispatcher"], apis["courier"]
    confirmed = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 12}).json()
    assert confirmed["status"] == "CONFIRMED" and confirmed["preparation_minutes"] == 12
    assert confirmed["promised_ready_at"] > confirmed["confirmed_at"]
    assert confirmed["customer"]["phone"] == "138****5678"
    assert confirmed["pickup_code"] == created["pickup_code"]
    assert confirmed["delivery_code"] is None  # merchants never see the delivery code
    assert merchant.post(f"/v1/orders/{order_id}/preparing").json()["status"] == "PREPARING"
    assert merchant.post(f"/v1/orders/{order_id}/ready", {}).json()["status"] == "READY_FOR_PICKUP"

    courier_id = seed.courier_ids[0]
    delivery = dispatcher.post(f"/v1/orders/{order_id}/assign", {"courier_id": courier_id}).json()
    assert delivery["status"] == "PENDING" and delivery["courier_id"] == courier_id
    assert delivery["customer_phone"] == "138****5678"
    assert "pickup_code" not in delivery and "delivery_code" not in delivery
    delivery_id = delivery["id"]
    assert merchant.get(f"/v1/orders/{order_id}").json()["delivery_id"] == delivery_id

    steps = [
        ("accept", None, "ACCEPTED", "TO_MERCHANT"),
        ("arrived-at-merchant", None, "ARRIVED_AT_MERCHANT", "AT_MERCHANT"),
        ("picked-up", {"code": created["pickup_code"]}, "PICKED_UP", "TO_CUSTOMER"),
        ("arrived-at-customer", None, "ARRIVED_AT_CUSTOMER", "TO_CUSTOMER"),
        ("delivered", {"code": created["delivery_code"]}, "DELIVERED", "IDLE"),
    ]
    for action, body, delivery_status, courier_status in steps:
        response = courier.post(f"/v1/deliveries/{delivery_id}/{action}", body)
        assert response.status_code == 200, (action, response.text)
        assert response.json()["status"] == delivery_status
        assert courier.get(f"/v1/couriers/{courier_id}").json()["status"] == courier_status
        if action == "picked-up":
            assert merchant.get(f"/v1/orders/{order_id}").json()["status"] == "DISPATCHED"
    final = apis["customer"].get(f"/v1/orders/{order_id}").json()
    assert final["status"] == "DELIVERED" and final["ended_at"] is not None
    assert courier.get(f"/v1/couriers/{courier_id}").json()["delivery_ids"] == []


def test_courier_needs_the_right_codes(shared_platform: RunningPlatform, apis: dict[str, Api]) -> None:
    seed = shared_platform.seed
    assert seed is not None
    created = _create(apis, seed.store_id)
    order_id = created["id"]
    apis["merchant"].post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 5})
    apis["merchant"].post(f"/v1/orders/{order_id}/ready")
    courier_id, token_courier = seed.courier_ids[1], seed.courier_tokens[seed.courier_ids[1]]
    delivery_id = (
        apis["dispatcher"].post(f"/v1/orders/{order_id}/assign", {"courier_id": courier_id}).json()["id"]
    )
    courier = Api(shared_platform.url, token_courier)
    try:
        courier.post(f"/v1/deliveries/{delivery_id}/accept")
        wrong = "0000" if created["pickup_code"] != "0000" else "1111"
        refused = courier.post(f"/v1/deliveries/{delivery_id}/picked-up", {"code": wrong})
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "wrong_code"
        assert courier.get(f"/v1/deliveries/{delivery_id}").json()["status"] == "ACCEPTED"
        missing = courier.post(f"/v1/deliveries/{delivery_id}/picked-up", {})
        assert missing.status_code == 422 and missing.json()["error"]["field"] == "code"
        ok = courier.post(f"/v1/deliveries/{delivery_id}/picked-up", {"code": created["pickup_code"]})
        assert ok.status_code == 200
        wrong = "0000" if created["delivery_code"] != "0000" else "1111"
        refused = courier.post(f"/v1/deliveries/{delivery_id}/delivered", {"code": wrong})
        assert refused.json()["error"]["code"] == "wrong_code"
        assert apis["merchant"].get(f"/v1/orders/{order_id}").json()["status"] == "DISPATCHED"
    finally:
        courier.close()


def test_takeout_handoff_with_the_pickup_code(shared_platform: RunningPlatform, apis: dict[str, Api]) -> None:
    seed = shared_platform.seed
    assert seed is not None
    created = _create(apis, seed.store_id, "TAKEOUT")
    order_id = created["id"]
    assert created["delivery_code"] is None and created["totals"]["delivery_fee"]["amount"] == 0
    merchant = apis["merchant"]
    merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 8})
    merchant.post(f"/v1/orders/{order_id}/ready")
    check = merchant.post(
        f"/v1/stores/{seed.store_id}/validate-code", {"code": created["pickup_code"]}
    ).json()
    assert check == {"valid": True, "order_id": order_id, "kind": "pickup"}
    assert (
        merchant.post(f"/v1/stores/{seed.store_id}/validate-code", {"code": "abcd"}).json()["valid"] is False
    )
    wrong = "0000" if created["pickup_code"] != "0000" else "1111"
    refused = merchant.post(f"/v1/orders/{order_id}/handoff", {"code": wrong})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "wrong_code"
    handed = merchant.post(f"/v1/orders/{order_id}/handoff", {"code": created["pickup_code"]})
    assert handed.status_code == 200 and handed.json()["status"] == "DELIVERED"
    # the code is spent: it no longer names an open order
    spent = merchant.post(
        f"/v1/stores/{seed.store_id}/validate-code", {"code": created["pickup_code"]}
    ).json()
    assert spent["valid"] is False or spent["order_id"] != order_id


def test_cancellation_request_accepted(shared_platform: RunningPlatform, apis: dict[str, Api]) -> None:
    seed = shared_platform.seed
    assert seed is not None
    order_id = _create(apis, seed.store_id)["id"]
    apis["merchant"].post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10})
    flagged = (
        apis["customer"]
        .post(f"/v1/orders/{order_id}/cancellation", {"reason_code": "CUSTOMER_CHANGED_MIND", "reason": "点错了"})
        .json()
    )
    assert flagged["status"] == "CONFIRMED"
    assert flagged["cancellation"]["requested_by"] == "CUSTOMER"
    assert flagged["cancellation"]["reason_code"] == "CUSTOMER_CHANGED_MIND"
    accepted = apis["merchant"].post(f"/v1/orders/{order_id}/cancellation/accept").json()
    assert accepted["status"] == "CANCELLED" and accepted["cancel_reason_code"] == "CUSTOMER_CHANGED_MIND"
    assert accepted["cancellation"] is None
    assert accepted["cancelled_by"] == "CUSTOMER"  # the merchant accepted, but the customer asked


def test_cancellation_request_denied(shared_platform: RunningPlatform, apis: dict[str, Api]) -> None:
    seed = shared_platform.seed
    assert seed is not None
    order_id = _create(apis, seed.store_id)["id"]
    apis["merchant"].post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10})
    apis["merchant"].post(f"/v1/orders/{order_id}/preparing")
    apis["customer"].post(f"/v1/orders/{order_id}/cancellation", {"reason_code": "TAKING_TOO_LONG"})
    denied = apis["merchant"].post(
        f"/v1/orders/{order_id}/cancellation/deny", {"reason_code": "ALREADY_COOKING"}
    )
    assert denied.status_code == 200
    assert denied.json()["status"] == "PREPARING" and denied.json()["cancellation"] is None
    nothing = apis["merchant"].post(f"/v1/orders/{order_id}/cancellation/accept")
    assert nothing.status_code == 409 and nothing.json()["error"]["code"] == "no_cancellation_request"


def test_customer_cancels_only_before_confirmation(
    shared_platform: RunningPlatform, apis: dict[str, Api]
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    early = _create(apis, seed.store_id)["id"]
    cancelled = apis["customer"].post(f"/v1/orders/{early}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"
    assert cancelled.json()["cancelled_by"] == "CUSTOMER"
    late = _create(apis, seed.store_id)["id"]
    apis["merchant"].post(f"/v1/orders/{late}/confirm", {"preparation_minutes": 10})
    refused = apis["customer"].post(f"/v1/orders/{late}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
    assert refused.status_code == 409
    assert refused.json()["error"] == {
        "code": "illegal_transition",
        "message": "cannot go from CONFIRMED to CANCELLED",
        "from": "CONFIRMED",
        "to": "CANCELLED",
    }


def test_reject_and_merchant_cancel_release_the_courier(
    shared_platform: RunningPlatform, apis: dict[str, Api]
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    rejected = apis["merchant"].post(
        f"/v1/orders/{_create(apis, seed.store_id)['id']}/reject", {"reason_code": "OUT_OF_STOCK"}
    )
    assert (
        rejected.json()["status"] == "CANCELLED" and rejected.json()["cancel_reason_code"] == "OUT_OF_STOCK"
    )
    assert rejected.json()["cancelled_by"] == "MERCHANT"

    order_id = _create(apis, seed.store_id)["id"]
    apis["merchant"].post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10})
    courier_id = seed.courier_ids[2]
    delivery_id = (
        apis["dispatcher"].post(f"/v1/orders/{order_id}/assign", {"courier_id": courier_id}).json()["id"]
    )
    assert delivery_id in apis["admin"].get(f"/v1/couriers/{courier_id}").json()["delivery_ids"]
    apis["merchant"].post(f"/v1/orders/{order_id}/cancel", {"reason_code": "CLOSING_SOON"})
    assert apis["admin"].get(f"/v1/deliveries/{delivery_id}").json()["status"] == "CANCELLED"
    assert apis["admin"].get(f"/v1/couriers/{courier_id}").json()["delivery_ids"] == []


def test_reassign_cancels_the_first_delivery(shared_platform: RunningPlatform, apis: dict[str, Api]) -> None:
    seed = shared_platform.seed
    assert seed is not None
    order_id = _create(apis, seed.store_id)["id"]
    apis["merchant"].post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10})
    first, second = seed.courier_ids[3], seed.courier_ids[4]
    one = apis["dispatcher"].post(f"/v1/orders/{order_id}/assign", {"courier_id": first}).json()
    two = apis["dispatcher"].post(f"/v1/orders/{order_id}/assign", {"courier_id": second}).json()
    assert one["id"] != two["id"]
    assert apis["admin"].get(f"/v1/deliveries/{one['id']}").json()["status"] == "CANCELLED"
    assert apis["merchant"].get(f"/v1/orders/{order_id}").json()["courier_id"] == second
    unassigned = apis["dispatcher"].post(f"/v1/orders/{order_id}/unassign").json()
    assert unassigned["courier_id"] is None and unassigned["delivery_id"] is None
    assert apis["admin"].get(f"/v1/deliveries/{two['id']}").json()["status"] == "CANCELLED"
    takeout = _create(apis, seed.store_id, "TAKEOUT")["id"]
    refused = apis["dispatcher"].post(f"/v1/orders/{takeout}/assign", {"courier_id": first})
    assert refused.status_code == 409


def test_courier_problem_and_position(shared_platform: RunningPlatform, apis: dict[str, Api]) -> None:
    seed = shared_platform.seed
    assert seed is not None
    order_id = _create(apis, seed.store_id)["id"]
    apis["merchant"].post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10})
    courier_id = seed.courier_ids[0]
    delivery_id = (
        apis["dispatcher"].post(f"/v1/orders/{order_id}/assign", {"courier_id": courier_id}).json()["id"]
    )
    tapped = (datetime.now(UTC) - timedelta(hours=2)).replace(microsecond=0)  # reported while offline
    reported = (
        apis["courier"]
        .post(
            f"/v1/deliveries/{delivery_id}/problem",
            {"reason": "ORDER_NOT_READY", "note": "等了十分钟"},
            headers={"X-Occurred-At": tapped.isoformat()},
        )
        .json()
    )
    assert reported["problems"][0]["reason"] == "ORDER_NOT_READY"
    assert reported["problems"][0]["occurred_at"].startswith(tapped.strftime("%Y-%m-%dT%H:%M:%S"))
    moved = (
        apis["courier"]
        .put(f"/v1/couriers/{courier_id}/state", {"position": {"lat": 31.24, "lon": 121.48}})
        .json()
    )
    assert moved["position"] == {"lat": 31.24, "lon": 121.48}
    offline = apis["courier"].put(f"/v1/couriers/{courier_id}/state", {"status": "OFFLINE"}).json()
    assert offline["status"] == "OFFLINE"
    back = apis["courier"].put(f"/v1/couriers/{courier_id}/state", {"status": "IDLE"}).json()
    assert back["status"] == "IDLE"
    # going off duty gave back the offer it had not accepted: the order waits for a courier again
    listed = apis["courier"].get("/v1/deliveries", active="true").json()["deliveries"]
    assert [d["id"] for d in listed if d["id"] == delivery_id] == []
    assert apis["dispatcher"].get(f"/v1/orders/{order_id}").json()["courier_id"] is None


def test_merchant_marking_delivered_ends_the_couriers_delivery(
    shared_platform: RunningPlatform, apis: dict[str, Api]
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    created = _create(apis, seed.store_id)
    order_id = created["id"]
    apis["merchant"].post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 5})
    courier_id = seed.courier_ids[6]
    courier = Api(shared_platform.url, seed.courier_tokens[courier_id])
    try:
        delivery_id = (
            apis["dispatcher"].post(f"/v1/orders/{order_id}/assign", {"courier_id": courier_id}).json()["id"]
        )
        courier.post(f"/v1/deliveries/{delivery_id}/accept")
        picked = courier.post(f"/v1/deliveries/{delivery_id}/picked-up", {"code": created["pickup_code"]})
        assert (
            picked.status_code == 200
        )  # the order was still CONFIRMED: picking up marks it ready and dispatched
        order = apis["merchant"].get(f"/v1/orders/{order_id}").json()
        assert order["status"] == "DISPATCHED" and order["ready_at"] is not None
        assert apis["dispatcher"].post(f"/v1/orders/{order_id}/delivered").json()["status"] == "DELIVERED"
        assert courier.get(f"/v1/deliveries/{delivery_id}").json()["status"] == "DELIVERED"
        mine = courier.get(f"/v1/couriers/{courier_id}").json()
        assert mine["status"] == "IDLE" and mine["delivery_ids"] == []
    finally:
        courier.close()
