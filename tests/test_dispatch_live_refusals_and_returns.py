"""Live dispatch (`o2o_tui.live_dispatch`) on the real server: who must not, or cannot yet, get an order.

- A courier who rejected an offer is not suggested for that order again, while another courier could take it;
  when nobody else could, the suggestion is made, marked `refused`, and `dispatch auto` never sends it.
- A vehicle problem reported on one order stops the courier for all its orders: those not picked up are planned
  for other couriers (held for a person), those picked up are listed as stuck, with the problem.
- A courier with food to bring back (a cancelled order's, or a refused pickup's after a reassignment) shows as
  returning, counts it in its load, and is free only once back at the store.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.live_dispatch import FleetSnapshot, LivePlan, plan_live, read_fleet, shown_status
from tests.support.platform import Api, RunningPlatform, api, order_body
from tests.test_cli_dispatch import Cli


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _ready_order(platform: RunningPlatform) -> dict:
    seed = platform.seed
    assert seed is not None
    order = _ok(api(platform, "customer").post("/v1/orders", order_body(seed.store_id)))
    merchant = api(platform, "merchant")
    _ok(merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5}))
    _ok(merchant.post(f"/v1/orders/{order['id']}/ready"))
    return order


def _courier(platform: RunningPlatform, courier_id: str) -> Api:
    assert platform.seed is not None
    return Api(platform.url, platform.seed.courier_tokens[courier_id])


def _offer(platform: RunningPlatform, order: dict, courier_id: str) -> str:
    """The order given to `courier_id`: its delivery's path."""
    delivery = _ok(api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id}))
    return f"/v1/deliveries/{delivery['id']}"


def _accepted(platform: RunningPlatform, courier_id: str, *, pick_up: bool) -> tuple[dict, str]:
    order = _ready_order(platform)
    path = _offer(platform, order, courier_id)
    courier = _courier(platform, courier_id)
    _ok(courier.post(path + "/accept"))
    if pick_up:
        code = _ok(api(platform, "merchant").get(f"/v1/orders/{order['id']}"))["pickup_code"]
        _ok(courier.post(path + "/picked-up", {"code": code}))
    return order, path


def _snapshot(platform: RunningPlatform) -> FleetSnapshot:
    seed = platform.seed
    assert seed is not None
    with PlatformClient(platform.url, seed.tokens["dispatcher"]) as client:
        return read_fleet(client, seed.store_id)


def _plan(platform: RunningPlatform) -> LivePlan:
    return plan_live(_snapshot(platform), datetime.now(UTC))


def _refused(snapshot: FleetSnapshot, order_id: str, courier_id: str) -> FleetSnapshot:
    """The snapshot, checked to carry the rejection as the platform records it (`Order.refused_by`, read by the
    dispatcher): the order back to nobody, the courier named once."""
    order = next(o for o in snapshot.orders if o.id == order_id)
    assert order.courier_id is None and [r.courier_id for r in order.refused_by] == [courier_id], order
    return snapshot


# --- 1. a rejected offer ------------------------------------------------------------------------------------------


def test_a_courier_who_rejected_an_order_is_not_suggested_it_again(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    order = _ready_order(platform)
    # the courier the plan picks first for it is the one offered it
    first = _plan(platform).suggestion_for(order["id"])
    assert first is not None and first.commit, first
    zhao = first.courier_id
    _ok(_courier(platform, zhao).post(_offer(platform, order, zhao) + "/reject"))

    snapshot = _refused(_snapshot(platform), order["id"], zhao)
    mine = next(o for o in snapshot.orders if o.id == order["id"])
    assert mine.courier_id is None, mine  # back to nobody: ready to plan again
    plan = plan_live(snapshot, datetime.now(UTC))
    again = plan.suggestion_for(order["id"])
    assert again is not None and again.courier_id != zhao and not again.refused, again
    assert again in plan.automatic, again
    # the other couriers' plans are untouched: the rejection is about this order only
    other = _ready_order(platform)
    plan = plan_live(_refused(_snapshot(platform), order["id"], zhao), datetime.now(UTC))
    assert {s.order_id for s in plan.suggestions} == {order["id"], other["id"]}
    assert plan.suggestion_for(order["id"]).courier_id != zhao  # type: ignore[union-attr]


def test_an_order_only_its_refuser_could_take_is_suggested_marked_and_never_sent(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    zhao = seed.courier_ids[0]
    for courier_id in seed.courier_ids[1:]:  # everybody else goes off duty
        _ok(_courier(platform, courier_id).put(f"/v1/couriers/{courier_id}/state", {"status": "OFFLINE"}))
    order = _ready_order(platform)
    _ok(_courier(platform, zhao).post(_offer(platform, order, zhao) + "/reject"))

    plan = plan_live(_refused(_snapshot(platform), order["id"], zhao), datetime.now(UTC))
    suggestion = plan.suggestion_for(order["id"])
    assert suggestion is not None and suggestion.courier_id == zhao and suggestion.refused, suggestion
    assert suggestion not in plan.automatic  # `dispatch auto` would offer it again, and loop: a person decides
    # one courier back on duty who has not said no: the order goes to them, and may be sent
    chen = seed.courier_ids[1]
    _ok(_courier(platform, chen).put(f"/v1/couriers/{chen}/state", {"status": "IDLE"}))
    plan = plan_live(_refused(_snapshot(platform), order["id"], zhao), datetime.now(UTC))
    suggestion = plan.suggestion_for(order["id"])
    assert suggestion is not None and suggestion.courier_id == chen and not suggestion.refused, suggestion


# --- 2. a vehicle problem stops the courier for all its orders -----------------------------------------------------


@pytest.mark.parametrize("reported_on", ["picked_up", "not_picked_up"])
def test_a_vehicle_problem_replans_all_the_couriers_orders_not_picked_up(
    platform: RunningPlatform, reported_on: str
) -> None:
    seed = platform.seed
    assert seed is not None
    zhao = seed.courier_ids[0]
    carried, carried_path = _accepted(platform, zhao, pick_up=True)
    waiting, waiting_path = _accepted(platform, zhao, pick_up=False)
    where = carried_path if reported_on == "picked_up" else waiting_path
    _ok(_courier(platform, zhao).post(where + "/problem", {"reason": "VEHICLE_PROBLEM"}))

    plan = _plan(platform)
    state = next(c for c in plan.couriers if c.courier_id == zhao)
    assert state.stopped and state.problem == "VEHICLE_PROBLEM", state
    # not picked up: suggested to another courier, held for a person while Zhao is on duty and heard from
    suggestion = plan.suggestion_for(waiting["id"])
    assert suggestion is not None and suggestion.courier_id != zhao and suggestion.held, suggestion
    assert suggestion not in plan.automatic
    row = next(o for o in plan.orders if o.order_id == waiting["id"])
    assert row.why == "planned" and row.problem == "VEHICLE_PROBLEM", row
    # picked up: stays with Zhao, listed as stuck, the problem said on it
    stuck = next(o for o in plan.orders if o.order_id == carried["id"])
    assert stuck.why == "stuck" and stuck.courier_id == zhao and stuck.problem == "VEHICLE_PROBLEM", stuck
    assert plan.suggestion_for(carried["id"]) is None


# --- 3. food on its way back --------------------------------------------------------------------------------------


def test_a_courier_bringing_back_a_cancelled_orders_food_is_returning(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    seed = platform.seed
    assert seed is not None
    zhao = seed.courier_ids[0]
    order, path = _accepted(platform, zhao, pick_up=True)
    _ok(api(platform, "merchant").post(f"/v1/orders/{order['id']}/cancel", {"reason_code": "OUT_OF_STOCK"}))
    assert _ok(_courier(platform, zhao).get(path))["status"] == "RETURNING"

    snapshot = _snapshot(platform)
    assert [o.id for o in snapshot.bring_back] == [order["id"]]
    plan = plan_live(snapshot, datetime.now(UTC))
    state = next(c for c in plan.couriers if c.courier_id == zhao)
    assert shown_status(state) == "returning" and state.returning == [order["number"]], state
    assert state.load == 1 and state.dropoffs == [], state
    assert state.free_position is not None and plan.origin is not None
    assert abs(state.free_position.lat - plan.origin.lat) < 1e-6, state  # free at the store, once back
    assert all(o.order_id != order["id"] for o in plan.orders)  # cancelled: nothing to plan or reassign

    cli = Cli(tmp_path / "home")
    cli("login", "--url", platform.url, "--token", seed.tokens["dispatcher"])
    line = next(text for text in cli("couriers", "list").stdout.splitlines() if zhao in text)
    assert "  returning  " in line and "delivering" not in line and "1/3" in line, line

    # back at the store: the return ends, nothing is held any more
    _ok(_courier(platform, zhao).post(path + "/returned"))
    state = next(c for c in _plan(platform).couriers if c.courier_id == zhao)
    assert shown_status(state) != "returning" and state.returning == [] and state.load == 0, state


def test_a_courier_holding_a_reassigned_orders_food_is_returning_and_planned_from_the_store(
    platform: RunningPlatform,
) -> None:
    seed = platform.seed
    assert seed is not None
    zhao, chen = seed.courier_ids[0], seed.courier_ids[1]
    order, path = _accepted(platform, zhao, pick_up=False)
    code = _ok(api(platform, "merchant").get(f"/v1/orders/{order['id']}"))["pickup_code"]
    _offer(platform, order, chen)  # reassigned while Zhao was at the counter ...
    refused = _courier(platform, zhao).post(path + "/picked-up", {"code": code})  # ... who has the food
    assert refused.status_code == 409, refused.text
    held = _ok(api(platform, "merchant").get(f"/v1/orders/{order['id']}"))["food_with_courier"]
    assert held is not None and held["courier_id"] == zhao, held

    plan = _plan(platform)
    state = next(c for c in plan.couriers if c.courier_id == zhao)
    assert shown_status(state) == "returning" and state.returning == [order["number"]], state
    assert state.load == 1, state  # not idle 0/3
    assert state.free_at is not None and state.free_at > plan.now + timedelta(minutes=1), state
    assert state.free_position is not None and plan.origin is not None
    assert abs(state.free_position.lat - plan.origin.lat) < 1e-6, state
    assert next(o for o in plan.orders if o.order_id == order["id"]).why == "assigned"  # Chen's now
    # a new order planned for Zhao is planned from the store, once back: never "leave now" from where it stands
    fresh = _ready_order(platform)
    for suggestion in _plan(platform).suggestions:
        if suggestion.courier_id == zhao:
            assert suggestion.order_id == fresh["id"] and not suggestion.commit, suggestion

    _ok(_courier(platform, zhao).post(path + "/food-back"))
    state = next(c for c in _plan(platform).couriers if c.courier_id == zhao)
    assert state.returning == [] and state.load == 0, state
