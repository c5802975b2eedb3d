"""`o2o orders show` of an order that ended without being handed over (cancelled by the customer, rejected by the
store) gives no pickup code: the platform hands a freed code to a new order. `--json` keeps the key, null; a live
order's code is shown as before. The real `o2o` commands against the real platform on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.domain.requests import ReasonBody
from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli
from tests.test_sync_engine import place_orders


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert platform.seed is not None
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    yield runner


def test_an_ended_orders_pickup_code_is_not_shown(platform: RunningPlatform, cli: Cli) -> None:
    assert platform.seed is not None
    live, cancelled, rejected = place_orders(platform.url, platform.seed, 3)
    with PlatformClient(platform.url, platform.seed.tokens["customer"]) as customer:
        customer.act("order.cancel", cancelled, ReasonBody(reason_code="CUSTOMER_CHANGED_MIND"))
    cli("sync", "--once")

    shown = cli.json("orders", "show", live)  # a live order: as scripts read it today
    assert shown["pickup_code"] and f"pickup code: {shown['pickup_code']}" in cli("orders", "show", live).stdout

    gone = cli.json("orders", "show", cancelled)
    assert gone["status"] == "CANCELLED" and "pickup_code" in gone and gone["pickup_code"] is None
    words = cli("orders", "show", cancelled).stdout
    assert "pickup code" not in words
    assert "cancelled: Customer changed their mind (by the customer)" in words  # in words, not the raw code

    answered = cli.json("orders", "reject", rejected, "--reason", "STORE_BUSY")
    assert answered["outcome"] == "done" and answered["order"]["status"] == "CANCELLED"
    assert answered["order"]["pickup_code"] is None
    assert cli.json("orders", "show", rejected)["pickup_code"] is None
    plain = cli("orders", "show", rejected).stdout
    assert "pickup code" not in plain and "Li Na" in plain


def test_orders_list_gives_no_pickup_code_of_an_ended_order(platform: RunningPlatform, cli: Cli) -> None:
    """The list's fast path (stored bytes, no decode and encode) and its decoded path (an order with an action
    queued, or `--fields`) agree with `orders show`."""
    assert platform.seed is not None
    live, cancelled = place_orders(platform.url, platform.seed, 2)
    with PlatformClient(platform.url, platform.seed.tokens["customer"]) as customer:
        customer.act("order.cancel", cancelled, ReasonBody(reason_code="CUSTOMER_CHANGED_MIND"))
    cli("sync", "--once")
    rows = {row["id"]: row for row in cli.json("orders", "list")}
    assert rows[live]["pickup_code"] and rows[cancelled]["pickup_code"] is None
    picked = {row["id"]: row for row in cli.json("orders", "list", "--fields", "id,pickup_code")}
    assert picked[live]["pickup_code"] == rows[live]["pickup_code"] and picked[cancelled]["pickup_code"] is None
    assert cli.json("orders", "list", "--status", "CANCELLED")[0]["pickup_code"] is None
