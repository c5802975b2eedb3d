"""A care lead reconciles the day's refunds: `o2o report day` says "refunded today", all money given back that day
(a whole refund's delivery fee, a refund on an order cancelled later, one on an order placed the day before),
beside revenue's items-less-refunds, which stays as it was; in the JSON (a new field), the plain text and the CSV
(`--what money`). A report from a platform that does not say it (older) decodes and leaves the line out. And a
receipt of a paid order refunded in part and then cancelled says it was paid and what went back, not "not paid".
All on the real platform; its database is touched once, to make an order placed yesterday."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from o2o_tui import figures_text
from o2o_tui.domain.order import Order, OrderStatus, PaymentStatus
from o2o_tui.domain.report import DayReport
from o2o_tui.i18n import set_language
from o2o_tui.printing.decode import decode
from o2o_tui.printing.layout import receipt
from o2o_tui.printing.render import render
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


def _accepted(running: RunningPlatform, kind: str) -> dict[str, Any]:
    assert running.seed is not None
    placed = api(running, "customer").post("/v1/orders", order_body(running.seed.store_id, kind))
    assert placed.status_code == 201, placed.text
    order: dict[str, Any] = placed.json()
    answer = api(running, "merchant").post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 20})
    assert answer.status_code == 200, answer.text
    return order


def _refund(running: RunningPlatform, order: dict[str, Any], **body: object) -> dict[str, Any]:
    sent = {"id": uuid.uuid4().hex, "reason_code": "QUALITY", **body}
    answer = api(running, "merchant").post(f"/v1/orders/{order['id']}/refund", sent)
    assert answer.status_code == 200, answer.text
    refunded: dict[str, Any] = answer.json()
    return refunded


def _placed_yesterday(running: RunningPlatform, order_id: str) -> None:
    """The order as if placed a day earlier (column and document), as an order open across midnight is."""
    path = running.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        doc = json.loads(conn.execute("SELECT doc FROM orders WHERE id = ?", (order_id,)).fetchone()[0])
        created = datetime.fromisoformat(doc["created_at"].replace("Z", "+00:00")) - timedelta(days=1)
        doc["created_at"] = created.isoformat().replace("+00:00", "Z")
        column = created.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        conn.execute(
            "UPDATE orders SET created_at = ?, doc = ? WHERE id = ?", (column, json.dumps(doc).encode(), order_id)
        )


def _clear_of_the_stores_midnight(margin: timedelta = timedelta(minutes=2)) -> None:
    """Waits out the seeded store's midnight (Shanghai) when it is nearer than `margin`, so that the refunds
    and the reports counting them as today's fall on one store day."""
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    midnight = datetime.combine(now.date() + timedelta(days=1), datetime.min.time(), tzinfo=now.tzinfo)
    if midnight - now < margin:
        time.sleep((midnight - now).total_seconds() + 1)


def test_refunded_today_counts_every_refund_of_the_day(running: RunningPlatform, tmp_path: Path) -> None:
    assert running.seed is not None
    _clear_of_the_stores_midnight()
    whole = _accepted(running, "DELIVERY")  # refunded whole: its delivery fee went back too
    assert whole["totals"]["delivery_fee"]["amount"] > 0
    whole_back = _refund(running, whole, whole=True)["totals"]["refunded"]["amount"]
    assert whole_back == whole["totals"]["total"]["amount"]
    cancelled = _accepted(running, "TAKEOUT")  # a unit refunded, then the order cancelled
    unit = _refund(running, cancelled, lines=[{"line": 0, "quantity": 1}])["totals"]["refunded"]["amount"]
    answer = api(running, "merchant").post(f"/v1/orders/{cancelled['id']}/cancel", {"reason_code": "OUT_OF_STOCK"})
    assert answer.status_code == 200, answer.text
    older = _accepted(running, "TAKEOUT")  # placed yesterday, a unit refunded today, still open
    _refund(running, older, lines=[{"line": 0, "quantity": 1}])
    _placed_yesterday(running, older["id"])

    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    report = cli.json("report", "day")["report"]
    items = sum(line["total"]["amount"] for line in whole["lines"])
    back = cancelled["totals"]["total"]["amount"] - unit  # the rest of the paid order went back on cancel
    assert report["refunded_today"] == {"amount": whole_back + 2 * unit + back, "currency": "CNY"}
    # revenue as before: the items of the day's sales less the items given back on them
    assert report["refunds"]["amount"] == items and report["gross"]["amount"] == items
    assert report["revenue"]["amount"] == report["gross"]["amount"] - report["refunds"]["amount"]

    plain = cli("report", "day").stdout
    total = f"¥{(whole_back + 2 * unit + back) / 100:,.2f}"
    assert f"Refunded today {total}" in plain
    rows = list(csv.reader(io.StringIO(cli("report", "day", "--csv", "--what", "money").stdout.lstrip("\ufeff"))))
    assert rows[0][:6] == ["date", "gross", "refunds", "revenue", "refunded_today", "currency"]  # r1: vouchers, bounds after
    assert rows[1][4] == f"{(whole_back + 2 * unit + back) / 100:.2f}" and rows[1][5] == "CNY"


def test_a_report_without_the_figure_leaves_the_line_out() -> None:
    set_language("en")
    try:
        older = msgspec.json.decode(
            b'{"store_id":"s","date":"2026-12-06","timezone":"Asia/Shanghai","currency":"CNY",'
            b'"generated_at":"2026-12-06T09:00:00Z","refunds":{"amount":100,"currency":"CNY"}}',
            type=DayReport,
        )
        assert older.refunded_today is None
        lines = figures_text.summary_lines(older)
        assert len(lines) == 2 and not any("Refunded today" in line for line in lines)
    finally:
        set_language(None)


@pytest.mark.parametrize(("lang", "said", "wrong"), [
    ("en", "Cancelled: paid online, all ￥{amount} refunded", "Cancelled: not paid"),
    ("zh", "已取消：已在线支付，已全额退款 ￥{amount}", "已取消：无需支付"),
])  # fmt: skip
def test_a_receipt_of_an_order_refunded_in_part_then_cancelled(
    running: RunningPlatform, lang: str, said: str, wrong: str
) -> None:
    order = _accepted(running, "TAKEOUT")
    unit = _refund(running, order, lines=[{"line": 0, "quantity": 1}])["totals"]["refunded"]["amount"]
    answer = api(running, "merchant").post(f"/v1/orders/{order['id']}/cancel", {"reason_code": "OUT_OF_STOCK"})
    assert answer.status_code == 200, answer.text
    seen = msgspec.json.decode(api(running, "merchant").get(f"/v1/orders/{order['id']}").content, type=Order)
    assert seen.status is OrderStatus.CANCELLED and seen.payment.status is PaymentStatus.REFUNDED
    assert 0 < unit < seen.totals.total.amount  # a part refunded: the rest went back with the cancel
    set_language(lang)
    try:
        lines = decode(render(receipt(seen, None, datetime.now(UTC)))).lines
    finally:
        set_language(None)
    assert said.format(amount=f"{seen.totals.total.amount / 100:.2f}") in lines, lines  # all, not the unit
    assert wrong not in lines
