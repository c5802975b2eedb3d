"""Two counters accept one order with different prep times: the first accept stands, and the second is told so
with the order's real ready time and minutes (409 `already_accepted`), never "accepted" with its own. Against the
real platform on loopback with two devices (two profiles, two caches): the API itself, `o2o orders accept` online
and queued offline (replayed into the conflicts with the same sentence), and the console (its toast, the order it
shows, and no second kitchen ticket)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.config import save_profile
from o2o_tui.i18n import set_language
from screens import orders_screen, printing
from screens.app import MerchantApp
from screens.launch import open_source
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform, api
from tests.test_cli_orders import Cli
from tests.test_sync_engine import place_orders
from tests.test_ui_live import wait_until

ACCEPTED = "was already accepted at another counter"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _order(running: RunningPlatform, order_id: str) -> dict[str, Any]:
    merchant = api(running, "merchant")
    try:
        return merchant.get(f"/v1/orders/{order_id}").json()
    finally:
        merchant.close()


def _accept(running: RunningPlatform, order_id: str, minutes: int, key: str | None = None) -> Any:
    """The other counter's accept, straight to the platform."""
    merchant = api(running, "merchant")
    try:
        return merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": minutes}, key=key)
    finally:
        merchant.close()


def _ready_text(running: RunningPlatform, order: dict[str, Any]) -> str:
    """The order's promised ready time on its store's clock, with its minutes, as the sentence says them."""
    assert running.seed is not None
    store = api(running, "merchant")
    try:
        zone = ZoneInfo(store.get(f"/v1/stores/{running.seed.store_id}").json()["timezone"])
    finally:
        store.close()
    at = datetime.fromisoformat(order["promised_ready_at"]).astimezone(zone).strftime("%H:%M")
    return f"ready {at} ({order['preparation_minutes']} min)"


def _device(running: RunningPlatform, home: Path) -> Cli:
    assert running.seed is not None
    device = Cli(home, running.seed.tokens["merchant"])
    device("login", "--url", running.url, "--token", device.token)
    return device


def test_the_platform_refuses_a_second_accept_with_the_one_that_stands(shared_platform: RunningPlatform) -> None:
    assert shared_platform.seed is not None
    [order_id] = place_orders(shared_platform.url, shared_platform.seed, 1)
    first = _accept(shared_platform, order_id, 15, key="first-counter-" + order_id)
    assert first.status_code == 200, first.text
    second = _accept(shared_platform, order_id, 25, key="second-counter-" + order_id)
    assert second.status_code == 409, second.text
    error = second.json()["error"]
    assert error["code"] == "already_accepted" and error["from"] == "CONFIRMED"
    assert error["preparation_minutes"] == 15
    assert error["promised_ready_at"] is not None and error["timezone"]
    assert datetime.fromisoformat(error["promised_ready_at"]) == datetime.fromisoformat(
        first.json()["promised_ready_at"]
    )
    # a retry of either request under its own key answers its first answer again
    assert _accept(shared_platform, order_id, 25, key="second-counter-" + order_id).json() == second.json()
    again = _accept(shared_platform, order_id, 15, key="first-counter-" + order_id)
    assert again.status_code == 200 and again.json()["version"] == first.json()["version"]
    # the same minutes from another counter is the same accept: done, nothing changes
    same = _accept(shared_platform, order_id, 15)
    assert same.status_code == 200 and same.json()["version"] == first.json()["version"]
    assert _order(shared_platform, order_id)["preparation_minutes"] == 15
    # once the kitchen started, any further accept is refused with the accept that stands
    merchant = api(shared_platform, "merchant")
    try:
        assert merchant.post(f"/v1/orders/{order_id}/preparing").status_code == 200
    finally:
        merchant.close()
    late = _accept(shared_platform, order_id, 15).json()["error"]
    assert late["code"] == "already_accepted" and late["from"] == "PREPARING" and late["preparation_minutes"] == 15


def test_the_second_counters_command_says_the_real_ready_time_and_exits_4(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    assert shared_platform.seed is not None
    first, second = _device(shared_platform, tmp_path / "first"), _device(shared_platform, tmp_path / "second")
    [order_id] = place_orders(shared_platform.url, shared_platform.seed, 1)
    first("sync", "--once")
    second("sync", "--once")  # both caches hold the order as new
    done = first("orders", "accept", order_id, "--prep", "15")
    order = _order(shared_platform, order_id)
    ready = _ready_text(shared_platform, order)
    assert f"accepted: {ready}." in done.stdout
    number = f"#{order['number']:04d}"
    refused = second("orders", "accept", order_id, "--prep", "25", code=Exit.REJECTED)
    # the command cannot tell this counter's console from another counter: it says so, never "another counter"
    assert f"order {number} was already accepted at " in refused.stderr and f"console: {ready}" in refused.stderr
    [row] = [row for row in second.json("orders", "list") if row["id"] == order_id]
    assert row["preparation_minutes"] == 15 and row["is_pending"] is False  # the platform's truth, not 25
    [conflict] = second.json("conflicts", "list")
    assert conflict["reason"]["code"] == "already_accepted" and conflict["reason"]["preparation_minutes"] == 15
    assert f"{ACCEPTED}: {ready}" in conflict["explanation"]
    # now the cache shows it accepted: refused here as the console's `a` refuses it, nothing sent (no conflict)
    again = second("orders", "accept", order_id, "--prep", "30", code=Exit.REJECTED)
    assert f"{number} is already" in again.stderr and f"console: {ready}" in again.stderr
    assert len(second.json("conflicts", "list")) == 1
    assert _order(shared_platform, order_id)["preparation_minutes"] == 15


def test_an_accept_queued_offline_lands_in_the_conflicts_with_the_real_ready_time(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    offline = _device(platform, tmp_path / "offline")
    [order_id] = place_orders(platform.url, platform.seed, 1)
    offline("sync", "--once")
    platform.stop()
    queued = offline("orders", "accept", order_id, "--prep", "25")  # queued: exit 0, sent when the link is back
    assert "Queued" in queued.stdout
    platform.restart()
    assert _accept(platform, order_id, 15).status_code == 200  # meanwhile, the counter that was online
    offline("login", "--url", platform.url, "--token", offline.token)  # the port may have changed
    report = offline.json("sync", "--once", code=Exit.REJECTED)  # a refusal met while sending: exit 4
    assert report["rejected"] == 1 and report["pending"] == 0
    order = _order(platform, order_id)
    [conflict] = offline.json("conflicts", "list")
    assert conflict["reason"]["code"] == "already_accepted"
    assert f"order #{order['number']:04d} {ACCEPTED}: {_ready_text(platform, order)}" in conflict["explanation"]
    [row] = offline.json("orders", "list")
    assert row["preparation_minutes"] == 15 and row["is_pending"] is False
    listed = offline("conflicts", "list").stdout
    assert f"{ACCEPTED}: {_ready_text(platform, order)}" in listed


async def test_the_second_console_is_told_shows_the_real_minutes_and_prints_no_ticket(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert platform.seed is not None
    seed = platform.seed
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "counter"))
    monkeypatch.setattr(printing, "RETRY_S", 0.2)
    # the queue's select below stands for a person's move, made at once; the guard against a key right after the
    # cursor moved by itself (tests/test_ui_queue_cursor_pull.py) is not what this checks
    monkeypatch.setattr(orders_screen, "MOVED_GUARD_S", 0.0)
    with FakePrinter() as printer:
        monkeypatch.setenv("O2O_PRINTER", printer.target)
        profile = save_profile(
            "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
        )
        app = MerchantApp(open_source(profile), profile=profile)
        said: list[str] = []
        app.say = lambda message, **_: said.append(message)  # type: ignore[method-assign]
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
            beaten, mine = await asyncio.to_thread(place_orders, platform.url, seed, 2)
            await wait_until(pilot, lambda: None not in (app.source.order(beaten), app.source.order(mine)))
            await wait_until(pilot, lambda: app.printing is not None)
            seen = app.source.order(beaten)  # the queue's line as this counter's user pressed `a` on it
            assert seen is not None
            # the other counter's accept reaches the platform first (this console has not heard of it yet)
            assert (await asyncio.to_thread(_accept, platform, beaten, 25)).status_code == 200
            app.actions.accept(seen)
            await pilot.pause()
            await pilot.press("enter")  # the store's default, 15 minutes
            order = await asyncio.to_thread(_order, platform, beaten)
            sentence = f"order #{order['number']:04d} {ACCEPTED}: {_ready_text(platform, order)}"
            await wait_until(pilot, lambda: sentence in said)
            await wait_until(pilot, lambda: app.source.order(beaten).order.preparation_minutes == 25)  # type: ignore[union-attr]
            # an accept of its own that stands prints its ticket (the printer works): one ticket in all
            app.orders_screen.queue.select(mine)
            await pilot.press("a", "enter")
            number = f"#{(await asyncio.to_thread(_order, platform, mine))['number']:04d}"
            await wait_until(pilot, lambda: f"{number}: accept sent." in said)
            printed = await asyncio.to_thread(printer.wait_for_cuts, 1)
            await pilot.pause(1.0)  # the retry loop ran a few times: nothing else waits to print
            assert f"#{order['number']:04d}" not in printed.text() and number in printed.text()
            assert printer.printed.cuts == 1
            assert f"#{order['number']:04d}: accept sent." not in said, said  # never said sent: it was refused
            conflicts = json.dumps([view.explanation for view in app.source.conflicts()])
            assert ACCEPTED in conflicts


def test_the_sentence_names_auto_accept_and_reads_in_chinese() -> None:
    from o2o_tui.sync.explain import explain

    reason = {
        "code": "already_accepted",
        "order_number": 12,
        "preparation_minutes": 15,
        "promised_ready_at": "2026-12-06T04:40:00+00:00",
        "timezone": "Asia/Shanghai",
    }
    said = explain(reason, action="order.confirm", target="o")
    assert said == "order #0012 was already accepted at another counter: ready 12:40 (15 min)"
    auto = explain({**reason, "auto_accepted": True}, action="order.confirm", target="o")
    assert auto == "order #0012 was already accepted by auto-accept: ready 12:40 (15 min)"
    set_language("zh")
    assert explain(reason, action="order.confirm", target="o") == "订单 #0012 已在另一台设备接单：12:40 出餐（15 分钟）"
