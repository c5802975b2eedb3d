"""Going on duty (docs/api.md, Fleet): a store's courier taken to be at its store has `position_at` null (it never
reported that place: the board must not treat the guess as fresh), and a courier still holding deliveries keeps
the real position it had when it went off duty. Real server."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import msgspec

from o2o_tui.domain.fleet import Courier
from o2o_tui.live_dispatch import position_age_minutes
from tests.support.platform import Api, RunningPlatform, api, order_body


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def test_a_guessed_start_is_undated_and_a_courier_with_food_keeps_its_place(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    merchant, dispatcher, customer = (api(platform, role) for role in ("merchant", "dispatcher", "customer"))
    store_position = _ok(merchant.get(f"/v1/stores/{seed.store_id}"))["address"]["position"]

    idle_id, carrier_id = seed.courier_ids[0], seed.courier_ids[1]
    idle = Api(platform.url, seed.courier_tokens[idle_id])
    state = f"/v1/couriers/{idle_id}/state"
    _ok(idle.put(state, {"status": "OFFLINE"}))
    back = _ok(idle.put(state, {"status": "IDLE"}))
    assert back["position"] == store_position and back["position_at"] is None, back
    courier = msgspec.convert(back, Courier)
    assert position_age_minutes(courier, datetime.now(UTC)) is None  # "position time not known", not "0 min"

    # a courier at the customer's door with the food goes off duty and on again: it is still at the door
    carrier = Api(platform.url, seed.courier_tokens[carrier_id])
    order = _ok(customer.post("/v1/orders", order_body(seed.store_id)))
    _ok(merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5}))
    delivery = _ok(dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": carrier_id}))
    at = f"/v1/deliveries/{delivery['id']}"
    _ok(carrier.post(at + "/accept"))
    _ok(carrier.post(at + "/picked-up", {"code": _ok(merchant.get(f"/v1/orders/{order['id']}"))["pickup_code"]}))
    _ok(carrier.post(at + "/arrived-at-customer"))
    at_door = _ok(carrier.get(f"/v1/couriers/{carrier_id}"))
    assert at_door["position"] == delivery["dropoff"]["position"] and at_door["position_at"]
    _ok(carrier.put(f"/v1/couriers/{carrier_id}/state", {"status": "OFFLINE"}))
    again = _ok(carrier.put(f"/v1/couriers/{carrier_id}/state", {"status": "IDLE"}))
    assert again["status"] == "TO_CUSTOMER"
    assert again["position"] == at_door["position"] and again["position_at"] == at_door["position_at"], again
