"""The merchant console and the dispatch board on a terminal whose locale is not UTF-8 (LANG=C, LC_ALL=C): as the
courier handheld, they send ASCII only (a character they cannot show is '?', one per cell, so the columns stay
put) and say why on a line of their own, in ASCII: "Terminal not UTF-8: use LANG=C.UTF-8". Real programs on a
real pty read by pyte (tests/test_ui_no_colour.py's way)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bench.pty_screen import PtyScreen
from o2o_tui.i18n import set_language, t
from screens.terminal import ascii_cells

ROOT = Path(__file__).resolve().parents[1]

CONSOLE = """
import sys
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_link, sample_store
set_language(sys.argv[1])
source = MemoryOrderSource(sample_entries(), store=sample_store(), link=sample_link())
MerchantApp(source, clock=lambda: FROZEN_NOW).run()
"""

BOARD = """
import sys
from o2o_tui.i18n import set_language
from screens.dispatch_board import DispatchApp
from tests.test_dispatch_live_samples import NOW, board_snapshot
from tests.test_ui_dispatch import MemoryFleet
set_language(sys.argv[1])
DispatchApp(MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=3600).run()
"""

NOTE = "Terminal not UTF-8: use LANG=C.UTF-8"
NOT_UTF8 = ["LANG=C", "LC_ALL=C", "LC_CTYPE=C"]
UTF8 = ["LANG=C.UTF-8", "LC_ALL=C.UTF-8"]


def _run(script: str, locale: list[str], language: str, size: tuple[int, int], needle: str) -> str:
    argv = ["env", "TERM=xterm-256color", *locale, sys.executable, "-c", script, language]
    with PtyScreen.spawn(argv, size=size, cwd=str(ROOT)) as screen:
        screen.wait_for(needle, timeout=30)
        screen.wait_quiet(0.5, timeout=30)
        return screen.text()


def test_the_note_is_ascii_in_every_language() -> None:
    try:
        for language in ("en", "zh"):
            set_language(language)
            assert t("ui.terminal.not_utf8") == NOTE  # a Chinese note would itself show as '?'
            assert t("ui.terminal.not_utf8_short").isascii()
    finally:
        set_language("en")


def test_a_character_the_terminal_cannot_show_is_one_question_mark_a_cell() -> None:
    assert ascii_cells("老王 Lao Wang") == "???? Lao Wang"  # two cells each: the columns after it stay put
    assert ascii_cells("Kung Pao…") == "Kung Pao."  # a cut's mark as the ASCII it stands for
    assert ascii_cells("e\u0301") == "e"  # a combining mark takes no cell


@pytest.mark.parametrize(("language", "size"), [("en", (80, 24)), ("zh", (80, 24)), ("en", (40, 15))])
def test_the_console_says_the_terminal_is_not_utf8(language: str, size: tuple[int, int]) -> None:
    shown = _run(CONSOLE, NOT_UTF8, language, size, "#0042")
    assert shown.isascii(), shown  # no UTF-8 bytes reach a terminal that would show them as several characters
    status = shown.splitlines()[-2]
    assert (NOTE if size[0] >= 80 else "not UTF-8") in status, shown
    assert "????" in shown  # the Chinese names: '?', as the handheld shows them


def test_the_console_in_a_utf8_locale_says_nothing_of_it() -> None:
    shown = _run(CONSOLE, UTF8, "en", (80, 24), "#0042")
    assert "UTF-8" not in shown and "老王川菜馆" in shown, shown


@pytest.mark.parametrize(("language", "size"), [("en", (80, 24)), ("zh", (40, 15))])
def test_the_board_says_the_terminal_is_not_utf8(language: str, size: tuple[int, int]) -> None:
    shown = _run(BOARD, NOT_UTF8, language, size, "#")
    assert shown.isascii(), shown
    assert shown.splitlines()[0].strip().startswith(NOTE), shown  # the header: the note first, then the title


def test_the_board_in_a_utf8_locale_says_nothing_of_it() -> None:
    shown = _run(BOARD, UTF8, "en", (80, 24), "#")
    assert "UTF-8" not in shown and shown.splitlines()[0].strip().startswith("Dispatch board"), shown
