"""On an ASCII terminal (vt100, vt220, a locale that is not UTF-8) and on the Linux text console (box drawing, but
no braille, eighth blocks, ⏎, ▶, ▇ or "…") the merchant console, its help and search, the simple mode and the
dispatch board send only what the terminal can show. Each runs on a real pty read by pyte, as the terminal would
show it; a UTF-8 xterm keeps the full set (its snapshots are unchanged)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.pty_screen import PtyScreen
from screens.terminal import ASCII, CONSOLE, FULL, decorated, glyphs_for, key_display

ROOT = Path(__file__).resolve().parents[1]

CONSOLE_APP = """
import sys
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_link, sample_store
set_language("en")
source = MemoryOrderSource(sample_entries(), store=sample_store(), link=sample_link())
MerchantApp(source, clock=lambda: FROZEN_NOW, simple=sys.argv[1] == "simple").run()
"""

BOARD_APP = """
from o2o_tui.i18n import set_language
from screens.dispatch_board import DispatchApp
from tests.test_dispatch_live_samples import NOW, board_snapshot
from tests.test_ui_dispatch import MemoryFleet
set_language("en")
DispatchApp(MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=60).run()
"""

# what neither an ASCII terminal nor the Linux console can show (the console font: box drawing, Latin-1 and the PC
# set's few symbols; no "…" (a cut text ends in "..."), no "–" or "∅")
NEVER = set("⏎▏▎▍▌▋▊▉▔▁▂▃▄▅▆▇▶╭╮╰╯⌫…–∅")
BOX = {chr(c) for c in range(0x2500, 0x2580)}  # box drawing: the console font has the light and double lines
ASCII_ALSO = BOX | set("■×⠤≈·↑↓→↕")


def _unshowable(text: str, level: str) -> list[str]:
    bad = NEVER | (ASCII_ALSO if level == "ascii" else set())
    return sorted({c for c in text if c in bad or 0x2800 <= ord(c) <= 0x28FF})


def _env(term: str) -> list[str]:
    return ["env", f"TERM={term}", "LANG=C.UTF-8", "LC_ALL=C.UTF-8", "COLORTERM="]


def _settle(screen: PtyScreen, key: bytes | None = None) -> str:
    if key is not None:
        screen.send(key)
    screen.wait_quiet(0.6, timeout=20)
    return screen.text()


def test_the_glyph_set_follows_term_and_locale() -> None:
    utf8 = {"LANG": "C.UTF-8"}
    assert glyphs_for({"TERM": "xterm-256color", **utf8}) is FULL
    assert glyphs_for({"TERM": "vt100", **utf8}) is ASCII
    assert glyphs_for({"TERM": "vt220", **utf8}) is ASCII
    assert glyphs_for({"TERM": "dumb", **utf8}) is ASCII
    assert glyphs_for({"TERM": "linux", **utf8}) is CONSOLE
    assert glyphs_for({"TERM": "xterm-256color", "LANG": "C"}) is ASCII  # not UTF-8: as the handheld decides
    assert glyphs_for({"TERM": "linux", "LANG": "en_US.ISO-8859-1"}) is ASCII
    assert key_display("⏎", ASCII) == "Enter" and key_display("⏎", FULL) == "⏎"
    assert key_display("↑", CONSOLE) == "↑" and key_display("↑", ASCII) == "Up"
    assert decorated("Waiting 1 · suggested 2", ASCII) == "Waiting 1 | suggested 2"
    assert decorated("cell≈140 m", CONSOLE) == "cell≈140 m" and decorated("cell≈140 m", ASCII) == "cell~140 m"
    assert decorated("待派 1 · 建议 2", FULL) == "待派 1 · 建议 2"
    assert decorated("王·五", ASCII) == "王·五"  # a "·" in a word stays


@pytest.mark.parametrize(("term", "level"), [("vt100", "ascii"), ("linux", "console")])
def test_the_console_help_and_search_show_only_what_the_terminal_has(term: str, level: str) -> None:
    argv = [*_env(term), sys.executable, "-c", CONSOLE_APP, "queue"]
    with PtyScreen.spawn(argv, size=(80, 24), cwd=str(ROOT)) as screen:
        screen.wait_for("#", timeout=30)
        queue = _settle(screen)
        assert "Enter Open" in queue.splitlines()[-1], queue
        assert not _unshowable(queue, level), queue
        times = "x" if level == "ascii" else "×"
        assert f"Kung Pao Chicken{times}2,..." in queue, queue  # the items cut with the terminal's ellipsis
        helped = _settle(screen, b"?")
        assert "Enter" in helped and not _unshowable(helped, level), helped
        paged = _settle(screen, b"\x1b[6~")  # page down: the help scrolls (its scrollbar shows)
        assert not _unshowable(paged, level), paged
        _settle(screen, b"q")  # closes the help
        screen.send(b"/")
        screen.wait_for("Keep results", timeout=10)
        searching = _settle(screen)
        assert "Keep results" in searching and not _unshowable(searching, level), searching
        if level == "ascii":
            assert "+----" in searching, searching  # the search box's ASCII border
        else:
            assert "┌" in searching, searching


@pytest.mark.parametrize(("term", "level"), [("vt220", "ascii"), ("linux", "console")])
def test_the_simple_mode_shows_only_what_the_terminal_has(term: str, level: str) -> None:
    argv = [*_env(term), sys.executable, "-c", CONSOLE_APP, "simple"]
    with PtyScreen.spawn(argv, size=(80, 24), cwd=str(ROOT)) as screen:
        screen.wait_for("1 ", timeout=30)
        shown = _settle(screen)
        assert "Order 1 of" in shown, shown
        assert not _unshowable(shown, level), shown


@pytest.mark.parametrize(("term", "level"), [("vt100", "ascii"), ("linux", "console")])
def test_the_dispatch_board_shows_only_what_the_terminal_has(term: str, level: str) -> None:
    argv = [*_env(term), sys.executable, "-c", BOARD_APP]
    with PtyScreen.spawn(argv, size=(100, 30), cwd=str(ROOT)) as screen:
        screen.wait_for("Couriers", timeout=30)
        shown = _settle(screen)
        assert not _unshowable(shown, level), shown
        assert "plan" in shown and ".." in shown, shown  # the legend's plan line without braille
        if level == "ascii":
            assert "| suggested" in shown and "~" in shown, shown
            assert "Pickup->Drop" in shown and "12:34->12:55" in shown, shown
        else:
            assert "· suggested" in shown and "≈" in shown, shown
            assert "Pickup→Drop" in shown and "12:34→12:55" in shown, shown


def test_a_utf8_xterm_keeps_the_full_set() -> None:
    argv = [*_env("xterm-256color"), sys.executable, "-c", BOARD_APP]
    with PtyScreen.spawn(argv, size=(100, 30), cwd=str(ROOT)) as screen:
        screen.wait_for("Couriers", timeout=30)
        shown = _settle(screen)
        assert "▏" in shown and "⠤⠤" in shown and "≈" in shown and "⏎" not in shown, shown


# the Linux console's run is `python -m bench deep`'s: its scrollbar is the ASCII set's (whole cells,
# `TerminalScrollBarRender`), and its help is seen paged at 80x24 above
@pytest.mark.parametrize(
    ("term", "level"), [("vt100", "ascii"), pytest.param("linux", "console", marks=pytest.mark.deep)]
)
def test_the_narrow_help_scrolls_without_block_glyphs(term: str, level: str) -> None:
    argv = [*_env(term), sys.executable, "-c", CONSOLE_APP, "queue"]
    with PtyScreen.spawn(argv, size=(40, 15), cwd=str(ROOT)) as screen:
        screen.wait_for("#", timeout=30)
        _settle(screen)
        screen.send(b"?")
        screen.wait_for("this help", timeout=10)  # the help is up
        for _ in range(3):  # page by page: the scrollbar's thumb moves down the right edge
            paged = _settle(screen, b"\x1b[6~")
            assert not _unshowable(paged, level), paged
