"""A code locked after too many wrong tries reaches the merchant, who lifts it: in the console (the queue's row and
the order's detail say so, `u` lifts it) and with `o2o orders unlock-code` (issue 9, defect 4). Real platform,
real cache in tmp_path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.detail_screen import DetailScreen
from screens.launch import open_source
from screens.widgets.order_detail import OrderDetail
from screens.widgets.order_list import RowView
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_orders import Cli
from tests.test_ui_live import wait_until


def _locked_order(platform: RunningPlatform) -> dict:
    """A takeout order ready at the counter whose pickup code five wrong tries have locked."""
    assert platform.seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    try:
        order = customer.post("/v1/orders", order_body(platform.seed.store_id, "TAKEOUT")).json()
        for action, body in (("confirm", {"preparation_minutes": 5}), ("ready", None)):
            assert merchant.post(f"/v1/orders/{order['id']}/{action}", body).status_code == 200
        wrong = f"{(int(order['pickup_code']) + 1) % 10_000:04d}"
        for _ in range(5):
            assert merchant.post(f"/v1/orders/{order['id']}/handoff", {"code": wrong}).status_code == 409
        return order
    finally:
        customer.close()
        merchant.close()


def _server(platform: RunningPlatform, order_id: str) -> dict:
    admin = api(platform, "admin")
    try:
        return admin.get(f"/v1/orders/{order_id}").json()
    finally:
        admin.close()


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _row(app: MerchantApp, order_id: str) -> RowView | None:
    return next((r for r in app.orders_screen.queue.row_views() if r.entry.order.id == order_id), None)


async def test_the_console_shows_a_locked_code_and_u_in_the_detail_lifts_it(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        order = await asyncio.to_thread(_locked_order, platform)

        def row_says_locked() -> bool:
            row = _row(app, order["id"])
            return row is not None and "Locked" in str(row.render())  # in the type column

        await wait_until(pilot, row_says_locked)
        app.orders_screen.queue.select(order["id"])
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        shown = str(app.screen.query_one(OrderDetail).render())
        assert "Pickup code locked until" in shown
        await pilot.press("u")
        await wait_until(pilot, lambda: _server(platform, order["id"])["code_locks"] == [])
        await wait_until(pilot, lambda: "locked" not in str(app.screen.query_one(OrderDetail).render()))
        await pilot.press("h")
        await pilot.press(*order["pickup_code"], "enter")
        await wait_until(pilot, lambda: _server(platform, order["id"])["status"] == "DELIVERED")


def test_orders_unlock_code_lifts_the_lock_from_the_command_line(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    cli = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    order = _locked_order(platform)
    cli("sync", "--once")
    assert "Pickup code locked until" in cli("orders", "show", order["id"]).stdout
    refused = cli("orders", "handoff", order["id"], "--code", order["pickup_code"], code=Exit.REJECTED)
    [lock] = _server(platform, order["id"])["code_locks"]
    until = datetime.fromisoformat(lock["until"]).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    assert f"the code is locked until {until}" in refused.stderr  # the store's clock, not this machine's
    lifted = cli.json("orders", "unlock-code", order["id"])
    assert lifted["outcome"] == "done" and lifted["order"]["code_locks"] == []
    assert "locked" not in cli("orders", "show", order["id"]).stdout
    handed = cli.json("orders", "handoff", order["id"], "--code", order["pickup_code"])
    assert handed["outcome"] == "done" and handed["order"]["status"] == "DELIVERED"
