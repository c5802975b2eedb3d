"""Words the console says that were false or odd (a tester's first day), with a memory source: the busy dialog's
default is the store's current busy minutes, the accept dialog of a busy store says the minutes are added,
`o` on a store its opening hours keep closed says so instead of "sent", the footer while typing a search shows
the search's keys, help's time note names the Done rows' minutes, and help's PageDown never skips a line."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest
from textual.containers import VerticalScroll
from textual.widgets import Label

from o2o_tui.domain.store import OpeningHours, StoreState, StoreStatus
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.dialogs import NumberPrompt
from screens.help_screen import HelpScreen
from screens.memory_source import MemoryOrderSource
from screens.store_screen import StoreScreen
from screens.widgets.footer import KeyFooter
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _app(status: StoreStatus = StoreStatus(), hours: list[OpeningHours] | None = None) -> MerchantApp:
    store = msgspec.structs.replace(sample_store(), status=status, opening_hours=hours or [])
    return MerchantApp(MemoryOrderSource(sample_entries(), store=store), clock=lambda: FROZEN_NOW)


def _hint(app: MerchantApp) -> str:
    return str(app.screen.query_one(".hint", Label).render())


async def test_the_busy_dialog_defaults_to_the_current_minutes_and_accept_says_they_are_added() -> None:
    app = _app(StoreStatus(state=StoreState.BUSY, extra_minutes=20))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("home", "a")  # the first row is a new order
        await pilot.pause()
        assert isinstance(app.screen, NumberPrompt)
        assert "ready in 35 (15 + 20 busy)" in _hint(app), _hint(app)
        await pilot.press("escape", "s")
        await pilot.pause()
        assert isinstance(app.screen, StoreScreen)
        await pilot.press("b")
        await pilot.pause()
        assert isinstance(app.screen, NumberPrompt)
        assert _hint(app) == "Enter keeps the 20 minutes set now.", _hint(app)
        assert "store default" not in _hint(app)


async def test_open_while_the_hours_keep_the_store_closed_says_so_and_sends_nothing() -> None:
    # FROZEN_NOW is 12:30 in Shanghai on a Wednesday; the store opens at 17:00 every day
    hours = [OpeningHours(weekday=day, opens="17:00", closes="22:00") for day in range(7)]
    app = _app(hours=hours)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("s")
        await pilot.pause()
        await pilot.press("o")
        await pilot.pause(0.2)
        said = [" ".join(str(n.message).split()) for n in app._notifications]
        assert any("opening hours keep it closed until 17:00" in text for text in said), said
        assert not any("sent" in text for text in said), said
        source = app.source
        assert isinstance(source, MemoryOrderSource) and source.submitted == []


async def test_the_footer_shows_the_searchs_keys_while_typing() -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", "m")
        await pilot.pause(0.2)
        footer = app.screen.query_one(KeyFooter)
        shown = [(entry.key_display, entry.description) for entry in footer.layout_for()[1]]
        assert shown == [("⏎", "Keep results"), ("esc", "Clear")], shown


async def test_help_names_the_done_rows_minutes() -> None:
    app = _app()
    async with app.run_test(size=(80, 60)) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        text = "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())
        assert "under Done, the time since the order ended" in " ".join(text.replace("│", " ").split())


@pytest.mark.parametrize("size", [(80, 24), (80, 23), (40, 15)])
async def test_help_pages_overlap_by_a_line_and_a_burst_pages_on(size: tuple[int, int]) -> None:
    app = _app()
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        view = app.screen.query_one(VerticalScroll)
        page = view.scrollable_content_region.height
        await pilot.press("pagedown")
        await pilot.pause()
        assert view.scroll_y == page - 1  # the last line of a page is the first of the next: none skipped
        await pilot.press("pagedown", "pagedown")  # in one burst: two pages on, not one
        await pilot.pause()
        assert view.scroll_y == min(3 * (page - 1), view.max_scroll_y)
        await pilot.press("pageup")
        await pilot.pause()
        assert view.scroll_y == min(3 * (page - 1), view.max_scroll_y) - (page - 1)
