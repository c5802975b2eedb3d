"""A source change applied while the app ends: the queue's screen is being taken down, its banner is gone, and
showing the banner must do nothing (it raised NoMatches from `query_one`, a traceback as the console quit while
a change came in: seen in a store-screen test that paused the store just before leaving)."""

from __future__ import annotations

from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from tests.test_ui_samples import FROZEN_NOW, sample_store


async def test_the_banner_of_a_screen_taken_down_is_not_looked_for() -> None:
    app = MerchantApp(MemoryOrderSource([], store=sample_store()), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.orders_screen
        screen._show_banner()  # mounted: it finds its banner
    assert not screen.query("#banner")  # the app has ended: its widgets are gone
    screen._show_banner()  # a change applied at that moment: nothing to show, nothing raised
