"""Snapshots of the simple mode at 80x24 and 40x15, English and Chinese, with a frozen
clock and the sample orders. Update after an intended change with `--snapshot-update` and look at the SVGs."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.terminal import DEFAULT_THEME
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_link, sample_store


@pytest.fixture(params=["en", "zh"])
def language(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _app() -> MerchantApp:
    source = MemoryOrderSource(sample_entries(), store=sample_store(), link=sample_link())
    return MerchantApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME, simple=True)


@pytest.mark.parametrize("size", [(80, 24), (40, 15)], ids=["80x24", "40x15"])
def test_simple_mode(snap_compare, language: str, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), terminal_size=size)


def test_simple_mode_asking_a_pickup_code(snap_compare, language: str) -> None:
    """Down to the ready dine-in order, 3, two digits of its code: the field under the order, 3 stands out."""
    assert snap_compare(_app(), terminal_size=(40, 15), press=["down", "down", "3", "4", "8"])
