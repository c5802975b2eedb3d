"""Refunds after handoff (the complaint window), and two refund leftovers of the console.

- The rule (`o2o_tui.domain.refunds.refund_time`, `reason_fits`): an order handed off (delivered, picked up,
  served; concluded after it) takes a refund within `O2O_REFUND_WINDOW_DAYS` (3) of its end, for what went wrong
  (not CUSTOMER_REQUEST); a cancelled order or one with its courier never.
- The platform enforces it (409 `refund_window_closed`, 422 on `reason_code`), never more than paid, and a refund
  of an order whose personal data was purged goes through with its note blanked (the purge has passed it by).
- `o2o orders refund` and the console's detail (`$` offered within the window) follow.
- The console's `$` counts this device's queued refunds of the order as seen (`seen_refunds`, the CLI's helper):
  two different refunds queued offline both go through, the second is not stale.
- The console's detail of a paid order refunded in part and then cancelled says so, not "none".
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from sqlalchemy import select, update

from o2o_tui.cli.exits import Exit
from o2o_tui.config import Profile
from o2o_tui.domain.money import Money, format_money
from o2o_tui.domain.order import OrderStatus, OrderType, PaymentStatus
from o2o_tui.domain.refunds import (
    REFUNDS_MAX,
    Refund,
    RefundBody,
    RefundLine,
    RefundReason,
    RefundTime,
    plan_refund,
    reason_fits,
    refund_offered,
    refund_time,
    refund_window,
    seen_refunds,
)
from o2o_tui.i18n import set_language
from o2o_tui.platform import db
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens.detail_screen import DetailScreen
from screens.engine_source import EngineOrderSource
from screens.memory_source import MemoryOrderSource
from screens.refund_dialog import RefundDialog
from screens.source import QueueEntry
from screens.terminal import DEFAULT_THEME
from screens.widgets.order_detail import detail_content
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli
from tests.test_ui_live import CountingApp, _place, _server_order, profile, wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store

__all__ = ["profile"]  # the fixture, shared with test_ui_live

WINDOW = timedelta(days=3)


@pytest.fixture(autouse=True)
def default_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("O2O_REFUND_WINDOW_DAYS", raising=False)


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _handed_off(ended_ago: timedelta, status: OrderStatus = OrderStatus.DELIVERED) -> Any:
    order = sample_order(7, status, minutes_ago=40, order_type=OrderType.TAKEOUT)
    return msgspec.structs.replace(order, ended_at=FROZEN_NOW - ended_ago)


# --- the rule ---------------------------------------------------------------------------------------------------


def test_the_window_after_handoff_and_the_reasons_that_fit() -> None:
    assert refund_window() == WINDOW
    assert refund_window({"O2O_REFUND_WINDOW_DAYS": "7"}) == timedelta(days=7)
    assert refund_window({"O2O_REFUND_WINDOW_DAYS": "soon"}) == WINDOW
    fresh = _handed_off(timedelta(hours=2))
    assert refund_time(fresh, FROZEN_NOW, WINDOW) is RefundTime.AFTER_HANDOFF
    concluded = _handed_off(timedelta(days=2), OrderStatus.CONCLUDED)  # concluding keeps the handoff time
    assert refund_time(concluded, FROZEN_NOW, WINDOW) is RefundTime.AFTER_HANDOFF
    old = _handed_off(timedelta(days=3, seconds=1))
    assert refund_time(old, FROZEN_NOW, WINDOW) is RefundTime.WINDOW_CLOSED
    assert not refund_offered(old, FROZEN_NOW, WINDOW) and refund_offered(fresh, FROZEN_NOW, WINDOW)
    for status in (OrderStatus.CREATED, OrderStatus.DISPATCHED, OrderStatus.CANCELLED):
        assert refund_time(_handed_off(timedelta(0), status), FROZEN_NOW, WINDOW) is RefundTime.NOT_NOW
    cooking = sample_order(8, OrderStatus.PREPARING, minutes_ago=10)
    assert refund_time(cooking, FROZEN_NOW, WINDOW) is RefundTime.BEFORE_HANDOFF
    assert reason_fits(cooking, RefundReason.CUSTOMER_REQUEST)
    assert not reason_fits(fresh, RefundReason.CUSTOMER_REQUEST)
    assert all(reason_fits(fresh, reason) for reason in RefundReason if reason is not RefundReason.CUSTOMER_REQUEST)
    # the amount is the same arithmetic: lines without the fee, the whole with it, never more than paid
    whole = RefundBody(id="r1", reason_code=RefundReason.LATE, whole=True)
    assert plan_refund(fresh, whole)[0] == fresh.totals.total
    # what this person saw: the order's refunds and this device's queued ones (capped)
    assert seen_refunds(fresh, 2) == 2 and seen_refunds(fresh, REFUNDS_MAX + 3) == REFUNDS_MAX


# --- the platform -----------------------------------------------------------------------------------------------


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform", env={"O2O_JOB_INTERVAL_SECONDS": "0.2"})
    try:
        yield platform
    finally:
        platform.stop()


def _picked_up(running: RunningPlatform) -> tuple[dict[str, Any], str]:
    """A takeout order handed off at the counter (DELIVERED: picked up)."""
    assert running.seed is not None
    customer, merchant = api(running, "customer"), api(running, "merchant")
    placed = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    path = f"/v1/orders/{placed['id']}"
    assert merchant.post(path + "/confirm", {"preparation_minutes": 10}).status_code == 200
    assert merchant.post(path + "/ready").status_code == 200
    handed = merchant.post(path + "/handoff", {"code": placed["pickup_code"]})
    assert handed.json()["status"] == "DELIVERED", handed.text
    return placed, path


def _ended_ago(running: RunningPlatform, order_id: str, ago: timedelta) -> None:
    """Move the order's end `ago` into the past (its document and its column)."""
    ended = datetime.now(UTC) - ago
    engine = db.open_database(running.db_url)
    with engine.begin() as conn:
        doc = conn.execute(select(db.orders.c.doc).where(db.orders.c.id == order_id)).scalar_one()
        data = msgspec.json.decode(doc)
        data["ended_at"] = ended.isoformat()
        values = {"doc": msgspec.json.encode(data), "ended_at": db.iso(ended)}
        conn.execute(update(db.orders).where(db.orders.c.id == order_id).values(**values))
    engine.dispose()


def _refund(reason: str, **fields: Any) -> dict[str, Any]:
    import uuid

    return {"id": uuid.uuid4().hex, "reason_code": reason, **fields}


def test_the_platform_refunds_a_picked_up_order_within_the_window_for_what_went_wrong(
    running: RunningPlatform,
) -> None:
    placed, path = _picked_up(running)
    merchant = api(running, "merchant")
    line = placed["lines"][0]
    wish = merchant.post(path + "/refund", _refund("CUSTOMER_REQUEST", whole=True))
    assert (wish.status_code, wish.json()["error"]["field"]) == (422, "reason_code")
    part = merchant.post(path + "/refund", _refund("QUALITY", lines=[{"line": 0, "quantity": 1}]))
    assert part.status_code == 200, part.text
    assert part.json()["refunds"][0]["amount"]["amount"] == line["total"]["amount"] // line["quantity"]
    # stale and idempotent as before handoff
    stale = merchant.post(path + "/refund", _refund("LATE", whole=True, seen_refunds=0))
    assert stale.json()["error"]["code"] == "stale_refund"
    whole = merchant.post(path + "/refund", _refund("LATE", whole=True, seen_refunds=1)).json()
    assert whole["totals"]["refunded"] == placed["totals"]["total"]  # all that was paid, never more
    assert whole["payment"]["status"] == "REFUNDED"
    more = merchant.post(path + "/refund", _refund("STORE_ERROR", whole=True))
    assert more.json()["error"]["code"] == "refund_too_large"
    assert api(running, "customer").post(path + "/refund", _refund("QUALITY", whole=True)).status_code == 403

    late, late_path = _picked_up(running)
    _ended_ago(running, late["id"], timedelta(days=3, minutes=1))
    closed = merchant.post(late_path + "/refund", _refund("QUALITY", whole=True))
    assert (closed.status_code, closed.json()["error"]["code"]) == (409, "refund_window_closed")
    assert merchant.get(late_path).json()["refunds"] == []


def test_a_refund_after_the_personal_data_purge_goes_through_and_keeps_no_note(running: RunningPlatform) -> None:
    placed, path = _picked_up(running)
    merchant = api(running, "merchant")
    _ended_ago(running, placed["id"], timedelta(hours=6) - timedelta(seconds=1))  # the purge takes it next
    deadline = time.monotonic() + 20
    while merchant.get(path).json()["customer"]["name"] and time.monotonic() < deadline:
        time.sleep(0.2)
    assert merchant.get(path).json()["customer"]["name"] == ""  # purged
    made = merchant.post(path + "/refund", _refund("OTHER", note="王小明 13912345678 said cold", whole=True))
    assert made.status_code == 200, made.text
    refund = made.json()["refunds"][0]
    assert (refund["note"], refund["reason_code"]) == ("", "OTHER")  # the purge passed it by: none kept
    assert refund["amount"] == placed["totals"]["total"]


# --- the CLI ----------------------------------------------------------------------------------------------------


@pytest.fixture
def one_day(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[RunningPlatform]:
    """A platform whose window is a day (`O2O_REFUND_WINDOW_DAYS`), and the devices reading the same variable:
    an order ended two days ago is still in their caches (pruned after 3)."""
    monkeypatch.setenv("O2O_REFUND_WINDOW_DAYS", "1")
    platform = start_platform(tmp_path / "platform", env={"O2O_REFUND_WINDOW_DAYS": "1"})
    try:
        yield platform
    finally:
        platform.stop()


def test_the_cli_refunds_after_handoff_within_the_window_only(one_day: RunningPlatform, tmp_path: Path) -> None:
    running = one_day
    assert running.seed is not None
    placed, path = _picked_up(running)
    late, _ = _picked_up(running)
    _ended_ago(running, late["id"], timedelta(days=2))
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once")

    wish = cli("orders", "refund", placed["id"], "--all", "--reason", "CUSTOMER_REQUEST", code=Exit.REJECTED)
    assert "was handed off: say what went wrong" in wish.stderr
    done = cli.json("orders", "refund", placed["id"], "--line", "1:1", "--reason", "QUALITY")
    assert done["outcome"] == "done"
    again = cli.json("orders", "refund", placed["id"], "--all", "--reason", "LATE")  # the rest, fee included
    assert again["order"]["payment"]["status"] == "REFUNDED"
    closed = cli("orders", "refund", late["id"], "--all", "--reason", "QUALITY", code=Exit.REJECTED)
    assert "was handed off more than a day ago" in closed.stderr
    assert cli.json("conflicts", "list") == [] and cli.json("sync", "status")["pending"] == 0  # nothing queued
    assert len(api(running, "merchant").get(path).json()["refunds"]) == 2


# --- the console ------------------------------------------------------------------------------------------------


def _app(*entries: QueueEntry) -> CountingApp:
    source = MemoryOrderSource(list(entries), store=sample_store())
    return CountingApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)


async def test_the_detail_offers_a_refund_of_an_ended_order_within_the_window(english: None) -> None:
    from textual.widgets._footer import FooterKey

    fresh, old = _handed_off(timedelta(hours=5)), _handed_off(timedelta(days=4))
    old = msgspec.structs.replace(old, id="ord-old", number=8)
    app = _app(QueueEntry(fresh), QueueEntry(old))
    source = app.source
    assert isinstance(source, MemoryOrderSource)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DetailScreen(fresh.id))
        await pilot.pause()
        assert "refund" in {key.action for key in app.screen.query(FooterKey)}
        await pilot.press("dollar_sign")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RefundDialog)
        assert "handed off: refunds until" in str(dialog.query_one("#window").render())
        await pilot.press("1", "enter", "4")  # "the customer asked": not after handoff
        await pilot.pause()
        assert dialog.reason is None and "choose what went wrong" in str(dialog.query_one("#error").render())
        await pilot.press("2", "enter")  # quality
        await pilot.pause()
        [(action, _, body)] = source.submitted
        assert action == "order.refund" and isinstance(body, RefundBody)
        assert (body.reason_code, body.lines[0].quantity) == (RefundReason.QUALITY, 2)
        await pilot.press("escape")
        await pilot.pause()

        app.push_screen(DetailScreen(old.id))
        await pilot.pause()
        assert "refund" not in {key.action for key in app.screen.query(FooterKey)}
        await pilot.press("dollar_sign")  # not offered, pressed anyway: says why
        await pilot.pause()
        assert not isinstance(app.screen, RefundDialog) and len(source.submitted) == 1


async def test_the_dialog_counts_this_devices_queued_refunds_as_seen(english: None) -> None:
    order = sample_order(9, OrderStatus.PREPARING, minutes_ago=10)
    made = Refund(id="r0", amount=Money(200, "CNY"), reason_code="LATE", lines=[RefundLine(1, 1, Money(200, "CNY"))])
    order = msgspec.structs.replace(order, refunds=[made])
    app = _app(QueueEntry(order, pending=("order.refund", "order.ready", "order.refund")))
    source = app.source
    assert isinstance(source, MemoryOrderSource)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("dollar_sign", "1", "enter", "2", "enter")
        await pilot.pause()
        [(_, _, body)] = source.submitted
        assert isinstance(body, RefundBody) and body.seen_refunds == 3  # one made, two queued here before it


async def test_two_refunds_queued_offline_from_the_console_both_go_through(
    platform: RunningPlatform, profile: Profile
) -> None:
    placed = await asyncio.to_thread(_place, platform, type="TAKEOUT", address=None)
    path = f"/v1/orders/{placed['id']}"
    merchant = api(platform, "merchant")
    try:
        await asyncio.to_thread(merchant.post, path + "/confirm", {"preparation_minutes": 15})
    finally:
        merchant.close()
    with FaultProxy(platform.port) as proxy:
        via_proxy = msgspec.structs.replace(profile, url=f"http://127.0.0.1:{proxy.port}")
        cache = open_cache(via_proxy)
        client = make_client(via_proxy, timeout=2.0)
        engine = make_engine(via_proxy, cache, client, poll_wait=0.5, backoff_cap=0.5)
        app = CountingApp(EngineOrderSource(engine, cache, client, via_proxy.store_id or ""))
        async with app.run_test(size=(80, 24)) as pilot:
            queue = app.orders_screen.queue
            await wait_until(pilot, lambda: queue.entry(placed["id"]) is not None)
            proxy.drop()
            await wait_until(pilot, lambda: app.source.link().state.value == "OFFLINE")
            queue.select(placed["id"])
            await pilot.press("dollar_sign", "1", "minus", "enter", "1", "enter")  # one unit of line 1
            await wait_until(pilot, lambda: app.source.link().pending == 1)
            await pilot.press("dollar_sign", "1", "minus", "enter", "2", "enter")  # the other unit: another refund
            await wait_until(pilot, lambda: app.source.link().pending == 2)
            proxy.pass_through()
            await wait_until(pilot, lambda: app.source.link().pending == 0)
            await pilot.pause(0.3)
            assert app.source.conflicts() == []
            server = await asyncio.to_thread(_server_order, platform, placed["id"])
            parts = [[(line["line"], line["quantity"]) for line in r["lines"]] for r in server["refunds"]]
            assert parts == [[(0, 1)], [(0, 1)]]  # the second was not refused as stale


# --- the detail's payment words ---------------------------------------------------------------------------------


def test_a_paid_order_refunded_in_part_then_cancelled_says_so(english: None) -> None:
    order = sample_order(11, OrderStatus.CANCELLED, minutes_ago=30)
    made = Refund(id="r0", amount=Money(1800, "CNY"), reason_code="ITEM_UNAVAILABLE")
    paid = msgspec.structs.replace(order.payment, status=PaymentStatus.PAID)
    totals = msgspec.structs.replace(order.totals, refunded=Money(1800, "CNY"))
    refunded = msgspec.structs.replace(order, refunds=[made], payment=paid, totals=totals)
    text = detail_content(QueueEntry(refunded), FROZEN_NOW).plain
    total = format_money(order.totals.total)  # the rest went back with the cancel, so all of it
    assert f"Payment: paid online, all {total} refunded (order cancelled)" in text and "none" not in text
    plain = msgspec.structs.replace(order, payment=paid)
    assert f"Payment: paid online, all {total} refunded" in detail_content(QueueEntry(plain), FROZEN_NOW).plain
    set_language("zh")
    assert f"已在线支付，已全额退款 {total}" in detail_content(QueueEntry(refunded), FROZEN_NOW).plain
