"""Small things the console and the CLI now say, on the real platform (loopback server, the real caches):

- `o2o orders show` names a queued action in the console's words ("start of preparation"), not its id;
- an order for later whose promised time the store's hours came to close rings now, flagged: `o2o store hours
  closed` says which orders rang for it, `o2o orders list` marks the row, `o2o orders show` says the line the detail
  says, and the queue's row marks it within its columns at every width (80 and 40 columns), in English and Chinese;
- the queue offers `$` (refund) on a Done row handed off within the refund window, not after it, and `$` opens the
  refund dialog there.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest
from rich.cells import cell_len
from textual.widgets._footer import FooterKey
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.i18n import set_language
from screens.launch import open_source
from screens.order_keys import ORDER_KEYS, offered, offered_actions
from screens.source import QueueEntry
from screens.widgets.order_row import render_live, row_look
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_orders import Cli, cli, running  # noqa: F401  (fixtures)
from tests.test_server_scheduled import _later
from tests.test_ui_live import wait_until
from tests.test_ui_order_keys_apply import SayingApp

SHANGHAI = ZoneInfo("Asia/Shanghai")

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # the English catalog's


def _zh(runner: Cli, *args: str) -> str:
    env = {"O2O_HOME": str(runner.home), "O2O_LANG": "zh", "NO_COLOR": "1", "COLUMNS": "200"}
    result = CliRunner().invoke(cli_app, list(args), env=env | {"O2O_PROFILE": None, "O2O_TOKEN": None})
    assert result.exit_code == 0, result.stdout
    return str(result.stdout)


def _order(platform: RunningPlatform, order_id: str) -> Order:
    merchant = api(platform, "merchant")
    try:
        return msgspec.json.decode(merchant.get(f"/v1/orders/{order_id}").content, type=Order)
    finally:
        merchant.close()


def test_orders_show_names_a_queued_action_in_words(running: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    assert running.seed is not None
    placed = api(running, "customer").post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    cli("orders", "accept", placed["id"], "--prep", "10", "--no-print")
    running.stop()
    assert "Queued" in cli("orders", "preparing", placed["id"]).stdout
    shown = cli("orders", "show", placed["id"]).stdout
    assert "[queued: start of preparation]" in shown and "order.preparing" not in shown, shown
    assert "[queued: start of preparation]" in cli("orders", "list").stdout
    assert "[待同步：开始备餐]" in _zh(cli, "orders", "show", placed["id"])


def test_hours_closing_a_promised_time_are_said_everywhere(running: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    assert running.seed is not None
    store_id = running.seed.store_id
    customer = api(running, "customer")
    day = (datetime.now(SHANGHAI) + timedelta(days=2)).date()
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI)
    first = customer.post("/v1/orders", _later(store_id, noon)).json()
    second = customer.post("/v1/orders", _later(store_id, noon + timedelta(days=1))).json()
    cli("sync", "--once")

    opened = cli("store", "hours", "open", (day + timedelta(days=5)).isoformat(), "10:00-20:00").stdout
    assert "ring now" not in opened  # no promised time closed: no line
    closed = cli("store", "hours", "closed", day.isoformat(), "--note", "holiday").stdout
    number = _order(running, first["id"]).display_number  # today's, taken as it rang
    said = "Orders for later promised for when the store is now closed ring now "
    en = f"{day.day} {MONTHS[day.month - 1]}"  # "9 Dec"
    said += f"(1: {number} for {en} 12:00): call the customers or cancel."
    assert said in closed and "12:00, " not in closed, closed
    answer = cli.json("store", "hours", "closed", (day + timedelta(days=1)).isoformat())
    rung = [{"id": second["id"], "number": _order(running, second["id"]).number}]
    assert answer["outcome"] == "done" and answer["rung_closed_at_promise"] == rung

    cli("sync", "--once")
    listing = cli("orders", "list").stdout
    assert listing.count("[store closed at the promised time]") == 2, listing
    shown = cli("orders", "show", first["id"]).stdout
    assert f"Promised for {en} 12:00: the store is closed then (closed on {en})." in shown, shown
    zh = _zh(cli, "orders", "show", first["id"])
    zh_day = f"{day.month}月{day.day}日"
    assert "[预订时间不营业]" in zh and f"预订 {zh_day} 12:00：届时门店休息（{zh_day} 全天休息）。" in zh

    rang = _order(running, first["id"])
    assert rang.closed_at_promise is not None and rang.held_until is None
    entry = QueueEntry(order=rang)
    look = row_look(entry, datetime.now(UTC), alerting=True, urgent=False)
    try:
        for lang, word in (("en", "Closed!"), ("zh", "届时休息")):
            set_language(lang)
            for width in (38, 40, 78, 80, 160):  # the list at 40x15 and 80x24 terminals
                row = render_live(entry, look, width).plain
                assert word in row and cell_len(row) <= width, (width, row)
        accepted = QueueEntry(order=msgspec.structs.replace(rang, status=OrderStatus.CONFIRMED))
        assert "届时休息" not in render_live(accepted, look, 80).plain  # handled: the marker goes
    finally:
        set_language(None)


def _picked_up(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    placed = customer.post("/v1/orders", order_body(platform.seed.store_id, "TAKEOUT")).json()
    path = f"/v1/orders/{placed['id']}"
    assert merchant.post(path + "/confirm", {"preparation_minutes": 10}).status_code == 200
    assert merchant.post(path + "/ready").status_code == 200
    handed = merchant.post(path + "/handoff", {"code": placed["pickup_code"]})
    assert handed.json()["status"] == "DELIVERED", handed.text
    order_id: str = placed["id"]
    return order_id


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _footer_actions(app: Any) -> set[str]:
    return {key.action for key in app.screen.query(FooterKey)} & set(ORDER_KEYS)


async def test_a_done_row_handed_off_within_the_window_offers_refund(
    platform: RunningPlatform, profile: Profile, english: None
) -> None:
    order_id = await asyncio.to_thread(_picked_up, platform)
    done = QueueEntry(order=await asyncio.to_thread(_order, platform, order_id))
    assert offered_actions(done) == {"refund"} and offered("refund", done)
    ended = done.order.ended_at
    assert ended is not None
    late = ended + timedelta(days=4)  # past the 3 days' window
    assert offered_actions(done, late) == frozenset() and not offered("refund", done, late)
    app = SayingApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        queue = app.orders_screen.queue
        await wait_until(pilot, lambda: queue.entry(order_id) is not None)
        queue.select(order_id)
        await wait_until(pilot, lambda: _footer_actions(app) == {"refund"})
        await pilot.press("dollar_sign")
        await wait_until(pilot, lambda: type(app.screen).__name__ == "RefundDialog")
