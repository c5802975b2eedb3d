"""What a store's staff learn of couriers that are not their own fleet's: two stores with their own fleets and a
platform courier (no store) carrying both stores' orders. Store A's merchant and dispatcher read their own fleet
whole; the platform courier only while it carries one of A's orders, and then only what those orders need (its
status from A's deliveries alone, no `updated_at`, no position while B's work put it where it is); store B's own
courier never (listings, reads, deliveries, events; nor may an admin have it carry A's order). The real platform
on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest

from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.identity import Role
from o2o_tui.platform import db, seed
from tests.support.platform import Api, RunningPlatform, api, order_body

Json = dict[str, Any]
B_STORE = Position(lat=31.2, lon=121.4)


def _ok(response: httpx.Response) -> Json:
    assert response.status_code in (200, 201), response.text
    answer: Json = response.json()
    return answer


@dataclass
class World:
    a_store: str
    b_store: str
    a_staff: dict[str, Api]  # merchant, dispatcher of A
    b_staff: dict[str, Api]
    admin: Api
    customer: Api
    b_rider: str  # B's own fleet courier
    b_rider_api: Api
    free: str  # the platform courier
    free_api: Api

    def accepted(self, store: str) -> Json:
        merchant = self.a_staff["merchant"] if store == self.a_store else self.b_staff["merchant"]
        order = _ok(self.customer.post("/v1/orders", order_body(store)))
        return _ok(merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}))


@pytest.fixture
def world(platform: RunningPlatform) -> Iterator[World]:
    seeded = platform.seed
    assert seeded is not None
    engine = db.open_database(platform.db_url)
    try:
        with db.writing(engine) as conn:
            other = seed.create_store(
                conn, name="二号店 Second", address=Address(text="2 Road", position=B_STORE), menu=seed.demo_menu()
            )
            b_users = {
                role.value: seed.create_user(conn, role=role, name=f"B {role.value}", store_id=other.id)
                for role in (Role.MERCHANT, Role.DISPATCHER)
            }
            b_rider = seed.create_user(conn, role=Role.COURIER, name="B's own rider", store_id=other.id)
            free = seed.create_user(conn, role=Role.COURIER, name="自由骑手 Free rider", store_id=None)
    finally:
        engine.dispose()
    assert b_rider.courier_id is not None and free.courier_id is not None
    made = World(
        a_store=seeded.store_id,
        b_store=other.id,
        a_staff={role: api(platform, role) for role in ("merchant", "dispatcher")},
        b_staff={role: Api(platform.url, user.token) for role, user in b_users.items()},
        admin=api(platform, "admin"),
        customer=api(platform, "customer"),
        b_rider=b_rider.courier_id,
        b_rider_api=Api(platform.url, b_rider.token),
        free=free.courier_id,
        free_api=Api(platform.url, free.token),
    )
    _ok(made.free_api.put(f"/v1/couriers/{made.free}/state", {"status": "IDLE", "position": {"lat": 31.21, "lon": 121.41}}))
    yield made
    for client in (*made.a_staff.values(), *made.b_staff.values(), made.admin, made.customer, made.b_rider_api):
        client.close()
    made.free_api.close()


def test_a_store_never_reads_another_stores_courier(world: World) -> None:
    order_a = world.accepted(world.a_store)
    order_b = world.accepted(world.b_store)
    dl_b = _ok(world.b_staff["dispatcher"].post(f"/v1/orders/{order_b['id']}/assign", {"courier_id": world.b_rider}))
    _ok(world.b_rider_api.post(f"/v1/deliveries/{dl_b['id']}/accept", {}))
    # nor may an admin have B's rider carry A's order (test_server_assign_other_store_courier.py)
    refused = world.admin.post(f"/v1/orders/{order_a['id']}/assign", {"courier_id": world.b_rider})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "courier_other_store"
    for role, staff in world.a_staff.items():
        listed = _ok(staff.get("/v1/couriers"))["couriers"]
        assert listed and {c["store_id"] for c in listed} == {world.a_store}, role
        assert staff.get("/v1/couriers", store_id=world.b_store).status_code == 404
        refused = staff.get(f"/v1/couriers/{world.b_rider}")
        assert refused.status_code == 404 and refused.json()["error"]["code"] == "not_found"
        events = _ok(staff.get("/v1/events", after="0"))["events"]
        seen = {e["entity_id"] for e in events}
        assert world.b_rider not in seen and dl_b["id"] not in seen and order_b["id"] not in seen, role
    carried = _ok(world.a_staff["dispatcher"].get("/v1/deliveries", courier_id=world.b_rider))["deliveries"]
    assert carried == []  # B's deliveries are not A's to read
    other = world.accepted(world.a_store)
    for order in (order_a, other):  # not "courier_full" or "courier_offline": nothing of its state
        refused = world.a_staff["dispatcher"].post(f"/v1/orders/{order['id']}/assign", {"courier_id": world.b_rider})
        assert refused.status_code == 404, refused.text


def test_a_platform_courier_reads_to_a_store_as_its_orders_need(world: World) -> None:
    path = f"/v1/couriers/{world.free}"
    for staff in world.a_staff.values():  # carrying nothing of A's: nothing
        assert staff.get(path).status_code == 404
    order_a = world.accepted(world.a_store)
    dl_a = _ok(world.a_staff["dispatcher"].post(f"/v1/orders/{order_a['id']}/assign", {"courier_id": world.free}))
    order_b = world.accepted(world.b_store)
    dl_b = _ok(world.b_staff["dispatcher"].post(f"/v1/orders/{order_b['id']}/assign", {"courier_id": world.free}))
    b_steps = f"/v1/deliveries/{dl_b['id']}"
    _ok(world.free_api.post(b_steps + "/accept", {}))
    _ok(world.free_api.post(b_steps + "/arrived-at-merchant", {}))
    own = _ok(world.free_api.get(path))
    assert own["status"] == "AT_MERCHANT" and own["updated_at"] is not None  # at B's counter

    for role, staff in world.a_staff.items():  # A's offer is still unanswered: idle as far as A's order goes
        seen = _ok(staff.get(path))
        assert seen["status"] == "IDLE", (role, seen)
        assert seen["updated_at"] is None and seen["position"] is None and seen["position_at"] is None
        assert seen["busy_elsewhere"] is True and seen["delivery_ids"] == [dl_a["id"]]
        assert seen["name"] == "自由骑手 Free rider"  # who is coming for the order
    seen_b = _ok(world.b_staff["dispatcher"].get(path))  # B's counter is B's business
    assert seen_b["status"] == "AT_MERCHANT" and seen_b["delivery_ids"] == [dl_b["id"]]
    assert seen_b["position"]["lat"] == B_STORE.lat and seen_b["updated_at"] is None

    _ok(world.free_api.post(f"/v1/deliveries/{dl_a['id']}/accept", {}))
    seen = _ok(world.a_staff["merchant"].get(path))
    assert seen["status"] == "TO_MERCHANT" and seen["busy_elsewhere"] is True  # coming to A, after B's counter

    # B cancels its order while the courier stands at B's counter: the courier is still where B's work put it
    _ok(world.b_staff["merchant"].post(f"/v1/orders/{order_b['id']}/cancel", {"reason_code": "OTHER"}))
    assert _ok(world.free_api.get(path))["position"]["lat"] == B_STORE.lat
    seen = _ok(world.a_staff["dispatcher"].get(path))
    assert seen["position"] is None and seen["position_at"] is None and seen["busy_elsewhere"] is False, seen
    assert seen["status"] == "TO_MERCHANT"

    _ok(world.free_api.post(f"/v1/deliveries/{dl_a['id']}/arrived-at-merchant", {}))  # at A's counter: A's
    seen = _ok(world.a_staff["dispatcher"].get(path))
    assert seen["status"] == "AT_MERCHANT" and seen["position"] is not None and seen["position_at"] is not None

    events = _ok(world.a_staff["dispatcher"].get("/v1/events", after="0"))["events"]
    assert dl_b["id"] not in {e["entity_id"] for e in events}
    _ok(world.a_staff["dispatcher"].post(f"/v1/orders/{order_a['id']}/unassign", {}))
    assert world.a_staff["merchant"].get(path).status_code == 404  # no longer carrying A's order: nothing
