"""The split of avoidable delay into out-of-reach-at-first-sight and decided (`o2o_tui.dispatch.headroom`)."""

from __future__ import annotations

import numpy as np
import pytest

from bench.dispatch_headroom import by_circumstance, summarize
from o2o_tui.dispatch.adapters import engine_policy
from o2o_tui.dispatch.generator import generate
from o2o_tui.dispatch.headroom import (
    CAME_LATER,
    DECIDED_CAUSES,
    FIRST_HOUR,
    IN_A_BUNDLE,
    LEFT_UNUSED,
    OTHER_ORDER_FIRST,
    SENT_ELSEWHERE,
    UNDELIVERED,
    FirstSight,
    avoidable_by_circumstance,
    decided_causes,
    load_band_labels,
    local_load,
    split_avoidable,
)
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


# one restaurant at the origin; 3200 m is 10 minutes, 700 m is 3; food ready at 5, picked up on time at 5
_NEAR, _FAR = (700, 0, 0, 200), (4800, 0, 0, 200)
_CAUSE_CASES = {
    # the far courier is sent while the near one, first for the order, stands idle: 12 minutes
    LEFT_UNUSED: ([(3200, 0, 0, 0, 5)], [_NEAR, _FAR], {0: [Commit(1, (0,))]}, 12),
    # the near courier takes the other order (ready at 5 at the same place), the far one this: 12 minutes
    SENT_ELSEWHERE: (
        [(3200, 0, 0, 0, 5), (0, 3200, 0, 0, 5)], [_NEAR, _FAR], {0: [Commit(0, (1,)), Commit(1, (0,))]}, 12
    ),
    # the only courier takes the other order first (free at 21 at its door), then this one: picked up at 33
    OTHER_ORDER_FIRST: (
        [(3200, 0, 0, 0, 5), (0, 3200, 0, 0, 5)], [_NEAR], {0: [Commit(0, (1,))], 21: [Commit(0, (0,))]}, 28
    ),
    # the first courier is sent at 10 instead of 0: picked up at 15
    CAME_LATER: ([(3200, 0, 0, 0, 5)], [_NEAR], {10: [Commit(0, (0,))]}, 10),
    # both orders on the first courier: the second is dropped at 38 (after the first's door at 19, then 15
    # minutes on), against its bound of 28 (a direct ride of 19 minutes)
    IN_A_BUNDLE: ([(3200, 0, 0, 0, 5), (3200, 4800, 0, 0, 5)], [_NEAR], {0: [Commit(0, (0, 1))]}, 10),
    # nobody sends the courier that could have been on time
    UNDELIVERED: ([(3200, 0, 0, 0, 5)], [_NEAR], {}, UNDELIVERED_CTD - (5 + 2 + 10 + 2)),
}


@pytest.mark.parametrize("cause", list(_CAUSE_CASES))
def test_decided_delay_is_put_down_to_what_became_of_the_first_couriers(cause: str) -> None:
    orders, couriers, script, minutes = _CAUSE_CASES[cause]
    inst = _instance(orders, [(0, 0)], couriers)
    watch = FirstSight(_scripted(script))
    result = simulate(inst, watch)
    causes = decided_causes(result, watch)
    assert causes[cause] == (1, pytest.approx(minutes))
    assert all(count == 0 for other, (count, _) in causes.items() if other != cause)
    split = split_avoidable(result, watch)
    assert sum(m for _, m in causes.values()) == pytest.approx(split.decided * split.orders)


def test_one_first_courier_left_unused_is_enough_to_say_so() -> None:
    # two near couriers could have been first: one takes the other order, the other stays idle, the far one goes
    inst = _instance([(3200, 0, 0, 0, 5), (0, 3200, 0, 0, 5)], [(0, 0)], [_NEAR, _FAR, (0, 700, 0, 200)])
    watch = FirstSight(_scripted({0: [Commit(0, (1,)), Commit(1, (0,))]}))
    causes = decided_causes(simulate(inst, watch), watch)
    assert causes[LEFT_UNUSED] == (1, 12) and causes[SENT_ELSEWHERE] == (0, 0)


def test_the_causes_of_the_engines_decided_delay_add_up_to_it() -> None:
    inst = generate(4, orders=120, couriers=14, shift=200)
    watch = FirstSight(engine_policy())
    result = simulate(inst, watch)
    causes = decided_causes(result, watch)
    split = split_avoidable(result, watch)
    assert set(causes) == set(DECIDED_CAUSES)
    assert sum(m for _, m in causes.values()) == pytest.approx(split.decided * split.orders)
    assert sum(c for c, _ in causes.values()) > 0


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
    causes = document["by_cause"]["engine"]
    assert set(causes) == set(DECIDED_CAUSES)
    assert sum(line["share"] for line in causes.values()) == pytest.approx(1.0)
    assert sum(line["per_order"] for line in causes.values()) == pytest.approx(engine["decided"])
    bands = document["by_circumstance"]["engine"]
    assert sum(line["orders"] for label, line in bands.items() if label != FIRST_HOUR) == sum(
        row["orders"] for row in document["instances"] if row["policy"] == "engine"
    )


def test_local_load_counts_orders_around_each_ready_time_per_courier_on_shift() -> None:
    # ready at 10, 20, 40, 100; two couriers on 0-60, a third 30-60; nobody on shift at 100
    inst = _instance(
        [(0, 0, 0, 0, 10), (0, 0, 0, 0, 20), (0, 0, 0, 0, 40), (0, 0, 90, 0, 100)],
        [(0, 0)],
        [(0, 0, 0, 60), (0, 0, 0, 60), (0, 0, 30, 60)],
    )
    # within +-15 minutes: {10, 20}, {10, 20}, {40}, {100}; couriers on shift: 2, 2, 3, none (counted 0.5)
    assert local_load(inst).tolist() == pytest.approx([1.0, 1.0, 1 / 3, 2.0])


def test_avoidable_delay_is_summed_per_load_band_and_for_the_first_hour() -> None:
    # two quiet orders near the courier early on; one at minute 200 when nobody is on shift any more
    inst = _instance(
        [(0, 0, 0, 0, 5), (0, 0, 100, 0, 105), (0, 0, 200, 0, 205)],
        [(0, 0)],
        [(3200, 0, 0, 150), (0, 0, 0, 150)],
    )
    watch = FirstSight(_scripted({0: [Commit(0, (0,))], 100: [Commit(1, (1,))]}))
    result = simulate(inst, watch)
    sums = avoidable_by_circumstance(result)
    bands = load_band_labels()
    assert set(sums) == {*bands, FIRST_HOUR}
    # order 0: the far courier (10 minutes) picks it up at 12, 7 late, in the first hour; order 1 on time;
    # order 2 undelivered (180 minus its lower bound), alone with nobody on shift: the top band
    assert sums[FIRST_HOUR] == (1, 7.0)
    assert sums[bands[0]] == (2, 7.0)
    assert sums[bands[-1]][0] == 1 and sums[bands[-1]][1] == pytest.approx(180 - 9)
    assert sum(orders for label, (orders, _) in sums.items() if label != FIRST_HOUR) == 3


def test_a_day_without_couriers_has_no_first_hour_and_every_order_in_the_crunch_band() -> None:
    inst = _instance([(0, 0, 0, 0, 5), (0, 0, 10, 0, 15)], [(0, 0)], [])
    sums = avoidable_by_circumstance(simulate(inst, _scripted({})))
    assert sums[FIRST_HOUR] == (0, 0.0)
    assert sums[load_band_labels()[-1]][0] == 2


def test_circumstances_compare_each_band_with_b1() -> None:
    rows = [
        {"policy": "b1", "circumstance": {"quiet": (10, 5.0), "crunch": (2, 20.0), FIRST_HOUR: (1, 4.0)}},
        {"policy": "engine", "circumstance": {"quiet": (10, 4.0), "crunch": (2, 16.0), FIRST_HOUR: (1, 6.0)}},
    ]
    table = by_circumstance(rows)
    assert table["engine"]["quiet"]["ratio_to_b1"] == pytest.approx(0.8)
    assert table["engine"][FIRST_HOUR]["ratio_to_b1"] == pytest.approx(1.5)
    assert table["engine"]["crunch"]["share"] == pytest.approx(16 / 20)  # the first hour is not counted twice
    assert table["b1"]["quiet"]["avoidable"] == pytest.approx(0.5)
    assert "ratio_to_b1" not in table["b1"]["quiet"]
