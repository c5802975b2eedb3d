"""The menu editor against the real platform: the sync engine, a real cache (and its draft) in tmp_path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.pilot import Pilot

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.menu_editor import MenuEditorApp, MenuEditorScreen, source_for_profile
from screens.menu_form import MenuForm
from screens.menu_tree import NodeRef
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import wait_until


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


def _server_menu(platform: RunningPlatform) -> dict:
    assert platform.seed is not None
    admin = api(platform, "admin")
    try:
        return admin.get(f"/v1/stores/{platform.seed.store_id}/menu").json()
    finally:
        admin.close()


def _server_item(platform: RunningPlatform, item_id: str) -> dict:
    menu = _server_menu(platform)
    return next(i for c in menu["categories"] for i in c["items"] if i["id"] == item_id)


async def _opened(pilot: Pilot, app: MenuEditorApp) -> MenuEditorScreen:
    await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
    screen = app.screen
    assert isinstance(screen, MenuEditorScreen)
    return screen


async def _select(pilot: Pilot, screen: MenuEditorScreen, ref: NodeRef) -> None:
    assert screen.menu_tree.select_ref(ref)
    await pilot.pause()
    await wait_until(
        pilot, lambda: screen.menu_tree.cursor_ref is not None and screen.menu_tree.cursor_ref.id == ref.id
    )


async def test_edit_a_price_then_publish_and_the_platform_has_it(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        await _select(pilot, screen, NodeRef("item", "mapo-tofu", "hot-dishes"))
        await pilot.press("enter")
        await pilot.pause()
        form = screen.query_one(MenuForm)
        form.focus_field("price")
        await pilot.pause()
        price = screen.query_one("#field-price")
        price.value = "-3"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await pilot.pause()
        assert screen.query_one("#error-price").display  # refused on the field, nothing applied
        assert screen.draft is not None and not screen.draft.undo
        price.value = "41.5"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(pilot, lambda: screen.draft is not None and bool(screen.draft.undo))
        await pilot.press("escape")  # back to the tree
        await pilot.press("P")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuPublishScreen")
        await pilot.press("enter")
        await wait_until(pilot, lambda: _server_item(platform, "mapo-tofu")["price"]["amount"] == 4150)
        await wait_until(pilot, lambda: getattr(app.screen, "state", "") == "done")
        assert app.screen.result == "published"  # type: ignore[attr-defined]
        await pilot.press("enter")
        await wait_until(pilot, lambda: app.screen is screen and screen.draft is not None)
        assert screen.draft is not None and screen.draft.base.version == _server_menu(platform)["version"]


async def test_sold_out_goes_out_at_once_and_undo_and_search(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        await _select(pilot, screen, NodeRef("item", "kung-pao-chicken", "hot-dishes"))
        await pilot.press("o")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "ChoicePrompt")
        await pilot.press("2")  # sold out until the end of the store's day
        await wait_until(
            pilot, lambda: _server_item(platform, "kung-pao-chicken").get("snooze_until") is not None
        )
        assert screen.draft is not None and not screen.draft.undo  # availability is not part of the draft
        label = str(screen.menu_tree.cursor_node.label)  # type: ignore[union-attr]
        assert "sold out" in label

        # an edit, then undo brings the draft back to the published menu
        await pilot.press("h")
        await wait_until(pilot, lambda: screen.draft is not None and bool(screen.draft.undo))
        assert "hidden" in str(screen.menu_tree.cursor_node.label)  # type: ignore[union-attr]
        await pilot.press("u")
        await pilot.pause()
        assert screen.draft is not None and screen.draft.menu == screen.draft.base

        # search either language
        await pilot.press("slash")
        for key in "麻婆":
            await pilot.press(key)
        await wait_until(
            pilot, lambda: screen.menu_tree.cursor_ref == NodeRef("item", "mapo-tofu", "hot-dishes")
        )
        await pilot.press("escape")
        await pilot.press("slash")
        for key in "COLA":
            await pilot.press(key)
        await wait_until(pilot, lambda: screen.menu_tree.cursor_ref == NodeRef("item", "cola", "drinks"))


async def test_the_draft_survives_a_quit(platform: RunningPlatform, profile: Profile) -> None:
    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        await _select(pilot, screen, NodeRef("item", "rice", "staples"))
        await pilot.press("c")  # duplicate
        await wait_until(pilot, lambda: screen.draft is not None and bool(screen.draft.undo))
        edited = screen.draft.menu  # type: ignore[union-attr]
    again = MenuEditorApp(source_for_profile(profile))
    async with again.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, again)
        assert screen.draft is not None and screen.draft.menu == edited
        assert "rice_copy" in str([i.id for c in screen.draft.menu.categories for i in c.items])
    await asyncio.sleep(0)


async def test_a_saved_draft_the_published_menu_already_holds_starts_again(
    platform: RunningPlatform, profile: Profile
) -> None:
    import msgspec

    from o2o_tui.menu_draft import is_dirty, publish_menu

    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, app)
        await _select(pilot, screen, NodeRef("item", "rice", "staples"))
        await pilot.press("c")  # duplicate
        await wait_until(pilot, lambda: screen.draft is not None and bool(screen.draft.undo))
        saved = screen.draft
    assert saved is not None
    # the draft's own publish reaches the platform from elsewhere (its outbox entry, replayed by `o2o sync`)
    admin = api(platform, "admin")
    body = msgspec.to_builtins(publish_menu(saved))
    answer = admin.put(f"/v1/stores/{saved.store_id}/menu", body, headers={"If-Match": str(saved.base.version)})
    admin.close()
    assert answer.status_code == 200, answer.text
    again = MenuEditorApp(source_for_profile(profile))
    async with again.run_test(size=(80, 24)) as pilot:
        screen = await _opened(pilot, again)
        await wait_until(pilot, lambda: screen.draft is not None and screen.draft.base.version > saved.base.version)
        assert screen.draft is not None and not is_dirty(screen.draft)
        assert "rice_copy" in str([i.id for c in screen.draft.menu.categories for i in c.items])
    await asyncio.sleep(0)


@pytest.mark.parametrize("size", [(40, 15), (80, 24)], ids=["40x15", "80x24"])
async def test_the_footer_keeps_sold_out_and_publish_and_one_edit_reads_one_change(
    platform: RunningPlatform, profile: Profile, size: tuple[int, int]
) -> None:
    from textual.widgets._footer import FooterKey

    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=size) as pilot:
        screen = await _opened(pilot, app)
        await _select(pilot, screen, NodeRef("item", "mapo-tofu", "hot-dishes"))
        shown = {key.key for key in screen.query(FooterKey)}
        assert {"question_mark", "o"} <= shown  # help and sold out at every width
        if size[0] >= 80:
            assert {"P", "a", "u"} <= shown  # and publishing the draft, adding, undo
        await pilot.press("h")
        await wait_until(pilot, lambda: screen.draft is not None and bool(screen.draft.undo))
        status = str(screen.query_one("#menu-status").render())
        assert "1 change" in status and "1 changes" not in status
