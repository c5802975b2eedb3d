"""Terminals that get 16 colours (TERM=screen, tmux's and GNU screen's default; plain xterm, rxvt, linux, vt100):
the console, the board and the handheld use the ANSI theme there, decided as Rich (Textual's output) decides its
colours, so an urgent order is red and the selected row is marked apart from a ringing one. The console runs on
a real pty read by pyte, as the terminal would show it (tests/test_ui_no_colour.py's way)."""

from __future__ import annotations

import sys
import time
from pathlib import Path

import pytest

from bench.pty_screen import PtyScreen
from screens.terminal import ANSI_THEME, DEFAULT_THEME, colour_system, theme_for

ROOT = Path(__file__).resolve().parents[1]

# the sample queue, with a new order in its last minute before the accept deadline (urgent: red, ringing) on top
CONSOLE = """
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import QueueEntry
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_link, sample_order, sample_store
set_language("en")
urgent = QueueEntry(sample_order(43, OrderStatus.CREATED, minutes_ago=4.5))
source = MemoryOrderSource([urgent, *sample_entries()], store=sample_store(), link=sample_link())
MerchantApp(source, clock=lambda: FROZEN_NOW).run()
"""


@pytest.mark.parametrize(
    "term",
    [
        "screen",
        "xterm",
        "tmux",
        "rxvt-unicode",
        "screen.xterm-new",
        "ansi",
        "linux",
        "vt100",
        "vt220",
        "dumb",
        "",
    ],
)
def test_a_sixteen_colour_terminal_gets_the_ansi_theme(term: str) -> None:
    assert theme_for({"TERM": term}) == ANSI_THEME
    assert colour_system({"TERM": term}) in ("standard", None)  # what Textual's output writes there


@pytest.mark.parametrize(
    "environ",
    [
        {"TERM": "xterm-256color"},
        {"TERM": "screen-256color"},
        {"TERM": "tmux-256color"},
        {"TERM": "xterm-kitty"},
        {"TERM": "screen", "COLORTERM": "truecolor"},  # COLORTERM wins, as in Rich
        {"TERM": "xterm", "COLORTERM": "24bit"},
        {"TERM": "linux", "COLORTERM": "truecolor"},
        {"TERM": "xterm", "TEXTUAL_COLOR_SYSTEM": "256"},  # Textual's own override
        {"TERM": "screen", "NO_COLOR": "1"},  # NO_COLOR keeps the default theme (tests/test_ui_no_colour.py)
    ],
)
def test_more_colours_or_no_colour_keep_the_default_theme(environ: dict[str, str]) -> None:
    assert theme_for(environ) == DEFAULT_THEME


def test_textual_told_to_write_16_colours_gets_the_ansi_theme() -> None:
    assert theme_for({"TERM": "xterm-256color", "TEXTUAL_COLOR_SYSTEM": "standard"}) == ANSI_THEME


def _rows(screen: PtyScreen, test: object) -> list[int]:
    rows = []
    for y in range(screen.lines):
        cells = [c for c in (screen.screen.buffer[y][x] for x in range(screen.columns)) if c.data.strip()]
        if cells and all(test(c) for c in cells):  # type: ignore[operator]
            rows.append(y)
    return rows


def _row_of(screen: PtyScreen, needle: str) -> int:
    for y, line in enumerate(screen.text().splitlines()):
        if needle in line:
            return y
    raise AssertionError(f"{needle!r} not on screen:\n{screen.text()}")


def _foreground(screen: PtyScreen, y: int, needle: str) -> str:
    x = screen.text().splitlines()[y].index(needle)  # ASCII before it on the row: columns are characters
    return str(screen.screen.buffer[y][x].fg)


@pytest.mark.parametrize("term", ["screen", "xterm"])
def test_on_16_colours_the_urgent_order_is_red_and_the_cursor_is_marked(term: str) -> None:
    argv = ["env", f"TERM={term}", "LANG=C.UTF-8", sys.executable, "-c", CONSOLE]
    with PtyScreen.spawn(argv, size=(80, 24), cwd=str(ROOT)) as screen:
        screen.wait_for("#0043", timeout=30)
        screen.wait_quiet(0.5, timeout=30)
        urgent = _row_of(screen, "#0043")
        cursor = _rows(screen, lambda c: c.underscore)
        assert cursor == [urgent], (
            screen.text()
        )  # the cursor starts on the new order: underlined (and reversed)
        screen.send(b"\x1b[B\x1b[B")  # down twice: the mark goes with the cursor, off the two ringing rows
        deadline = time.monotonic() + 10
        while _rows(screen, lambda c: c.underscore) != [urgent + 2] and time.monotonic() < deadline:
            screen.pump(0.1)
        moved = _rows(screen, lambda c: c.underscore)
        assert moved == [urgent + 2], screen.text()
        screen.wait_quiet(0.3, timeout=10)
        new = _row_of(screen, "#0042")  # ringing, not urgent, not under the cursor
        assert new not in moved
        # the terminal's own red for the urgent order (the default theme flattened to 16 gave white)
        assert _foreground(screen, urgent, "#0043") == "red", screen.text()
        assert _foreground(screen, new, "#0042") != "red"
        # the cursor row does not look like a ringing row: reversed and underlined, the ringing ones not
        cursor_cell = screen.screen.buffer[moved[0]][0]
        ringing_cell = screen.screen.buffer[new][0]
        assert (cursor_cell.reverse, cursor_cell.underscore) == (True, True)
        assert (ringing_cell.reverse, ringing_cell.underscore) == (False, False)
