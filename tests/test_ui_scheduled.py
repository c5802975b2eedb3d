"""The scheduled view (`t`) and held orders in the queue, on a memory source: a held order is absent from the queue
and silent, listed in `t` by promised time with a count above the queue, opened with Enter; released, it rings as
a new order. Snapshots of `t` at 40x15 and 80x24, English and Chinese.

Update after an intended change with `pytest tests/test_ui_scheduled.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta

import msgspec
import pytest

from o2o_tui.domain.order import Order, OrderStatus, OrderType, Timing, TimingType
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.detail_screen import DetailScreen
from screens.memory_source import MemoryOrderSource
from screens.scheduled_screen import ScheduledScreen
from screens.source import QueueEntry
from screens.terminal import DEFAULT_THEME
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_order, sample_store

SIZES = [(40, 15), (80, 24)]
SIZE_IDS = ["40x15", "80x24"]


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def held_order(number: int, promised: datetime, **kwargs: object) -> Order:
    """A new order for later, held until 15 minutes before `promised`."""
    order = sample_order(number, OrderStatus.CREATED, minutes_ago=30, **kwargs)  # type: ignore[arg-type]
    prep_start = promised - timedelta(minutes=15)
    return msgspec.structs.replace(
        order,
        timing=Timing(TimingType.SCHEDULED, promised, promised + timedelta(minutes=15)),
        held_until=prep_start,
        accept_deadline=prep_start + timedelta(minutes=5),
    )


def held_entries() -> list[QueueEntry]:
    """Three held orders placed in an order unlike their promised times (one tomorrow), one with markup in its
    customer's name."""
    return [
        QueueEntry(held_order(51, FROZEN_NOW + timedelta(hours=2), order_type=OrderType.TAKEOUT)),
        QueueEntry(held_order(50, FROZEN_NOW + timedelta(minutes=40), name="[b]Lee[/b] 李")),
        QueueEntry(held_order(52, FROZEN_NOW + timedelta(days=1), order_type=OrderType.INDOOR)),
    ]


class CountingApp(MerchantApp):
    bells = 0

    def bell(self) -> None:
        self.bells += 1


def _app(source: MemoryOrderSource) -> CountingApp:
    return CountingApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)


async def test_held_orders_are_out_of_the_queue_in_t_and_ring_when_released() -> None:
    set_language("en")
    try:
        source = MemoryOrderSource(sample_entries() + held_entries(), store=sample_store())
        app = _app(source)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            queued = {row.entry.order.number for row in app.orders_screen.queue.row_views()}
            assert queued and not queued & {50, 51, 52}
            assert app.bells == 1  # the one live new order (#0042), none for the held ones
            assert 50 not in {int(i.removeprefix("ord-")) for i in app.orders_screen.alerting}
            header = app.orders_screen.query_one("QueueHeader")
            assert "3 scheduled (t)" in str(header.render())
            await pilot.press("t")
            await pilot.pause()
            screen = app.screen
            assert isinstance(screen, ScheduledScreen)
            assert screen.held_shown() == ["ord-0050", "ord-0051", "ord-0052"]  # by promised time
            await pilot.press("down", "enter")
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen) and app.screen.order_id == "ord-0051"
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is screen
            # the platform releases #0050 at its prep start: it leaves the view and rings in the queue
            released = msgspec.structs.replace(
                source.order("ord-0050").order, held_until=None, released_at=FROZEN_NOW, version=2
            )
            source.put(released)
            await pilot.pause()
            assert screen.held_shown() == ["ord-0051", "ord-0052"]
            assert app.bells == 2
            await pilot.press("escape")
            await pilot.pause()
            assert app.screen is app.orders_screen
            assert "ord-0050" in app.orders_screen.alerting
            assert 50 in {row.entry.order.number for row in app.orders_screen.queue.row_views()}
            assert "2 scheduled (t)" in str(header.render())
    finally:
        set_language(None)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_scheduled_view(snap_compare, lang: str, size: tuple[int, int]) -> None:
    source = MemoryOrderSource(sample_entries() + held_entries(), store=sample_store())
    assert snap_compare(_app(source), terminal_size=size, press=["t"])


def test_scheduled_view_empty(snap_compare, lang: str) -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    assert snap_compare(_app(source), terminal_size=(40, 15), press=["t"])


def test_the_detail_of_a_held_order_says_when_it_is_for_and_when_it_rings() -> None:
    from zoneinfo import ZoneInfo

    from screens.widgets.order_detail import detail_content

    set_language("en")
    zone = ZoneInfo("UTC")
    promised = FROZEN_NOW + timedelta(minutes=40)
    order = held_order(50, promised)
    text = detail_content(QueueEntry(order), FROZEN_NOW, zone).plain
    assert f"For: {promised:%H:%M}" in text or f"For {promised:%H:%M}" in text
    rings = promised - timedelta(minutes=15)
    assert f"{rings:%H:%M}" in text and "Rings at" in text
    assert "Accept by" not in text  # its accept deadline does not run yet
    released = msgspec.structs.replace(order, held_until=None)
    assert "Accept by" in detail_content(QueueEntry(released), FROZEN_NOW, zone).plain
    set_language(None)
