"""A number keeps its whole unit (`o2o_tui.text_fold`): "15 分钟", "2 小时", "3.5 公里" are never broken inside
where the number and its unit fit on a line, and one-character units (单, 元, 份) stay with their number; only a run
with no break wider than the line is cut inside its unit, and then the number still keeps the unit's first
character."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len

from o2o_tui.i18n import catalog
from o2o_tui.text_fold import UNITS, break_offsets, can_break_before, fold

_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
_NUMBER_UNIT = re.compile(r"(?<![0-9.])\d+(?:\.\d+)? ?(?:" + "|".join(UNITS) + "|[单元份个])")


def _unbroken(text: str, start: int, end: int) -> int:
    """The cells of the stretch around `text[start:end]` with no break in it (nor a space before a number): a
    closing mark after a unit stays with it, "（12 分钟）。" is one such stretch."""
    left = start
    while left > 0 and not can_break_before(text, left) and not text[left - 1].isspace():
        left -= 1
    right = end
    while right < len(text) and not can_break_before(text, right):
        right += 1
    return cell_len(text[left:right].strip())


def _split_where_it_fits(text: str, width: int) -> list[tuple[str, list[str]]]:
    """The numbers and units of `text` that a fold at `width` breaks though they fit on a line, with the lines."""
    cuts = break_offsets(text, width)
    return [
        (found.group(), fold(text, width))
        for found in _NUMBER_UNIT.finditer(text)
        if any(found.start() < cut < found.end() for cut in cuts) and _unbroken(text, *found.span()) <= width
    ]


@pytest.mark.parametrize(
    "text",
    [
        "已超过 15 分钟未更新，请检查骑手位置",
        "配送约 5 分钟，已送 13 单，共 128 元，剩 2 份",
        "骑手 12 小时内跑了 3.5 公里，等了5分钟",
        "按 M 暂停 15 分钟",
    ],
)
def test_a_number_and_its_unit_are_never_split_where_they_fit(text: str) -> None:
    for width in range(4, cell_len(text) + 1):
        assert _split_where_it_fits(text, width) == [], width
    assert fold("已超过 15 分钟未更新", 12) == ["已超过", "15 分钟未更", "新"]


def test_a_run_wider_than_the_line_is_cut_inside_its_unit_and_keeps_the_number_with_its_first_character() -> None:
    # "（12 分钟）。" has no break (opening and closing marks stay with it) and is 13 cells wide
    assert fold("出餐（12 分钟）。", 12) == ["出餐（12 分", "钟）。"]
    assert fold("5 分钟", 5) == ["5 分", "钟"]


@pytest.mark.parametrize("width", [12, 16, 20, 28, 36, 46, 60])
def test_every_number_and_unit_of_the_catalog_is_split_only_when_it_cannot_fit(width: int) -> None:
    texts = {_PLACEHOLDER.sub("12", text) for text in catalog("zh").values()}
    lines = sorted({line for text in texts for line in text.split("\n")})
    bad = [split for line in lines for split in _split_where_it_fits(line, width)]
    assert not bad, bad[:5]
