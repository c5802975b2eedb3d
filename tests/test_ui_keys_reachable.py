"""Every key of every merchant screen is reachable at the smallest counter terminal (40x15): where the footer has to
leave keys out, `?` opens the help, and the help lists each key the footer left out.

The screens are opened from the queue with their own keys, as a person would, on a memory source with a frozen
clock (`tests/test_ui_samples.py`)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.binding import Binding
from textual.widgets._footer import FooterKey

from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.figures_screen import FiguresScreen
from screens.help_screen import HelpScreen
from screens.memory_source import MemoryOrderSource
from screens.menu_editor import HELP_KEYS, HELP_LEFT_OUT, MenuEditorScreen, MenuHelpScreen
from screens.menu_source import MemoryMenuSource
from screens.menu_tree import MenuTree
from screens.terminal import DEFAULT_THEME
from screens.widgets.footer import KeyFooter
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.test_ui_figures import fixed
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store
from tests.test_ui_store_snapshots import sold_out_menu

# the queue's keys that open a screen of their own (the queue itself: no key; `f` is pushed with fixed figures,
# since the console's own loader asks the platform)
SCREEN_KEYS = ["", "s", "m", "f", "t", "exclamation_mark"]


class WithMenu(MemoryOrderSource):
    """A memory source whose menu editor (`m`) edits a menu in memory."""

    def menu_source(self) -> MemoryMenuSource:
        return MemoryMenuSource(sold_out_menu(), store=sample_store())


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


@pytest.mark.parametrize("key", SCREEN_KEYS, ids=[k or "queue" for k in SCREEN_KEYS])
async def test_keys_the_footer_leaves_out_are_in_help(lang: str, key: str) -> None:
    app = MerchantApp(WithMenu(sample_entries(), store=sample_store()), clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        if key == "f":
            await app.push_screen(FiguresScreen(lambda day: fixed(day or "2026-12-02"), figures=fixed()))
            await pilot.pause()
        elif key:
            await pilot.press(key)
            await pilot.pause()
        screen = app.screen
        assert screen is not app.orders_screen or not key, f"{key!r} opened no screen"
        footer = screen.query_one(KeyFooter)
        shown = {key.key for key in footer.query(FooterKey)}
        hidden = [entry for entry in footer.entries() if entry.key not in shown]
        if not hidden:
            return
        await pilot.press("question_mark")
        await pilot.pause()
        helper = app.screen
        if isinstance(helper, MenuHelpScreen):  # the menu editor's own, written by hand: rows name their keys
            listed = {binding_id for _, _, ids in HELP_KEYS for binding_id in ids}
        else:
            assert isinstance(helper, HelpScreen), f"{type(screen).__name__}: keys left out and no help: {hidden}"
            listed = {binding_id for row in helper.rows for binding_id in row.binding_ids}
        assert {entry.binding_id for entry in hidden} <= listed


def test_the_menu_editors_help_has_a_row_for_every_key() -> None:
    bound = {b.id for cls in (MenuEditorScreen, MenuTree) for b in cls.BINDINGS if isinstance(b, Binding)}
    listed = {binding_id for _, _, ids in HELP_KEYS for binding_id in ids}
    assert bound - HELP_LEFT_OUT == listed
