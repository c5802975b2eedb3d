"""`o2o orders list --scheduled` against the real platform: held orders listed by promised time (`--json` too),
marked in the default list; accepting one early works offline, replays once, and it leaves the list."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from tests.support.platform import RunningPlatform, api
from tests.test_cli_orders import Cli, cli, running, server_order  # noqa: F401  (fixtures)
from tests.test_server_scheduled import _later


def test_list_scheduled_and_accept_one_early_offline(running: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    assert running.seed is not None
    store_id = running.seed.store_id
    customer = api(running, "customer")
    now = datetime.now(UTC)
    late = customer.post("/v1/orders", _later(store_id, now + timedelta(hours=3))).json()
    soon = customer.post("/v1/orders", _later(store_id, now + timedelta(hours=1))).json()
    customer.post("/v1/orders", {**_later(store_id, now), "timing": {"type": "INSTANT"}})
    cli("sync", "--once")

    rows: list[Any] = cli.json("orders", "list", "--scheduled")
    assert [row["id"] for row in rows] == [soon["id"], late["id"]]  # soonest promised time first
    assert all(row["held_until"] and row["status"] == "CREATED" for row in rows)
    assert len(cli.json("orders", "list")) == 3  # the default list has them all, held ones marked
    listing = cli("orders", "list").stdout
    assert listing.count("rings at") == 2
    # on the store's clock (Shanghai), not this machine's
    rings = datetime.fromisoformat(rows[0]["held_until"]).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")
    assert f"rings at {rings}" in listing
    assert cli("orders", "list", "--scheduled").stdout.count("rings at") == 2
    picked = cli.json("orders", "list", "--scheduled", "--fields", "number,held_until")
    assert [set(row) for row in picked] == [{"number", "held_until"}] * 2

    running.stop()
    queued = cli("orders", "accept", soon["id"], "--prep", "10")
    assert "Queued" in queued.stdout
    assert [row["id"] for row in cli.json("orders", "list", "--scheduled")] == [late["id"]]
    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)  # the port may have changed
    report = cli.json("sync", "--once")
    assert report["pushed"] == 1 and report["pending"] == 0
    accepted = server_order(running, soon["id"])
    assert str(accepted.status) == "CONFIRMED" and accepted.held_until is None
    assert accepted.promised_ready_at == datetime.fromisoformat(soon["timing"]["window_start"])
    assert cli("orders", "list", "--scheduled").stdout.count("rings at") == 1
    cli.json("sync", "--once")  # nothing left to send: the accept went once
    assert server_order(running, soon["id"]).version == accepted.version
