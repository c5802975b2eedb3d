"""The menu editor never gives a new item, category, option group, option or copy the id of one the store's menu
had: `item_3` deleted, the next new dish was `item_3` again, another dish under the id of orders already made (and
the day report counted the two as one). Ids now end in a random suffix, and the editor also refuses every id its
draft knows (the published menu's, the undo history's). Through the editor against the real platform and a real
cache (tmp_path), as tests/test_ui_menu_new_lines.py does."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from o2o_tui import menu_draft
from o2o_tui import menu_edits as edits
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.menu import Category, Item, Menu
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from screens.menu_editor import MenuEditorApp, MenuEditorScreen
from screens.menu_source import source_for_profile
from screens.menu_tree import NodeRef
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import wait_until
from tests.test_ui_menu_new_lines import _opened, _publish, _select

MAPO = NodeRef("item", "mapo-tofu", "hot-dishes")
NEW_ID = re.compile(r"[a-z]+-[a-z0-9]{6}")


def _suffixes(monkeypatch: pytest.MonkeyPatch, *suffixes: str) -> None:
    """`new_id`'s random suffixes are these, in turn (a clash made on purpose)."""
    left = iter(suffixes)
    monkeypatch.setattr(edits, "_id_suffix", lambda: next(left))


def _menu(*item_ids: str) -> Menu:
    items = [Item(id=i, name=i, price=Money(100, "CNY")) for i in item_ids]
    return Menu(store_id="s", version=1, currency="CNY", categories=[Category(id="c", name="C", items=items)])


def test_new_id_is_short_random_and_none_of_the_menus_or_the_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    made = {edits.new_id(_menu(), "item") for _ in range(200)}
    assert len(made) == 200 and all(NEW_ID.fullmatch(i) for i in made)
    _suffixes(monkeypatch, "aaaaaa", "bbbbbb", "cccccc")
    assert edits.new_id(_menu("item-aaaaaa"), "item", taken={"item-bbbbbb"}) == "item-cccccc"


def test_the_drafts_used_ids_hold_the_published_and_the_deleted() -> None:
    draft = menu_draft.start(_menu("rice", "tea"))
    draft = menu_draft.apply(draft, edits.delete(draft.menu, "item", "rice"))
    draft = menu_draft.apply(
        draft, edits.add_item(draft.menu, "c", Item(id="new", name="N", price=Money(1, "CNY")))
    )
    # only the undo history has it now
    draft = menu_draft.apply(draft, edits.delete(draft.menu, "item", "new"))
    assert menu_draft.used_ids(draft) == {"c", "rice", "tea", "new"}
    draft = menu_draft.undo(draft)
    assert menu_draft.used_ids(draft) == {"c", "rice", "tea", "new"}


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


def _server_ids(platform: RunningPlatform) -> set[str]:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        menu = merchant.get(f"/v1/stores/{platform.seed.store_id}/menu").json()
    finally:
        merchant.close()
    return {i["id"] for c in menu["categories"] for i in c["items"]} | {c["id"] for c in menu["categories"]}


def _ids(screen: MenuEditorScreen) -> set[str]:
    assert screen.draft is not None
    return edits.all_ids(screen.draft.menu)


async def _add(
    pilot: Pilot[Any], app: MenuEditorApp, screen: MenuEditorScreen, at: NodeRef, choice: str
) -> str:
    """`a` on `at`, then the choice's digit (on an item: 1 an item, 2 a category): the new entity's id."""
    await _select(pilot, screen, at)
    await pilot.press("a")
    await wait_until(pilot, lambda: type(app.screen).__name__ == "ChoicePrompt")
    before = _ids(screen)
    await pilot.press(choice)
    await wait_until(pilot, lambda: len(_ids(screen) - before) == 1)
    [made] = _ids(screen) - before
    await pilot.pause()
    await pilot.press("escape")  # out of the form the add opened
    await pilot.pause()
    return made


async def _delete(pilot: Pilot[Any], app: MenuEditorApp, screen: MenuEditorScreen, ref: NodeRef) -> None:
    await _select(pilot, screen, ref)
    await pilot.press("x")
    await wait_until(pilot, lambda: type(app.screen).__name__ == "ChoicePrompt")
    await pilot.press("2")  # yes
    await wait_until(pilot, lambda: ref.id not in _ids(screen))


async def test_a_dish_added_after_one_was_deleted_and_published_gets_a_new_id(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        first = await _add(pilot, app, screen, MAPO, "1")
        category = await _add(pilot, app, screen, MAPO, "2")
        await pilot.press("P")
        await _publish(pilot, app, screen, keys=("y",))
        assert {first, category} <= _server_ids(platform)

        await _delete(pilot, app, screen, NodeRef("item", first, "hot-dishes"))
        await _delete(pilot, app, screen, NodeRef("category", category))
        await pilot.press("P")
        await _publish(pilot, app, screen, keys=("y",))
        assert not {first, category} & _server_ids(platform)

        second = await _add(pilot, app, screen, MAPO, "1")
        another = await _add(pilot, app, screen, MAPO, "2")
        await pilot.press("P")
        await _publish(pilot, app, screen, keys=("y",))
        assert second != first and another != category  # the deleted ones' ids (and their orders) stay theirs
        assert {second, another} <= _server_ids(platform)
        assert all(NEW_ID.fullmatch(made) for made in (first, category, second, another))  # short, readable


async def test_the_editor_gives_no_id_its_undo_history_or_the_published_menu_holds(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        _suffixes(monkeypatch, "aaaaaa", "aaaaaa", "bbbbbb", "bbbbbb", "cccccc")
        first = await _add(pilot, app, screen, MAPO, "1")
        assert first == "item-aaaaaa"
        await _delete(
            pilot, app, screen, NodeRef("item", first, "hot-dishes")
        )  # only the undo history has it
        assert await _add(pilot, app, screen, MAPO, "1") == "item-bbbbbb"
        await pilot.press("P")
        await _publish(pilot, app, screen, keys=("y",))
        await _delete(pilot, app, screen, NodeRef("item", "item-bbbbbb", "hot-dishes"))  # still published
        assert await _add(pilot, app, screen, MAPO, "1") == "item-cccccc"


def test_a_copys_id_is_none_of_the_taken(monkeypatch: pytest.MonkeyPatch) -> None:
    _suffixes(monkeypatch, "aaaaaa", "bbbbbb")
    menu, copy_id = edits.duplicate(_menu("rice"), "item", "rice", taken={"rice_copy-aaaaaa"})
    assert copy_id == "rice_copy-bbbbbb" and "rice_copy-bbbbbb" in edits.all_ids(menu)
