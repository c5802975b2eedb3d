"""The menu editor's diff (`D`), publish preview (`P`) and rebase screen name each line in the console's language,
as the tree does (`menu_tree.display_name`), not by its single stored name (the Chinese one of a bilingual menu).
The editor against the real platform with a real cache; the rebase screen on a rebase worked out in memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.app import App
from textual.widgets import Input

from o2o_tui import menu_draft, menu_edits
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.menu import Names
from o2o_tui.i18n import set_language
from screens.menu_diff import MenuDiffScreen
from screens.menu_editor import MenuEditorApp, MenuEditorScreen
from screens.menu_publish import MenuPublishScreen
from screens.menu_rebase import MenuRebaseScreen
from screens.menu_source import source_for_profile
from screens.menu_tree import NodeRef
from tests.support.platform import RunningPlatform
from tests.test_ui_live import wait_until
from tests.test_ui_menu_publish import Host, cny, sample_menu

MAPO = NodeRef("item", "mapo-tofu", "hot-dishes")
ENGLISH = "Mapo Tofu EN"


def _screen_text(app: App[Any]) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


async def test_diff_and_publish_preview_name_the_item_as_the_tree_does(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(100, 30)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
        screen = app.screen
        assert isinstance(screen, MenuEditorScreen)
        assert screen.menu_tree.select_ref(MAPO)
        await wait_until(pilot, lambda: screen.menu_tree.cursor_ref == MAPO)
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(screen.focused, Input) and screen.focused.id == "field-name_zh")
        screen.menu_form.focus_field("name_en")
        await pilot.pause()
        screen.query_one("#field-name_en", Input).value = ENGLISH
        await pilot.press("enter")
        await pilot.press("escape")
        await wait_until(pilot, lambda: not screen.has_class("-form-open"))
        await wait_until(pilot, lambda: ENGLISH in _screen_text(app))  # the tree names it in English

        await pilot.press("D")
        await wait_until(pilot, lambda: isinstance(app.screen, MenuDiffScreen))
        await pilot.pause()
        shown = _screen_text(app)
        assert f"item {ENGLISH}" in shown, shown
        await pilot.press("escape")
        await wait_until(pilot, lambda: app.screen is screen)

        await pilot.press("P")
        await wait_until(pilot, lambda: isinstance(app.screen, MenuPublishScreen))
        await pilot.pause()
        shown = _screen_text(app)
        assert f"item {ENGLISH}" in shown, shown
        await pilot.press("escape")


async def test_the_rebase_screen_names_the_item_in_the_consoles_language() -> None:
    set_language("en")
    try:
        base = sample_menu()
        named = menu_edits.update_item(base, "kung-pao", names=Names(zh="宫保鸡丁", en="Kung Pao EN"))
        base = msgspec.structs.replace(named, version=3)
        draft = menu_draft.apply(menu_draft.start(base), menu_edits.update_item(base, "kung-pao", price=cny(3900)))
        theirs = msgspec.structs.replace(menu_edits.update_item(base, "kung-pao", price=cny(4000)), version=4)
        rebase = menu_draft.rebase(draft, theirs)
        assert [c.id for c in rebase.conflicts] == ["kung-pao"]
        app = Host(lambda: MenuRebaseScreen(rebase))
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            shown = _screen_text(app)
            assert "item Kung Pao EN" in shown, shown
    finally:
        set_language(None)
