"""A rush of orders timing out puts up a toast each (30 s): Textual keeps every toast up until its time is over
and lays them all out on each change, so thousands were up at once in a soak, unseen (pushed off the screen by the
newer ones), each new one slower to show than the last, the console ~500 objects bigger per toast. From 60 columns
the toasts pushed wholly off the screen are taken down (`ToastHoldingApp._drop_unseen_toasts`); the newest stay.
The status line no longer searches the whole screen for toasts twice a second (`StatusBar._after_toasts`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from msgspec.structs import replace
from textual.app import ComposeResult
from textual.screen import ModalScreen
from textual.widgets import Static
from textual.widgets._toast import Toast, ToastHolder

from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus
from screens.widgets.status_bar import StatusBar
from tests.test_ui_samples import sample_order, sample_store

TIMED_OUT = 60


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


@pytest.mark.parametrize("size", [(80, 24), pytest.param((120, 40), marks=pytest.mark.deep)])
async def test_a_rush_of_timeouts_keeps_only_the_toasts_that_fit_on_screen(size: tuple[int, int]) -> None:
    source = MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE))
    app = MerchantApp(source)
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.pause()
        now = datetime.now(UTC)
        orders = []
        for index in range(TIMED_OUT):
            order = sample_order(3000 + index, OrderStatus.CREATED, minutes_ago=0)
            order = replace(order, created_at=now, updated_at=now, accept_deadline=now + timedelta(minutes=5))
            source.put(order)
            orders.append(order)
        await pilot.pause()
        for order in orders:
            ended = replace(
                order, status=OrderStatus.CANCELLED, cancel_reason_code="ACCEPT_TIMEOUT", ended_at=now, version=2
            )
            source.put(ended)
            await pilot.pause()
        await pilot.pause()
        toasts = list(app.screen.query(Toast))
        width, height = size
        # each toast takes at least 3 rows (a line, its frame): no more are up than the screen could show
        assert 0 < len(toasts) <= height // 3 + 1, f"{len(toasts)} toasts up at {width}x{height}"
        assert len(app._notifications) == len(toasts)
        texts = [str(toast._notification.message) for toast in toasts]
        last = orders[-1].display_number
        assert any(last in text for text in texts), (last, texts)  # the newest is up
        status = app.screen.query_one(StatusBar)
        await pilot.pause(0.6)  # the status line looked at the toasts up and took their count
        assert status._toasts == len(toasts)


class _Dialog(ModalScreen[None]):
    def compose(self) -> ComposeResult:
        yield Static("dialog")


async def test_dialogs_opened_with_toasts_up_leave_no_empty_toast_holders() -> None:
    """Each dialog takes the toasts up down and puts them up again when it closes: Textual's rack left the holder
    of each one taken down, empty, for good (an accept dialog per order at lunch: thousands)."""
    app = MerchantApp(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE)))
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause()
        for text in ("one", "two", "three"):
            app.say(text, timeout=60)
        await pilot.pause()
        for _ in range(20):
            app.push_screen(_Dialog())
            await pilot.pause()
            app.pop_screen()
            await pilot.pause()
        await pilot.pause()
        holders = list(app.screen.query(ToastHolder))
        toasts = list(app.screen.query(Toast))
        assert len(toasts) == 3
        assert len(holders) == 3, f"{len(holders)} holders for {len(toasts)} toasts"
        assert app.screen.query_one(StatusBar)._toasts in (0, 3)
