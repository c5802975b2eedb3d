"""`?` then End, Home: the help goes to its very last row and back to its very first at once, every time. Textual's
own Home and End animate for a second: a Home pressed 0.7 s after End left the first lines hidden, and an End taken
before the rows were laid out stopped short of the last row."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from textual import events

from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.help_screen import HelpPages, HelpScreen
from screens.memory_source import MemoryOrderSource
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


async def _key(app: MerchantApp, key: str) -> None:
    """A key as the terminal sends it. Not `pilot.press`: it waits for every animation to end after each key, so
    it never presses Home while End's scroll still runs, as a person does."""
    event = events.Key(key, None)
    event.set_sender(app)
    app._driver.send_message(event)  # type: ignore[union-attr]
    await asyncio.sleep(0.15)


@pytest.mark.parametrize("size", [(40, 15), pytest.param((80, 24), marks=pytest.mark.deep)])
async def test_home_and_end_go_all_the_way_at_once(lang: str, size: tuple[int, int]) -> None:
    app = MerchantApp(MemoryOrderSource(sample_entries(), store=sample_store()), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await _key(app, "end")  # at once, as the help opens
        assert isinstance(app.screen, HelpScreen)
        pages = app.screen.query_one(HelpPages)
        assert pages.max_scroll_y > 0  # the help is taller than the screen: there is somewhere to go
        assert pages.scroll_y == pages.max_scroll_y
        for pause in (0.7, 0.3, 0.0):
            await _key(app, "home")
            assert pages.scroll_y == 0, (pause, pages.scroll_y)
            await asyncio.sleep(pause)
            await _key(app, "end")
            assert pages.scroll_y == pages.max_scroll_y, (pause, pages.scroll_y, pages.max_scroll_y)
            await asyncio.sleep(pause)
        for key in ("end", "home"):  # in one burst: the last pressed wins
            event = events.Key(key, None)
            event.set_sender(app)
            app._driver.send_message(event)  # type: ignore[union-attr]
        await asyncio.sleep(0.15)
        assert pages.scroll_y == 0
