"""The look-ahead: scenarios drawn only from what was seen, the rollout's arithmetic, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from o2o_tui.dispatch.adapters import alternative, engine_policy
from o2o_tui.dispatch.generator import generate
from o2o_tui.dispatch.lookahead import LookaheadParams, Orders, rollout, sample_demand
from o2o_tui.dispatch.mdrp import MdrpParameters
from o2o_tui.dispatch.model import DispatchParams
from o2o_tui.dispatch.simulator import simulate
from o2o_tui.dispatch.view import EpochView, KnownOrders

RULES = MdrpParameters(meters_per_minute=320.0, pickup_service=4, dropoff_service=4, target_ctd=40, max_ctd=90)


def _view(now: int, placed: list[float], ready: list[float], restaurant: list[int]) -> EpochView:
    count = len(placed)
    return EpochView(
        now=now,
        params=RULES,
        restaurant_xy=np.array([[0.0, 0.0], [3200.0, 0.0]]),
        orders=KnownOrders(
            np.array(placed, dtype=float),
            np.array(ready, dtype=float),
            np.array(restaurant, dtype=np.int64),
            np.array([[100.0 * i, 640.0] for i in range(count)]).reshape(-1, 2),
        ),
        pending=np.arange(count, dtype=np.int64),
        courier_xy=np.zeros((1, 2)),
        free_at=np.zeros(1),
        on_at=np.zeros(1),
        off_at=np.full(1, 600.0),
        capacity=4,
    )


def test_scenarios_resample_only_recent_orders_and_place_them_ahead() -> None:
    # orders 0-1 are older than the window; orders 2-4 (restaurant 1, prep 7) are recent
    view = _view(100, [10, 20, 70, 80, 90], [20, 30, 77, 87, 97], [0, 0, 1, 1, 1])
    params = LookaheadParams(horizon=20, window=40, samples=1)
    rng = np.random.default_rng(3)
    drawn = [sample_demand(view, rng, params) for _ in range(50)]
    counts = [d.placed.size for d in drawn]
    # Poisson with mean 3 orders x 20 / 40 minutes = 1.5
    assert 0.8 < np.mean(counts) < 2.2
    scenario = Orders.concat(drawn)
    assert ((scenario.placed > 100) & (scenario.placed <= 120)).all()
    assert (scenario.ready - scenario.placed == 7).all()
    assert (scenario.pickup_xy == [3200.0, 0.0]).all()
    assert {x for x, _ in scenario.customer_xy.tolist()} <= {200.0, 300.0, 400.0}


def test_rollout_sends_each_order_to_the_courier_that_drops_it_first() -> None:
    view = _view(0, [], [], [])
    # one order at the restaurant (0, 0) ready at 5, customer 3200 m east: ride 10 minutes
    order = Orders(np.array([0.0]), np.array([5.0]), np.array([[0.0, 0.0]]), np.array([[3200.0, 0.0]]))
    # courier A 960 m away (3 min), free now; courier B at the restaurant, free at 8
    xy = np.array([[960.0, 0.0], [0.0, 0.0]])
    total = rollout(order, xy, np.array([0.0, 8.0]), np.array([600.0, 600.0]), 0.0, view, 180.0)
    assert total == 5 + 2 + 10 + 2  # A picks up at the ready time
    # A off shift before it could pick up: B, at 8 + 2, takes it
    total = rollout(order, xy, np.array([0.0, 8.0]), np.array([4.0, 600.0]), 0.0, view, 180.0)
    assert total == 10 + 2 + 10 + 2
    # nobody can: it counts as unserved, and a second order queues behind the first
    assert rollout(order, xy, np.zeros(2), np.zeros(2), 0.0, view, 180.0) == 180.0
    two = Orders.concat([order, order])
    assert rollout(two, xy[:1], np.zeros(1), np.full(1, 600.0), 0.0, view, 180.0) == 19 + (21 + 10 + 2 + 2 + 10 + 2)


def test_the_engine_with_look_ahead_is_deterministic_and_delivers() -> None:
    instance = generate(7, orders=60, couriers=8, shift=200)
    runs = [simulate(instance, engine_policy(lookahead=LookaheadParams())) for _ in range(2)]
    assert np.array_equal(runs[0].dropoff_at, runs[1].dropoff_at, equal_nan=True)
    assert np.array_equal(runs[0].courier_of, runs[1].courier_of)
    assert (~np.isnan(runs[0].dropoff_at)).mean() > 0.9


def test_an_alternative_is_a_named_plan_or_the_engine_with_knobs_changed() -> None:
    base = DispatchParams()
    assert alternative(base, "short").horizon == 10.0
    changed = alternative(base, "coverage_weight=0,capacity=2")
    assert (changed.coverage_weight, changed.capacity) == (0.0, 2)
    assert changed.horizon == base.horizon
    for bad in ("no_such_knob=1", "capacity=two", "nonsense"):
        with pytest.raises(ValueError):
            alternative(base, bad)
