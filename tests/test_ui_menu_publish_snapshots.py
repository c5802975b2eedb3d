"""Snapshots of the menu's diff, publish and rebase screens on the merchant console (memory source, frozen clock),
at 40x15 and 80x24, in English and Chinese.

Update after an intended change with `pytest tests/test_ui_menu_publish_snapshots.py --snapshot-update` and look at
the SVGs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.screen import Screen

from o2o_tui import menu_draft
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.menu_diff import MenuDiffScreen
from screens.menu_publish import MenuPublishScreen, PublishAnswer
from screens.menu_rebase import MenuRebaseScreen
from screens.terminal import DEFAULT_THEME
from tests.test_ui_menu_publish import MARKUP, FixedPublisher, conflicting, edited_draft, sample_menu
from tests.test_ui_samples import FROZEN_NOW, sample_store

NARROW, NORMAL = (40, 15), (80, 24)


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _app() -> MerchantApp:
    return MerchantApp(
        MemoryOrderSource((), store=sample_store()), clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME
    )


def _opening(make: Callable[[], Screen[Any]], *keys: str) -> Callable[[Pilot[Any]], Any]:
    async def run_before(pilot: Pilot[Any]) -> None:
        await pilot.app.push_screen(make())
        await pilot.pause()
        if keys:
            await pilot.press(*keys)
            await pilot.pause()

    return run_before


def _diff() -> MenuDiffScreen:
    draft = edited_draft(sample_menu())
    return MenuDiffScreen(menu_draft.diff(draft.base, draft.menu))


def _rebase() -> MenuRebaseScreen:
    _, draft, theirs = conflicting()
    return MenuRebaseScreen(menu_draft.rebase(draft, theirs))


@pytest.mark.parametrize("size", [NARROW, NORMAL], ids=["40x15", "80x24"])
def test_diff(snap_compare: Any, lang: str, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), terminal_size=size, run_before=_opening(_diff))


@pytest.mark.parametrize("size", [NARROW, NORMAL], ids=["40x15", "80x24"])
def test_publish_confirm(snap_compare: Any, lang: str, size: tuple[int, int]) -> None:
    draft = edited_draft(sample_menu(), MARKUP)  # a draft the rules let through (no control characters)
    assert snap_compare(_app(), terminal_size=size, run_before=_opening(lambda: MenuPublishScreen(draft)))


def test_publish_conflict_outcome(snap_compare: Any, lang: str) -> None:
    draft = edited_draft(sample_menu(), MARKUP)
    publisher = FixedPublisher(PublishAnswer("conflict", version=4))
    screen = _opening(lambda: MenuPublishScreen(draft, publisher=publisher), "enter")
    assert snap_compare(_app(), terminal_size=NARROW, run_before=screen)


@pytest.mark.parametrize("size", [NARROW, NORMAL], ids=["40x15-stacked", "80x24-side-by-side"])
def test_rebase(snap_compare: Any, lang: str, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), terminal_size=size, run_before=_opening(_rebase))
