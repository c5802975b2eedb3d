"""`LineList.on_resize` (screens/widgets/line_list.py): a resize made by the screen's own lines (the queue's
"ringing above / below" lines coming and going) keeps a mouse-wheel scroll where the person put it, the cursor out
of sight; a cursor in sight stays in sight; a real terminal resize still brings the cursor into view. A Textual
pilot, the mouse wheel as Textual's own events, and the console's queue screen against the real platform."""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from pathlib import Path

import pytest
from textual import events
from textual.app import App, ComposeResult
from textual.content import Content
from textual.pilot import Pilot
from textual.widgets import Static

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.widgets.line_list import LineList, RowState
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import CountingApp, _place, wait_until


@dataclass(frozen=True)
class Row:
    key: str
    text: str


def _render(row: Row, width: int, state: RowState) -> Content:
    return Content(("> " if state.cursor else "  ") + row.text)


class FramedApp(App[None]):
    """A list between two lines that come and go, as the queue's ringing lines do."""

    CSS = "#above, #below { height: 1; display: none; }"

    def compose(self) -> ComposeResult:
        yield Static("ringing above", id="above")
        yield LineList(key_of=lambda row: row.key, render_row=_render, header=lambda width: Content("KEY"))
        yield Static("ringing below", id="below")

    @property
    def rows(self) -> LineList[Row]:
        return self.query_one(LineList)

    def line(self, name: str, shown: bool) -> None:
        self.query_one(f"#{name}", Static).display = shown


async def _wheel_down(pilot: Pilot[None], lines: LineList[Row], times: int) -> None:
    for _ in range(times):
        lines.post_message(events.MouseScrollDown(lines, 2, 3, 0, 1, 0, False, False, False))
        await pilot.pause()
    await pilot.wait_for_scheduled_animations()
    await pilot.pause()


def _in_sight(lines: LineList[Row]) -> bool:
    top = int(lines.scroll_offset.y)
    return top <= lines.cursor_row < top + lines.size.height - lines.header_lines


async def test_a_line_coming_or_going_keeps_the_wheel_scroll_and_a_terminal_resize_brings_the_cursor_back() -> None:
    app = FramedApp()
    async with app.run_test(size=(40, 15)) as pilot:
        lines = app.rows
        lines.set_rows([Row(f"k{i}", f"row {i}") for i in range(60)])
        lines.focus()
        await pilot.pause()
        assert lines.cursor_key == "k0" and int(lines.scroll_offset.y) == 0
        await _wheel_down(pilot, lines, 8)
        scrolled = int(lines.scroll_offset.y)
        assert scrolled > 5 and not _in_sight(lines), scrolled

        for name in ("above", "below"):
            height = lines.size.height
            app.line(name, True)  # the list loses a row
            await pilot.pause()
            assert lines.size.height == height - 1
            assert int(lines.scroll_offset.y) == scrolled, name  # not back to the cursor
            app.line(name, False)  # and gains it back
            await pilot.pause()
            assert lines.size.height == height
            assert int(lines.scroll_offset.y) == scrolled, name

        await pilot.resize_terminal(40, 14)  # the terminal itself: the cursor comes into view
        await pilot.pause()
        assert _in_sight(lines) and int(lines.scroll_offset.y) == 0


async def test_a_cursor_in_sight_at_the_bottom_stays_in_sight_when_a_line_takes_a_row() -> None:
    app = FramedApp()
    async with app.run_test(size=(40, 15)) as pilot:
        lines = app.rows
        lines.set_rows([Row(f"k{i}", f"row {i}") for i in range(60)])
        lines.focus()
        await pilot.pause()
        bottom = lines.size.height - lines.header_lines - 1
        lines.cursor_row = bottom  # the last row in sight
        await pilot.pause()
        assert int(lines.scroll_offset.y) == 0 and _in_sight(lines)
        app.line("above", True)
        await pilot.pause()
        assert _in_sight(lines), (lines.cursor_row, lines.scroll_offset.y, lines.size.height)


# -- the console's queue ------------------------------------------------------------------------------------------


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    return save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _accept(platform: RunningPlatform, order_id: str) -> None:
    merchant = api(platform, "merchant")
    try:
        answer = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 15})
        assert answer.status_code == 200, answer.text
    finally:
        merchant.close()


async def test_the_queue_keeps_a_wheel_scroll_when_its_ringing_line_comes(
    platform: RunningPlatform, profile: Profile
) -> None:
    """At 40x15: kitchen rows below the new ones; the person wheels down to look at the kitchen rows, the cursor
    (on the top new order) out of sight: the line "ringing above" comes (a ringing order is out of sight above)
    and takes a row of the queue; the scroll stays where the wheel put it."""
    from o2o_tui.sync.session import make_client, make_engine, open_cache
    from screens.engine_source import EngineOrderSource

    set_language("en")
    try:
        placed = [await asyncio.to_thread(_place, platform) for _ in range(14)]
        for order in placed[2:]:
            await asyncio.to_thread(_accept, platform, order["id"])
        cache = open_cache(profile)
        client = make_client(profile, timeout=5.0)
        engine = make_engine(profile, cache, client, poll_wait=0.5, backoff_cap=0.5)
        app = CountingApp(EngineOrderSource(engine, cache, client, profile.store_id or ""), profile=profile)
        async with app.run_test(size=(40, 15)) as pilot:
            screen = app.orders_screen
            queue = screen.queue
            await wait_until(pilot, lambda: len(queue) >= 14)
            await pilot.pause(0.5)
            above = screen.query_one("#ringing-above", Static)
            assert not above.display and _in_sight(queue)  # type: ignore[arg-type]
            await _wheel_down(pilot, queue, 6)  # type: ignore[arg-type]
            await wait_until(pilot, lambda: above.display)  # the ringing new orders are out of sight above
            await pilot.pause(0.5)
            scrolled = int(queue.scroll_offset.y)
            assert scrolled > 0 and not _in_sight(queue), scrolled  # type: ignore[arg-type]
            await pilot.pause(1.5)  # ticks, repaints: the scroll stays
            assert int(queue.scroll_offset.y) == scrolled
    finally:
        set_language(None)
