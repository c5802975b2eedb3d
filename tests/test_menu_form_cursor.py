"""The menu editor's form puts the cursor at the end of each loaded value: after a category's form (a longer or
shorter text) an item's Name takes typing at its end and Ctrl+U clears it whole. Against the real platform, with
a real cache."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.menu_editor import MenuEditorApp, MenuEditorScreen
from screens.menu_source import source_for_profile
from screens.menu_tree import NodeRef
from tests.support.platform import RunningPlatform
from tests.test_ui_live import wait_until

HOT = NodeRef("category", "hot-dishes")
MAPO = NodeRef("item", "mapo-tofu", "hot-dishes")
KUNG_PAO = NodeRef("item", "kung-pao-chicken", "hot-dishes")


@pytest.fixture(params=["en", "zh"])
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


async def _opened(pilot: Pilot[Any], app: MenuEditorApp) -> MenuEditorScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
    screen = app.screen
    assert isinstance(screen, MenuEditorScreen)
    return screen


async def _open(pilot: Pilot[Any], screen: MenuEditorScreen, ref: NodeRef) -> Input:
    assert screen.menu_tree.select_ref(ref)
    await wait_until(pilot, lambda: screen.menu_tree.cursor_ref == ref)
    await pilot.press("enter")
    await wait_until(
        pilot,
        lambda: screen.menu_form.ref == ref and isinstance(screen.focused, Input) and screen.focused.id == "field-name_zh",
    )
    field = screen.focused
    assert isinstance(field, Input)
    return field


async def _close(pilot: Pilot[Any], screen: MenuEditorScreen) -> None:
    await pilot.press("escape")
    await wait_until(pilot, lambda: not screen.has_class("-form-open"))


async def test_typing_after_another_lines_form_appends_to_the_loaded_name(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        field = await _open(pilot, screen, HOT)  # "热菜 Hot dishes": the cursor ends there
        await _close(pilot, screen)
        field = await _open(pilot, screen, MAPO)
        name = field.value
        assert field.cursor_position == len(name)
        await pilot.press("Z")
        await pilot.pause()
        assert field.value == name + "Z"
        await pilot.press("ctrl+u")  # clears what is before the cursor: all of it
        await pilot.pause()
        assert field.value == ""
        await pilot.press("escape")  # leave the form without the cleared name going in
        await pilot.pause()


async def test_ctrl_u_clears_the_whole_name_after_a_shorter_one(platform: RunningPlatform, profile: Profile) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        field = await _open(pilot, screen, MAPO)  # the shorter name first: the cursor ends inside the next one
        await _close(pilot, screen)
        field = await _open(pilot, screen, KUNG_PAO)
        assert field.cursor_position == len(field.value)
        await pilot.press("ctrl+u")
        await pilot.pause()
        assert field.value == ""
