"""Snapshots of the merchant console at the three sizes DESIGN names, with a frozen clock and fixed orders.

Update after an intended change with `pytest tests/test_ui_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest

from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState
from screens.terminal import ANSI_THEME, DEFAULT_THEME
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_link, sample_store


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language(None)


def _app(state: LinkState = LinkState.ONLINE) -> MerchantApp:
    link = sample_link(state)
    if state is LinkState.OFFLINE:
        link = msgspec.structs.replace(link, error="connection refused")
    source = MemoryOrderSource(sample_entries(), store=sample_store(), link=link)
    return MerchantApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)


@pytest.mark.parametrize("size", [(40, 15), (80, 24), (120, 40)], ids=["40x15", "80x24", "120x40"])
def test_queue(snap_compare, english: None, size: tuple[int, int]) -> None:
    assert snap_compare(_app(), terminal_size=size)


def test_queue_chinese(snap_compare, chinese: None) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24))


def test_queue_chinese_narrow(snap_compare, chinese: None) -> None:
    assert snap_compare(_app(), terminal_size=(40, 15))


def test_offline(snap_compare, english: None) -> None:
    assert snap_compare(_app(LinkState.OFFLINE), terminal_size=(80, 24))


def test_detail(snap_compare, english: None) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), press=["enter"])


def test_accept_dialog(snap_compare, english: None) -> None:
    assert snap_compare(_app(), terminal_size=(40, 15), press=["a"])


def test_help(snap_compare, chinese: None) -> None:
    assert snap_compare(_app(), terminal_size=(80, 24), press=["question_mark"])


def test_sixteen_colour_terminal(snap_compare, english: None) -> None:
    app = _app()
    app.theme = ANSI_THEME
    assert snap_compare(app, terminal_size=(80, 24))
