"""A kitchen ticket with a long Chinese note (untrusted: control bytes, markup, bidi marks in it) at 32, 42 and 48
columns: every line fits its width, none starts with closing punctuation (，！。 stay with the word they close, as
Chinese is set), the whole note is on the ticket, and no byte of the note reaches the printer as a command."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest
from rich.cells import cell_len

from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from o2o_tui.printing import layout
from o2o_tui.printing.decode import decode
from o2o_tui.printing.render import render
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store

CHINESE_CLOSING = "，。、；：！？）」』》…"
NOTE = (
    "请不要放香菜，葱花也不要，辣椒多放一点点谢谢老板！" * 3
    + "\x1b@\x1bd\x05\x1dV\x00 [bold]x[/] \u202e反向\u200b 零宽\t换行\r\n"
    + "超长备注没有空格" * 6
)


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _order() -> object:
    order = sample_order(42, OrderStatus.CONFIRMED, minutes_ago=1, note=NOTE)
    first = msgspec.structs.replace(order.lines[0], note=NOTE)
    return msgspec.structs.replace(order, lines=[first, *order.lines[1:]])


@pytest.mark.parametrize("width", [32, 42, 48])
def test_a_long_chinese_note_fits_and_never_starts_a_line_with_closing_punctuation(lang: str, width: int) -> None:
    ops = layout.kitchen_ticket(_order(), sample_store(), FROZEN_NOW, width=width)  # type: ignore[arg-type]
    texts = [op for op in ops if isinstance(op, layout.TextOp)]
    for op in texts:
        assert cell_len(op.text) * int(op.size) <= width, (width, op.text)
        assert not any(ord(char) < 32 or ord(char) == 127 for char in op.text), repr(op.text)
        body = op.text.strip().removeprefix("! ")  # the mark an item's note starts with
        assert not body or body[0] not in CHINESE_CLOSING, (width, op.text)
    joined = "".join(op.text.strip() for op in texts).replace(" ", "")
    # nothing lost at the cuts: the item's note and the order's, whole
    assert joined.count("辣椒多放一点点谢谢老板！请不要放香菜，葱花也不要") == 4 and joined.count("超长备注没有空格" * 6) == 2


def test_no_byte_of_the_note_reaches_the_printer_as_a_command(lang: str) -> None:
    data = render(layout.kitchen_ticket(_order(), sample_store(), FROZEN_NOW), "native")  # type: ignore[arg-type]
    assert data.count(b"\x1b@") == 1  # the reset the job starts with, not the note's
    assert data.count(b"\x1dV") == 1  # the one cut at its end
    assert b"\x1bd\x05" not in data
    printed = decode(data)
    assert printed.cuts == 1 and "[bold]x[/]" in printed.text()  # markup printed as it is
