"""A second menu editor on one profile (another console's `m`, `o2o menu edit`) against the real platform and a real
cache: it opens read only, says who has the draft, changes nothing, and takes the draft over (with the first one's
edits) by itself once the first editor closes."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from o2o_tui import menu_draft, menu_edits
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from screens.menu_editor import MenuEditorApp, MenuEditorScreen, source_for_profile
from tests.support.platform import RunningPlatform
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


def _price(draft: menu_draft.MenuDraft | None, item_id: str) -> int:
    assert draft is not None
    item = menu_edits.find(draft.menu, "item", item_id)
    assert item is not None
    return item.price.amount  # type: ignore[union-attr]


async def test_a_second_editor_is_read_only_until_the_first_closes(
    platform: RunningPlatform, profile: Profile
) -> None:
    from o2o_tui.sync.perform import refresh
    from o2o_tui.sync.session import open_cache

    cache = open_cache(profile)
    await refresh(profile, cache)
    cache.close()
    first = source_for_profile(profile)
    await first.load()
    draft = first.draft() or menu_draft.start(first.menu())  # type: ignore[arg-type]
    price = Money(4100, draft.menu.currency)
    await first.save_draft(menu_draft.apply(draft, menu_edits.update_item(draft.menu, "kung-pao-chicken", price=price)))

    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
        screen = app.screen
        assert isinstance(screen, MenuEditorScreen)
        status = str(screen.query_one("#menu-status").render())
        assert screen.read_only and "Read only" in status and f"pid {os.getpid()}" in status
        shown = screen.draft
        assert _price(shown, "kung-pao-chicken") == 4100  # what the other editor saved, to look at
        for key in ("a", "x", "u", "P"):  # add, delete, undo, publish: refused, no dialog, nothing changed
            await pilot.press(key)
            await pilot.pause()
        assert app.screen is screen and screen.draft is shown

        await first.close()  # the first editor closes: this one takes the draft over, with its edits
        await wait_until(pilot, lambda: not screen.read_only)
        assert _price(screen.draft, "kung-pao-chicken") == 4100
        await pilot.pause()
        assert "Read only" not in str(screen.query_one("#menu-status").render())


async def test_a_publish_refused_after_it_was_queued_leaves_the_draft_in_the_editor(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Queued while the link is down, then refused (someone published meanwhile): the edits are still the draft's,
    to rebase and publish again, not only a line in the conflicts."""
    from o2o_tui.sync.perform import refresh
    from o2o_tui.sync.session import open_cache
    from offline_cache.drafts import DraftStore
    from screens.menu_form import MenuForm
    from screens.menu_tree import NodeRef
    from tests.support.faultproxy import FaultProxy
    from tests.support.platform import api

    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = platform.seed
    assert seed is not None
    with FaultProxy(platform.port) as proxy:
        profile = save_profile(
            "counter", url=f"http://127.0.0.1:{proxy.port}", token=seed.tokens["merchant"], role="merchant",
            store_id=seed.store_id,
        )
        cache = open_cache(profile)
        await refresh(profile, cache)
        cache.close()
        proxy.drop()  # the counter's link is down
        app = MenuEditorApp(source_for_profile(profile))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
            screen = app.screen
            assert isinstance(screen, MenuEditorScreen)
            assert screen.menu_tree.select_ref(NodeRef("item", "mapo-tofu", "hot-dishes"))
            await pilot.pause()
            await pilot.press("enter")
            await pilot.pause()
            screen.query_one(MenuForm).focus_field("price")
            await pilot.pause()
            screen.query_one("#field-price").value = "27.5"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await wait_until(pilot, lambda: _price(screen.draft, "mapo-tofu") == 2750)
            await pilot.press("escape", "P")
            await wait_until(pilot, lambda: type(app.screen).__name__ == "MenuPublishScreen")
            await pilot.press("enter")
            await wait_until(pilot, lambda: getattr(app.screen, "state", "") == "done", timeout=30)
            assert app.screen.result == "queued"  # type: ignore[attr-defined]
            await pilot.press("enter")
            await wait_until(pilot, lambda: app.screen is screen)

            # another counter publishes a change of the same item, then the link comes back: refused
            staff = api(platform, "merchant")
            menu = staff.get(f"/v1/stores/{seed.store_id}/menu").json()
            for category in menu["categories"]:
                for item in category["items"]:
                    if item["id"] == "mapo-tofu":
                        item["price"]["amount"] = 2800
            answer = staff.put(f"/v1/stores/{seed.store_id}/menu", menu, headers={"If-Match": str(menu["version"])})
            staff.close()
            assert answer.status_code == 200, answer.text
            proxy.pass_through()
            own = app.source._cache  # type: ignore[attr-defined]
            refused: list[Any] = []
            for _ in range(400):  # until the engine has sent it and the platform refused it
                refused = await own.call(own.outbox.conflicts)
                if refused:
                    break
                await pilot.pause(0.1)
            assert [entry.rejection["code"] for entry in refused] == ["stale_version"]
            live = app.source.menu  # type: ignore[attr-defined]
            await wait_until(pilot, lambda: live() is not None and live().version > menu["version"])
            await pilot.pause(0.5)
            for kept in (screen.draft, await own.call(DraftStore(own).load, seed.store_id)):
                # still an edit of the draft, on the version it was made on: to rebase and publish again
                assert kept is not None and menu_draft.is_dirty(kept) and _price(kept, "mapo-tofu") == 2750
                assert kept.base.version == menu["version"]
