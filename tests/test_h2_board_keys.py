"""The dispatch board's keyboard model. Alone (`o2o dispatch`) it quits as the console's queue does: q quits, asking
first only while orders are being sent (Ctrl+Q the same, Ctrl+C never asks); Esc never quits it (it closes dialogs,
and on the board says which key quits). In the console the board's Esc still goes back and q is not the board's.
Its help (`?`) lists the quit keys, Ctrl+Q and Ctrl+C among them, and is drawn with the terminal's borders (solid
on the Linux console, ASCII on vt100) as every other dialog. F5 refreshes the figures screen as it does the board."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from typing import Any

import pytest
from textual.app import App
from textual.containers import VerticalScroll

from o2o_tui.i18n import set_language, t
from screens.dialogs import ChoicePrompt
from screens.dispatch_board import DispatchApp, DispatchBoard
from screens.dispatch_help import BoardHelp, help_entries
from screens.terminal import ASCII, CONSOLE, FULL, Glyphs
from tests.support.platform import RunningPlatform
from tests.test_dispatch_live_samples import NOW, board_snapshot
from tests.test_ui_dispatch import MemoryFleet, board_of, live_app, until


def _screen_text(app: App[Any]) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def _footer(app: App[Any]) -> str:
    return _screen_text(app).splitlines()[-1]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


class HeldFleet(MemoryFleet):
    """A fleet whose assignments wait until `release` is set: orders stay "being sent" as long as a test needs."""

    def __init__(self) -> None:
        super().__init__(board_snapshot())
        self.release = asyncio.Event()

    async def assign(self, order_id: str, courier_id: str, expect: str | None = None) -> None:
        await self.release.wait()
        await super().assign(order_id, courier_id, expect)


def _app(fleet: MemoryFleet | None = None, glyphs: Glyphs | None = None) -> DispatchApp:
    return DispatchApp(fleet or MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=60, glyphs=glyphs)


async def _loaded(pilot, app: DispatchApp) -> DispatchBoard:  # type: ignore[no-untyped-def]
    await until(pilot, lambda: isinstance(app.screen, DispatchBoard) and app.screen.rounds >= 1, "first round")
    return board_of(app)


# ------------------------------------------------------------------------------------------ 2: Esc and q alone


async def test_esc_on_the_board_alone_does_not_quit_and_says_which_key_does() -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        board = await _loaded(pilot, app)
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and app.screen is board
        said = [" ".join(n.message.split()) for n in app._notifications]  # folded to the toast's width
        assert t("dispatch.board.how_to_quit", key="q") in said, said
        await until(pilot, lambda: "Quit" in _footer(app), "the footer drawn")
        footer = _footer(app)
        assert "q Quit" in footer and "esc" not in footer, footer
        await pilot.press("question_mark")  # Esc closes a dialog, and the board stays
        await pilot.pause()
        assert isinstance(app.screen, BoardHelp)
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is board and app.is_running


async def test_q_quits_the_board_alone_at_once_when_nothing_is_being_sent(platform: RunningPlatform) -> None:
    app = live_app(platform)  # the real platform on loopback
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot, app)
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


async def test_q_asks_while_orders_are_being_sent_and_q_again_quits() -> None:
    fleet = HeldFleet()
    app = _app(fleet)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await _loaded(pilot, app)
        await pilot.press("a")  # the suggestion under the cursor: its assignment waits on `release`
        await until(pilot, lambda: bool(board._in_flight), "an order being sent")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ChoicePrompt) and app.is_running
        text = _screen_text(app)
        assert "Quit the dispatch board?" in text and "1 order is being sent" in text, text
        await pilot.press("n")  # stay
        await pilot.pause()
        assert app.screen is board and app.is_running
        await pilot.press("ctrl+q")  # Ctrl+Q asks as q does
        await pilot.pause()
        assert isinstance(app.screen, ChoicePrompt) and app.is_running
        await pilot.press("q")  # the same key again: quit
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_c_never_asks() -> None:
    fleet = HeldFleet()
    app = _app(fleet)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await _loaded(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: bool(board._in_flight), "an order being sent")
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running


async def test_in_the_console_esc_goes_back_and_q_is_not_the_boards() -> None:
    from screens.app import MerchantApp
    from screens.memory_source import MemoryOrderSource
    from screens.orders_screen import OrdersScreen

    app = MerchantApp(MemoryOrderSource(), clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DispatchBoard(MemoryFleet(board_snapshot()), poll_seconds=60))
        board = await _loaded(pilot, app)  # type: ignore[arg-type]
        await until(pilot, lambda: "Back" in _footer(app), "the footer drawn")
        footer = _footer(app)
        assert "esc Back" in footer and "q Quit" not in footer, footer
        await pilot.press("q")
        await pilot.pause()
        assert app.is_running and app.screen is board
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OrdersScreen) and app.is_running


# ------------------------------------------------------------------------------------- 3: the help's quit rows


async def test_the_help_of_the_board_alone_lists_q_ctrl_q_and_ctrl_c() -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        board = await _loaded(pilot, app)
        rows = dict(help_entries(board, board.orders_list))
        assert rows.get("q ^q") == t("dispatch.board.help.quit"), rows
        assert rows.get("^c") == t("dispatch.board.help.quit_now"), rows
        assert rows.get("esc") == t("dispatch.board.help.esc_top"), rows
        await pilot.press("question_mark")
        await pilot.pause()
        text = _screen_text(app)
        assert "^q" in text and "^c" in text, text


async def test_the_help_of_the_board_in_the_console_lists_ctrl_q_and_ctrl_c_not_q() -> None:
    from screens.app import MerchantApp
    from screens.memory_source import MemoryOrderSource

    app = MerchantApp(MemoryOrderSource(), clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DispatchBoard(MemoryFleet(board_snapshot()), poll_seconds=60))
        board = await _loaded(pilot, app)  # type: ignore[arg-type]
        rows = dict(help_entries(board, board.orders_list))
        assert rows.get("^q") == t("dispatch.board.help.console_quit"), rows
        assert rows.get("^c") == t("dispatch.board.help.quit_now"), rows
        assert rows.get("esc") == "Back", rows
        assert not any(keys.split()[0] == "q" for keys in rows), rows


# --------------------------------------------------------------------------------- 1: the help's border glyphs


@pytest.mark.parametrize(("glyphs", "border", "corners"), [(ASCII, "ascii", "+"), (CONSOLE, "solid", "┌┐└┘")])
async def test_the_boards_help_is_drawn_with_the_terminals_borders(glyphs: Glyphs, border: str, corners: str) -> None:
    app = _app(glyphs=glyphs)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, BoardHelp)
        assert app.screen.query_one(VerticalScroll).styles.border_top[0] == border
        text = _screen_text(app)
        assert not set("╭╮╰╯") & set(text), text
        assert all(corner in text for corner in corners), text


async def test_a_full_terminal_keeps_the_rounded_help() -> None:
    app = _app(glyphs=FULL)
    async with app.run_test(size=(80, 24)) as pilot:
        await _loaded(pilot, app)
        await pilot.press("question_mark")
        await pilot.pause()
        assert app.screen.query_one(VerticalScroll).styles.border_top[0] == "round"


@pytest.mark.parametrize(("glyphs", "border"), [(ASCII, "ascii"), (CONSOLE, "solid")])
async def test_the_quit_question_of_the_board_alone_has_the_terminals_borders(glyphs: Glyphs, border: str) -> None:
    fleet = HeldFleet()
    app = _app(fleet, glyphs=glyphs)
    async with app.run_test(size=(80, 24)) as pilot:
        board = await _loaded(pilot, app)
        await pilot.press("a")
        await until(pilot, lambda: bool(board._in_flight), "an order being sent")
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ChoicePrompt)
        assert app.screen.query_one(".dialog").styles.border_top[0] == border
        assert not set("╭╮╰╯") & set(_screen_text(app))
        fleet.release.set()


# ------------------------------------------------------------------------------------- 4: F5 refreshes figures


async def test_f5_refreshes_the_figures_as_r_does_and_the_help_lists_it(platform: RunningPlatform, tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from o2o_tui.config import Profile
    from screens.app import MerchantApp
    from screens.figures_screen import FiguresScreen
    from screens.help_screen import help_rows
    from screens.memory_source import MemoryOrderSource
    from screens.terminal import DEFAULT_THEME
    from tests.support.platform import api, order_body
    from tests.test_ui_samples import sample_store

    seed = platform.seed
    assert seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path))
    api(platform, "customer").post("/v1/orders", order_body(seed.store_id, "TAKEOUT"))
    profile = Profile("m", platform.url, seed.tokens["merchant"], "merchant", store_id=seed.store_id)
    app = MerchantApp(MemoryOrderSource(store=sample_store()), theme=DEFAULT_THEME, profile=profile)

    def chart() -> str:
        return " ".join(str(app.screen.query_one("#figures-chart").render()).split())

    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f")
        await pilot.pause()
        screen = app.screen
        assert isinstance(screen, FiguresScreen)
        await until(pilot, lambda: "Orders 1 " in chart(), "the first figures")
        api(platform, "customer").post("/v1/orders", order_body(seed.store_id, "TAKEOUT"))
        await pilot.press("f5")
        await until(pilot, lambda: "Orders 2 " in chart(), "F5 asked the platform again")
        api(platform, "customer").post("/v1/orders", order_body(seed.store_id, "TAKEOUT"))
        await pilot.press("r")  # r still refreshes
        await until(pilot, lambda: "Orders 3 " in chart(), "r asked the platform again")
        rows = {row.keys: row.text for row in help_rows(screen)}
        assert rows.get("f5 r") == "ask the platform again", rows
        await until(pilot, lambda: "Refresh" in _footer(app), "the footer drawn")
        assert "f5 Refresh" in _footer(app), _footer(app)
