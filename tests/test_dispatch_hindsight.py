"""The day planned with hindsight (`o2o_tui.dispatch.hindsight`): a local search whose plans the simulator replays."""

from __future__ import annotations

import random

import numpy as np
import pytest

from bench.dispatch_hindsight import FROM_B1, _gap_closed, _run, sample_names, summarize
from o2o_tui.dispatch.adapters import engine_policy
from o2o_tui.dispatch.generator import generate
from o2o_tui.dispatch.headroom import FIRST_HOUR
from o2o_tui.dispatch.hindsight import (
    INTO_ROUTE,
    MOVE_KINDS,
    OWN_ROUTE,
    SWAP_ORDERS,
    SWAP_ROUTES,
    SWAP_TAILS,
    _move,
    courier_ctd,
    departures,
    improve,
    replay,
    schedule_of,
)
from o2o_tui.dispatch.metrics import click_to_door
from o2o_tui.dispatch.simulator import Commit, simulate
from tests.test_dispatch_simulator import _instance, _scripted


def _crossed_day():
    # two restaurants 6,400 m apart, a courier beside each; each order's customer 3,200 m past its restaurant
    return _instance(
        [(-3200, 0, 0, 0, 10), (9600, 0, 0, 1, 10)],
        [(0, 0), (6400, 0)],
        [(0, 0, 0, 200), (6400, 0, 0, 200)],
    )


def test_the_search_uncrosses_two_couriers_sent_to_each_others_restaurant() -> None:
    inst = _crossed_day()
    # each courier sent to the far restaurant: 20 minutes to get there, the food waits 10 + 2
    crossed = simulate(inst, _scripted({0: [Commit(0, (1,)), Commit(1, (0,))]}))
    schedule = schedule_of(crossed)
    assert schedule == [[[1]], [[0]]]
    found = improve(inst, schedule, moves=200, temperature=0.0)
    assert found.schedule == [[[0]], [[1]]]
    replayed = replay(inst, found.schedule)
    # each order: picked up when ready at 10, left at 12, 10 minutes' ride, dropped at 24 (crossed: 36)
    assert list(click_to_door(replayed)) == [24, 24]
    assert list(click_to_door(crossed)) == [36, 36]
    assert (found.ctd_before, found.ctd_after) == (72, 48)
    assert sum(found.gained.values()) == pytest.approx(24)


def test_a_plan_that_picks_up_after_a_shift_is_never_kept_nor_replayed() -> None:
    # courier 1 is beside order 1's restaurant but off shift at 5, before the food is ready at 10
    inst = _instance(
        [(-3200, 0, 0, 0, 10), (9600, 0, 0, 1, 10)],
        [(0, 0), (6400, 0)],
        [(0, 0, 0, 200), (6400, 0, 0, 5)],
    )
    alone = [[[0], [1]], []]
    found = improve(inst, alone, moves=300, temperature=5.0)
    assert found.schedule[1] == []
    assert departures(inst, 1, [[1]]) is None
    assert courier_ctd(inst, 1, [[1]]) == float("inf")
    with pytest.raises(ValueError, match="after its shift"):
        replay(inst, [[[0]], [[1]]])


def test_the_engines_day_replays_no_later_and_the_search_only_lowers_it() -> None:
    inst = generate(4, orders=120, couriers=8, shift=200)  # few couriers: much for the search to take off
    engine = simulate(inst, engine_policy(), name="engine")
    schedule = schedule_of(engine)
    as_driven = replay(inst, schedule)
    # the same routes, each leaving as early as the rules allow: no order later than the engine had it
    delivered = ~np.isnan(engine.dropoff_at)
    assert np.all(as_driven.dropoff_at[delivered] <= engine.dropoff_at[delivered])
    found = improve(inst, schedule, moves=3000, seed=1)
    replayed = replay(inst, found.schedule)
    assert found.ctd_before == pytest.approx(click_to_door(as_driven)[delivered].sum())
    assert found.ctd_after == pytest.approx(click_to_door(replayed)[delivered].sum())
    assert found.ctd_after < found.ctd_before
    assert found.kept > 0
    # the same seed, the same plan
    assert improve(inst, schedule, moves=3000, seed=1).schedule == found.schedule


def test_each_kind_of_move_does_what_it_says() -> None:
    plan = [[[0, 1]], [[2], [3]]]
    where = {0: (0, 0), 1: (0, 0), 2: (1, 0), 3: (1, 1)}
    rng = random.Random(0)
    assert _move(plan, where, 0, 2, SWAP_ROUTES, rng) == {0: [[2]], 1: [[0, 1], [3]]}
    assert _move(plan, where, 0, 3, SWAP_ORDERS, rng) == {0: [[3, 1]], 1: [[2], [0]]}
    assert _move(plan, where, 1, 3, INTO_ROUTE, rng) in ({0: [[0]], 1: [[2], [1, 3]]}, {0: [[0]], 1: [[2], [3, 1]]})
    assert _move(plan, where, 1, 2, OWN_ROUTE, rng) in ({0: [[0]], 1: [[1], [2], [3]]}, {0: [[0]], 1: [[2], [1], [3]]})
    # within one courier: its first route emptied, the order joins the route after it
    assert _move(plan, where, 2, 3, INTO_ROUTE, rng) in ({1: [[2, 3]]}, {1: [[3, 2]]})
    assert _move(plan, where, 0, 3, SWAP_TAILS, rng) == {0: [[3]], 1: [[2], [0, 1]]}
    assert _move(plan, where, 0, 2, SWAP_TAILS, rng) == {0: [[2], [3]], 1: [[0, 1]]}
    assert _move(plan, where, 0, 1, SWAP_ROUTES, rng) is None  # the same courier
    assert _move(plan, where, 0, 1, SWAP_TAILS, rng) is None
    assert _move(plan, where, 0, 1, INTO_ROUTE, rng) is None  # the same route


def test_every_move_keeps_each_order_once_within_capacity_and_no_empty_route() -> None:
    rng = random.Random(3)
    plan = [[[0, 1], [2]], [[3], [4, 5, 6, 7]], [[8]]]
    for _ in range(2000):
        where = {o: (c, i) for c, routes in enumerate(plan) for i, route in enumerate(routes) for o in route}
        order, other = rng.sample(sorted(where), 2)
        kind = rng.choice(MOVE_KINDS)
        changed = _move(plan, where, order, other, kind, rng)
        if changed is None:
            continue
        if kind == INTO_ROUTE:
            assert where[other] != where[order]
        for courier, routes in changed.items():
            plan[courier] = routes
        orders = [o for routes in plan for route in routes for o in route]
        assert sorted(orders) == list(range(9))
        assert all(0 < len(route) <= 4 for routes in plan for route in routes)


def test_the_bench_samples_one_instance_per_family_and_sums_ratios() -> None:
    names = [f"{seed}{family}" for family in ("o50t75s1p100", "o100t100s2p125") for seed in range(10)]
    assert sample_names(names) == ["0o100t100s2p125", "1o50t75s1p100"]
    rows = [
        {"orders": 100, "avoidable": {"b1": 2.0, "engine": 1.0, "hindsight": 0.5}, "gained": dict.fromkeys(
            MOVE_KINDS, 1.0), "bands": {"quiet": {"b1": [100, 200.0], "engine": [100, 100.0], "hindsight": [100, 50.0]}}},
        {"orders": 300, "avoidable": {"b1": 1.0, "engine": 0.5, "hindsight": 0.5}, "gained": dict.fromkeys(
            MOVE_KINDS, 0.0), "bands": {"quiet": {"b1": [300, 300.0], "engine": [300, 150.0], "hindsight": [300, 150.0]}}},
    ]
    summary = summarize(rows)
    assert summary["lines"]["engine"]["geomean_ratio"] == pytest.approx(0.5)
    assert summary["lines"]["engine"]["total_ratio"] == pytest.approx((100 + 150) / (200 + 300))
    assert summary["lines"]["hindsight"]["geomean_ratio"] == pytest.approx((0.25 * 0.5) ** 0.5)
    assert summary["bands"]["quiet"] == pytest.approx({"orders": 400, "b1": 500 / 400, "engine": 0.5,
                                                       "hindsight": 0.4})
    assert summary["gained_share"][INTO_ROUTE] == pytest.approx(1 / len(MOVE_KINDS))
    assert _gap_closed({"b1": 2.0, "engine": 1.0, "hindsight": 0.5}) == pytest.approx(2 / 3)
    assert _gap_closed({"b1": 1.0, "engine": 0.5, "hindsight": 1.0}) is None


def test_the_bench_row_of_a_regime_day_puts_hindsight_at_or_below_the_engine() -> None:
    row = _run((True, "light-0", 20, 0.0, True))
    avoidable = row["avoidable"]
    assert row["orders"] > 100
    assert 0 < avoidable["hindsight"] < avoidable["engine"] < avoidable["b1"]
    assert avoidable[FROM_B1] < avoidable["b1"]
    assert sum(row["gained"].values()) > 0
    # the bands hold every order once per label, and their minutes add up to the day's avoidable delay
    bands = {band: per for band, per in row["bands"].items() if band != FIRST_HOUR}
    for label, per_order in avoidable.items():
        assert sum(per[label][0] for per in bands.values()) == row["orders"]
        assert sum(per[label][1] for per in bands.values()) == pytest.approx(per_order * row["orders"])
