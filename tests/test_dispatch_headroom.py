"""The split of avoidable delay into out-of-reach-at-first-sight and decided (`o2o_tui.dispatch.headroom`)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.dispatch_headroom import summarize
from o2o_tui.dispatch.adapters import engine_policy
from o2o_tui.dispatch.generator import generate
from o2o_tui.dispatch.headroom import FirstSight, split_avoidable
from o2o_tui.dispatch.metrics import UNDELIVERED_CTD, lower_bounds
from o2o_tui.dispatch.simulator import Commit, simulate
from tests.test_dispatch_simulator import _instance, _scripted


def test_a_courier_too_far_at_first_sight_is_out_of_reach() -> None:
    # the only courier is 15 minutes away, the food is ready at 5: 12 minutes late whatever anyone decides
    inst = _instance([(3200, 0, 0, 0, 5)], [(0, 0)], [(4800, 0, 0, 100)])
    watch = FirstSight(_scripted({0: [Commit(0, (0,))]}))
    split = split_avoidable(simulate(inst, watch), watch)
    assert (split.avoidable, split.out_of_reach, split.decided) == (12, 12, 0)


def test_sending_the_far_courier_when_a_near_one_stood_idle_is_decided() -> None:
    inst = _instance([(3200, 0, 0, 0, 5)], [(0, 0)], [(700, 0, 0, 100), (4800, 0, 0, 100)])
    watch = FirstSight(_scripted({0: [Commit(1, (0,))]}))
    split = split_avoidable(simulate(inst, watch), watch)
    assert (split.avoidable, split.out_of_reach, split.decided) == (12, 0, 12)


def test_a_courier_whose_shift_ends_before_the_food_is_ready_does_not_count() -> None:
    # the near courier's shift ends at 4, before the food is ready at 5: only the far one could take it
    inst = _instance([(3200, 0, 0, 0, 5)], [(0, 0)], [(700, 0, 0, 4), (4800, 0, 0, 100)])
    watch = FirstSight(_scripted({0: [Commit(1, (0,))]}))
    split = split_avoidable(simulate(inst, watch), watch)
    assert (split.out_of_reach, split.decided) == (12, 0)


def test_orders_are_matched_by_placement_not_by_their_place_in_the_instance() -> None:
    # order 0 is placed after order 1: the view's first order is the instance's second
    inst = _instance(
        [(3200, 0, 6, 0, 11), (3200, 0, 0, 1, 5)],
        [(0, 0), (9600, 0)],
        [(700, 0, 0, 100), (4800, 0, 0, 100)],
    )
    # minute 0: order 1's best courier is 15 minutes from its restaurant and takes it (12 late, out of reach);
    # minute 6: the near courier takes order 0, in time
    watch = FirstSight(_scripted({0: [Commit(1, (0,))], 6: [Commit(0, (1,))]}))
    result = simulate(inst, watch)
    split = split_avoidable(result, watch)
    avoidable = (result.dropoff_at - inst.placed_at) - lower_bounds(result)
    assert avoidable[0] == 0 and avoidable[1] > 0
    assert split.out_of_reach == pytest.approx(avoidable[1] / 2)  # order 1's lateness was out of reach
    assert split.decided == 0


def test_an_order_nobody_can_take_is_all_out_of_reach() -> None:
    inst = _instance([(3200, 0, 0, 0, 50)], [(0, 0)], [(700, 0, 0, 10)])
    watch = FirstSight(_scripted({}))
    split = split_avoidable(simulate(inst, watch), watch)
    assert split.avoidable == split.out_of_reach == pytest.approx(UNDELIVERED_CTD - (50 + 2 + 10 + 2))


def test_the_engine_never_beats_what_was_out_of_reach() -> None:
    inst = generate(4, orders=120, couriers=14, shift=200)
    watch = FirstSight(engine_policy())
    result = simulate(inst, watch)
    split = split_avoidable(result, watch)
    delivered = ~np.isnan(result.dropoff_at)
    avoidable = (result.dropoff_at - inst.placed_at) - lower_bounds(result)
    by_placement = np.argsort(inst.placed_at, kind="stable")
    late = np.array([watch.late[int(k)] for k in range(len(by_placement))])
    # the claim the split rests on: no delivered order's avoidable delay is below its first-sight lateness
    assert (avoidable[by_placement][delivered[by_placement]] >= late[delivered[by_placement]] - 1e-9).all()
    assert split.out_of_reach + split.decided == pytest.approx(split.avoidable)
    assert 0 < split.out_of_reach < split.avoidable


def test_summary_weighs_instances_by_orders_and_compares_with_b1() -> None:
    rows = [
        {"instance": "a", "policy": "b1", "orders": 100, "avoidable": 2.0, "out_of_reach": 1.0, "decided": 1.0},
        {"instance": "b", "policy": "b1", "orders": 300, "avoidable": 1.0, "out_of_reach": 0.5, "decided": 0.5},
        {"instance": "a", "policy": "engine", "orders": 100, "avoidable": 1.0, "out_of_reach": 1.0, "decided": 0},
        {"instance": "b", "policy": "engine", "orders": 300, "avoidable": 0.5, "out_of_reach": 0.2, "decided": 0.3},
    ]
    summary = summarize(rows)
    assert summary["b1"]["avoidable"] == pytest.approx(500 / 400)
    assert summary["engine"]["ratio_to_b1"] == pytest.approx(250 / 500)
    assert summary["engine"]["positioning_floor"] == pytest.approx(160 / 500)
    assert summary["engine"]["out_of_reach_share"] == pytest.approx(160 / 250)


def test_the_bench_runs_on_a_regime_and_prints_the_split(capsys: pytest.CaptureFixture[str]) -> None:
    import json

    from bench.dispatch_headroom import main

    main(["--regimes", "--quick", "--instances", "rich-0", "--jobs", "1", "--json"])
    document = json.loads(capsys.readouterr().out)
    assert {row["policy"] for row in document["instances"]} == {"engine", "b1"}
    engine = document["summary"]["engine"]
    assert engine["out_of_reach"] + engine["decided"] == pytest.approx(engine["avoidable"])
    assert 0 < engine["positioning_floor"] <= engine["ratio_to_b1"]
