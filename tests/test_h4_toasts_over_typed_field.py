"""Toasts never cover the field being typed in: in `o2o console` (real platform, real cache) the menu form's lowest
fields at 40x15 and 80x24 with a rush of toasts posted. While the field that has the focus would be under the
toasts they wait (the ones already up are taken down), and show when the focus leaves it; a field high on the
screen lets them show at once."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.geometry import Region
from textual.pilot import Pilot
from textual.widgets import Input
from textual.widgets._toast import Toast

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from o2o_tui.sync.perform import refresh
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens.app import MerchantApp
from screens.engine_source import EngineOrderSource
from screens.menu_editor import MenuEditorScreen
from screens.menu_form import MenuForm
from screens.menu_tree import NodeRef
from tests.support.platform import RunningPlatform
from tests.test_ui_live import wait_until

RUSH = [f"Order #00{n} was cancelled by the customer before it was accepted" for n in range(26, 30)]


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


async def _console(profile: Profile) -> MerchantApp:
    cache = open_cache(profile)
    await refresh(profile, cache)
    client = make_client(profile, timeout=5.0)
    engine = make_engine(profile, cache, client, poll_wait=0.5, backoff_cap=0.5)
    return MerchantApp(EngineOrderSource(engine, cache, client, profile.store_id or ""))


async def _form_field(pilot: Pilot[Any], app: MerchantApp, field: str) -> tuple[MenuEditorScreen, Input]:
    """`m`, the first dish opened (Down, Enter as a person does), `field` of its form focused."""
    await pilot.press("m")
    await wait_until(pilot, lambda: isinstance(app.screen, MenuEditorScreen) and app.screen.draft is not None)
    screen = app.screen
    assert isinstance(screen, MenuEditorScreen)
    assert screen.menu_tree.select_ref(NodeRef("item", "kung-pao-chicken", "hot-dishes"))
    await pilot.pause()
    await pilot.press("enter")
    await wait_until(pilot, lambda: screen.menu_form.ref is not None)
    screen.query_one(MenuForm).focus_field(field)
    await pilot.pause()
    await pilot.pause()
    typed = screen.query_one(f"#field-{field}", Input)
    assert typed.has_focus
    return screen, typed


def _toast_regions(app: MerchantApp) -> list[Region]:
    return [toast.region for toast in app.screen.query(Toast) if toast.region.area]


def _toasts(app: MerchantApp) -> list[str]:
    return [str(n.message).replace("\n", " ") for n in app._notifications]


async def _rush(pilot: Pilot[Any], app: MerchantApp) -> None:
    for text in RUSH:
        app.say(text, severity="error", timeout=30)
        await pilot.pause()
    await pilot.pause()
    await pilot.pause()


# each size and each low field in the suite; the lowest field (groups) at 80x24 too in `python -m bench deep`
@pytest.mark.parametrize(
    ("size", "field"),
    [((40, 15), "groups"), pytest.param((80, 24), "groups", marks=pytest.mark.deep), ((80, 24), "prep")],
)
async def test_toasts_wait_while_the_field_typed_in_is_under_them(
    profile: Profile, size: tuple[int, int], field: str
) -> None:
    app = await _console(profile)
    async with app.run_test(size=size, notifications=True) as pilot:
        await pilot.pause(0.5)
        app.say("up before the field had the focus", timeout=30)
        await pilot.pause()
        screen, typed = await _form_field(pilot, app, field)
        height = size[1]
        assert typed.region.y >= height // 2  # low on the screen, where the toasts stand
        # the toast that was up is taken down as the focus came (it would cover the field); the rush waits
        await _rush(pilot, app)
        assert not any(region.overlaps(typed.region) for region in _toast_regions(app))
        assert _toasts(app) == []
        await pilot.press("1", "2")  # typing lands in the field, which the person sees
        assert typed.value.endswith("12") and typed.has_focus
        # the focus leaves the field (to the tree): the toasts show, the newest of the rush and a count
        screen.menu_tree.focus()
        await wait_until(pilot, lambda: len(_toasts(app)) > 0)
        await pilot.pause()
        shown = _toasts(app)
        assert any(RUSH[-1] in text for text in shown), shown
        # each of the rush shows, or the oldest are counted in one line (more than fit came)
        counted = any("came while you were typing" in text for text in shown)
        assert counted or size[0] >= 60, shown  # below 60 columns: the newest and a count (half the rows)
        assert counted or all(any(said in text for text in shown) for said in RUSH), shown
        assert len(app.screen.query(Toast)) == len(shown)
        # and back into the field: the toasts up over it are taken down again (they show when it is left)
        screen.query_one(MenuForm).focus_field(field)
        await pilot.pause()
        await pilot.pause()
        assert not any(region.overlaps(typed.region) for region in _toast_regions(app))
        screen.menu_tree.focus()
        await wait_until(pilot, lambda: any(RUSH[-1] in text for text in _toasts(app)))


async def test_a_field_high_on_the_screen_lets_toasts_show(profile: Profile) -> None:
    app = await _console(profile)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        await pilot.pause(0.5)
        screen, typed = await _form_field(pilot, app, "name_zh")
        assert typed.region.y < 24 // 2
        app.say(RUSH[0], severity="error", timeout=30)
        await wait_until(pilot, lambda: any(RUSH[0] in text for text in _toasts(app)))
        await pilot.pause()
        assert _toast_regions(app) and not any(region.overlaps(typed.region) for region in _toast_regions(app))


async def test_toasts_up_leave_the_field_reached_with_tab_at_40x15(profile: Profile) -> None:
    """As a person gets there: toasts up on the form, Tab down to the lowest field (scrolled into sight)."""
    app = await _console(profile)
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        await pilot.pause(0.5)
        screen, typed = await _form_field(pilot, app, "name_en")
        app.say(RUSH[0], severity="error", timeout=30)
        app.say(RUSH[1], severity="error", timeout=30)
        await wait_until(pilot, lambda: len(_toast_regions(app)) == 2)
        await pilot.press(*["tab"] * 6, "shift+tab")  # to the box under the lowest field, back up
        await pilot.pause()
        await pilot.pause()
        groups = screen.query_one("#field-groups", Input)
        assert groups.has_focus and groups.region.area
        assert not any(region.overlaps(groups.region) for region in _toast_regions(app))
        screen.menu_tree.focus()
        await wait_until(pilot, lambda: any(RUSH[1] in text for text in _toasts(app)))
