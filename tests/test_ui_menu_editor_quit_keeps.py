"""Quitting the menu editor loses nothing typed: Ctrl+C (the app's quit key) saves what the form holds into the
draft, as Esc does, and the terminal is then told what was saved and how many changes wait in the draft
unpublished; a value that does not go in stops the first Ctrl+C (the form says why) and a second Ctrl+C quits,
saying what was not saved. A signal (SIGHUP, SIGTERM: `app.exit()`, screens/leave_on_signal.py) saves the form
too. In `o2o menu edit` and inside the merchant console. Against the real platform, with a real cache (the draft
is read back from it by a fresh source after the app is gone)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.menu import Item
from o2o_tui.i18n import set_language, t
from o2o_tui.menu_edits import find
from o2o_tui.sync.perform import refresh
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens.app import MerchantApp
from screens.engine_source import EngineOrderSource
from screens.menu_editor import MenuEditorApp, MenuEditorScreen
from screens.menu_source import source_for_profile
from screens.menu_tree import NodeRef
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.support.platform import RunningPlatform
from tests.test_ui_live import wait_until

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


async def _type_price(pilot: Pilot[Any], app: Any, price: str) -> MenuEditorScreen:
    """The editor open on Mapo Tofu's form, the price replaced by `price` and left unsaved (no Enter, no Esc)."""
    await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
    screen = app.screen
    assert isinstance(screen, MenuEditorScreen)
    assert screen.menu_tree.select_ref(MAPO)
    await wait_until(pilot, lambda: screen.menu_tree.cursor_ref == MAPO)
    await pilot.press("enter")
    await wait_until(pilot, lambda: isinstance(screen.focused, Input) and screen.focused.id == "field-name_zh")
    await pilot.press("tab", "tab", "end", *["backspace"] * 8, *price)
    await pilot.pause()
    assert screen.query_one("#field-price", Input).value == price
    return screen


async def _saved_price(profile: Profile) -> int:
    """Mapo Tofu's price in what the next editor opens (the draft the cache holds, else the published menu), read
    by a fresh source."""
    source = source_for_profile(profile)
    try:
        await source.load()
        draft = source.draft()
        menu = draft.menu if draft is not None else source.menu()  # no draft: the published menu opens
        assert menu is not None
        item = find(menu, "item", "mapo-tofu")
        assert isinstance(item, Item)
        return item.price.amount
    finally:
        await source.close()


def _said(capsys: pytest.CaptureFixture[str]) -> str:
    """What the terminal was told after the app was gone (as one line: the console wraps it)."""
    captured = capsys.readouterr()
    return " ".join((captured.out + captured.err).split())


async def test_ctrl_c_saves_the_form_into_the_draft_and_says_so(
    platform: RunningPlatform, profile: Profile, capsys: pytest.CaptureFixture[str]
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _type_price(pilot, app, "17")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running)
    assert await _saved_price(profile) == 1700
    said = _said(capsys)
    assert t("menu_editor.quit.draft_kept", count=1) in said  # the price is the one change not published
    assert t("menu_editor.field.price") in said  # what was typed, saved
    assert said.index(t("menu_editor.field.price")) < said.index(t("menu_editor.quit.draft_kept", count=1))


async def test_a_value_that_does_not_go_in_stops_the_first_ctrl_c_and_the_second_quits(
    platform: RunningPlatform, profile: Profile, capsys: pytest.CaptureFixture[str]
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(40, 15)) as pilot:  # narrow: the form in the tree's place
        screen = await _type_price(pilot, app, "1.2.3")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: screen.query_one("#error-price").display)
        assert app.is_running and app.screen is screen and screen.has_class("-form-open")
        toasts = [str(toast.message) for toast in app._notifications]
        assert t("menu_editor.quit.refused", key=screen._quit_key()) in toasts
        assert screen._quit_key() in ("Ctrl+C", "^c", "ctrl+c")
        assert screen.query_one("#field-price", Input).value == "1.2.3"  # nothing typed is gone
        await pilot.press("ctrl+c")  # twice: quits (never a trap)
        await wait_until(pilot, lambda: not app.is_running)
    assert await _saved_price(profile) == 2600  # the published price: the bad value did not go in
    said = _said(capsys)
    lost = t("menu_editor.quit.form_lost", name="@", problem="").split("@")
    assert lost[0] in said and lost[1].strip() in said  # what was not saved is said, not silently dropped
    assert t("menu_editor.quit.draft_kept", count=1) not in said  # nothing else in the draft


async def test_a_signal_saves_the_form_into_the_draft(platform: RunningPlatform, profile: Profile) -> None:
    """SIGHUP or SIGTERM end the app with `app.exit()` (screens/leave_on_signal.py), asking nobody."""
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _type_price(pilot, app, "23")
        app.exit()
        await wait_until(pilot, lambda: not app.is_running)
    assert await _saved_price(profile) == 2300


async def test_ctrl_c_in_the_console_asks_the_editor_first_and_saves_its_form(
    platform: RunningPlatform, profile: Profile, capsys: pytest.CaptureFixture[str]
) -> None:
    cache = open_cache(profile)
    await refresh(profile, cache)
    client = make_client(profile, timeout=2.0)
    engine = make_engine(profile, cache, client, poll_wait=0.5, backoff_cap=0.5)
    app = MerchantApp(EngineOrderSource(engine, cache, client, profile.store_id or ""))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.5)
        await pilot.press("m")
        screen = await _type_price(pilot, app, "1.2.3")
        await pilot.press("ctrl+c")  # the console's Ctrl+C asks the editor first: a bad value stops it once
        await wait_until(pilot, lambda: screen.query_one("#error-price").display)
        assert app.is_running and app.screen is screen
        await pilot.press(*["backspace"] * 5, "1", "9")
        await pilot.press("ctrl+c")
        await wait_until(pilot, lambda: not app.is_running)
    assert await _saved_price(profile) == 1900
    assert t("menu_editor.quit.draft_kept", count=1) in _said(capsys)
