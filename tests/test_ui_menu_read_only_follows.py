"""A read-only menu editor (the draft is open in another one: another console's `m`, `o2o menu edit`) against the
real platform and a real cache: it follows the draft the other editor saves on disk, and stays read only."""

from __future__ import annotations

from o2o_tui import menu_draft, menu_edits
from o2o_tui.config import Profile
from o2o_tui.domain.money import Money
from o2o_tui.sync.perform import refresh
from o2o_tui.sync.session import open_cache
from offline_cache.drafts import DraftStore
from screens.menu_editor import MenuEditorApp, MenuEditorScreen
from screens.menu_source import source_for_profile
from tests.support.platform import RunningPlatform
from tests.test_ui_live import wait_until
from tests.test_ui_menu_draft_owner import _price, profile

__all__ = ["profile"]  # the fixture: a merchant profile on the test's platform


def _editor(app: MenuEditorApp) -> MenuEditorScreen | None:
    screen = app.screen
    return screen if isinstance(screen, MenuEditorScreen) and screen.draft is not None else None


def _tree_text(screen: MenuEditorScreen) -> str:
    tree = screen.menu_tree
    return " ".join(strip.text for strip in tree.render_lines(tree.region.reset_offset))


async def test_a_read_only_editor_follows_the_draft_the_other_one_saves(
    platform: RunningPlatform, profile: Profile
) -> None:
    """While read only, the second editor shows each change the first one saves (the draft file on disk), and
    the menu again once the first one drops its draft, changing nothing itself."""
    cache = open_cache(profile)
    await refresh(profile, cache)
    cache.close()
    first = source_for_profile(profile)
    await first.load()
    published = first.menu()
    assert published is not None
    draft = first.draft() or menu_draft.start(published)

    def priced(amount: int) -> menu_draft.MenuDraft:
        price = Money(amount, published.currency)
        return menu_draft.apply(draft, menu_edits.update_item(draft.menu, "kung-pao-chicken", price=price))

    draft = priced(4100)
    await first.save_draft(draft)

    app = MenuEditorApp(source_for_profile(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: _editor(app) is not None)
        screen = _editor(app)
        assert screen is not None and screen.read_only and _price(screen.draft, "kung-pao-chicken") == 4100

        # the holder edits on: the read-only editor shows what it saved, without being asked
        draft = priced(4300)
        await first.save_draft(draft)
        await wait_until(pilot, lambda: _price(screen.draft, "kung-pao-chicken") == 4300)
        await pilot.pause()
        assert screen.read_only and "43.00" in _tree_text(screen) and "41.00" not in _tree_text(screen)

        # still read only: a key that edits is refused, and the saved draft is the holder's
        await pilot.press("x")
        await pilot.pause()
        assert app.screen is screen and _price(screen.draft, "kung-pao-chicken") == 4300
        holders = first._cache
        saved = await holders.call(DraftStore(holders).load, draft.store_id)
        assert _price(saved, "kung-pao-chicken") == 4300

        # the holder drops its draft: the read-only editor shows the published menu again
        await first.discard_draft()
        await wait_until(pilot, lambda: _price(screen.draft, "kung-pao-chicken") == 3800)
        assert screen.read_only and not menu_draft.is_dirty(screen.draft)  # type: ignore[arg-type]
        await first.close()
        await wait_until(pilot, lambda: not screen.read_only)
