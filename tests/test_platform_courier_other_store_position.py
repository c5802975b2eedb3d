"""A platform courier (no store) carrying deliveries of two stores: store A reads where it is only while its leg
serves A's delivery. While it is on store B's leg (at B's counter, carrying B's food, at B's customer's door) A gets
no position nor its time, and `busy_elsewhere`; once it delivered B's order it still stands at B's customer's door,
which A does not get either, until its next step (its arrival at A's counter) moves it. The real platform on
loopback, a second store with its own staff."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx

from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.identity import Role
from o2o_tui.platform import db, seed
from tests.support.platform import Api, RunningPlatform, api, order_body

B_DOOR = {"lat": 31.2061, "lon": 121.4052}
Json = dict[str, Any]


@dataclass
class StoreB:
    store_id: str
    merchant: Api
    dispatcher: Api


@dataclass
class Rider:
    courier_id: str
    api: Api


def _ok(response: httpx.Response) -> Json:
    assert response.status_code in (200, 201), response.text
    answer: Json = response.json()
    return answer


def _setup(platform: RunningPlatform) -> tuple[StoreB, Rider]:
    engine = db.open_database(platform.db_url)
    try:
        with db.writing(engine) as conn:
            other = seed.create_store(
                conn,
                name="二号店 Second",
                address=Address(text="2 Road", position=Position(lat=31.2, lon=121.4)),
                menu=seed.demo_menu(),
            )
            merchant = seed.create_user(conn, role=Role.MERCHANT, name="B counter", store_id=other.id)
            dispatcher = seed.create_user(conn, role=Role.DISPATCHER, name="B dispatch", store_id=other.id)
            free = seed.create_user(conn, role=Role.COURIER, name="Free rider", store_id=None)
    finally:
        engine.dispose()
    assert free.courier_id is not None
    b = StoreB(other.id, Api(platform.url, merchant.token), Api(platform.url, dispatcher.token))
    rider = Rider(free.courier_id, Api(platform.url, free.token))
    _ok(rider.api.put(f"/v1/couriers/{rider.courier_id}/state", {"status": "IDLE", "position": {"lat": 31.21, "lon": 121.41}}))
    return b, rider


def _accepted(customer: Api, merchant: Api, store_id: str, **overrides: object) -> Json:
    order = _ok(customer.post("/v1/orders", order_body(store_id, "DELIVERY", **overrides)))
    return _ok(merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}))


def test_a_store_reads_no_position_of_a_shared_courier_on_another_stores_leg(platform: RunningPlatform) -> None:
    seeded = platform.seed
    assert seeded is not None
    b, rider = _setup(platform)
    customer, merchant_a, dispatcher_a = (api(platform, role) for role in ("customer", "merchant", "dispatcher"))
    courier_path = f"/v1/couriers/{rider.courier_id}"
    try:
        order_a = _accepted(customer, merchant_a, seeded.store_id)
        delivery_a = _ok(dispatcher_a.post(f"/v1/orders/{order_a['id']}/assign", {"courier_id": rider.courier_id}))
        _ok(rider.api.post(f"/v1/deliveries/{delivery_a['id']}/accept", {}))
        seen = _ok(merchant_a.get(courier_path))
        assert seen["position"] is not None and seen["busy_elsewhere"] is False  # heading to A: A sees it

        door_b = {"text": "B's customer, 9 Hidden Lane", "position": B_DOOR}
        order_b = _accepted(customer, b.merchant, b.store_id, address=door_b)
        delivery_b = _ok(b.dispatcher.post(f"/v1/orders/{order_b['id']}/assign", {"courier_id": rider.courier_id}))
        steps = f"/v1/deliveries/{delivery_b['id']}"
        _ok(rider.api.post(steps + "/accept", {}))
        _ok(rider.api.post(steps + "/arrived-at-merchant", {}))
        pickup = _ok(b.merchant.get(f"/v1/orders/{order_b['id']}"))["pickup_code"]
        _ok(rider.api.post(steps + "/picked-up", {"code": pickup}))
        _ok(rider.api.post(steps + "/arrived-at-customer", {}))
        own = _ok(rider.api.get(courier_path))
        assert own["position"]["lat"] == B_DOOR["lat"]  # the courier stands at B's customer's door

        for reader in (merchant_a, dispatcher_a):  # A's counter and A's dispatch board
            seen = _ok(reader.get(courier_path))
            assert seen["position"] is None and seen["position_at"] is None, seen
            assert seen["busy_elsewhere"] is True
            assert seen["delivery_ids"] == [delivery_a["id"]]
        seen_b = _ok(b.merchant.get(courier_path))  # B's own leg: B sees where its courier is
        assert seen_b["position"]["lat"] == B_DOOR["lat"] and seen_b["busy_elsewhere"] is False

        code = _ok(customer.get(f"/v1/orders/{order_b['id']}"))["delivery_code"]
        _ok(rider.api.post(steps + "/delivered", {"code": code}))
        seen = _ok(merchant_a.get(courier_path))  # B's order done, but the courier still at B's customer's door
        assert seen["position"] is None and seen["position_at"] is None and seen["busy_elsewhere"] is False

        _ok(rider.api.post(f"/v1/deliveries/{delivery_a['id']}/arrived-at-merchant", {}))
        seen = _ok(merchant_a.get(courier_path))  # at A's counter: A's business again
        assert seen["position"] is not None and seen["position"]["lat"] != B_DOOR["lat"]
        assert seen["position_at"] is not None and seen["busy_elsewhere"] is False
    finally:
        for client in (customer, merchant_a, dispatcher_a, b.merchant, b.dispatcher, rider.api):
            client.close()
