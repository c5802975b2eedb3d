"""The queue's column titles fit the screen whole, in English and Chinese: at 40x15 every title shows and the
amount's ("Total", "金额") ends where the amounts end; at any width a title is shown whole or left out, never cut
to "It…" or "金…" (the narrow rows use whole short forms too)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from rich.cells import cell_len

from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus
from screens.widgets.queue_header import QueueHeader
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store

TITLES = ["clock", "number", "status_short", "items", "total"]  # the columns of a narrow queue


@pytest.fixture(autouse=True)
def no_language() -> Iterator[None]:
    yield
    set_language(None)


def _app() -> MerchantApp:
    source = MemoryOrderSource(sample_entries(), store=sample_store(), link=LinkStatus(LinkState.ONLINE))
    return MerchantApp(source, clock=lambda: FROZEN_NOW)


def _screen_lines(app: MerchantApp) -> list[str]:
    return [strip.text for strip in app.screen._compositor.render_strips()]


def _right_edge(line: str, text: str) -> int:
    """The screen column just after the last cell of `text` in `line`."""
    return cell_len(line[: line.rindex(text) + len(text)])


@pytest.mark.parametrize("language", ["en", "zh"])
async def test_every_title_shows_whole_at_40_columns(language: str) -> None:
    set_language(language)
    app = _app()
    async with app.run_test(size=(40, 15)) as pilot:
        await wait_until(pilot, lambda: "¥" in "".join(_screen_lines(app)))
        await pilot.pause()
        lines = _screen_lines(app)
        header = lines[0]
        titles = [t(f"ui.column.{name}") for name in TITLES]
        assert header.split() == titles, header
        rows = [line for line in lines if "¥" in line]
        amount = t("ui.column.total")
        assert {_right_edge(row, row.split()[-1]) for row in rows} == {_right_edge(header, amount)}, lines
        assert cell_len(header.rstrip()) <= 40 - 1  # the list's scroll bar cell is left free, as in the rows


# The narrow widths one by one, in two halves (even, odd): the suite checks every width in one of the
# languages (English the even ones, Chinese the odd) and the wide ones in both; `python -m bench deep` every
# width in both.
@pytest.mark.covering
@pytest.mark.parametrize("half", [0, 1], ids=["even", "odd"])
@pytest.mark.parametrize("language", ["en", "zh"])
async def test_a_title_is_whole_or_left_out_at_every_width(language: str, half: int) -> None:
    set_language(language)
    app = _app()
    known = {t(key) for key in (f"ui.column.{name}" for name in (*TITLES, "status", "type", "customer"))}
    async with app.run_test(size=(20, 15)) as pilot:
        header = app.screen.query_one(QueueHeader)
        for width in [*range(20 + half, 62, 2), 79, 80, 119, 120, 160]:  # this half of the narrow ones
            await pilot.resize_terminal(width, 15)
            await wait_until(pilot, lambda width=width: app.screen.size.width == width)  # type: ignore[misc]
            await pilot.pause()
            line = header.render_line(header.size.height - 1).text
            assert cell_len(line) <= width, (width, line)
            assert "…" not in line and set(line.split()) <= known, (width, line)
