"""Snapshots of the menu editor (a memory source, a frozen clock) at 40x15 and 80x24, English and Chinese.

Update after an intended change with `pytest tests/test_ui_menu_editor_snapshots.py --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import msgspec
import pytest

from o2o_tui.domain.menu import Menu, Names
from o2o_tui.i18n import set_language
from o2o_tui.menu_edits import update_item
from o2o_tui.platform.seed import demo_menu
from screens.menu_editor import MenuEditorApp
from screens.menu_source import MemoryMenuSource
from screens.terminal import DEFAULT_THEME
from tests.test_ui_samples import FROZEN_NOW, sample_store

SIZES = [(40, 15), (80, 24)]
IDS = ["40x15", "80x24"]


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def sample_menu() -> Menu:
    menu = msgspec.structs.replace(demo_menu(), store_id="store-1", version=3)
    menu = update_item(
        menu,
        "mapo-tofu",
        names=Names(zh="麻婆豆腐", en="Mapo Tofu [/]"),  # menu text is never markup
        snooze_until=FROZEN_NOW + timedelta(hours=2),
    )
    return update_item(menu, "cola", hidden=True)


def _app() -> MenuEditorApp:
    source = MemoryMenuSource(sample_menu(), store=sample_store())
    return MenuEditorApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_editor(snap_compare, lang: str, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), terminal_size=size, press=["down", "down"])


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_form_on_enter(snap_compare, lang: str, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), terminal_size=size, press=["down", "down", "enter"])


def test_availability_dialog(snap_compare, lang: str) -> None:
    assert snap_compare(_app(), terminal_size=(40, 15), press=["down", "o"])
