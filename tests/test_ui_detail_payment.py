"""The order detail's payment line says a cancelled paid order's money went back: an older platform kept a cancelled
order's payment status as it was (PAID; now REFUNDED), and the detail said "paid". The receipt says the same (printing/layout.py). With a
real order cancelled on the real platform."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import msgspec
import pytest

from o2o_tui.domain.money import format_money
from o2o_tui.domain.order import Order
from o2o_tui.i18n import set_language
from screens.source import QueueEntry
from screens.widgets.order_detail import detail_content
from tests.support.platform import RunningPlatform, api, order_body


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _order(running: RunningPlatform, order_id: str) -> Order:
    merchant = api(running, "merchant")
    try:
        return msgspec.json.decode(merchant.get(f"/v1/orders/{order_id}").content, type=Order)
    finally:
        merchant.close()


def _payment_line(order: Order) -> str:
    text = detail_content(QueueEntry(order=order), datetime.now(UTC)).plain
    return next(line.strip() for line in text.splitlines() if line.strip().startswith(("Payment", "支付")))


def test_a_cancelled_order_reads_paid_nothing_and_a_live_one_paid(shared_platform: RunningPlatform) -> None:
    assert shared_platform.seed is not None
    customer = api(shared_platform, "customer")
    try:
        live = customer.post("/v1/orders", order_body(shared_platform.seed.store_id)).json()
        gone = customer.post("/v1/orders", order_body(shared_platform.seed.store_id)).json()
        answer = customer.post(f"/v1/orders/{gone['id']}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
        assert answer.status_code == 200, answer.text
    finally:
        customer.close()
    assert _payment_line(_order(shared_platform, live["id"])) == "Payment: paid"
    cancelled = _order(shared_platform, gone["id"])
    assert cancelled.payment.status.value == "REFUNDED"  # its money went back with the cancel
    total = format_money(cancelled.totals.total)  # paid online, all of it went back with the cancel
    assert _payment_line(cancelled) == f"Payment: paid online, all {total} refunded (order cancelled)"
    set_language("zh")
    assert _payment_line(cancelled) == f"支付：已在线支付，已全额退款 {total}（订单已取消）"  # full-width colon, brackets
