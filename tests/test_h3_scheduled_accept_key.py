"""`a` on the orders-for-later list (`t`) accepts the highlighted order early, with the same dialog (prep minutes)
as `a` in its detail: the help said "a accepts it early" and the list's `a` did nothing. Pilot on a memory source."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import pytest
from textual.widgets._footer import FooterKey

from o2o_tui.i18n import set_language
from screens.detail_screen import DetailScreen
from screens.dialogs import NumberPrompt
from screens.memory_source import MemoryOrderSource
from screens.scheduled_screen import ScheduledScreen
from screens.widgets.footer import KeyFooter
from tests.test_ui_samples import sample_entries, sample_store
from tests.test_ui_scheduled import _app, held_entries


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


async def _until(condition: object, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met")


async def test_a_on_the_list_accepts_early_with_the_details_dialog() -> None:
    source = MemoryOrderSource(sample_entries() + held_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("t")
        await _until(lambda: isinstance(app.screen, ScheduledScreen))
        screen = app.screen
        assert isinstance(screen, ScheduledScreen)
        assert screen.held_shown() == ["ord-0050", "ord-0051", "ord-0052"]
        await pilot.pause(0.2)
        footer = [key.description for key in screen.query_one(KeyFooter).query(FooterKey)]
        assert "Accept early" in footer, footer

        # the detail's `a`: the dialog the list's `a` must open too
        await pilot.press("enter")
        await _until(lambda: isinstance(app.screen, DetailScreen))
        await pilot.press("a")
        await _until(lambda: isinstance(app.screen, NumberPrompt))
        detail_dialog = type(app.screen)
        await pilot.press("escape", "escape")
        await _until(lambda: isinstance(app.screen, ScheduledScreen))

        await pilot.press("down", "a")  # #0051, the second soonest
        await _until(lambda: isinstance(app.screen, NumberPrompt))
        assert type(app.screen) is detail_dialog
        await pilot.press("enter")  # the default prep minutes
        await _until(lambda: bool(source.submitted))
        assert [(action, order_id) for action, order_id, _ in source.submitted] == [("order.confirm", "ord-0051")]
        assert app.screen is screen  # back on the list
