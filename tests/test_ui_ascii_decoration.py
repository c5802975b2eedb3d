"""On an ASCII terminal (vt100, a locale that is not UTF-8: the app's `glyphs` is ASCII) the queue's rows, its
"Done" divider, the status line, the simple mode's items and the dispatch board's map legend draw their decoration
in ASCII: "x2" for "×2", " | " for " · ", "-" for "─"; without colour the board's legend names the couriers'
marks instead of showing a free and a busy sample ("1 free 2 busy" read as couriers 1 and 2), and the queue's
cursor line is reversed (a background alone may not show). Real apps, run headless with the set given."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.app import App

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.dispatch_board import DispatchApp
from screens.launch import open_source
from screens.memory_source import MemoryOrderSource
from screens.terminal import ASCII, CONSOLE, FULL, Glyphs
from tests.support.platform import api, order_body, start_platform
from tests.test_dispatch_live_samples import NOW, board_snapshot
from tests.test_ui_dispatch import MemoryFleet
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_link, sample_store

# the decoration the FULL set draws that an ASCII terminal cannot show (the data's own Chinese may stay)
UNICODE_DECORATION = set("×·─│■≈↑↓▏⏎▶") | {chr(c) for c in range(0x2500, 0x2580)}


def _screen_text(app: App[Any]) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


def _decoration(text: str) -> list[str]:
    return sorted({c for c in text if c in UNICODE_DECORATION or 0x2800 <= ord(c) <= 0x28FF})


class QuietApp(MerchantApp):
    def bell(self) -> None:
        pass


@pytest.mark.parametrize("size", [(80, 24), (40, 15)])
async def test_the_queue_against_the_platform_draws_its_rows_and_done_divider_in_ascii(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, size: tuple[int, int]
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    running = start_platform(tmp_path)
    try:
        seed = running.seed
        assert seed is not None
        profile: Profile = save_profile(
            "counter", url=running.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
        )
        customer, merchant = api(running, "customer"), api(running, "merchant")
        try:
            live = (await asyncio.to_thread(customer.post, "/v1/orders", order_body(seed.store_id))).json()
            refused = (await asyncio.to_thread(customer.post, "/v1/orders", order_body(seed.store_id))).json()
            answer = await asyncio.to_thread(
                merchant.post, f"/v1/orders/{refused['id']}/reject", {"reason_code": "STORE_BUSY"}
            )
            assert answer.status_code == 200, answer.text
        finally:
            customer.close()
            merchant.close()
        app = QuietApp(open_source(profile), glyphs=ASCII)
        async with app.run_test(size=size) as pilot:
            queue = app.orders_screen.queue
            await wait_until(
                pilot, lambda: live["id"] in queue.order_ids and queue.entry(refused["id"]) is not None
            )
            await pilot.pause(0.2)
            shown = _screen_text(app)
            assert not _decoration(shown), shown
            lines = shown.splitlines()
            assert any(line.startswith("-- ") and line.rstrip().endswith("--") for line in lines), shown
            if size[0] >= 80:  # the narrow list cuts the items before their quantity
                row = next(line for line in lines if f"#{live['number']:04d}" in line)
                assert "Kung Pao Chickenx2" in row, shown
                done = next(line for line in lines if f"#{refused['number']:04d}" in line)
                assert "Rejected" in done and " | " in done, shown
    finally:
        running.stop()


def _console(glyphs: Glyphs | None, *, simple: bool = False) -> MerchantApp:
    source = MemoryOrderSource(sample_entries(), store=sample_store(), link=sample_link())
    return QuietApp(source, clock=lambda: FROZEN_NOW, glyphs=glyphs, simple=simple)


@pytest.mark.parametrize(("glyphs", "dot"), [(ASCII, " | "), (CONSOLE, " · "), (FULL, " · ")])
async def test_the_status_line_separates_its_parts_with_the_terminals_dot(glyphs: Glyphs, dot: str) -> None:
    set_language("en")
    app = _console(glyphs)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        status = _screen_text(app).splitlines()[-2]  # above the footer
        assert f"1 queued{dot}last sync" in status, status
        if glyphs is ASCII:
            assert not _decoration(status), status


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("size", [(80, 24), (40, 15)])
async def test_the_simple_modes_items_draw_their_quantity_and_note_in_ascii(
    language: str, size: tuple[int, int]
) -> None:
    set_language(language)
    app = _console(ASCII, simple=True)
    try:
        async with app.run_test(size=size) as pilot:
            await pilot.pause()
            shown = _screen_text(app)
            assert not _decoration(shown), shown
            assert "2x 宫保鸡丁" in shown and "| 少辣" in shown, shown
    finally:
        set_language("en")


async def test_a_note_of_the_customers_own_keeps_its_characters_in_the_simple_mode() -> None:
    """The items are built in the terminal's set, not rewritten after: a customer's "×" or " · " stays theirs."""
    set_language("en")
    entries = sample_entries()
    first = entries[0].order
    noted = msgspec.structs.replace(first.lines[0], note="2 × 2 · cut")
    entries[0] = msgspec.structs.replace(entries[0], order=msgspec.structs.replace(first, lines=[noted]))
    source = MemoryOrderSource(entries, store=sample_store(), link=sample_link())
    app = QuietApp(source, clock=lambda: FROZEN_NOW, glyphs=ASCII, simple=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        shown = _screen_text(app)
        assert "2x 宫保鸡丁 Kung Pao Chicken (微辣 Mild) | 2 × 2 · cut" in shown, shown


def _board(glyphs: Glyphs) -> DispatchApp:
    return DispatchApp(MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=60, glyphs=glyphs)


@pytest.mark.parametrize("glyphs", [ASCII, CONSOLE])
async def test_the_board_legend_without_colour_names_the_couriers_marks(glyphs: Glyphs) -> None:
    set_language("en")
    app = _board(glyphs)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        shown = _screen_text(app)
        assert "1-9 courier (as listed)" in shown, shown
        assert "1 free" not in shown and "2 busy" not in shown, shown


async def test_the_board_legend_without_colour_in_chinese() -> None:
    set_language("zh")
    try:
        app = _board(ASCII)
        async with app.run_test(size=(100, 30)) as pilot:
            await pilot.pause(0.3)
            assert "1-9 骑手（同列表编号）" in _screen_text(app)
    finally:
        set_language("en")


async def test_the_board_legend_in_colour_keeps_its_samples() -> None:
    set_language("en")
    app = _board(FULL)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        shown = _screen_text(app)
        assert "1 free  2 busy" in shown and "1-9" not in shown, shown


async def test_the_board_legend_under_no_color_names_the_couriers_marks(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("NO_COLOR", "1")
    set_language("en")
    app = _board(FULL)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        assert "1-9 courier (as listed)" in _screen_text(app)


def _cursor_marks(app: MerchantApp) -> list[tuple[bool, bool]]:
    """(reversed, underlined) of each of the queue's first lines, all its cells alike."""
    queue = app.orders_screen.queue
    marks = []
    for y in range(3):
        styles = [segment.style for segment in queue.render_line(y) if segment.text.strip()]
        assert styles
        marks.append(
            (
                all(s is not None and bool(s.reverse) for s in styles),
                all(s is not None and bool(s.underline) for s in styles),
            )
        )
    return marks


@pytest.mark.parametrize("no_color", [True, False])
async def test_the_queues_cursor_line_is_reversed_without_colour(
    monkeypatch: pytest.MonkeyPatch, no_color: bool
) -> None:
    if no_color:
        monkeypatch.setenv("NO_COLOR", "1")
    else:
        monkeypatch.delenv("NO_COLOR", raising=False)
        monkeypatch.setenv("TERM", "xterm-256color")  # in colour: plain xterm or screen get the ansi theme
    set_language("en")
    app = _console(ASCII)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        marks = _cursor_marks(app)
        if no_color:  # reversed, and still bold and underlined
            assert marks == [(True, True), (False, False), (False, False)], marks
            await pilot.press("down")
            await pilot.pause()
            assert _cursor_marks(app) == [(False, False), (True, True), (False, False)]
        else:  # in colour the background alone marks it
            assert marks == [(False, False)] * 3, marks


async def test_the_board_cursor_line_is_reversed_on_the_ansi_theme() -> None:
    """TERM=vt100 (the ansi theme, `:ansi`): the board's selected order too."""
    set_language("en")
    app = DispatchApp(
        MemoryFleet(board_snapshot()), clock=lambda: NOW, poll_seconds=60, glyphs=ASCII, theme="ansi-dark"
    )
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause(0.3)
        from screens.widgets.dispatch_rows import OrderList

        orders: Any = app.screen.query_one(OrderList)
        assert app.native_ansi_color
        row = orders.cursor_row + orders.header_lines
        styles = [s.style for s in orders.render_line(row) if s.text.strip()]
        assert styles and all(s is not None and s.reverse for s in styles)
