"""Three platform defects, on the real reference server:

- a paid order cancelled (by the store, refused, or by the customer) had its money go back, yet its payment kept
  saying PAID: it says REFUNDED from the cancel on (one not paid yet stays PENDING), and the day's "refunded today",
  `o2o orders show --json`, the console's detail and the receipt still read it right;
- a PATCH with only `snooze_until` on an item (or option) already UNAVAILABLE was taken and never ended: it is a
  422 on `snooze_until` that says to send status AVAILABLE with it; a PATCH of status UNAVAILABLE alone ends the
  snooze the item had (the two never sit together);
- a past day's report looked back for refunds by the refund window of now: with the window shortened later, a
  refund made that day on an order handed off days before it was missing from that day's "refunded today".
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import httpx
import msgspec
import pytest

from o2o_tui.domain.money import format_money
from o2o_tui.domain.order import Order, OrderStatus, PaymentStatus
from o2o_tui.i18n import set_language
from o2o_tui.printing.layout import payment_words
from tests.support.platform import Api, RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path_factory.mktemp("platform"))
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def merchant(running: RunningPlatform) -> Iterator[Api]:
    client = api(running, "merchant")
    yield client
    client.close()


@pytest.fixture
def customer(running: RunningPlatform) -> Iterator[Api]:
    client = api(running, "customer")
    yield client
    client.close()


def _placed(running: RunningPlatform, customer: Api, kind: str = "TAKEOUT") -> dict[str, Any]:
    assert running.seed is not None
    answer = customer.post("/v1/orders", order_body(running.seed.store_id, kind))
    assert answer.status_code == 201, answer.text
    placed: dict[str, Any] = answer.json()
    return placed


def _ok(answer: httpx.Response) -> dict[str, Any]:
    assert answer.status_code == 200, answer.text
    body: dict[str, Any] = answer.json()
    return body


# --- 1. a paid order cancelled: its payment reads REFUNDED -------------------------------------------------------


def test_a_paid_order_cancelled_reads_refunded_and_every_reader_still_says_it_right(
    running: RunningPlatform, merchant: Api, customer: Api, tmp_path: Path
) -> None:
    assert running.seed is not None
    day_path = f"/v1/stores/{running.seed.store_id}/reports/day"
    first = _ok(merchant.get(day_path))
    before = first["refunded_today"]["amount"]
    part = _placed(running, customer, "DELIVERY")  # accepted, a unit refunded, then cancelled by the store
    path = f"/v1/orders/{part['id']}"
    _ok(merchant.post(path + "/confirm", {"preparation_minutes": 10}))
    refund = {"id": uuid.uuid4().hex, "reason_code": "QUALITY", "lines": [{"line": 0, "quantity": 1}]}
    unit = _ok(merchant.post(path + "/refund", refund))["totals"]["refunded"]["amount"]
    assert 0 < unit < part["totals"]["total"]["amount"]
    gone = _ok(merchant.post(path + "/cancel", {"reason_code": "OUT_OF_STOCK"}))
    assert gone["status"] == "CANCELLED" and gone["payment"]["status"] == "REFUNDED"
    assert gone["totals"]["refunded"]["amount"] == unit  # the refunds only: the rest went back with the cancel
    again = _ok(merchant.post(path + "/cancel", {"reason_code": "OUT_OF_STOCK"}))  # a replay changes nothing
    assert again["payment"]["status"] == "REFUNDED" and again["version"] == gone["version"]

    refused = _placed(running, customer)  # refused by the store
    said = _ok(merchant.post(f"/v1/orders/{refused['id']}/reject", {"reason_code": "CLOSING_SOON"}))
    assert said["payment"]["status"] == "REFUNDED"
    own = _placed(running, customer)  # cancelled by the customer while it rang
    said = _ok(customer.post(f"/v1/orders/{own['id']}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"}))
    assert said["payment"]["status"] == "REFUNDED"
    live = _placed(running, customer)  # a live order is still PAID
    assert _ok(merchant.get(f"/v1/orders/{live['id']}"))["payment"]["status"] == "PAID"

    # the day's books: the refund, the rest of the first order with its cancel, the other two whole
    report = _ok(merchant.get(day_path))
    refunded = report["refunded_today"]["amount"]
    if report["date"] != first["date"]:  # the store's midnight passed meanwhile: the day before has the rest
        refunded += _ok(merchant.get(day_path, date=first["date"]))["refunded_today"]["amount"]
    whole = sum(order["totals"]["total"]["amount"] for order in (part, refused, own))
    assert refunded - before == whole

    # a script reads it as the platform says it
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    assert cli.json("orders", "show", part["id"])["payment"]["status"] == "REFUNDED"

    # the console and the receipt: all of it went back, never "not paid" nor only the unit
    seen = msgspec.json.decode(merchant.get(path).content, type=Order)
    assert seen.status is OrderStatus.CANCELLED and seen.payment.status is PaymentStatus.REFUNDED
    total = format_money(seen.totals.total)
    from screens.source import QueueEntry
    from screens.widgets.order_detail import detail_content

    set_language("en")
    try:
        text = detail_content(QueueEntry(order=seen), datetime.now(UTC)).plain
        line = next(line.strip() for line in text.splitlines() if line.strip().startswith("Payment"))
        assert line == f"Payment: paid online, all {total} refunded (order cancelled)"
        assert payment_words(seen) == f"Cancelled: paid online, all {total.replace('¥', '￥')} refunded"
    finally:
        set_language(None)


# --- 2. a snooze never sits on UNAVAILABLE ----------------------------------------------------------------------


def _entity(menu: dict[str, Any], kind: str, entity_id: str) -> dict[str, Any]:
    if kind == "items":
        found = [i for c in menu["categories"] for i in c["items"] if i["id"] == entity_id]
    else:
        found = [o for g in menu["option_groups"] for o in g["options"] if o["id"] == entity_id]
    assert found
    entity: dict[str, Any] = found[0]
    return entity


@pytest.mark.parametrize(("kind", "entity_id"), [("items", "kung-pao-chicken"), ("options", "spice-mild")])
def test_a_snooze_alone_on_an_unavailable_item_is_refused_and_unavailable_ends_a_snooze(
    running: RunningPlatform, merchant: Api, kind: str, entity_id: str
) -> None:
    assert running.seed is not None
    menu_path = f"/v1/stores/{running.seed.store_id}/menu"
    path = f"{menu_path}/{kind}/{entity_id}"
    until = (datetime.now(UTC) + timedelta(hours=2)).replace(microsecond=0)
    try:
        _ok(merchant.patch(path, {"status": "UNAVAILABLE", "clear_snooze": True}))
        version = _ok(merchant.get(menu_path))["version"]
        refused = merchant.patch(path, {"snooze_until": until.isoformat()})
        assert refused.status_code == 422, refused.text
        error = refused.json()["error"]
        assert (error["code"], error["field"]) == ("validation", "snooze_until")
        assert "UNAVAILABLE" in error["message"] and "status AVAILABLE" in error["message"]
        menu = _ok(merchant.get(menu_path))
        assert menu["version"] == version  # nothing changed
        assert _entity(menu, kind, entity_id)["status"] == "UNAVAILABLE"
        assert _entity(menu, kind, entity_id).get("snooze_until") is None

        # what the consoles and `o2o menu` send for a sell-out: status AVAILABLE with the time
        sell_out = {"status": "AVAILABLE", "snooze_until": until.isoformat()}
        sold_out = _entity(_ok(merchant.patch(path, sell_out)), kind, entity_id)
        assert sold_out["status"] == "AVAILABLE" and sold_out["snooze_until"] is not None
        # on an available item, a snooze alone is a sell-out, as before
        later = (until + timedelta(hours=1)).isoformat()
        assert _entity(_ok(merchant.patch(path, {"snooze_until": later})), kind, entity_id)["status"] == "AVAILABLE"
        # UNAVAILABLE sent alone on a snoozed item: no restore time, so the snooze ends with it
        made = _entity(_ok(merchant.patch(path, {"status": "UNAVAILABLE"})), kind, entity_id)
        assert made["status"] == "UNAVAILABLE" and made.get("snooze_until") is None
    finally:
        _ok(merchant.patch(path, {"status": "AVAILABLE", "clear_snooze": True}))


# --- 3. a past day's report counts that day's refunds whatever the window is now ----------------------------------


def _shift(running: RunningPlatform, order_id: str, days: float) -> None:
    """Every time of the order (columns and document, its refunds' too) `days` earlier."""

    def earlier(text: str) -> str:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00")) - timedelta(days=days)
        return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")

    path = running.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as conn:
        row = conn.execute("SELECT doc, created_at, updated_at, ended_at FROM orders WHERE id = ?", (order_id,))
        doc_text, created, updated, ended = row.fetchone()
        doc = json.loads(doc_text)
        for key in ("created_at", "confirmed_at", "ready_at", "ended_at", "accept_deadline", "promised_ready_at"):
            if doc.get(key):
                doc[key] = earlier(doc[key])
        for refund in doc.get("refunds", []):
            refund["at"] = earlier(refund["at"])
        conn.execute(
            "UPDATE orders SET created_at = ?, updated_at = ?, ended_at = ?, doc = ? WHERE id = ?",
            (earlier(created), earlier(updated), earlier(ended), json.dumps(doc).encode(), order_id),
        )


def test_a_past_days_report_keeps_its_refunds_when_the_window_is_shortened(tmp_path: Path) -> None:
    platform = start_platform(tmp_path / "platform", env={"O2O_REFUND_WINDOW_DAYS": "10"})
    try:
        assert platform.seed is not None
        store = platform.seed.store_id
        merchant, customer = api(platform, "merchant"), api(platform, "customer")
        placed = _placed(platform, customer)
        path = f"/v1/orders/{placed['id']}"
        _ok(merchant.post(path + "/confirm", {"preparation_minutes": 5}))
        _ok(merchant.post(path + "/ready"))
        _ok(merchant.post(path + "/handoff", {"code": placed["pickup_code"]}))
        _shift(platform, placed["id"], 6)  # handed off six days ago, within the 10-day window
        refund = {"id": uuid.uuid4().hex, "reason_code": "QUALITY", "lines": [{"line": 0, "quantity": 1}]}
        back = _ok(merchant.post(path + "/refund", refund))["totals"]["refunded"]["amount"]
        assert back > 0
        merchant.close()
        customer.close()
        _shift(platform, placed["id"], 2)  # and that refund was made two days ago (handed off eight days ago)
        zone = ZoneInfo(_ok(api(platform, "merchant").get(f"/v1/stores/{store}"))["timezone"])
        with sqlite3.connect(platform.db_url.removeprefix("sqlite:///")) as conn:
            doc = json.loads(conn.execute("SELECT doc FROM orders WHERE id = ?", (placed["id"],)).fetchone()[0])
        made = datetime.fromisoformat(doc["refunds"][0]["at"].replace("Z", "+00:00"))
        day = made.astimezone(zone).date().isoformat()

        def refunded(day: str) -> int:
            reader = api(platform, "merchant")
            try:
                report = _ok(reader.get(f"/v1/stores/{store}/reports/day", date=day))
            finally:
                reader.close()
            amount: int = report["refunded_today"]["amount"]
            return amount

        assert refunded(day) == back
        platform.env["O2O_REFUND_WINDOW_DAYS"] = "1"  # shortened later: a day after handoff from now on
        platform.restart()
        assert refunded(day) == back  # that day's refund still counts on that day
        # and no other day's: the handoff day is eight days ago, not the refund's
        assert refunded((made - timedelta(days=6)).astimezone(zone).date().isoformat()) == 0
    finally:
        platform.stop()
