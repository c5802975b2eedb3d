"""The simulator's rules of the road on hand-made instances with known answers."""

from __future__ import annotations

import numpy as np
import pytest

from o2o_tui.dispatch.mdrp import MdrpInstance, MdrpParameters
from o2o_tui.dispatch.metrics import UNDELIVERED_CTD, lower_bounds, summarize
from o2o_tui.dispatch.simulator import Commit, EpochView, RuleViolation, simulate


def _instance(
    orders: list[tuple[float, float, int, int, int]],
    restaurants: list[tuple[float, float]],
    couriers: list[tuple[float, float, int, int]],
) -> MdrpInstance:
    """orders: (customer x, customer y, placed, restaurant index, ready); couriers: (x, y, on, off)."""
    return MdrpInstance(
        name="hand",
        params=MdrpParameters(meters_per_minute=320.0, pickup_service=4, dropoff_service=4, target_ctd=40, max_ctd=90),
        order_ids=[f"o{i}" for i in range(len(orders))],
        customer_xy=np.array([[o[0], o[1]] for o in orders], dtype=float),
        placed_at=np.array([o[2] for o in orders], dtype=np.int64),
        ready_at=np.array([o[4] for o in orders], dtype=np.int64),
        order_restaurant=np.array([o[3] for o in orders], dtype=np.int64),
        restaurant_ids=[f"r{i}" for i in range(len(restaurants))],
        restaurant_xy=np.array(restaurants, dtype=float),
        courier_ids=[f"c{i}" for i in range(len(couriers))],
        courier_xy=np.array([[c[0], c[1]] for c in couriers], dtype=float),
        on_at=np.array([c[2] for c in couriers], dtype=np.int64),
        off_at=np.array([c[3] for c in couriers], dtype=np.int64),
    )


def _scripted(plan: dict[int, list[Commit]]):
    """A policy that commits the given routes at the given minutes."""

    def policy(view: EpochView) -> list[Commit]:
        return plan.get(view.now, [])

    return policy


def test_courier_waits_for_food_and_travel_rounds_up() -> None:
    # courier 700 m from the restaurant: 700/320 = 2.19 -> 3 minutes; ride 3200 m -> exactly 10 minutes
    inst = _instance([(3200, 0, 0, 0, 10)], [(0, 0)], [(700, 0, 0, 100)])
    result = simulate(inst, _scripted({0: [Commit(0, (0,))]}))
    assert result.pickup_at[0] == 10  # ready at 10 although the courier is there from 3 + 2
    assert result.dropoff_at[0] == 10 + 2 + 10 + 2
    assert lower_bounds(result)[0] == 24


def test_food_waits_for_a_late_courier() -> None:
    # courier 4800 m away: 15 minutes; order ready at 5
    inst = _instance([(3200, 0, 0, 0, 5)], [(0, 0)], [(4800, 0, 0, 100)])
    result = simulate(inst, _scripted({0: [Commit(0, (0,))]}))
    assert result.pickup_at[0] == 0 + 15 + 2
    assert result.dropoff_at[0] == 17 + 2 + 10 + 2
    summary = summarize(result)
    assert summary["ready_wait"] == 12
    assert summary["ctd_mean"] == 31


def test_bundle_is_picked_up_once_then_dropped_in_order() -> None:
    # two orders of one restaurant, customers 10 and 20 minutes east of it
    inst = _instance([(3200, 0, 0, 0, 8), (6400, 0, 0, 0, 10)], [(0, 0)], [(0, 0, 0, 100)])
    result = simulate(inst, _scripted({0: [Commit(0, (0, 1))]}))
    assert list(result.pickup_at) == [10, 10]
    assert result.dropoff_at[0] == 10 + 2 + 10 + 2
    assert result.dropoff_at[1] == result.dropoff_at[0] + 2 + 10 + 2


def test_courier_is_busy_until_its_last_dropoff_is_done() -> None:
    inst = _instance([(3200, 0, 0, 0, 0), (0, 0, 1, 0, 1)], [(0, 0)], [(0, 0, 0, 100)])
    with pytest.raises(RuleViolation, match="busy"):
        simulate(inst, _scripted({0: [Commit(0, (0,))], 5: [Commit(0, (1,))]}))
    # free at drop-off (2 + 2 + 10 + 2 = 16) + 2; then from the customer back to the restaurant: 10 minutes
    result = simulate(inst, _scripted({0: [Commit(0, (0,))], 18: [Commit(0, (1,))]}))
    assert result.pickup_at[1] == 18 + 10 + 2


def test_no_pickup_after_the_shift_ends() -> None:
    inst = _instance([(3200, 0, 0, 0, 30)], [(0, 0)], [(0, 0, 0, 20)])
    with pytest.raises(RuleViolation, match="shift ends"):
        simulate(inst, _scripted({0: [Commit(0, (0,))]}))


def test_a_dropoff_after_the_shift_is_allowed() -> None:
    inst = _instance([(3200, 0, 0, 0, 18)], [(0, 0)], [(0, 0, 0, 20)])
    result = simulate(inst, _scripted({0: [Commit(0, (0,))]}))
    assert result.dropoff_at[0] == 18 + 2 + 10 + 2 > 20


def test_nothing_before_the_shift_starts() -> None:
    inst = _instance([(3200, 0, 0, 0, 30)], [(0, 0)], [(0, 0, 10, 100)])
    with pytest.raises(RuleViolation, match="not on shift"):
        simulate(inst, _scripted({5: [Commit(0, (0,))]}))


def test_capacity_limits_a_route() -> None:
    inst = _instance([(3200, 0, 0, 0, 5)] * 3, [(0, 0)], [(0, 0, 0, 100)])
    with pytest.raises(RuleViolation, match="capacity"):
        simulate(inst, _scripted({0: [Commit(0, (0, 1, 2))]}), capacity=2)
    result = simulate(inst, _scripted({0: [Commit(0, (0, 1, 2))]}), capacity=3)
    assert not np.isnan(result.dropoff_at).any()


def test_an_order_is_unknown_before_its_placement_and_assigned_once() -> None:
    inst = _instance([(3200, 0, 7, 0, 20)], [(0, 0)], [(0, 0, 0, 100), (10, 0, 0, 100)])
    seen: list[int] = []

    def policy(view: EpochView) -> list[Commit]:
        seen.extend(int(view.now) for _ in view.pending)
        return [Commit(0, (0,)), Commit(1, (0,))] if view.now == 7 else []

    with pytest.raises(RuleViolation, match="not waiting"):
        simulate(inst, policy)
    assert seen and min(seen) == 7


def test_an_order_nobody_takes_counts_180() -> None:
    inst = _instance([(3200, 0, 0, 0, 5), (3200, 0, 0, 0, 5)], [(0, 0)], [(0, 0, 0, 100)])
    result = simulate(inst, _scripted({0: [Commit(0, (0,))]}))
    summary = summarize(result)
    assert summary["delivered"] == 0.5
    assert summary["ctd_mean"] == (result.dropoff_at[0] + UNDELIVERED_CTD) / 2
