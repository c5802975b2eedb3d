"""`o2o_tui.live_dispatch`: the live platform view through the dispatch engine, with hand-made known answers."""

from __future__ import annotations

from datetime import timedelta

import msgspec
import pytest

from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.live_dispatch import (
    LIVE_PARAMS,
    SharedNumber,
    find_courier,
    find_order,
    order_number,
    plan_live,
    ready_minutes,
)
from tests.test_dispatch_live_samples import NOW, board_snapshot, courier, order, snapshot, store


def test_the_nearer_idle_courier_gets_the_single_ready_order() -> None:
    plan = plan_live(
        snapshot(
            [order(1, dropoff=(900.0, 0.0))],
            [courier("Far Away", 3000.0, 0.0), courier("Near By", 200.0, 0.0)],
        ),
        NOW,
    )
    [only] = plan.suggestions
    assert (only.order_id, only.courier_id, only.courier_name) == ("ord-0001", "cr-by", "Near By")
    assert only.commit  # idle, and the food is waiting: leave now
    assert only.depart_at == NOW
    # 200 m at 250 m/min is one minute (whole minutes, rounded up), plus half the pickup service; 900 m is four
    # minutes more, plus half the drop-off service
    assert only.pickup_at == NOW + timedelta(minutes=1 + LIVE_PARAMS.pickup_service / 2)
    assert only.dropoff_at == only.pickup_at + timedelta(
        minutes=LIVE_PARAMS.pickup_service / 2 + 4 + LIVE_PARAMS.dropoff_service / 2
    )
    assert [o.why for o in plan.orders] == ["planned"]


def test_food_ready_later_is_a_tentative_match() -> None:
    plan = plan_live(
        snapshot([order(1, status=OrderStatus.PREPARING, ready_in=15)], [courier("A B", 250.0, 0.0)]), NOW
    )
    [only] = plan.suggestions
    assert not only.commit
    assert only.pickup_at == NOW + timedelta(minutes=15)  # waits for the food, not earlier
    assert plan.committed == []


def test_offline_couriers_and_orders_out_of_reach_are_not_planned() -> None:
    orders = [
        order(1, ready_in=60, status=OrderStatus.CONFIRMED),  # beyond the horizon
        order(2, dropoff=None),  # no place to ride to
        order(3, order_type=OrderType.TAKEOUT),  # the customer comes to the counter
        order(4, status=OrderStatus.CREATED),  # not accepted yet
        order(5, status=OrderStatus.DISPATCHED, courier_id="cr-line"),  # already on its way
    ]
    plan = plan_live(snapshot(orders, [courier("Off Line", 0.0, 0.0, status=CourierStatus.OFFLINE)]), NOW)
    assert plan.suggestions == []
    # the order its courier took off duty with it is listed, flagged, never planned (test_dispatch_off_duty_food)
    assert {o.order_number: o.why for o in plan.orders} == {1: "later", 2: "no_location", 5: "off_duty_with_food"}
    [off] = plan.couriers
    assert off.free_at is None and off.load == 1 and off.order_numbers == [5]


def test_an_order_says_so_when_no_courier_on_duty_has_a_position() -> None:
    unplaced = msgspec.structs.replace(courier("New Hire", 0.0, 0.0), position=None)
    plan = plan_live(snapshot([order(1)], [unplaced]), NOW)
    assert plan.suggestions == [] and [o.why for o in plan.orders] == ["no_position"]
    off_duty = msgspec.structs.replace(unplaced, status=CourierStatus.OFFLINE)  # nobody on duty: none to be had
    assert [o.why for o in plan_live(snapshot([order(1)], [off_duty]), NOW).orders] == ["no_courier"]


def test_a_busy_courier_is_planned_from_its_last_dropoff() -> None:
    # Wei is at the store with order 7 (ready) to take 1900 m east; order 8 goes 2100 m east as well.
    wei = courier("Zhang Wei", 0.0, 0.0, status=CourierStatus.AT_MERCHANT, delivery_ids=["dl-7"])
    far = courier("Liu Yang", -6000.0, 0.0)
    orders = [
        order(7, dropoff=(1900.0, 0.0), courier_id="cr-wei"),
        order(8, dropoff=(2100.0, 0.0), ready_in=14, status=OrderStatus.PREPARING),
    ]
    plan = plan_live(snapshot(orders, [wei, far]), NOW)
    states = {c.courier_id: c for c in plan.couriers}
    # pickup service, ride 8 minutes, drop-off service
    assert states["cr-wei"].free_at == NOW + timedelta(
        minutes=LIVE_PARAMS.pickup_service + 8 + LIVE_PARAMS.dropoff_service
    )
    assert states["cr-wei"].load == 1 and states["cr-wei"].order_numbers == [7]
    assert states["cr-yang"].free_at == NOW and states["cr-yang"].load == 0
    [suggestion] = plan.suggestions
    assert suggestion.order_number == 8
    assert {o.order_number: o.why for o in plan.orders} == {7: "assigned", 8: "planned"}


def test_ready_estimates() -> None:
    shop = store()
    assert ready_minutes(order(1, ready_in=-5), shop, NOW) == -5  # ready five minutes ago
    assert ready_minutes(order(1, status=OrderStatus.PREPARING, ready_in=-5), shop, NOW) == 0  # late kitchen
    assert ready_minutes(order(1, status=OrderStatus.PREPARING, ready_in=7), shop, NOW) == 7
    unpromised = msgspec.structs.replace(
        order(1, status=OrderStatus.CONFIRMED, placed_ago=5), promised_ready_at=None
    )
    assert ready_minutes(unpromised, shop, NOW) == 10  # 15 minutes of preparation from the confirmation


def test_the_board_sample_plans_every_ready_order_once() -> None:
    plan = plan_live(board_snapshot(), NOW)
    planned = [s.order_number for s in plan.suggestions]
    assert sorted(planned) == [41, 42, 43]
    assert len(set(planned)) == len(planned)
    assert all(s.courier_id != "cr-jing" for s in plan.suggestions)  # offline
    for s in plan.suggestions:
        assert NOW <= s.depart_at <= s.pickup_at < s.dropoff_at
    why = {o.order_number: o.why for o in plan.orders}
    assert why == {40: "assigned", 41: "planned", 42: "planned", 43: "planned", 44: "later"}
    assert plan_live(board_snapshot(), NOW) == plan  # deterministic


def test_many_orders_few_couriers_bundles_within_capacity() -> None:
    orders = [order(n, dropoff=(1000.0 + 50 * n, 100.0 * n)) for n in range(1, 7)]
    plan = plan_live(snapshot(orders, [courier("Only One", 0.0, 0.0, capacity=3)]), NOW)
    assert 1 <= len(plan.suggestions) <= 3
    assert {s.courier_id for s in plan.suggestions} == {"cr-one"}
    assert [s.stop for s in plan.suggestions] == list(range(1, len(plan.suggestions) + 1))


def test_references() -> None:
    orders = [order(42), order(7)]
    assert order_number("#0042") == 42 and order_number("42") == 42 and order_number("ord-1") is None
    assert find_order(orders, "#0042").id == "ord-0042"
    assert find_order(orders, "ord-0007").number == 7
    assert find_order(orders, "#0099") is None
    # a day number two live orders share names neither (exit 2 in `dispatch assign`); one live beside ended ones
    # is that one, even when an ended one is newer
    older = msgspec.structs.replace(order(42, placed_ago=60), id="ord-older")
    with pytest.raises(SharedNumber) as shared:
        find_order([older, order(42)], "#0042")
    assert [o.id for o in shared.value.orders] == ["ord-0042", "ord-older"]
    ended = msgspec.structs.replace(order(42, status=OrderStatus.DELIVERED), id="ord-ended")
    assert find_order([older, ended], "42").id == "ord-older"
    couriers = [courier("张伟 Zhang Wei", 0, 0), courier("王芳 Wang Fang", 0, 0), courier("Zhang Min", 0, 0)]
    assert [c.id for c in find_courier(couriers, "cr-fang")] == ["cr-fang"]
    assert [c.id for c in find_courier(couriers, "wang fang")] == ["cr-fang"]
    assert len(find_courier(couriers, "zhang")) == 2  # ambiguous: the caller asks which
    assert find_courier(couriers, "nobody") == []
