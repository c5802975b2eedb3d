"""Orders cancelled because nobody answered them in time, many in one change (a rush, one sync): one toast that
counts them and names the first few, not a toast each that pushed each other off the screen (at 40x15 one or two
fit). One order keeps its own words; only orders this console showed live are announced."""

from __future__ import annotations

from collections.abc import Iterable, Iterator

import msgspec
import pytest
from rich.cells import cell_len
from textual.widgets._toast import Toast

from o2o_tui.domain.order import Order, OrderStatus, Party
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import QueueEntry, SourceChange
from screens.widgets.folded_text import toast_width
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


class BatchSource(MemoryOrderSource):
    """Puts many orders in one change, as one sync brings them."""

    def put_all(self, orders: Iterable[Order]) -> None:
        ids = set()
        for order in orders:
            self._entries[order.id] = QueueEntry(order)
            ids.add(order.id)
        self._emit(SourceChange(order_ids=frozenset(ids)))


class QuietApp(MerchantApp):
    def bell(self) -> None:
        pass


def _new(number: int) -> Order:
    return sample_order(number, OrderStatus.CREATED, minutes_ago=4)


def _timed_out(number: int) -> Order:
    order = sample_order(number, OrderStatus.CANCELLED, minutes_ago=6)
    return msgspec.structs.replace(
        order,
        cancel_reason_code="ACCEPT_TIMEOUT",
        cancelled_by=Party.PLATFORM,
        ended_at=FROZEN_NOW,
        version=3,
    )


def _toasts(app: MerchantApp) -> list[str]:
    return [str(notification.message) for notification in app._notifications]


def _screen_text(app: MerchantApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def test_one_order_timing_out_keeps_its_words_and_twelve_at_once_share_one_toast() -> None:
    said: list[str] = []
    source = BatchSource([QueueEntry(_timed_out(2))], store=sample_store())  # ended before the console opened
    app = QuietApp(source, clock=lambda: FROZEN_NOW)
    app.say = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        source.put_all(_new(number) for number in range(3, 16))  # #0003 .. #0015 shown live
        await pilot.pause()
        source.put_all([_timed_out(3)])
        await pilot.pause()
        assert said == ["Order #0003 was cancelled: no answer in time."]
        # twelve at once, out of number order, with one more that timed out before the console opened
        source.put_all(
            [_timed_out(number) for number in (15, 9, 4, 5, 6, 7, 8, 10, 11, 12, 13, 14)] + [_timed_out(2)]
        )
        await pilot.pause()
        assert said[1:] == ["12 orders cancelled, no answer in time: #0004, #0005, #0006, +9 more"]
        assert (
            _screen_text(app).count("No answer in time") == 14
        )  # every one of them under Done, with the reason


@pytest.mark.parametrize(
    ("language", "count", "more"), [("en", "12 orders cancelled", "+9 more"), ("zh", "12 单已取消", "另有 9 单")]
)
async def test_twelve_timed_out_at_40x15_one_toast_that_keeps_the_count(
    language: str, count: str, more: str
) -> None:
    set_language(language)
    source = BatchSource([QueueEntry(_new(number)) for number in range(1, 13)], store=sample_store())
    app = QuietApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        await pilot.pause()
        source.put_all(_timed_out(number) for number in range(1, 13))
        await pilot.pause()
        await pilot.pause()
        toasts = _toasts(app)
        assert len(toasts) == 1, toasts
        toast = toasts[0]
        assert toast.startswith(count) and more in toast.replace("\n", "") and "…" not in toast
        assert all(cell_len(line) <= toast_width(40) for line in toast.split("\n"))
        await wait_until(pilot, lambda: len(app.screen.query(Toast)) == 1)
        await pilot.pause()
        rows = _screen_text(app).split("\n")
        assert any(row.startswith(f"▌ {count}") for row in rows), rows  # on the screen, whole
        assert "#0001" in _screen_text(app)  # the queue's rows still in sight above it
