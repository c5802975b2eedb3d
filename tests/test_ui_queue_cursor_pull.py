"""The queue's cursor with orders arriving and leaving by themselves (auto-accept on, a simulator bringing orders):

- the console brings a cursor resting on the top row to a new ringing order; when that order stops ringing (the
  printing station accepted it, another console did, it was cancelled) the cursor goes back to the order it was on,
  never down with it into the kitchen rows (before, the next `r` marked a minute-old order ready);
- an order key pressed within `MOVED_GUARD_S` of such a move is not run on the order the cursor moved to (the
  person aimed at the row it left): it says so, and the same key again acts;
- ringing orders scrolled out of sight above the queue are said on a line above it ("2 ringing above: Home"), at
  80x24 and 40x15, in English and in Chinese; it goes when they are in sight.

The first tests run on the in-memory source (as tests/test_ui_queue_ringing.py); the last on the real console
against the real platform with auto-accept on (as tests/test_ui_auto_accept.py).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from screens import orders_screen
from screens.app import MerchantApp
from screens.launch import open_source
from screens.memory_source import MemoryOrderSource
from screens.source import QueueEntry
from tests.support.platform import RunningPlatform
from tests.test_ui_auto_accept import STATION, _setting
from tests.test_ui_live import _place, _server_order, wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


class QuietApp(MerchantApp):
    def bell(self) -> None:
        pass


def _idle(app: MerchantApp) -> None:
    """Nobody has typed for a while (`IDLE_TOP_S`): the cursor rests on the top row."""
    app.orders_screen._last_key = time.monotonic() - 60


def _guard_passed(app: MerchantApp) -> None:
    """`MOVED_GUARD_S` has passed since the cursor last moved by itself."""
    screen = app.orders_screen
    if screen._moved_by_itself is not None:
        when, order_id = screen._moved_by_itself
        screen._moved_by_itself = (when - 60, order_id)


def _said(app: MerchantApp) -> list[str]:
    return [" ".join(str(n.message).split()) for n in app._notifications]


def _screen_lines(app: MerchantApp) -> list[str]:
    return ["".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips()]


def _kitchen_source(count: int = 2) -> MemoryOrderSource:
    return MemoryOrderSource(
        [QueueEntry(sample_order(n, OrderStatus.PREPARING, minutes_ago=40 - n)) for n in range(30, 30 + count)],
        store=sample_store(),
    )


async def test_an_order_accepted_by_itself_does_not_take_the_cursor_down_with_it() -> None:
    source = _kitchen_source()
    app = QuietApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        queue = app.orders_screen.queue
        assert queue.cursor_id == "ord-0030"
        _idle(app)
        source.put(sample_order(50, OrderStatus.CREATED, minutes_ago=0))  # rings on top: the cursor goes to it
        await pilot.pause()
        assert queue.cursor_id == "ord-0050"
        source.put(sample_order(50, OrderStatus.CONFIRMED, minutes_ago=0))  # the station accepted it
        await pilot.pause()
        assert queue.cursor_id == "ord-0030", "the cursor followed the accepted order into the kitchen rows"
        _guard_passed(app)
        await pilot.press("r")  # the order the person left it on
        await pilot.pause()
        assert [(action, order_id) for action, order_id, _ in source.submitted] == [("order.ready", "ord-0030")]


async def test_back_to_the_top_when_the_order_it_was_on_is_gone_and_after_a_cancel() -> None:
    source = _kitchen_source()
    app = QuietApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        queue = app.orders_screen.queue
        _idle(app)
        source.put(sample_order(50, OrderStatus.CREATED, minutes_ago=0))
        await pilot.pause()
        source.put(sample_order(51, OrderStatus.CREATED, minutes_ago=0))  # a second one rings (below the first)
        await pilot.pause()
        assert queue.cursor_id == "ord-0050"
        source.put(sample_order(30, OrderStatus.DELIVERED, minutes_ago=40))  # the order it was on left
        source.put(sample_order(50, OrderStatus.CANCELLED, minutes_ago=0))  # the customer cancelled
        await pilot.pause()
        # not down under Done with the cancelled one, not on the order that left: the top, which rings, and
        # the cursor rests there
        assert queue.cursor_id == "ord-0051"
        source.put(sample_order(51, OrderStatus.CONFIRMED, minutes_ago=0))  # accepted on another console
        await pilot.pause()
        # ord-0030 ended (Done): back to the top of the live rows, not down with ord-0051
        assert queue.cursor_row == 0 and queue.cursor_id == "ord-0031"


async def test_a_cursor_the_person_moved_stays_where_they_put_it() -> None:
    source = _kitchen_source(3)
    app = QuietApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        queue = app.orders_screen.queue
        _idle(app)
        source.put(sample_order(50, OrderStatus.CREATED, minutes_ago=0))
        await pilot.pause()
        assert queue.cursor_id == "ord-0050"
        await pilot.press("down", "down")  # the person goes to an order of their own
        assert queue.cursor_id == "ord-0031"
        source.put(sample_order(50, OrderStatus.CONFIRMED, minutes_ago=0))
        await pilot.pause()
        assert queue.cursor_id == "ord-0031"


async def test_a_key_right_after_the_cursor_moved_by_itself_does_not_act_on_the_order_it_moved_to(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # each key here is meant to come within the guard; on a loaded machine a pause can outlast the product's
    # second (seen once on eight workers: the first `r` acted at once)
    monkeypatch.setattr(orders_screen, "MOVED_GUARD_S", 30.0)
    source = _kitchen_source()
    app = QuietApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        queue = app.orders_screen.queue
        _idle(app)
        source.put(sample_order(50, OrderStatus.CREATED, minutes_ago=0))
        await pilot.pause()
        assert queue.cursor_id == "ord-0050"
        await pilot.press("x")  # meant for ord-0030, under the cursor a moment ago
        await pilot.pause()
        assert app.screen is app.orders_screen, "the reject dialog opened for the order the cursor moved to"
        assert any("just moved to #0050" in said for said in _said(app))
        source.put(sample_order(50, OrderStatus.CONFIRMED, minutes_ago=0))  # back to ord-0030 by itself
        await pilot.pause()
        assert queue.cursor_id == "ord-0030"
        await pilot.press("r")  # too soon again: held
        await pilot.pause()
        assert source.submitted == []
        await pilot.press("r")  # the same key again: the person means it
        await pilot.pause()
        assert [(action, order_id) for action, order_id, _ in source.submitted] == [("order.ready", "ord-0030")]


def _busy_source() -> MemoryOrderSource:
    """Two new orders on top, then a long kitchen."""
    source = _kitchen_source(30)
    for n in (50, 51):
        source.put(sample_order(n, OrderStatus.CREATED, minutes_ago=1))
    return source


@pytest.mark.parametrize(
    ("size", "language", "words"),
    [
        ((80, 24), "en", "2 ringing above: Home"),
        ((40, 15), "en", "2 ringing above: Home"),
        ((80, 24), "zh", "上方有 2 个订单在响铃：按 Home"),
        ((40, 15), "zh", "上方有 2 个订单在响铃"),
    ],
)
async def test_ringing_orders_out_of_sight_above_are_said_on_screen(
    size: tuple[int, int], language: str, words: str
) -> None:
    set_language(language)
    app = QuietApp(_busy_source(), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.orders_screen
        marker = screen.query_one("#ringing-above", Static)
        assert not marker.display
        await pilot.press("end")  # down to the kitchen's last row: the new orders scroll out of sight
        await pilot.pause()
        assert marker.display
        text = "\n".join(_screen_lines(app))
        assert words.replace(" ", "") in text.replace(" ", ""), text
        assert "#0050" not in text  # indeed out of sight
        await pilot.press("home")  # Home: there they are, and the line goes
        await pilot.pause()
        assert not marker.display
        assert "#0050" in "\n".join(_screen_lines(app))
        await pilot.press("end")
        await pilot.pause()
        assert marker.display
        screen.queue.move_cursor("ord-0050")  # opened and answered elsewhere: one left ringing above
        await pilot.press("enter", "escape")
        await pilot.press("end")
        await pilot.pause()
        assert "1" in str(marker.visual) and marker.display


# the real console, the real platform, auto-accept on with this console as the printing station


@pytest.fixture
def profile(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = shared_platform.seed
    assert seed is not None
    yield save_profile(
        "counter",
        url=shared_platform.url,
        token=seed.tokens["merchant"],
        role="merchant",
        store_id=seed.store_id,
    )
    _setting(shared_platform, enabled=False, station="", daily_cap=50)


async def test_an_auto_accepted_order_leaves_the_cursor_where_it_was(
    shared_platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_DEVICE", STATION)
    monkeypatch.setenv("O2O_PRINTER", "")
    monkeypatch.setattr(orders_screen, "IDLE_TOP_S", 0.5)  # the rest on the top row, sooner
    _setting(shared_platform, enabled=True, station=STATION, daily_cap=0)
    first = await asyncio.to_thread(_place, shared_platform)
    app = QuietApp(open_source(profile), profile=profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        queue = app.orders_screen.queue

        def settled() -> bool:  # every new order (this one, any an earlier test left) accepted by the station
            entries = [queue.entry(order_id) for order_id in queue.order_ids]
            return queue.entry(first["id"]) is not None and all(
                e is not None and e.order.status is not OrderStatus.CREATED and not e.pending for e in entries
            )

        await wait_until(pilot, settled)
        await pilot.press("home")
        home = queue.cursor_id
        assert home is not None and queue.cursor_row == 0
        await pilot.pause(1.0)  # idle: the cursor rests on the top row
        placed = await asyncio.to_thread(_place, shared_platform)
        seen: set[str | None] = set()

        def accepted() -> bool:
            seen.add(queue.cursor_id)
            entry = queue.entry(placed["id"])
            return entry is not None and entry.order.status is OrderStatus.CONFIRMED and not entry.pending

        await wait_until(pilot, accepted)
        await pilot.pause(0.5)
        assert _server_order(shared_platform, placed["id"])["auto_accepted"] is True
        assert queue.cursor_id == home, f"the cursor went to {queue.cursor_id} (it was on {home}; saw {seen})"
