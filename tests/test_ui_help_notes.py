"""`?` on each merchant screen describes that screen: the queue's notes (its time column, its rings and `M`) only
on the queue, the scheduled list's own note and no search it does not have, the refused actions' Enter."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.conflicts_screen import ConflictsScreen
from screens.detail_screen import DetailScreen
from screens.help_screen import QUEUE_NOTES, HelpScreen
from screens.memory_source import MemoryOrderSource
from screens.scheduled_screen import ScheduledScreen
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.test_ui_conflicts import refused
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _screen_text(app: MerchantApp) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


async def _help_on(keys: list[str], opened: type) -> tuple[HelpScreen, str]:
    source = MemoryOrderSource(sample_entries(), store=sample_store(), conflicts=[refused(42, "k42")])
    app = MerchantApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 40)) as pilot:
        await pilot.pause()
        await pilot.press(*keys)
        await pilot.pause()
        assert isinstance(app.screen, opened), app.screen
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        return app.screen, _screen_text(app)


async def test_the_queues_notes_are_on_the_queues_help_only(lang: str) -> None:
    queue, _ = await _help_on([], type(MerchantApp(MemoryOrderSource([])).orders_screen))
    assert queue.notes == QUEUE_NOTES
    for keys, opened in ((["enter"], DetailScreen), (["t"], ScheduledScreen), (["exclamation_mark"], ConflictsScreen)):
        help_screen, shown = await _help_on(keys, opened)
        assert not set(help_screen.notes) & set(QUEUE_NOTES), opened
        assert t("ui.help.time")[:20] not in shown and t("help.alerts")[:20] not in shown


async def test_the_scheduled_list_says_its_own_time_and_no_search(lang: str) -> None:
    help_screen, shown = await _help_on(["t"], ScheduledScreen)
    assert help_screen.notes == ("scheduled.help.note",)
    assert t("scheduled.help.note")[:12] in shown
    texts = {row.keys: row.text for row in help_screen.rows}
    assert texts["esc"] == t("help.scheduled.back")
    assert not any("/" in row.text and "search" in row.text.casefold() for row in help_screen.rows)
    assert not any("搜索" in row.text for row in help_screen.rows)


async def test_the_refused_actions_help_names_enter(lang: str) -> None:
    help_screen, _ = await _help_on(["exclamation_mark"], ConflictsScreen)
    texts = {row.keys: row.text for row in help_screen.rows}
    assert texts.get("⏎ x") == t("help.conflicts.dismiss"), texts
    assert help_screen.notes == ("conflicts.help.note",)
