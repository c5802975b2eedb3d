"""The menu editor's keys, as a reviewer at the keyboard met them: a bad value typed in a form field is never a trap
(Esc once says why it stays, Esc again goes back to the tree without it and says what the draft kept); keys a field
takes as typing (`/`, `?`) are not offered in the footer while a field has the focus; the help lists `?`, Ctrl+Q
and Ctrl+C; and `o2o menu edit` alone does not quit on Esc at the tree (q and Ctrl+Q quit, asking first while the
draft is not written). Real platform on loopback, real profile cache; English and Chinese."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.dialogs import ChoicePrompt
from screens.help_screen import KeyRow
from screens.menu_editor import MenuEditorApp, MenuEditorScreen, MenuHelpScreen
from screens.menu_source import source_for_profile
from screens.menu_tree import NodeRef
from screens.terminal import DEFAULT_THEME
from screens.widgets.footer import KeyFooter
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.support.platform import RunningPlatform
from tests.test_g1_draft_full_disk import FullDisk
from tests.test_ui_keys_reachable import WithMenu
from tests.test_ui_live import wait_until
from tests.test_ui_menu_editor_quit_keeps import _saved_price
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store

MAPO = NodeRef("item", "mapo-tofu", "hot-dishes")


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def profile(
    request: pytest.FixtureRequest, platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language(request.param)
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


async def _opened(pilot: Pilot[Any], app: Any) -> MenuEditorScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
    screen = app.screen
    assert isinstance(screen, MenuEditorScreen)
    return screen


async def _in_price(pilot: Pilot[Any], screen: MenuEditorScreen) -> Input:
    """Mapo Tofu's form open (Enter), the price field focused (Tab Tab), as the reviewer did."""
    assert screen.menu_tree.select_ref(MAPO)
    await wait_until(pilot, lambda: screen.menu_tree.cursor_ref == MAPO)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(screen.focused, Input) and screen.focused.id == "field-name_zh")
    await pilot.press("tab", "tab")
    price = screen.query_one("#field-price", Input)
    assert screen.focused is price
    return price


def _toasts(app: Any) -> list[str]:
    return [str(toast.message) for toast in app._notifications]


def _footer_ids(screen: MenuEditorScreen) -> set[str | None]:
    return {entry.binding_id for entry in screen.query_one(KeyFooter).entries()}


@pytest.mark.parametrize("size", [(80, 24), (40, 15)])
async def test_esc_twice_leaves_a_bad_value_and_says_what_was_kept(
    platform: RunningPlatform, profile: Profile, size: tuple[int, int]
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=size) as pilot:
        screen = await _opened(pilot, app)
        price = await _in_price(pilot, screen)
        await pilot.press("end", ".", "5", ".", "5")
        await pilot.pause()
        assert price.value == "26.00.5.5"
        await pilot.press("escape")  # refused: the form stays, and says Esc again leaves without it
        await wait_until(pilot, lambda: bool(_toasts(app)) and _toasts(app)[-1].endswith(t("menu_editor.back.refused")))
        assert t("menu_editor.field.price") in _toasts(app)[-1]  # one toast: what is wrong, and what Esc does
        assert screen.focused is price and screen.query_one("#error-price").display
        assert screen.has_class("-form-open")

        await pilot.press("5")  # typed since: the next Esc tries to save that, it does not drop it
        await pilot.press("escape")
        await pilot.pause()
        assert screen.focused is price and price.value == "26.00.5.55"

        app.clear_notifications()
        await pilot.press("escape")  # the same bad value again: back to the tree without it
        await wait_until(pilot, lambda: screen.focused is screen.menu_tree)
        assert not screen.has_class("-form-open")
        said = t("menu_editor.back.dropped", field=t("menu_editor.field.price"), value="26.00")
        assert said in _toasts(app)
        assert price.value == "26.00" and not screen.query_one("#error-price").display
        assert screen.draft is not None and not screen.draft.undo  # nothing went into the draft
        await pilot.press("enter")  # the form opens again on what the draft holds
        await wait_until(pilot, lambda: isinstance(screen.focused, Input))
        assert screen.query_one("#field-price", Input).value == "26.00"
    assert await _saved_price(profile) == 2600


async def test_keys_a_field_types_are_not_in_the_footer_there(platform: RunningPlatform, profile: Profile) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(120, 30)) as pilot:
        screen = await _opened(pilot, app)
        assert {"menu.search", "menu.help"} <= _footer_ids(screen)  # in the tree: they act
        await _in_price(pilot, screen)
        await pilot.press("shift+tab", "shift+tab")  # the Chinese name: `/` and `?` are text there
        name = screen.query_one("#field-name_zh", Input)
        await wait_until(pilot, lambda: screen.focused is name)
        await pilot.pause()
        shown = _footer_ids(screen)
        assert "menu.search" not in shown and "menu.help" not in shown
        assert "menu.back" in shown
        before = name.value
        await pilot.press("end", "slash", "question_mark")
        await pilot.pause()
        assert name.value == before + "/?"
        assert not screen.query_one("#menu-search").display and app.screen is screen


def _help_keys(help_screen: MenuHelpScreen) -> list[str]:
    return [row._keys for row in help_screen.query(KeyRow)]


async def test_the_editors_help_lists_help_and_the_quit_keys_in_the_console(lang: str) -> None:
    app = MerchantApp(WithMenu(sample_entries(), store=sample_store()), clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("m")
        await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen))
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, MenuHelpScreen))
        assert isinstance(app.screen, MenuHelpScreen)
        keys = _help_keys(app.screen)
        assert {"?", "^q", "^c"} <= set(keys)
        assert "q" not in keys  # q quits only the editor alone
        texts = [row._text for row in app.screen.query(KeyRow)]
        assert t("menu_editor.help.ask_quit_console") in texts
        await pilot.press("escape")
        await pilot.press("ctrl+q")  # what the row says: the console's question
        await pilot.pause()
        assert app.is_running


async def test_the_editor_alone_does_not_quit_on_esc_and_q_quits(platform: RunningPlatform, profile: Profile) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        shown = _footer_ids(screen)
        assert "menu.back" not in shown and "menu.quit" in shown  # the footer says what Esc and q do there
        await pilot.press("escape")
        await pilot.pause()
        assert app.is_running and app.screen is screen
        await pilot.press("question_mark")
        await wait_until(pilot, lambda: isinstance(app.screen, MenuHelpScreen))
        assert isinstance(app.screen, MenuHelpScreen)
        assert {"q", "?", "^q", "^c"} <= set(_help_keys(app.screen))
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)
        await _in_price(pilot, screen)
        assert "menu.back" in _footer_ids(screen) and "menu.quit" not in _footer_ids(screen)
        await pilot.press("q")  # a letter in a field is text
        await pilot.pause()
        assert app.is_running
        await pilot.press("escape")  # "q" is no price: refused once, then dropped
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.focused is screen.menu_tree)
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running)


@pytest.mark.parametrize("key", ["q", "ctrl+q"])
async def test_the_editor_alone_asks_before_quitting_an_unwritten_draft(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    disk = FullDisk(monkeypatch)
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        price = await _in_price(pilot, screen)
        await pilot.press("end", *["backspace"] * 8, "1", "7")
        disk.full = True
        await pilot.press("enter")
        await wait_until(pilot, lambda: disk.refused > 0 and not screen.saved)
        await pilot.press("escape")
        await wait_until(pilot, lambda: screen.focused is screen.menu_tree)
        assert price.value == "17.00" or price.value == "17"
        await pilot.press(key)
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt))
        assert app.is_running
        await pilot.press("1")  # keep editing
        await wait_until(pilot, lambda: app.screen is screen)
        assert app.is_running
        await pilot.press(key)
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt))
        await pilot.press("3")  # leave and lose it
        await wait_until(pilot, lambda: not app.is_running)
    assert await _saved_price(profile) == 2600
