"""Smaller leaks: other stores' staff and unattached couriers, personal data of ended orders and deliveries kept
forever, and a customer reading a store's private fields."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.identity import Role
from o2o_tui.platform import db, seed
from tests.support.platform import Api, RunningPlatform, api, order_body, start_platform

PUBLIC_STORE_FIELDS = {
    "id", "name", "address", "currency", "timezone", "state", "opening_hours", "hours_exceptions"
}  # fmt: skip


def _ok(response: object) -> dict:
    assert getattr(response, "status_code", None) in (200, 201), getattr(response, "text", response)
    return response.json()  # type: ignore[attr-defined]


def _confirmed(platform: RunningPlatform, store_id: str, merchant: Api) -> dict:
    order = _ok(api(platform, "customer").post("/v1/orders", order_body(store_id)))
    return _ok(merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5}))


def test_staff_read_an_unattached_courier_only_for_their_own_orders(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    engine = db.open_database(platform.db_url)
    try:
        with db.writing(engine) as conn:
            other = seed.create_store(
                conn,
                name="二号店 Second",
                address=Address(text="2 Road", position=Position(lat=31.2, lon=121.4)),
                menu=seed.demo_menu(),
            )
            other_store_id = other.id
            free = seed.create_user(conn, role=Role.COURIER, name="自由骑手 Free rider", store_id=None)
            other_merchant = seed.create_user(conn, role=Role.MERCHANT, name="B", store_id=other_store_id)
            other_dispatcher = seed.create_user(conn, role=Role.DISPATCHER, name="B", store_id=other_store_id)
    finally:
        engine.dispose()
    assert free.courier_id is not None
    dispatcher = api(platform, "dispatcher")
    other_staff = Api(platform.url, other_dispatcher.token)
    courier = Api(platform.url, free.token)
    _ok(
        courier.put(
            f"/v1/couriers/{free.courier_id}/state",
            {"status": "IDLE", "position": {"lat": 31.3, "lon": 121.5}},
        )
    )

    # nobody's order yet: no store's staff reads where it is (today: any store's staff did)
    for staff in (dispatcher, other_staff):
        assert staff.get(f"/v1/couriers/{free.courier_id}").status_code == 404

    ours = _confirmed(platform, platform.seed.store_id, api(platform, "merchant"))
    our_delivery = _ok(dispatcher.post(f"/v1/orders/{ours['id']}/assign", {"courier_id": free.courier_id}))
    # the second store gives it an order too: each store's staff see only their own delivery on it
    theirs = _confirmed(platform, other_store_id, Api(platform.url, other_merchant.token))
    their_delivery = _ok(
        other_staff.post(f"/v1/orders/{theirs['id']}/assign", {"courier_id": free.courier_id})
    )
    assert _ok(other_staff.get(f"/v1/couriers/{free.courier_id}"))["delivery_ids"] == [their_delivery["id"]]
    seen = _ok(dispatcher.get(f"/v1/couriers/{free.courier_id}"))
    assert seen["delivery_ids"] == [our_delivery["id"]]
    assert seen["position"] is not None
    both = _ok(courier.get(f"/v1/couriers/{free.courier_id}"))["delivery_ids"]
    assert sorted(both) == sorted([our_delivery["id"], their_delivery["id"]])  # the courier itself sees both


def test_a_customer_reads_only_a_stores_public_fields(shared_platform: RunningPlatform) -> None:
    assert shared_platform.seed is not None
    store_id = shared_platform.seed.store_id
    shown = _ok(api(shared_platform, "customer").get(f"/v1/stores/{store_id}"))
    assert set(shown) == PUBLIC_STORE_FIELDS, sorted(set(shown) - PUBLIC_STORE_FIELDS)
    assert shown["state"] == "ONLINE" and shown["address"]["position"] is not None
    merchant_view = _ok(api(shared_platform, "merchant").get(f"/v1/stores/{store_id}"))
    assert "status" in merchant_view and "own_fleet" in merchant_view


@pytest.fixture
def quick_purge(tmp_path: Path) -> Iterator[RunningPlatform]:
    """A server whose jobs run every 0.2 s and blank personal data one second after an order ends."""
    env = {"O2O_JOB_INTERVAL_SECONDS": "0.2", "O2O_PURGE_PERSONAL_HOURS": str(1 / 3600)}
    running = start_platform(tmp_path, env=env)
    try:
        yield running
    finally:
        running.stop()


def _wait_until(check: object, seconds: float = 6.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


def test_personal_data_of_ended_orders_and_deliveries_is_blanked_after_the_retention(
    quick_purge: RunningPlatform,
) -> None:
    platform = quick_purge
    seed_result = platform.seed
    assert seed_result is not None
    courier_id = seed_result.courier_ids[0]
    merchant, dispatcher, customer = (api(platform, role) for role in ("merchant", "dispatcher", "customer"))
    courier = Api(platform.url, seed_result.courier_tokens[courier_id])
    body = order_body(seed_result.store_id, note="门口放下 leave at the door")
    order = _ok(customer.post("/v1/orders", body))
    _ok(merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5}))
    delivery = _ok(dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id}))
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/accept"))
    pickup_code = _ok(merchant.get(f"/v1/orders/{order['id']}"))["pickup_code"]
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/picked-up", {"code": pickup_code}))
    delivery_code = _ok(customer.get(f"/v1/orders/{order['id']}"))["delivery_code"]
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/delivered", {"code": delivery_code}))
    still_open = _confirmed(platform, seed_result.store_id, merchant)
    ended = _ok(courier.get(f"/v1/deliveries/{delivery['id']}"))
    assert ended["customer_name"] == body["customer_name"]  # right after it ended, the courier still reads it

    def blanked() -> bool:
        return _ok(courier.get(f"/v1/deliveries/{delivery['id']}"))["customer_name"] == ""

    assert _wait_until(blanked), "the ended delivery still holds the customer's name"
    seen = _ok(courier.get(f"/v1/deliveries/{delivery['id']}"))
    assert seen["customer_phone"] == "" and seen["dropoff"]["text"] == "" and seen["note"] == ""
    assert seen["dropoff"]["position"] is None
    for reader in (merchant, customer):
        kept = _ok(reader.get(f"/v1/orders/{order['id']}"))
        assert kept["customer"]["name"] == "" and kept["customer"]["phone"] == ""
        assert kept["customer"]["address"] is None and kept["note"] == ""
        assert kept["status"] == "DELIVERED" and kept["totals"] == order["totals"]  # the record itself stays
    active = _ok(merchant.get(f"/v1/orders/{still_open['id']}"))
    assert active["customer"]["name"] == body["customer_name"]  # orders not ended keep everything
