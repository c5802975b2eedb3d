"""The rule that picks the engine's parameters on the regimes, on hand-made numbers."""

from __future__ import annotations

import pytest

from bench.dispatch_tune import choose, parse_variant, table
from o2o_tui.dispatch.lookahead import LookaheadParams
from o2o_tui.dispatch.params import LOOKAHEAD


def _row(name: str, variant: str, ctd: float, lb: float, orders: float) -> dict:
    return {"instance": name, "variant": variant, "ctd_mean": ctd, "lb_mean": lb, "orders": orders}


def test_ratios_are_totals_of_avoidable_minutes_per_regime_and_the_worst_regime_decides() -> None:
    rows = [
        _row("dense-10", "b1", 30.0, 26.0, 100), _row("dense-11", "b1", 28.0, 26.0, 300),
        _row("rich-10", "b1", 21.0, 20.0, 100),
        # A: dense (2*100 + 1*300) / (4*100 + 2*300) = 0.5, rich 1.0 -> worst 1.0
        _row("dense-10", "A", 28.0, 26.0, 100), _row("dense-11", "A", 27.0, 26.0, 300),
        _row("rich-10", "A", 21.0, 20.0, 100),
        # B: dense 0.9, rich 0.8 -> worst 0.9
        _row("dense-10", "B", 29.6, 26.0, 100), _row("dense-11", "B", 27.8, 26.0, 300),
        _row("rich-10", "B", 20.8, 20.0, 100),
    ]
    ratios = table(rows, ["A", "B"], ["dense", "rich"])
    assert ratios["A"]["dense"] == pytest.approx(0.5)
    assert ratios["A"]["worst"] == pytest.approx(1.0)
    assert ratios["B"]["dense"] == pytest.approx(0.9)
    assert ratios["B"]["mean"] == pytest.approx(0.85)
    assert choose(ratios) == "B"
    # within the tie margin the mean decides
    assert choose({"x": {"worst": 0.900, "mean": 0.80}, "y": {"worst": 0.903, "mean": 0.70}}) == "y"
    assert choose({"x": {"worst": 0.900, "mean": 0.80}, "y": {"worst": 0.940, "mean": 0.70}}) == "x"  # beyond it
    # 0.008 apart on the worst regime is within what a 1% nudge moves on twenty seeds: the mean decides; 0.022 is not
    assert choose({"x": {"worst": 0.733, "mean": 0.62}, "y": {"worst": 0.741, "mean": 0.58}}) == "y"
    assert choose({"x": {"worst": 0.733, "mean": 0.62}, "y": {"worst": 0.755, "mean": 0.58}}) == "x"


def test_the_standing_choice_stays_unless_a_variant_beats_it_by_more_than_chance() -> None:
    # stop 19's numbers: the rescue beat stop 18's set on the mean by 0.032; riding along unmatched orders too
    # beat the rescue by 0.004, less than a look-ahead seed moves the mean
    stop18 = {"worst": 0.756, "mean": 0.632}
    rescue = {"worst": 0.733, "mean": 0.600}
    unmatched = {"worst": 0.736, "mean": 0.596}
    assert choose({"stop18": stop18, "rescue": rescue}, standing="stop18") == "rescue"
    assert choose({"rescue": rescue, "unmatched": unmatched}, standing="rescue") == "rescue"
    assert choose({"rescue": rescue, "unmatched": unmatched}) == "unmatched"  # no standing choice: the mean
    # a standing choice outside the tie on the worst regime does not stay
    assert choose({"old": {"worst": 0.80, "mean": 0.50}, "new": {"worst": 0.70, "mean": 0.60}}, standing="old") == "new"


def test_variants_name_engine_and_look_ahead_knobs() -> None:
    assert parse_variant("base") == ({}, None)
    assert parse_variant("la") == ({}, LOOKAHEAD)  # the chosen look-ahead, not LookaheadParams' defaults
    knobs, lookahead = parse_variant("la;horizon=20;la.horizon=10;la.alternatives=singles+short")
    assert knobs == {"horizon": 20.0}
    assert lookahead == LookaheadParams(horizon=10.0, alternatives=("singles", "short"))


def test_noise_nudges_one_knob_of_the_first_variant_at_a_time_and_measures_the_spread() -> None:
    from bench.dispatch_tune import noise_variants, spread

    nudged = noise_variants("la;coverage_weight=0.8", 3)
    assert nudged == [
        "la;coverage_weight=0.8;coverage_weight=0.792",
        "la;coverage_weight=0.8;coverage_weight=0.808",
        "la;coverage_weight=0.8;food_wait_weight=0.99",
    ]
    knobs, lookahead = parse_variant(nudged[2])
    assert knobs == {"coverage_weight": 0.8, "food_wait_weight": 0.99}
    assert lookahead == LOOKAHEAD  # only the one knob differs
    assert parse_variant(nudged[0])[0] == {"coverage_weight": 0.792}  # the nudge replaces the variant's value
    with pytest.raises(SystemExit, match="at most"):
        noise_variants("la", 99)
    ratios = {
        "a": {"dense": 0.75, "rich": 0.50, "worst": 0.75, "mean": 0.625},
        "b": {"dense": 0.72, "rich": 0.52, "worst": 0.72, "mean": 0.62},
        "c": {"dense": 0.74, "rich": 0.49, "worst": 0.74, "mean": 0.615},
    }
    assert spread(ratios, ["a", "b", "c"], ["dense", "rich"]) == pytest.approx(
        {"dense": 0.03, "rich": 0.03, "worst": 0.03, "mean": 0.01}
    )
