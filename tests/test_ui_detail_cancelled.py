"""The console's order detail and rows, read the way `o2o orders show` reads an order, in English and Chinese.

- A cancelled order's detail says who cancelled it and why (the CLI's reason words, `figures_text.reason_name`) and
  no longer shows its pickup code: the platform gives a freed code to a new order (`Order.usable_pickup_code`, the
  CLI's rule too). It showed `取餐码: 3818` and never said the store had cancelled it.
- In Chinese a label's colon and brackets are full-width, from the catalog (`下单：11:16（5 分钟前）`, was
  `下单: 11:16 (5分)`); an age over an hour reads `1 小时 5 分` in the detail and `1:05` in a row's clock column
  (was `1时05`); a row's items are joined with `、`.

With real orders from the real platform (shared server on a loopback port).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from o2o_tui.cli.orders import usable_pickup_code
from o2o_tui.domain.order import Order
from o2o_tui.i18n import set_language
from screens import order_format as fmt
from screens.source import QueueEntry
from screens.widgets.order_detail import detail_content
from tests.support.platform import Api, RunningPlatform, api, order_body


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def merchant(shared_platform: RunningPlatform) -> Iterator[Api]:
    client = api(shared_platform, "merchant")
    yield client
    client.close()


def _new_order(running: RunningPlatform, **overrides: Any) -> str:
    assert running.seed is not None
    customer = api(running, "customer")
    try:
        answer = customer.post("/v1/orders", order_body(running.seed.store_id, **overrides))
        assert answer.status_code in (200, 201), answer.text
        order_id: str = answer.json()["id"]
        return order_id
    finally:
        customer.close()


def _order(merchant: Api, order_id: str) -> Order:
    return msgspec.json.decode(merchant.get(f"/v1/orders/{order_id}").content, type=Order)


def _detail(order: Order, now: datetime | None = None) -> str:
    return detail_content(QueueEntry(order=order), now or datetime.now(UTC), ZoneInfo("UTC")).plain


def _post(merchant: Api, path: str, body: object) -> None:
    answer = merchant.post(path, body)
    assert answer.status_code == 200, answer.text


def test_a_cancelled_order_says_who_and_why_and_hides_its_pickup_code(
    shared_platform: RunningPlatform, merchant: Api
) -> None:
    live_id, gone_id = _new_order(shared_platform), _new_order(shared_platform)
    for order_id in (live_id, gone_id):
        _post(merchant, f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 15})
    _post(merchant, f"/v1/orders/{gone_id}/cancel", {"reason_code": "OTHER"})
    live, gone = _order(merchant, live_id), _order(merchant, gone_id)
    assert gone.pickup_code and gone.status.value == "CANCELLED"  # the platform still sends the code

    assert f"Pickup code: {live.pickup_code}" in _detail(live)
    assert "Cancelled by" not in _detail(live)
    text = _detail(gone)
    assert "Cancelled by the store: Other" in text.splitlines()[1], text  # right under the status
    assert "Pickup code" not in text and gone.pickup_code not in text, text
    assert usable_pickup_code(gone) is None and usable_pickup_code(live) == live.pickup_code  # the CLI's rule
    set_language("zh")
    text = _detail(gone)
    assert text.splitlines()[1] == "商家取消：其他", text
    assert "取餐码" not in text, text


def test_a_customers_cancellation_reads_in_the_clis_reason_words(
    shared_platform: RunningPlatform, merchant: Api
) -> None:
    order_id = _new_order(shared_platform)
    customer = api(shared_platform, "customer")
    try:
        answer = customer.post(f"/v1/orders/{order_id}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
        assert answer.status_code == 200, answer.text
    finally:
        customer.close()
    order = _order(merchant, order_id)
    assert "Cancelled by the customer: Customer changed their mind" in _detail(order)
    set_language("zh")
    assert "顾客取消：顾客改变主意" in _detail(order)


def test_chinese_labels_take_full_width_punctuation_and_ages_read_as_words(
    shared_platform: RunningPlatform, merchant: Api
) -> None:
    line = {
        "item_id": "kung-pao-chicken",
        "quantity": 1,
        "option_ids": ["spice-mild", "rice-white"],
        "note": "少辣",
    }
    order = _order(merchant, _new_order(shared_platform, note="不要香菜", lines=[line]))
    # as placed at 11:16 UTC: 65 minutes after a real time past 22:55 is the next day ("yesterday 23:30")
    placed_at = order.created_at.astimezone(UTC).replace(hour=11, minute=16)
    order = msgspec.structs.replace(order, created_at=placed_at)
    later = order.created_at + timedelta(minutes=65)
    at = order.created_at.astimezone(UTC).strftime("%H:%M")
    assert f"Placed: {at} (1 h 5 min ago)" in _detail(order, later)
    assert f"Placed: {at} (0 min ago)" in _detail(order, order.created_at)
    set_language("zh")
    text = _detail(order, later)
    assert f"下单：{at}（1 小时 5 分前）" in text, text
    assert "订单备注：不要香菜" in text and "支付：已支付" in text, text
    assert "   备注：少辣" in text.splitlines(), text  # a line's note, under its line
    ascii_after_chinese = [line for line in text.splitlines() if re.search(r"[\u4e00-\u9fff][:(]", line)]
    assert not ascii_after_chinese, ascii_after_chinese


def test_chinese_rows_read_hours_as_the_countdown_does_and_join_items_with_a_comma_of_enumeration(
    shared_platform: RunningPlatform, merchant: Api
) -> None:
    lines = [
        {"item_id": "kung-pao-chicken", "quantity": 2, "option_ids": ["spice-mild", "rice-white"]},
        {"item_id": "rice", "quantity": 1, "option_ids": []},
    ]
    order = _order(merchant, _new_order(shared_platform, lines=lines))
    assert fmt.items_summary(order) == "宫保鸡丁 Kung Pao Chicken×2, 米饭 Steamed Rice"
    assert (fmt.minutes_text(65), fmt.minutes_text(-75), fmt.minutes_text(5)) == ("1h05", "-1h15", "5m")
    set_language("zh")
    assert fmt.items_summary(order) == "宫保鸡丁 Kung Pao Chicken×2、米饭 Steamed Rice"
    assert (fmt.minutes_text(65), fmt.minutes_text(-75), fmt.minutes_text(5)) == ("1时05", "-75分", "5分")
    assert fmt.age_text(order, order.created_at + timedelta(minutes=65)) == "1时05"
