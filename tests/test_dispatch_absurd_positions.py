"""Issue 9, defect 2 (engine and map side): positions off the globe, non-finite or far away, from any source.

The server now refuses them, but a cache written by an older server, or an older server itself, still hands
them over: these inputs go straight to the engine, the live planner, the map and the board, with no server in
between. Each used to crash: OverflowError in `dispatch suggest`/`auto`, the board stuck on "Loading the
fleet", ZeroDivisionError in the map.
"""

from __future__ import annotations

import math
from collections.abc import Iterator

import msgspec
import pytest

from o2o_tui.dispatch import engine
from o2o_tui.dispatch.model import DispatchCourier, DispatchOrder
from o2o_tui.dispatch.positions import MAX_LOCAL_DISTANCE_M, local_point
from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.order import Order
from o2o_tui.i18n import set_language
from o2o_tui.live_dispatch import LIVE_PARAMS, CourierState, FleetSnapshot, LivePlan, plan_live
from screens.dispatch_board import DispatchApp
from screens.widgets.city_map import MapView, draw_map, scale_text
from screens.widgets.dispatch_rows import order_line
from tests.test_dispatch_live_samples import CENTER, NOW, board_snapshot, courier, order, snapshot, store
from tests.test_ui_dispatch import MemoryFleet, board_of, until

ABSURD = [
    Position(lat=1e308, lon=121.47),
    Position(lat=91.0, lon=121.47),
    Position(lat=31.23, lon=181.0),
    Position(lat=math.nan, lon=121.47),
    Position(lat=31.23, lon=math.inf),
    Position(lat=-80.0, lon=0.0),  # on the globe, but 13,000 km from the store
]
IDS = ["1e308", "lat91", "lon181", "nan", "inf", "far"]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language("en")


def _with_dropoff(number: int, position: Position) -> Order:
    base = order(number)
    return msgspec.structs.replace(
        base, customer=msgspec.structs.replace(base.customer, address=Address("人民路 1 号", position))
    )


def _courier_at(name: str, position: Position) -> object:
    return msgspec.structs.replace(courier(name, 0.0, 0.0), position=position)


@pytest.mark.parametrize("bad", ABSURD, ids=IDS)
def test_an_order_with_an_absurd_drop_off_waits_with_its_reason(bad: Position) -> None:
    plan = plan_live(snapshot([_with_dropoff(1, bad), order(2)], [courier("Near By", 200.0, 0.0)]), NOW)
    why = {o.order_number: o.why for o in plan.orders}
    assert why == {1: "bad_location", 2: "planned"}
    assert [s.order_number for s in plan.suggestions] == [2]
    assert next(o for o in plan.orders if o.order_number == 1).dropoff is None  # nothing to place on a map


@pytest.mark.parametrize("bad", ABSURD, ids=IDS)
def test_a_courier_with_an_absurd_position_is_not_planned(bad: Position) -> None:
    couriers = [_courier_at("Lost One", bad), courier("Near By", 900.0, 0.0)]
    plan = plan_live(snapshot([order(1)], couriers), NOW)  # type: ignore[list-item]
    assert [(s.order_number, s.courier_name) for s in plan.suggestions] == [(1, "Near By")]
    lost = next(c for c in plan.couriers if c.name == "Lost One")
    assert lost.bad_position and lost.position is None and lost.free_at is None


@pytest.mark.parametrize("bad", ABSURD[:5], ids=IDS[:5])
def test_a_store_with_an_absurd_position_plans_nothing_and_says_why(bad: Position) -> None:
    broken = msgspec.structs.replace(store(), address=Address("南京东路 100 号", bad))
    plan = plan_live(FleetSnapshot(store=broken, orders=[order(1)], couriers=[courier("A B", 0.0, 0.0)]), NOW)
    assert plan.origin is None and plan.suggestions == []
    assert [o.why for o in plan.orders] == ["no_store_location"]  # the store's position, not the drop-off's


def test_the_engine_leaves_out_non_finite_or_absurd_inputs() -> None:
    good = DispatchOrder("good", (0.0, 0.0), (900.0, 0.0), placed_at=-10.0, ready_at=0.0)
    broken = [
        DispatchOrder("inf", (0.0, 0.0), (math.inf, 0.0), placed_at=-10.0, ready_at=0.0),
        DispatchOrder("nan", (0.0, 0.0), (0.0, math.nan), placed_at=-10.0, ready_at=0.0),
        DispatchOrder("huge", (0.0, 0.0), (1e300, 1e300), placed_at=-10.0, ready_at=0.0),
        DispatchOrder("late", (0.0, 0.0), (900.0, 0.0), placed_at=-10.0, ready_at=math.inf),
    ]
    couriers = [
        DispatchCourier("ok", (100.0, 0.0), free_at=0.0, on_at=-1.0, off_at=1e6),
        DispatchCourier("gone", (1e308, 1e308), free_at=0.0, on_at=-1.0, off_at=1e6),
        DispatchCourier("never", (0.0, 0.0), free_at=math.nan, on_at=-1.0, off_at=1e6),
    ]
    result = engine.plan([good, *broken], couriers, 0.0, LIVE_PARAMS)
    assert [(r.courier_id, r.order_ids) for r in result.routes] == [("ok", ("good",))]
    assert set(result.waiting_order_ids) == {"inf", "nan", "huge", "late"}


def test_local_points_stop_at_a_city_s_reach() -> None:
    assert local_point(Position(lat=CENTER.lat, lon=CENTER.lon), CENTER) == (0.0, 0.0)
    near = local_point(Position(lat=CENTER.lat + 0.4, lon=CENTER.lon), CENTER)  # about 44 km north
    assert near is not None and 0 < near[1] < MAX_LOCAL_DISTANCE_M
    assert local_point(Position(lat=CENTER.lat + 0.5, lon=CENTER.lon), CENTER) is None  # about 56 km
    assert local_point(CENTER, None) is None


def _plan_with_courier_at(position: Position) -> LivePlan:
    plan = plan_live(board_snapshot(), NOW)
    lost = CourierState(
        courier_id="cr-lost",
        name="Lost",
        status=plan.couriers[0].status,
        capacity=3,
        load=0,
        position=position,
        free_at=None,
        free_position=None,
        order_numbers=[],
        dropoffs=[position],
    )
    return msgspec.structs.replace(plan, couriers=[*plan.couriers, lost])


@pytest.mark.parametrize("bad", ABSURD, ids=IDS)
def test_the_map_places_nothing_for_an_absurd_position_and_keeps_its_scale(bad: Position) -> None:
    """A plan handed to the map as is (a memory source, an older planner): the courier there is simply not drawn."""
    plain = MapView(plan_live(board_snapshot(), NOW), None)
    odd = MapView(_plan_with_courier_at(bad), None)
    assert scale_text(odd, 60, 20) == scale_text(plain, 60, 20)
    assert [str(line) for line in draw_map(odd, 60, 20)] == [str(line) for line in draw_map(plain, 60, 20)]


def test_the_map_survives_a_store_off_the_globe() -> None:
    plan = msgspec.structs.replace(plan_live(board_snapshot(), NOW), origin=Position(lat=math.nan, lon=0.0))
    view = MapView(plan, None)
    assert scale_text(view, 60, 20) == ""
    assert all(not str(line).strip() for line in draw_map(view, 60, 20))


async def test_the_board_plans_a_fleet_with_absurd_positions() -> None:
    """The board used to stay on "Loading the fleet": the planning worker died on the OverflowError."""
    base = board_snapshot()
    couriers = [*base.couriers, _courier_at("Lost One", Position(lat=1e308, lon=1e308))]
    orders = [*base.orders, _with_dropoff(45, Position(lat=1e308, lon=121.47))]
    fleet = MemoryFleet(msgspec.structs.replace(base, couriers=couriers, orders=orders))  # type: ignore[arg-type]
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=60)
    async with app.run_test(size=(120, 40)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        assert board.plan is not None
        status = board.query_one("#board-status")
        assert not status.has_class("-error")
        row = board.orders_list.row("ord-0045")
        assert row.tag == "bad_location" and "off map" in order_line(row, 100).plain
        await pilot.pause(0.1)  # the map drew too (it used to raise ZeroDivisionError on the far courier)
        assert app.is_running
