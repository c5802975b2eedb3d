"""The suite's subset of a test over several axes (`@pytest.mark.covering`, tests/support/deep_variants.py): every
value of every axis appears, the same subset every run; `python -m bench deep` runs every combination."""

from __future__ import annotations

import itertools

from tests.support.deep_variants import covering


def _axes(combination: tuple[str, ...]) -> dict[str, str]:
    return {f"axis{index}": value for index, value in enumerate(combination)}


def test_every_value_of_every_axis_is_kept_and_no_more_than_the_largest_axis_needs() -> None:
    commands, closings, styles = ["orders", "menu", "dispatch", "report"], ["closed", "read-only", "left"], ["rich", "plain"]
    variants = [_axes(combination) for combination in itertools.product(commands, closings, styles)]
    kept = covering(variants)
    assert kept == sorted(set(kept)) and kept == covering(variants)  # the same subset every run
    for axis, values in enumerate((commands, closings, styles)):
        assert {variants[index][f"axis{axis}"] for index in kept} == set(values)
    assert len(kept) == len(commands)  # a product is covered by as many as its largest axis has values


def test_a_list_of_chosen_combinations_keeps_each_value_once_at_least() -> None:
    variants = [_axes(c) for c in [("40x15", "groups"), ("80x24", "groups"), ("80x24", "prep"), ("40x15", "prep")]]
    kept = covering(variants)
    assert len(kept) == 2 and {variants[i]["axis0"] for i in kept} == {"40x15", "80x24"}
    assert {variants[i]["axis1"] for i in kept} == {"groups", "prep"}
    assert covering([_axes(("only",))]) == [0] and covering([]) == []
