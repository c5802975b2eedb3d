"""Ringing orders scrolled out of sight, above and below the queue (`OrdersScreen._show_ringing_above`):

- below: more new orders than rows (40x15 at lunch), or a wheel scrolled the queue: a line under it says how many
  ("2 ringing below: PgDn"), cancellation requests counted; above and below at once, two lines;
- the key a line names gets there, the cursor on a ringing order: PgDn onto the nearest one below, Home onto the
  first one above (not onto an opened, unanswered order on the first row), the top of the queue in sight;
- the arrows follow the glyph set (ASCII: "up", "down");
- nothing ringing, the line costs nothing: the tick and the scroll return before looking at a row.

On the in-memory source, as tests/test_ui_queue_cursor_pull.py (whose setup these copy).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Static

from o2o_tui.domain.order import Cancellation, OrderStatus, Party
from o2o_tui.i18n import set_language
from screens.memory_source import MemoryOrderSource
from screens.orders_screen import OrdersScreen
from screens.source import QueueEntry
from screens.terminal import ASCII
from tests.test_ui_queue_cursor_pull import QuietApp, _screen_lines
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _request() -> Cancellation:
    return Cancellation(requested_by=Party.CUSTOMER, reason_code="OTHER", reason="changed my mind")


def _rush_source(new: int, kitchen: int = 6) -> MemoryOrderSource:
    """`new` new orders on top, then one cancellation request (a confirmed order), then the kitchen."""
    entries = [QueueEntry(sample_order(n, OrderStatus.CREATED, minutes_ago=1)) for n in range(50, 50 + new)]
    entries.append(QueueEntry(sample_order(99, OrderStatus.CONFIRMED, minutes_ago=10, cancellation=_request())))
    entries += [
        QueueEntry(sample_order(n, OrderStatus.PREPARING, minutes_ago=40 - n)) for n in range(30, 30 + kitchen)
    ]
    return MemoryOrderSource(entries, store=sample_store())


def _text(app: QuietApp) -> str:
    return "\n".join(_screen_lines(app)).replace(" ", "")


def _shown(marker: Static) -> bool:
    return bool(marker.display)


def _visible(screen: OrdersScreen) -> range:
    queue = screen.queue
    top = int(queue.scroll_offset.y)
    return range(top, top + queue.size.height - queue.header_lines)


def _ringing_rows(screen: OrdersScreen) -> list[int]:
    queue = screen.queue
    rows = (queue.index_of(order_id) for order_id in screen.alerts.alerting)
    return sorted(row for row in rows if row is not None)


@pytest.mark.parametrize(
    ("size", "language", "words"),
    [
        ((80, 24), "en", "ringing below: PgDn"),
        ((40, 15), "en", "ringing below: PgDn"),
        ((80, 24), "zh", "个订单在响铃：按 PgDn"),
        ((40, 15), "zh", "个订单在响铃"),
    ],
)
async def test_ringing_orders_out_of_sight_below_are_said_and_pgdn_lands_on_each(
    size: tuple[int, int], language: str, words: str
) -> None:
    set_language(language)
    new = 12 if size[1] == 15 else 22  # more new orders than the queue has rows
    app = QuietApp(_rush_source(new), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = app.orders_screen
        queue = screen.queue
        below = screen.query_one("#ringing-below", Static)
        above = screen.query_one("#ringing-above", Static)
        ringing = _ringing_rows(screen)
        assert len(ringing) == new + 1  # the cancellation request rings too
        assert queue.cursor_row == 0 and _shown(below) and not _shown(above)
        out_of_sight = [row for row in ringing if row not in _visible(screen)]
        assert out_of_sight and "#0099" not in _text(app)
        text = _text(app)
        assert words.replace(" ", "") in text, text
        count = f"{len(out_of_sight)}ringingbelow" if language == "en" else f"下方有{len(out_of_sight)}个"
        assert count in text, text  # the request counted with the new orders
        assert queue.size.height - queue.header_lines >= 3  # the lines leave the queue its rows
        seen = []
        while _shown(below):
            first_below = next(row for row in _ringing_rows(screen) if row >= _visible(screen).stop)
            await pilot.press("pagedown")
            await pilot.pause()
            assert queue.cursor_row == first_below, "PgDn went past, or short of, the ringing order below"
            assert queue.cursor_id in screen.alerts.alerting
            assert queue.cursor_row in _visible(screen)
            seen.append(queue.cursor_id)
            assert len(seen) <= new + 1
        assert seen[-1] == "ord-0099"  # the request, last of the ringing rows, reached too
        assert _shown(above)  # the first new orders out of sight above now: both lines on the way down
        assert all(row in _visible(screen) for row in _ringing_rows(screen) if row > queue.cursor_row)
        await pilot.press("pagedown")  # nothing ringing below: PgDn pages as always
        await pilot.pause()
        assert queue.cursor_id not in screen.alerts.alerting


async def test_both_lines_at_once_and_home_lands_on_the_first_ringing_order_not_an_opened_one() -> None:
    app = QuietApp(_rush_source(14, kitchen=20), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        screen = app.orders_screen
        queue = screen.queue
        first = queue.order_ids[0]
        screen.acknowledge(first)  # opened, not answered: on the first row, no longer ringing
        await pilot.pause()
        for _ in range(12):  # down among the new orders: ringing rows above and below the view
            await pilot.press("down")
        await pilot.pause()
        assert queue.cursor_row == 12 and int(queue.scroll_offset.y) == 3
        above = screen.query_one("#ringing-above", Static)
        below = screen.query_one("#ringing-below", Static)
        assert _shown(above) and _shown(below)
        text = _text(app)
        assert "2ringingabove:Home" in text, text  # rows 1-2 (row 0 was opened)
        assert "2ringingbelow:PgDn" in text, text  # the last new order and the request
        assert screen.queue.size.height - screen.queue.header_lines >= 8  # two lines: the queue keeps its rows
        await pilot.press("end")  # the kitchen's last row: the below line goes, the above line counts them all
        await pilot.pause()
        assert not _shown(below) and _shown(above)
        assert "14ringingabove:Home" in _text(app)  # 13 new orders and the request
        await pilot.press("home")
        await pilot.pause()
        assert queue.cursor_row == 1 and queue.cursor_id in screen.alerts.alerting, "Home: not the ringing order"
        assert int(queue.scroll_offset.y) == 0  # the opened one on the first row in sight too
        assert not _shown(above)
        await pilot.press("home")  # nothing ringing above now: Home goes to the first row as always
        await pilot.pause()
        assert queue.cursor_id == first


async def test_a_cancellation_request_out_of_sight_above_is_counted_and_home_lands_on_it() -> None:
    entries = [QueueEntry(sample_order(99, OrderStatus.CONFIRMED, minutes_ago=10, cancellation=_request()))]
    entries += [QueueEntry(sample_order(n, OrderStatus.PREPARING, minutes_ago=40 - n)) for n in range(30, 60)]
    app = QuietApp(MemoryOrderSource(entries, store=sample_store()), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.orders_screen
        await pilot.press("end")
        await pilot.pause()
        assert "1ringingabove:Home" in _text(app)
        await pilot.press("home")
        await pilot.pause()
        assert screen.queue.cursor_id == "ord-0099"


async def test_the_arrows_follow_the_glyph_set() -> None:
    app = QuietApp(_rush_source(12, kitchen=20), clock=lambda: FROZEN_NOW, glyphs=ASCII)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        text = "\n".join(_screen_lines(app))
        assert "down 2 ringing below: PgDn" in text, text
        assert "↓" not in text
        await pilot.press("end")
        await pilot.pause()
        text = "\n".join(_screen_lines(app))
        assert "up 13 ringing above: Home" in text, text
        assert "↑" not in text


async def test_nothing_ringing_the_lines_cost_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    looked: list[int] = []
    real = OrdersScreen._ringing_out_of_sight

    def counted(self: OrdersScreen) -> tuple[list[int], list[int]]:
        looked.append(1)
        return real(self)

    monkeypatch.setattr(OrdersScreen, "_ringing_out_of_sight", counted)
    entries = [QueueEntry(sample_order(n, OrderStatus.PREPARING, minutes_ago=40 - n)) for n in range(30, 70)]
    app = QuietApp(MemoryOrderSource(entries, store=sample_store()), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        screen = app.orders_screen
        for _ in range(3):
            screen._tick()
        for key in ("pagedown", "end", "pageup", "home"):
            await pilot.press(key)  # scrolls: the watcher runs
            await pilot.pause()
        assert looked == []
        assert not _shown(screen.query_one("#ringing-above", Static))
        assert not _shown(screen.query_one("#ringing-below", Static))


async def test_an_urgent_order_rings_out_of_sight_opened_or_not_but_not_past_its_deadline() -> None:
    entries = [
        QueueEntry(sample_order(98, OrderStatus.CREATED, minutes_ago=4)),  # a minute left: urgent, rings louder
        QueueEntry(sample_order(97, OrderStatus.CREATED, minutes_ago=6)),  # past its deadline: never rung
    ]
    entries += [QueueEntry(sample_order(n, OrderStatus.PREPARING, minutes_ago=40 - n)) for n in range(30, 60)]
    app = QuietApp(MemoryOrderSource(entries, store=sample_store()), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.orders_screen
        for order_id in ("ord-0098", "ord-0097"):
            screen.acknowledge(order_id)  # opened, not answered
        assert "ord-0098" in screen.alerts.urgent and not screen.alerts.alerting
        await pilot.press("end")
        await pilot.pause()
        assert "1ringingabove:Home" in _text(app), _text(app)
        await pilot.press("home")
        await pilot.pause()
        assert screen.queue.cursor_id == "ord-0098"
