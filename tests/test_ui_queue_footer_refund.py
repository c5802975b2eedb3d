"""The queue's footer at 40x15 keeps `$ Refund` on an order that takes one.

In Chinese `! 冲突` took the room of `$ 退款` on a ready order with a refused action waiting. The refund key now
ranks after the order's own steps and before `!` (whose count the status line keeps at every width): it shows
when it applies, and the order's own keys (accept on a new order, handoff on a ready takeout) stay.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import ConflictView, QueueEntry
from screens.widgets.footer import KeyFooter
from screens.widgets.order_list import OrderList
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _entries() -> list[QueueEntry]:
    return [
        QueueEntry(sample_order(42, OrderStatus.CREATED, minutes_ago=1)),
        QueueEntry(sample_order(41, OrderStatus.READY_FOR_PICKUP, minutes_ago=20)),  # a delivery: refund only
        QueueEntry(
            sample_order(40, OrderStatus.READY_FOR_PICKUP, minutes_ago=25, order_type=OrderType.TAKEOUT)
        ),
    ]


async def _footer_for(app: MerchantApp, pilot: object, order_id: str) -> list[str]:
    app.orders_screen.query_one(OrderList).select(order_id)
    await pilot.pause()  # type: ignore[attr-defined]
    await pilot.pause()  # type: ignore[attr-defined]
    return [entry.binding_id or "" for entry in app.screen.query_one(KeyFooter).layout_for()[1]]


async def test_refund_shows_at_40x15_beside_a_conflict_and_the_orders_own_keys_stay(lang: str) -> None:
    conflict = ConflictView("k1", "order.confirm", "accept", None, 39, "refused", FROZEN_NOW)
    source = MemoryOrderSource(_entries(), store=sample_store(), conflicts=[conflict])
    app = MerchantApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        new = await _footer_for(app, pilot, "ord-0042")
        assert {"queue.help", "queue.open", "queue.accept", "queue.quit"} <= set(new), new
        assert "queue.refund" not in new  # a new order takes no refund: nothing to show

        ready_delivery = await _footer_for(app, pilot, "ord-0041")
        assert "queue.refund" in ready_delivery, ready_delivery
        assert {"queue.help", "queue.open", "queue.quit"} <= set(ready_delivery)

        ready_takeout = await _footer_for(app, pilot, "ord-0040")
        assert "queue.handoff" in ready_takeout, ready_takeout  # its own step first
