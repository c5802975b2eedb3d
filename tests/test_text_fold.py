"""Lines of Chinese and mixed text break as Chinese is set (`o2o_tui.text_fold`): between characters, never with
closing punctuation first on a line, a number or key never apart from the Chinese beside it, Latin words only at
spaces; every line fits. Checked on every Chinese sentence of the catalog at the widths the console has."""

from __future__ import annotations

import re

import pytest
from rich.cells import cell_len

from o2o_tui.i18n import catalog
from o2o_tui.text_fold import CLOSING, OPENING, break_offsets, fold

WIDTHS = [12, 16, 20, 28, 36, 46, 60]
_PLACEHOLDER = re.compile(r"\{[a-z_]+\}")
# a number (the whole of its run of Latin characters) and the Chinese word after it: "15 分钟", "13个订单"
_NUMBER_AND_UNIT = re.compile(r"(?<![A-Za-z0-9~!?#$%&*+\-=/_@^|<>.:])\d{1,5} ?[\u4e00-\u9fff]")


def _lines() -> list[str]:
    """Every line of every Chinese sentence of the catalog, a number in place of each placeholder."""
    texts = {_PLACEHOLDER.sub("12", text) for text in catalog("zh").values()}
    return sorted({line for text in texts for line in text.split("\n") if cell_len(line) > 12})


@pytest.mark.parametrize("width", WIDTHS)
def test_every_chinese_sentence_of_the_catalog_folds_within_the_width_and_as_chinese_is_set(width: int) -> None:
    bad = []
    for text in _lines():
        lines = fold(text, width)
        assert "".join(lines).replace(" ", "") == text.replace(" ", ""), text  # nothing lost
        for number, line in enumerate(lines):
            if cell_len(line) > width:
                bad.append(("too wide", line))
            if number and line[:1] in CLOSING and not line[:1].isascii():  # ".csv" is a word, "。" closes one
                bad.append(("closing first", lines))
            if line[-1:] in OPENING and number < len(lines) - 1:
                bad.append(("opening last", lines))
        cuts = break_offsets(text, width)
        for found in _NUMBER_AND_UNIT.finditer(text):  # a number and the Chinese beside it on one line
            if any(found.start() < cut < found.end() for cut in cuts):
                bad.append(("number split", lines))
    assert not bad, bad[:10]


def test_the_testers_lines() -> None:
    assert fold("退出控制台吗？\n13 个订单等待处理：退出后不会再响铃提醒。", 28) == [
        "退出控制台吗？",
        "13 个订单等待处理：退出后不",
        "会再响铃提醒。",
    ]
    tags = fold("位置旧：按超过 15 分钟未更新的骑手位置规划", 10)
    assert all(not line.isdigit() for line in tags) and "15 分" in "".join(tags)
    for width in range(8, 24):  # the key stays with what it does
        for line in fold("连响三声且状态栏显示离线。M 暂时静音", width):
            assert not line.endswith("M") and ("M" not in line or "M 暂" in line), (width, line)
    assert fold("拒绝订单 #0005？它会派给其他骑手。", 18) == ["拒绝订单 #0005？它", "会派给其他骑手。"]
    assert fold("（向商家索取）：1234", 10) == ["（向商家索", "取）：1234"]


def test_latin_text_breaks_at_its_spaces_only_and_a_long_word_folds() -> None:
    assert fold("Choose its courier (as m) for the order", 12) == ["Choose its", "courier (as", "m) for the", "order"]
    assert fold("门店：老王川菜馆 Lao Wang Sichuan Kitchen（Asia/Shanghai）", 20) == [
        "门店：老王川菜馆 Lao",
        "Wang Sichuan Kitchen",
        "（Asia/Shanghai）",
    ]
    assert fold("call f(x) and g(y) here", 6) == ["call", "f(x)", "and", "g(y)", "here"]
    assert fold("x" * 30, 12) == ["x" * 12, "x" * 12, "x" * 6]
    assert break_offsets("anything", 0) == []
