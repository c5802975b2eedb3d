"""A new order rings until it is opened or answered (README, `?`): moving the cursor past it (Down, Up, Home, End,
PgUp, PgDn) does not silence it, nor does reaching another order from one the console put the cursor on. Before,
any of these keys acknowledged the row under the cursor, and orders passed over waited silently until red.
(The queue's screens on an in-memory source, as tests/test_ui_queue.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from o2o_tui.domain.order import OrderStatus
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.detail_screen import DetailScreen
from screens.memory_source import MemoryOrderSource
from screens.source import QueueEntry
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store

NEW = ("ord-0041", "ord-0042", "ord-0043")


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


class CountingApp(MerchantApp):
    bells = 0

    def bell(self) -> None:
        self.bells += 1


def _ringing(app: MerchantApp) -> set[str]:
    """The orders that ring, checked against the rows drawn as ringing."""
    alerting = set(app.orders_screen.alerts.alerting)
    drawn = {row.entry.order.id for row in app.orders_screen.queue.row_views() if row.has_class("-alert")}
    assert drawn == alerting
    return alerting


def _source() -> MemoryOrderSource:
    entries = [QueueEntry(sample_order(n, OrderStatus.CREATED, minutes_ago=44 - n)) for n in (41, 42, 43)]
    entries.append(QueueEntry(sample_order(30, OrderStatus.PREPARING, minutes_ago=12)))
    return MemoryOrderSource(entries, store=sample_store())


async def test_moving_past_new_orders_leaves_them_ringing_until_opened_or_accepted() -> None:
    clock = [FROZEN_NOW]
    source = _source()
    app = CountingApp(source, clock=lambda: clock[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.orders_screen
        queue = screen.queue
        assert _ringing(app) == set(NEW)
        for key in ("home", "down", "down", "up", "end", "home", "pagedown", "pageup", "down", "end", "up"):
            await pilot.press(key)
            assert _ringing(app) == set(NEW), f"{key} silenced an order"
        bells = app.bells
        clock[0] = FROZEN_NOW + timedelta(seconds=21)  # the ring comes again: they still wait for an answer
        screen._tick()
        assert app.bells > bells

        queue.move_cursor("ord-0042")
        await pilot.press("enter")  # opened: it stops
        assert isinstance(app.screen, DetailScreen)
        await pilot.press("escape")
        assert _ringing(app) == {"ord-0041", "ord-0043"}

        queue.move_cursor("ord-0041")
        await pilot.press("a", "enter")  # accepted with the default: it stops
        await pilot.pause()
        assert source.submitted == [("order.confirm", "ord-0041", ConfirmBody(preparation_minutes=15))]
        assert _ringing(app) == {"ord-0043"}


async def test_down_from_a_new_order_the_console_put_the_cursor_on_leaves_it_ringing() -> None:
    """The tester's case: nobody at the keys, a new order arrives on top and the cursor goes to it; the person
    then presses Down to reach the order they came for."""
    source = MemoryOrderSource(
        [QueueEntry(sample_order(n, OrderStatus.PREPARING, minutes_ago=20 + n)) for n in (30, 31)],
        store=sample_store(),
    )
    app = CountingApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        source.put(sample_order(50, OrderStatus.CREATED, minutes_ago=0))
        await pilot.pause()
        queue = app.orders_screen.queue
        assert queue.cursor_id == "ord-0050"
        await pilot.press("down")
        assert queue.cursor_id != "ord-0050"
        assert _ringing(app) == {"ord-0050"}
