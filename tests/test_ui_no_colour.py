"""Without colour (NO_COLOR, or a vt100/linux console): the text stays readable and the selected line is marked
by more than a background. The console runs on a real pty read by pyte, as the terminal would show it."""

from __future__ import annotations

import sys
import time
from pathlib import Path
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.screen import Screen

from bench.pty_screen import PtyScreen
from screens.terminal import ANSI_THEME, DEFAULT_THEME, theme_for

ROOT = Path(__file__).resolve().parents[1]

CONSOLE = """
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_link, sample_store
set_language("en")
source = MemoryOrderSource(sample_entries(), store=sample_store(), link=sample_link())
MerchantApp(source, clock=lambda: FROZEN_NOW).run()
"""


def test_no_color_keeps_the_theme_textual_renders_readably() -> None:
    assert theme_for({"NO_COLOR": "1", "TERM": "linux"}) == DEFAULT_THEME
    assert theme_for({"NO_COLOR": "", "TERM": "xterm-256color"}) == DEFAULT_THEME
    assert theme_for({"TERM": "linux"}) == ANSI_THEME
    assert theme_for({"TERM": "vt220"}) == ANSI_THEME
    assert theme_for({"TERM": "xterm-256color"}) == DEFAULT_THEME


def _assert_no_hidden_text(screen: PtyScreen) -> None:
    hidden = [
        (y, c.data)
        for y in range(screen.lines)
        for c in (screen.screen.buffer[y][x] for x in range(screen.columns))
        if c.data.strip() and not c.reverse and c.fg == c.bg and c.fg != "default"
    ]
    assert not hidden, f"text in its own background colour: {hidden[:10]}\n{screen.text()}"


def _underlined_rows(screen: PtyScreen) -> list[int]:
    rows = []
    for y in range(screen.lines):
        cells = [screen.screen.buffer[y][x] for x in range(screen.columns)]
        text = [c for c in cells if c.data.strip()]
        if text and all(c.underscore for c in text):
            rows.append(y)
    return rows


@pytest.mark.parametrize(
    "env", [["NO_COLOR=1", "TERM=linux"], ["NO_COLOR=1", "TERM=xterm-256color"], ["TERM=vt220"]]
)
def test_the_console_without_colour_is_readable_and_shows_its_cursor(env: list[str]) -> None:
    argv = ["env", *env, "LANG=C.UTF-8", sys.executable, "-c", CONSOLE]
    with PtyScreen.spawn(argv, size=(80, 24), cwd=str(ROOT)) as screen:
        screen.wait_for("#", timeout=30)
        screen.wait_quiet(0.5, timeout=30)
        _assert_no_hidden_text(screen)
        first = _underlined_rows(screen)
        assert len(first) == 1, screen.text()
        screen.send(b"\x1b[B")  # down: the mark goes with the cursor
        deadline = time.monotonic() + 10
        while _underlined_rows(screen) == first and time.monotonic() < deadline:
            screen.pump(0.1)
        assert _underlined_rows(screen) == [first[0] + 1], screen.text()
        screen.wait_quiet(0.3, timeout=10)
        _assert_no_hidden_text(screen)  # the new order, off the cursor, rings on its alert ground


def test_the_console_in_colour_marks_its_cursor_by_background_only() -> None:
    argv = ["env", "TERM=xterm-256color", sys.executable, "-c", CONSOLE]
    with PtyScreen.spawn(argv, size=(80, 24), cwd=str(ROOT)) as screen:
        screen.wait_for("#", timeout=30)
        screen.wait_quiet(0.5, timeout=30)
        assert _underlined_rows(screen) == [], screen.text()


class DispatchBoard(Screen[None]):  # named as the board: dispatch_board.tcss selects on it
    def compose(self) -> ComposeResult:
        from screens.widgets.dispatch_rows import CourierList, OrderList

        yield OrderList(id="board-orders")
        yield CourierList(id="board-couriers")


class BoardStyles(App[None]):
    CSS_PATH = ROOT / "screens" / "dispatch_board.tcss"

    def __init__(self, theme: str) -> None:
        super().__init__()
        self.theme = theme

    def on_mount(self) -> None:
        self.push_screen(DispatchBoard())


@pytest.mark.parametrize(
    ("no_color", "term", "marked"),
    [(True, "xterm-256color", True), (False, "vt100", True), (False, "xterm-256color", False)],
)
async def test_the_dispatch_board_marks_its_lines_without_colour(
    monkeypatch: pytest.MonkeyPatch, no_color: bool, term: str, marked: bool
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
    app = BoardStyles(theme_for({"TERM": term, **({"NO_COLOR": "1"} if no_color else {})}))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        from screens.widgets.dispatch_rows import CourierList, OrderList

        orders: Any = app.screen.query_one(OrderList)
        couriers: Any = app.screen.query_one(CourierList)
        cursor = orders.get_visual_style("line-list--cursor")
        courier = couriers.get_visual_style("line-list--cursor-blurred")
        assert bool(cursor.underline) is marked and bool(cursor.bold) is marked
        assert bool(courier.underline) is marked
