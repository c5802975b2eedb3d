"""Snapshots of the store screen (`s`) and of the queue's sold-out line, at 40x15 and 80x24, English and Chinese,
with a frozen clock and a memory source.

Update after an intended change with `pytest tests/test_ui_store_snapshots.py --snapshot-update` and look at the SVGs.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import msgspec
import pytest

from o2o_tui.domain.menu import Availability, Category, Item, Menu, Names, Option, OptionGroup
from o2o_tui.domain.money import Money
from o2o_tui.domain.store import HoursException, OpeningHours, Store, StoreState, StoreStatus, TimeRange
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.terminal import DEFAULT_THEME
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store

SIZES = [(40, 15), (80, 24)]
SIZE_IDS = ["40x15", "80x24"]


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def store_with_hours() -> Store:
    """Paused until 14:30 (it is 12:30 in Shanghai) with a reason; lunch and overnight hours; two holidays."""
    return msgspec.structs.replace(
        sample_store(),
        status=StoreStatus(
            state=StoreState.PAUSED, until=FROZEN_NOW + timedelta(hours=2), reason="停气 gas off [b]"
        ),
        opening_hours=[OpeningHours(d, "10:00", "14:00") for d in range(5)]
        + [OpeningHours(d, "17:00", "02:00") for d in range(6)],
        hours_exceptions=[
            HoursException("2026-12-25", [], "Christmas 圣诞"),
            HoursException("2027-01-01", [TimeRange("12:00", "20:00")]),
        ],
    )


def sold_out_menu() -> Menu:
    cny = Money(3800, "CNY")
    return Menu(
        "store-1",
        3,
        "CNY",
        [
            Category(
                "hot",
                "热菜",
                [
                    Item(
                        "kung-pao",
                        "宫保鸡丁",
                        cny,
                        names=Names(zh="宫保鸡丁", en="Kung Pao Chicken"),
                        snooze_until=FROZEN_NOW + timedelta(hours=2),
                    ),
                    Item(
                        "mapo",
                        "麻婆豆腐",
                        cny,
                        status=Availability.UNAVAILABLE,
                        names=Names(zh="麻婆豆腐", en="Mapo Tofu [/]"),
                    ),
                    Item("secret", "Secret", cny, status=Availability.UNAVAILABLE, hidden=True),
                    Item("rice-bowl", "Rice bowl", cny),
                ],
            )
        ],
        [
            OptionGroup(
                "rice",
                "米饭",
                0,
                1,
                [
                    Option(
                        "rice-white",
                        "白米饭",
                        Money(200, "CNY"),
                        names=Names(zh="白米饭", en="White rice"),
                        snooze_until=FROZEN_NOW + timedelta(days=1),
                    )
                ],
            )
        ],
    )


def _app(store: Store, menu: Menu | None = None) -> MerchantApp:
    source = MemoryOrderSource(sample_entries(), store=store, menu=menu)
    return MerchantApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_store_screen(snap_compare, lang: str, size: tuple[int, int]) -> None:
    assert snap_compare(_app(store_with_hours()), terminal_size=size, press=["s"])


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_store_screen_busy_without_hours(snap_compare, lang: str, size: tuple[int, int]) -> None:
    busy = msgspec.structs.replace(
        sample_store(), status=StoreStatus(state=StoreState.BUSY, extra_minutes=15)
    )
    assert snap_compare(_app(busy), terminal_size=size, press=["s"])


def test_pause_prompt(snap_compare, lang: str) -> None:
    assert snap_compare(_app(store_with_hours()), terminal_size=(40, 15), press=["s", "p"])


@pytest.mark.parametrize("size", SIZES, ids=SIZE_IDS)
def test_queue_sold_out_line(snap_compare, lang: str, size: tuple[int, int]) -> None:
    assert snap_compare(_app(sample_store(), sold_out_menu()), terminal_size=size)
