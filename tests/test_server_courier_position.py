"""What the platform tells a courier and its dispatcher beyond the delivery's status: the store's name and the
order's current ready time on the delivery, and (a handheld has no GPS) a courier position that follows its
arrivals and hand-overs, with the time it was set."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from o2o_tui.domain.fleet import Courier, Delivery
from tests.support.platform import Api, RunningPlatform, api, order_body

DROPOFF = {"lat": 31.2317, "lon": 121.4726}  # order_body's address


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _courier(platform: RunningPlatform, index: int) -> tuple[str, Api]:
    seed = platform.seed
    assert seed is not None
    courier_id = seed.courier_ids[index]
    return courier_id, Api(platform.url, seed.courier_tokens[courier_id])


def _assigned_order(platform: RunningPlatform, courier_id: str) -> tuple[dict, dict]:
    """A new DELIVERY order, accepted (a courier comes only after that), assigned to `courier_id`."""
    seed = platform.seed
    assert seed is not None
    merchant, customer = api(platform, "merchant"), api(platform, "customer")
    order = customer.post("/v1/orders", order_body(seed.store_id)).json()
    assert merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 20}).status_code == 200
    delivery = merchant.post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
    assert delivery.status_code == 200, delivery.text
    return order, delivery.json()


def test_delivery_carries_the_store_name_and_the_current_ready_time(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    merchant = api(shared_platform, "merchant")
    store = merchant.get(f"/v1/stores/{seed.store_id}").json()
    courier_id, courier = _courier(shared_platform, 6)

    order, delivery = _assigned_order(shared_platform, courier_id)
    assert delivery["store_name"] == store["name"] and store["name"]
    assert delivery["store_timezone"] == store["timezone"] and store["timezone"]  # its clock times are read on it
    promised = merchant.get(f"/v1/orders/{order['id']}").json()["promised_ready_at"]
    assert _when(delivery["ready_at"]) == _when(promised)  # the time the store promised when it accepted

    assert courier.post(f"/v1/deliveries/{delivery['id']}/accept").status_code == 200
    merchant.post(f"/v1/orders/{order['id']}/ready")
    ready = merchant.get(f"/v1/orders/{order['id']}").json()["ready_at"]
    seen = courier.get(f"/v1/deliveries/{delivery['id']}").json()
    assert _when(seen["ready_at"]) == _when(ready) < _when(promised)
    assert seen["status"] == "ACCEPTED" and seen["store_name"] == store["name"]


def test_position_follows_the_couriers_actions(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    store = api(shared_platform, "merchant").get(f"/v1/stores/{seed.store_id}").json()
    pickup = store["address"]["position"]
    assert pickup is not None and pickup != DROPOFF
    courier_id, courier = _courier(shared_platform, 7)
    order, delivery = _assigned_order(shared_platform, courier_id)
    at_start = courier.get(f"/v1/couriers/{courier_id}").json()
    assert at_start["position_at"] is not None  # seeded with a position, dated when it was seeded

    def act(action: str, body: dict | None = None) -> dict:
        response = courier.post(f"/v1/deliveries/{delivery['id']}/{action}", body)
        assert response.status_code == 200, response.text
        return courier.get(f"/v1/couriers/{courier_id}").json()

    after_accept = act("accept")
    assert after_accept["position"] == at_start["position"]
    assert after_accept["position_at"] == at_start["position_at"]  # accepting does not move the courier
    at_store = act("arrived-at-merchant")
    assert at_store["position"] == pickup and at_store["position_at"] is not None
    picked = act("picked-up", {"code": order["pickup_code"]})
    assert picked["position"] == pickup
    assert _when(picked["position_at"]) >= _when(at_store["position_at"])
    at_door = act("arrived-at-customer")
    assert at_door["position"] == DROPOFF and _when(at_door["position_at"]) >= _when(picked["position_at"])
    delivered = act("delivered", {"code": order["delivery_code"]})
    assert delivered["position"] == DROPOFF and delivered["status"] == "IDLE"

    # the dispatcher's fleet list carries the same position and its time
    fleet = api(shared_platform, "dispatcher").get("/v1/couriers", store_id=seed.store_id).json()["couriers"]
    [listed] = [c for c in fleet if c["id"] == courier_id]
    assert listed["position"] == DROPOFF and listed["position_at"] == delivered["position_at"]


def test_state_position_sets_position_at_and_a_late_replay_does_not_move_back(
    shared_platform: RunningPlatform,
) -> None:
    courier_id, courier = _courier(shared_platform, 8)
    tapped = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=3)
    seeded_at = courier.get(f"/v1/couriers/{courier_id}").json()["position_at"]
    if seeded_at is not None:  # a tap before the seed dated the position would be older than what it knows
        tapped = max(tapped, _when(seeded_at).replace(microsecond=0) + timedelta(seconds=1))
    # a tap time ahead of the server's clock is taken as the arrival time, so wait until this one has passed
    time.sleep(max(0.0, (tapped - datetime.now(UTC)).total_seconds() + 0.2))
    here = {"lat": 31.24, "lon": 121.48}
    moved = courier.put(
        f"/v1/couriers/{courier_id}/state",
        {"position": here},
        headers={"X-Occurred-At": tapped.isoformat()},
    ).json()
    assert moved["position"] == here and _when(moved["position_at"]) == tapped  # the tap time, not arrival

    older = {"lat": 31.20, "lon": 121.40}
    replayed = courier.put(
        f"/v1/couriers/{courier_id}/state",
        {"position": older},
        headers={"X-Occurred-At": (tapped - timedelta(minutes=5)).isoformat()},
    ).json()
    assert replayed["position"] == here and _when(replayed["position_at"]) == tapped

    far_ahead = courier.put(  # a clock an hour fast: taken at the server's time, never a position from the future
        f"/v1/couriers/{courier_id}/state",
        {"position": here},
        headers={"X-Occurred-At": (datetime.now(UTC) + timedelta(hours=1)).isoformat()},
    )
    assert far_ahead.status_code == 200 and _when(far_ahead.json()["position_at"]) <= datetime.now(UTC)
    ahead = courier.put(  # a device clock a little ahead of the server's is capped at the server's time
        f"/v1/couriers/{courier_id}/state",
        {"position": older},
        headers={"X-Occurred-At": (datetime.now(UTC) + timedelta(minutes=4)).isoformat()},
    ).json()
    assert ahead["position"] == older and _when(ahead["position_at"]) <= datetime.now(UTC)

    off = courier.put(f"/v1/couriers/{courier_id}/state", {"status": "OFFLINE"}).json()
    assert off["status"] == "OFFLINE" and off["position_at"] == ahead["position_at"]  # no position: unchanged


@pytest.mark.parametrize("kind", [Delivery, Courier])
def test_documents_written_before_the_new_fields_still_decode(kind: type) -> None:
    when = "2026-01-01T12:00:00Z"
    if kind is Delivery:
        address = {"text": "x", "position": None}
        doc = {
            "id": "dl_1", "order_id": "o1", "order_number": 42, "store_id": "s1", "courier_id": "c1",
            "status": "ACCEPTED", "pickup": address, "dropoff": address, "customer_name": "A",
            "customer_phone": "138****5678", "version": 3, "created_at": when, "updated_at": when,
        }  # fmt: skip
        decoded = msgspec.convert(doc, Delivery)
        assert decoded.store_name == ""
    else:
        doc = {"id": "c1", "name": "A", "status": "IDLE", "capacity": 3, "version": 1, "updated_at": when}
        assert msgspec.convert(doc, Courier).position_at is None


def test_going_on_duty_without_a_position_starts_at_the_store(platform: RunningPlatform) -> None:
    """A handheld has no GPS: a store's courier going on duty is taken to be at its store (before, a new courier
    had no position until its first arrival, and dispatch could never plan it); one that says where it is, or is
    on duty already, is where it says or was."""
    seed = platform.seed
    assert seed is not None
    store = api(platform, "merchant").get(f"/v1/stores/{seed.store_id}").json()
    courier_id, courier = _courier(platform, 0)
    before = courier.get(f"/v1/couriers/{courier_id}").json()
    assert before["position"] not in (None, store["address"]["position"])
    state = f"/v1/couriers/{courier_id}/state"
    assert courier.put(state, {"status": "OFFLINE"}).json()["position"] == before["position"]
    on = courier.put(state, {"status": "IDLE"}).json()
    assert on["status"] == "IDLE" and on["position"] == store["address"]["position"]
    assert on["position_at"] is None  # a guess, never reported: docs/api.md, Fleet
    here = {"lat": 31.24, "lon": 121.48}
    assert courier.put(state, {"position": here}).json()["position"] == here
    assert courier.put(state, {"status": "IDLE"}).json()["position"] == here  # on duty already: not moved
    courier.put(state, {"status": "OFFLINE"})
    assert courier.put(state, {"status": "IDLE", "position": here}).json()["position"] == here
