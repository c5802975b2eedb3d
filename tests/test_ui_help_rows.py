"""Help lists keep a hanging indent: a key's words that wrap continue beside the keys, never under them at column
0 (the console's `?`, the dispatch board's, the menu editor's), and Chinese sentences break as Chinese is set (the
quit dialog at 32x10 never leaves "13" alone above "个订单")."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from rich.cells import get_character_cell_size
from textual.app import App

from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.dialogs import ChoicePrompt
from screens.dispatch_board import DispatchApp
from screens.dispatch_help import BoardHelp
from screens.help_screen import HelpScreen, KeyRow
from screens.memory_source import MemoryOrderSource
from screens.menu_editor import MenuHelpScreen
from tests.test_dispatch_live_samples import NOW
from tests.test_ui_dispatch import MemoryFleet, board_of, until
from tests.test_ui_dispatch_board_fit import ten_couriers
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _cells(app: App[Any]) -> list[list[str]]:
    """The screen as rows of cells (a wide character's second cell is "")."""
    rows = []
    for strip in app.screen._compositor.render_strips():
        row: list[str] = []
        for segment in strip:
            for char in segment.text:
                row += [char] if get_character_cell_size(char) < 2 else [char, ""]
        rows.append(row)
    return rows


def _hangs(app: App[Any]) -> int:
    """Checks every key row on screen: the lines after its first are blank under the keys. Answers how many
    rows wrapped (so that a test knows it saw some)."""
    cells = _cells(app)
    wrapped = 0
    for row in app.screen.query(KeyRow):
        region = row.region
        keys_width = row.query_one(".keys").region.width
        assert keys_width > 0
        for y in range(region.y + 1, region.y + region.height):
            under_keys = "".join(cells[y][region.x : region.x + keys_width]).strip()
            assert under_keys == "", (row._keys, "".join(cells[y]))
        wrapped += region.height > 1
    return wrapped


async def test_the_consoles_help_rows_hang(lang: str) -> None:
    app = MerchantApp(MemoryOrderSource(sample_entries(), store=sample_store()), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(40, 70)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        assert _hangs(app) >= 3


async def test_the_dispatch_boards_help_rows_hang(lang: str) -> None:
    app = DispatchApp(MemoryFleet(ten_couriers()), clock=lambda: NOW, poll_seconds=3600)
    async with app.run_test(size=(32, 50)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, BoardHelp), "the help opened")
        await pilot.pause()
        assert _hangs(app) >= 1
        # the tester's row: Enter's words go on beside the keys ("(as m)", "（同 m）"), not at the box's edge
        lines = ["".join(row) for row in _cells(app)]
        enter = next(y for y, line in enumerate(lines) if line.lstrip("│ ").startswith("⏎"))
        assert lines[enter + 1].startswith("│" + " " * 11), lines[enter : enter + 2]


class MenuHelpHost(App[None]):
    def on_mount(self) -> None:
        self.push_screen(MenuHelpScreen())


async def test_the_menu_editors_help_rows_hang(lang: str) -> None:
    app = MenuHelpHost()
    async with app.run_test(size=(36, 40)) as pilot:
        await pilot.pause()
        assert _hangs(app) >= 1


async def test_the_quit_dialog_keeps_a_number_with_its_words() -> None:
    set_language("zh")
    try:
        app = MerchantApp(MemoryOrderSource(sample_entries(), store=sample_store()), clock=lambda: FROZEN_NOW)
        async with app.run_test(size=(32, 10)) as pilot:
            await pilot.pause()
            await pilot.press("q")
            await pilot.pause()
            assert isinstance(app.screen, ChoicePrompt)
            lines = ["".join(row).strip() for row in _cells(app)]
            assert any("个订单等待处理" in line for line in lines), lines
            assert not any(line.isdigit() for line in lines), lines
            assert not any(line[:1] in "，。：；）" for line in lines), lines
    finally:
        set_language(None)
