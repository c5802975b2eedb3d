"""Baselines and the engine on generated instances, and the engine's live interface."""

from __future__ import annotations

import msgspec
import numpy as np
import pytest

from o2o_tui.dispatch import baselines, engine
from o2o_tui.dispatch.adapters import engine_policy
from o2o_tui.dispatch.generator import generate
from o2o_tui.dispatch.metrics import UNDELIVERED_CTD, lower_bounds, summarize
from o2o_tui.dispatch.model import DispatchCourier, DispatchOrder, DispatchParams
from o2o_tui.dispatch.simulator import simulate
from o2o_tui.dispatch.timing import RouteTiming, pickup_groups

POLICIES = {"engine": engine_policy, "b1": lambda: baselines.b1, "greedy": lambda: baselines.greedy}


@pytest.mark.parametrize("policy", sorted(POLICIES))
@pytest.mark.parametrize("seed", [1, 2])
def test_runs_are_deterministic_and_every_order_is_counted(policy: str, seed: int) -> None:
    instance = generate(seed, orders=80, couriers=12)
    first = simulate(instance, POLICIES[policy]())
    second = simulate(instance, POLICIES[policy]())
    assert np.array_equal(first.dropoff_at, second.dropoff_at, equal_nan=True)
    assert np.array_equal(first.courier_of, second.courier_of)
    delivered = ~np.isnan(first.dropoff_at)
    assert delivered.any()
    # every delivered order respects the rules; every other one counts 180
    assert (first.pickup_at[delivered] >= instance.ready_at[delivered]).all()
    assert (first.dropoff_at[delivered] - instance.placed_at[delivered] >= lower_bounds(first)[delivered]).all()
    assert (first.pickup_at[delivered] <= instance.off_at[first.courier_of[delivered]]).all()
    assert (first.assigned_at[delivered] >= instance.placed_at[delivered]).all()
    summary = summarize(first)
    ctd = np.where(delivered, first.dropoff_at - instance.placed_at, UNDELIVERED_CTD)
    assert summary["ctd_mean"] == pytest.approx(ctd.mean())
    assert summary["orders"] == 80


def test_with_plenty_of_couriers_everything_is_delivered() -> None:
    instance = generate(3, orders=40, couriers=30, shift=400)
    for policy in POLICIES.values():
        result = simulate(instance, policy())
        assert not np.isnan(result.dropoff_at).any()


def test_engine_beats_greedy_under_load() -> None:
    instance = generate(4, orders=120, couriers=14, shift=200)
    greedy = summarize(simulate(instance, baselines.greedy))
    mine = summarize(simulate(instance, engine_policy()))
    assert mine["ctd_mean"] < greedy["ctd_mean"]


def _order(order_id: str, ready: float, restaurant=(0.0, 0.0), customer=(3200.0, 0.0), placed: float = 0.0):
    return DispatchOrder(id=order_id, restaurant=restaurant, customer=customer, placed_at=placed, ready_at=ready)


def _courier(courier_id: str, x: float, free_at: float = 0.0) -> DispatchCourier:
    return DispatchCourier(id=courier_id, position=(x, 0.0), free_at=free_at, on_at=0.0, off_at=600.0)


def test_plan_commits_only_a_courier_that_must_leave_now() -> None:
    params = DispatchParams()
    # 960 m = 3 minutes away; food ready at 20: leaving now would mean waiting at the counter
    later = engine.plan([_order("a", ready=20)], [_courier("c1", 960)], now=0, params=params)
    assert [r.order_ids for r in later.routes] == [("a",)]
    assert not later.committed
    now = engine.plan([_order("a", ready=5)], [_courier("c1", 960)], now=0, params=params)
    (route,) = now.committed
    assert route.courier_id == "c1"
    assert route.pickup_at == (5.0,)
    assert route.dropoff_at == (5.0 + 2 + 10 + 2,)


def test_plan_sends_the_courier_that_gets_there_first() -> None:
    couriers = [_courier("far", 9600), _courier("near", 640), _courier("busy", 0, free_at=30)]
    plan = engine.plan([_order("a", ready=0)], couriers, now=0, params=DispatchParams())
    assert [(r.courier_id, r.commit) for r in plan.routes] == [("near", True)]
    assert plan.waiting_order_ids == ()


def test_plan_bundles_orders_of_one_restaurant_when_couriers_are_short() -> None:
    orders = [_order(f"o{i}", ready=5 + i, customer=(3200.0, 100.0 * i)) for i in range(4)]
    couriers = [_courier("c1", 320), _courier("c2", 640)]
    # four neighbours 100 m apart: one courier takes them all (three trips and pickups fewer, a minute or two more
    # at each door); the load alone (two orders per courier) would make two bundles of two
    for params, sizes in ((DispatchParams(), [4]), (DispatchParams(bundle_load_factor=1.0, join_weight=0.0), [2, 2])):
        plan = engine.plan(orders, couriers, now=0, params=params)
        assert sorted(len(r.order_ids) for r in plan.routes) == sizes
        assert sorted(o for r in plan.routes for o in r.order_ids) == ["o0", "o1", "o2", "o3"]
        for route in plan.routes:
            assert list(route.dropoff_at) == sorted(route.dropoff_at)


@pytest.mark.parametrize(("second_customer", "joined"), [((3200.0, 320.0), True), ((-3200.0, 0.0), False)])
def test_an_order_joins_a_bundle_only_where_the_courier_minutes_saved_beat_the_delay(
    second_customer: tuple[float, float], joined: bool
) -> None:
    # one courier, two orders of one restaurant: a neighbour's order rides along (one trip and one pickup fewer
    # for a minute more at the door); an order at the other end of town (20 minutes on) waits for its own courier
    params = DispatchParams(join_weight=1.0, bundle_deadhead=6.0)
    orders = [_order("a", ready=5), _order("b", ready=5, customer=second_customer)]
    plan = engine.plan(orders, [_courier("c1", 320)], now=0, params=params)
    assert [len(r.order_ids) for r in plan.routes] == ([2] if joined else [1])
    # without the rule the load alone decides: both ride together
    forced = engine.plan(orders, [_courier("c1", 320)], now=0, params=DispatchParams(join_weight=0.0))
    assert [len(r.order_ids) for r in forced.routes] == [2]


def test_a_join_must_save_more_courier_minutes_when_couriers_stand_idle() -> None:
    # the same two orders (customers 6 minutes apart): they ride together while they are two orders for one courier,
    # each with its own courier when four stand by (half an order each: a courier minute is worth less)
    orders = [_order("a", ready=5), _order("b", ready=5, customer=(0.0, 1920.0))]
    few = [_courier("c1", 320)]
    many = [_courier(f"c{k}", 320.0 * (k + 1)) for k in range(4)]
    for power, expected in ((1.0, ([2], [1, 1])), (0.0, ([2], [2]))):
        params = DispatchParams(join_load_power=power, bundle_deadhead=6.0, deadhead_ride_factor=0.0)
        sizes = tuple(sorted(len(r.order_ids) for r in engine.plan(orders, couriers, now=0, params=params).routes)
                      for couriers in (few, many))
        assert sizes == expected


def test_the_trip_a_join_saves_can_follow_the_epochs_rides() -> None:
    # rides of 3, 5 and 30 minutes: the median ride (5) times the factor, not the fixed bundle_deadhead
    orders = [_order(f"o{i}", ready=5, customer=(320.0 * ride, 0.0)) for i, ride in enumerate((3, 5, 30))]
    problem = engine.EpochArrays(
        now=0.0,
        restaurant_xy=np.zeros((3, 2)),
        customer_xy=np.array([o.customer for o in orders]),
        placed_at=np.zeros(3),
        ready_at=np.full(3, 5.0),
        courier_xy=np.zeros((1, 2)),
        free_at=np.zeros(1),
        on_at=np.zeros(1),
        off_at=np.full(1, 600.0),
    )
    everyone = np.arange(3)
    assert engine._deadhead(problem, everyone, DispatchParams(deadhead_ride_factor=0.4)) == pytest.approx(2.0)
    assert engine._deadhead(problem, everyone, DispatchParams(deadhead_ride_factor=0.0, bundle_deadhead=6.0)) == 6.0


def test_plan_without_couriers_leaves_orders_waiting() -> None:
    plan = engine.plan([_order("a", ready=0)], [], now=0, params=DispatchParams())
    assert plan.routes == ()
    assert plan.waiting_order_ids == ("a",)


@pytest.mark.parametrize(("hotspot_x", "expected"), [(-3200.0, "east"), (3200.0, "west")])
def test_plan_keeps_the_courier_that_covers_a_hotspot(hotspot_x: float, expected: str) -> None:
    # both couriers reach the restaurant on time; the one nearer the other busy place stays put
    couriers = [_courier("east", 640), _courier("west", -640)]
    plan = engine.plan([_order("a", ready=3)], couriers, now=0, params=DispatchParams(),
                       hotspots=[((hotspot_x, 0.0), 1.0)])
    assert [r.courier_id for r in plan.routes] == [expected]


@pytest.mark.parametrize(("depth", "expected"), [(1, "west"), (5, "east")])
def test_plan_keeps_the_backup_of_a_busy_hotspot(depth: int, expected: str) -> None:
    # "guard" stands on the busy hotspot; "west" is its backup, "east" covers a quiet one best. Counting only
    # the nearest courier per hotspot sends the backup; counting the next ones keeps it.
    couriers = [_courier("guard", -3200), _courier("east", 640), _courier("west", -640)]
    hotspots = [((-3200.0, 0.0), 1.0), ((1600.0, 0.0), 0.1)]
    params = DispatchParams(coverage_depth=depth)
    plan = engine.plan([_order("a", ready=3)], couriers, now=0, params=params, hotspots=hotspots)
    assert [r.courier_id for r in plan.routes] == [expected]


@pytest.mark.parametrize(
    ("changes", "rescued"),
    [({}, True), ({"rescue_weight": 0.0}, False), ({"rescue_weight": 5.0}, False), ({"capacity": 1}, False)],
)
def test_an_order_its_courier_reaches_late_rides_along_with_a_nearby_route(changes: dict, rescued: bool) -> None:
    # b's food is ready at 8; its own courier is 30 minutes away. The courier taking a (3 minutes from b's
    # restaurant) can fetch b too: b is dropped off at 34 instead of 46, a at 27 instead of 19. Worth it at the
    # default weight (12 > 0.5 x 8), not at 5 x 8, not without room. Merges of nearby restaurants are off here
    # (bundle_delay_weight 100), so only the rescue can put them together.
    orders = [
        _order("a", ready=5, customer=(0.0, 3200.0)),
        _order("b", ready=8, restaurant=(960.0, 0.0), customer=(960.0, 3200.0)),
    ]
    couriers = [_courier("near", 0.0), _courier("far", 960.0 + 9600.0)]
    params = msgspec.structs.replace(DispatchParams(bundle_delay_weight=100.0), **changes)
    plan = engine.plan(orders, couriers, now=0, params=params)
    routes = {r.courier_id: (r.order_ids, r.dropoff_at) for r in plan.routes}
    if rescued:
        assert routes == {"near": (("a", "b"), (27.0, 34.0))}
    else:
        assert routes == {"near": (("a",), (19.0,)), "far": (("b",), (46.0,))}


@pytest.mark.parametrize(("from_reach", "sizes"), [(True, [2]), (False, [1, 1])])
def test_a_join_is_priced_from_when_a_courier_can_be_there(from_reach: bool, sizes: list[int]) -> None:
    # a is ready at 5, b at 12; no courier can be at the counter before 15. Priced as if one were there at 5, b
    # would hold a back 7 minutes and the join does not pay; priced from 15 it holds nothing back
    orders = [_order("a", ready=5, customer=(0.0, 3200.0)), _order("b", ready=12, customer=(1920.0, 3200.0))]
    couriers = [_courier(f"c{k}", 4800.0 + 320.0 * k) for k in range(4)]
    params = DispatchParams(join_from_reach=from_reach, swap_gain=0.0)
    plan = engine.plan(orders, couriers, now=0, params=params)
    assert sorted(len(r.order_ids) for r in plan.routes) == sizes


@pytest.mark.parametrize(("gain", "traded"), [(3.0, True), (100.0, False)])
def test_matched_routes_trade_an_order_where_drop_offs_fall(gain: float, traded: bool) -> None:
    # v1 (ready 5) and v2 (ready 25) ride with the far courier, there at 21: v1's food waits 16 minutes. The near
    # courier, at the counter now, has h1 next door, ready at 25. Traded: the near courier takes v1 at once, the
    # far one h1 and v2, both ready as it comes
    problem = engine.EpochArrays(
        now=0.0,
        restaurant_xy=np.array([[0.0, 0.0], [0.0, 0.0], [320.0, 0.0]]),
        customer_xy=np.array([[0.0, 3200.0], [0.0, 3520.0], [320.0, 3200.0]]),
        placed_at=np.zeros(3),
        ready_at=np.array([5.0, 25.0, 25.0]),
        courier_xy=np.array([[0.0, 0.0], [0.0, 6720.0]]),
        free_at=np.zeros(2),
        on_at=np.zeros(2),
        off_at=np.full(2, 600.0),
    )
    params = DispatchParams(swap_gain=gain)
    timing = RouteTiming(problem, pickup_groups(problem.restaurant_xy), params)
    bundles = [[0, 1], [2]]
    rows = np.array([0, 1])
    travel = np.array([[timing.travel(problem.courier_xy[r], problem.restaurant_xy[b[0]]) for b in bundles]
                       for r in rows])
    swapped = engine._swap([(1, 0), (0, 1)], bundles, rows, np.zeros(2), travel, timing, params)
    assert swapped == ([[2, 1], [0]] if traded else None)


def test_the_trade_tries_a_bounded_number_of_changes_under_overload(monkeypatch: pytest.MonkeyPatch) -> None:
    # 400 orders ready about now, 150 couriers scattered over 8 km: most routes come late, and trying every
    # change for every late route took ~10x the rest of the epoch. The trade stops after its budget (checked
    # between routes, so one route's changes may run over: 6 routes x 4 orders x 5 changes, two insertions each)
    rng = np.random.default_rng(1)
    restaurants = rng.uniform(0, 8000, (60, 2))
    orders = [
        DispatchOrder(id=str(i), restaurant=tuple(restaurants[i % 60]), customer=tuple(rng.uniform(0, 8000, 2)),
                      placed_at=0.0, ready_at=float(rng.uniform(-10, 10)))
        for i in range(400)
    ]
    couriers = [
        DispatchCourier(id=f"c{k}", position=tuple(rng.uniform(0, 8000, 2)), free_at=0.0, on_at=0.0, off_at=600.0)
        for k in range(150)
    ]
    calls = 0
    insert = engine._insert_from_courier

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        nonlocal calls
        calls += 1
        return insert(*args, **kwargs)

    monkeypatch.setattr(engine, "_insert_from_courier", counted)
    plan = engine.plan(orders, couriers, now=0.0, params=DispatchParams())
    assert len(plan.routes) > 100
    assert 0 < calls <= 2 * (engine._SWAP_BUDGET + 6 * 4 * 5)
