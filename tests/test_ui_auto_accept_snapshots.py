"""Snapshots of auto-accept in the console: the store screen with it on (this console the printing station, two
orders auto-accepted today of a cap of 50), and the queue's banner on a console that is not the station while the
station is offline; at 40x15 and 80x24, English and Chinese, frozen clock, memory source.

Update after an intended change with `pytest tests/test_ui_auto_accept_snapshots.py --snapshot-update` and look at
the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest
from textual.pilot import Pilot

from o2o_tui.domain.store import AutoAccept
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import QueueEntry
from screens.terminal import DEFAULT_THEME
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store

SIZES = [(40, 15), (80, 24)]
SIZE_IDS = ["40x15", "80x24"]


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("O2O_DEVICE", "front-counter")
    set_language(request.param)
    yield request.param
    set_language(None)


def _app(station: str, online: bool) -> MerchantApp:
    store = msgspec.structs.replace(
        sample_store(),
        auto_accept=AutoAccept(enabled=True, daily_cap=50, station=station, station_online=online),
    )
    entries = [
        QueueEntry(
            msgspec.structs.replace(entry.order, auto_accepted=entry.order.number in (40, 41)), entry.pending
        )
        for entry in sample_entries()
    ]
    return MerchantApp(MemoryOrderSource(entries, store=store), clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_store_screen_with_auto_accept_on(snap_compare, lang: str, size: tuple[int, int]) -> None:
    assert snap_compare(_app("front-counter", True), terminal_size=size, press=["s"])


async def _banner_shown(pilot: Pilot[None]) -> None:
    """The banner follows the source after the first frame (`screens/auto_accept_console.py`): a loaded machine
    took the screenshot before it, once in a while."""
    from screens.widgets.auto_accept_banner import AutoAcceptBanner

    for _ in range(100):
        if pilot.app.screen.query_one(AutoAcceptBanner).display:
            return
        await pilot.pause(0.05)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_queue_banner_when_the_station_is_offline(snap_compare, lang: str, size: tuple[int, int]) -> None:
    assert snap_compare(_app("kitchen-pc", False), terminal_size=size, run_before=_banner_shown)
