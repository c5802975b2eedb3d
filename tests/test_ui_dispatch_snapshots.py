"""Snapshots of the dispatch board at 80x24 and 120x40 (and in Chinese), and with a normal store's ten couriers
at 80x24 and 40x15 (five of them at the store), on fixed data with a frozen clock.

Update after an intended change with `pytest tests/test_ui_dispatch_snapshots.py --snapshot-update` and look at
the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.pilot import Pilot

from o2o_tui.i18n import set_language
from screens.dispatch_board import DispatchApp, DispatchBoard
from tests.test_dispatch_live_samples import NOW, board_snapshot
from tests.test_ui_dispatch import MemoryFleet, until
from tests.test_ui_dispatch_board_fit import ten_couriers


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language(None)


def _app() -> DispatchApp:
    return DispatchApp(
        MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=3600, theme="textual-dark"
    )


async def _loaded(pilot: Pilot) -> None:
    await until(
        pilot,
        lambda: isinstance(pilot.app.screen, DispatchBoard) and pilot.app.screen.rounds >= 1,
        "the board loaded",
    )
    await pilot.pause()


@pytest.mark.parametrize("size", [(80, 24), (120, 40)], ids=["80x24", "120x40"])
def test_board(snap_compare, english: None, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), terminal_size=size, run_before=_loaded)


def test_board_chinese(snap_compare, chinese: None) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), run_before=_loaded)


def test_board_second_order_selected(snap_compare, english: None) -> None:
    async def select(pilot: Pilot) -> None:
        await _loaded(pilot)
        await pilot.press("down")

    assert snap_compare(_app(), terminal_size=(80, 24), run_before=select)


def test_courier_picker(snap_compare, english: None) -> None:
    async def open_picker(pilot: Pilot) -> None:
        await _loaded(pilot)
        await pilot.press("m")
        await pilot.pause()

    assert snap_compare(_app(), terminal_size=(80, 24), run_before=open_picker)


def test_board_on_a_sixteen_colour_terminal(snap_compare, english: None) -> None:
    app = DispatchApp(MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=3600, theme="ansi-dark")
    assert snap_compare(app, terminal_size=(80, 24), run_before=_loaded)


@pytest.mark.parametrize("size", [(80, 24), (40, 15)], ids=["80x24", "40x15"])
def test_board_with_ten_couriers(snap_compare, english: None, size: tuple[int, int]) -> None:
    app = DispatchApp(MemoryFleet(ten_couriers()), clock=lambda: NOW, poll_seconds=3600, theme="textual-dark")
    assert snap_compare(app, terminal_size=size, run_before=_loaded)
