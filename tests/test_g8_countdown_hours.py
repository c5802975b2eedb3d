"""A new order's time left to accept over an hour (a platform with a long accept timeout,
O2O_ACCEPT_TIMEOUT_SECONDS=86400) reads as hours and minutes, `23h38` (zh `23时38`, `23时` where that is too wide
for the column), never `23:38`, which reads as a clock time; under an hour it stays `m:ss`. The queue at 80x24 and
40x15 (memory source, frozen clock)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import msgspec
import pytest
from rich.cells import cell_len

from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from screens import order_format as fmt
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import QueueEntry
from screens.terminal import DEFAULT_THEME
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store

LEFT = timedelta(hours=23, minutes=38, seconds=20)


@pytest.fixture
def language() -> Iterator[None]:
    yield
    set_language(None)


def _new_order(left: timedelta) -> QueueEntry:
    order = sample_order(42, OrderStatus.CREATED, minutes_ago=22)
    return QueueEntry(msgspec.structs.replace(order, accept_deadline=FROZEN_NOW + left))


def test_a_countdown_over_an_hour_reads_as_hours_never_as_a_clock(language: None) -> None:
    entry = _new_order(LEFT)
    set_language("en")
    assert fmt.clock_text(entry.order, FROZEN_NOW) == "23h38"
    assert fmt.countdown_text(3600) == "1h00" and fmt.countdown_text(59 * 60 + 59) == "59:59"
    set_language("zh")
    assert fmt.clock_text(entry.order, FROZEN_NOW) == "23时"  # `23时38` is a cell wider than the column
    assert fmt.countdown_text(3 * 3600 + 5 * 60) == "3时05"
    for seconds in range(3600, 24 * 3600, 599):
        for lang in ("en", "zh"):
            set_language(lang)
            text = fmt.countdown_text(seconds)
            assert ":" not in text and cell_len(text) <= fmt.columns_for(40).clock, (lang, seconds, text)


@pytest.mark.parametrize(("size", "lang", "shown"), [((80, 24), "en", "23h38"), ((40, 15), "zh", "23时")])
async def test_the_queue_shows_the_long_countdown_as_hours(
    language: None, size: tuple[int, int], lang: str, shown: str
) -> None:
    set_language(lang)
    source = MemoryOrderSource([_new_order(LEFT)], store=sample_store())
    app = MerchantApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        strips = app.screen._compositor.render_strips()  # what the terminal shows (as tests/test_ui_queue.py)
        screen = "\n".join("".join(segment.text for segment in strip) for strip in strips)
        row = next(line for line in screen.splitlines() if "0042" in line)
        assert row.lstrip().startswith(shown), row
        assert "23:38" not in screen
