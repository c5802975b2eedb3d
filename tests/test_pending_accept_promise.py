"""An accept still in the outbox shows the ready time the platform will promise for it (`schedule.promised_on_accept`,
the one rule the platform and the kitchen ticket read): a busy store's extra minutes on top of the prep minutes,
and an order for later's asked time. Against the real platform on loopback: accepts queued offline by `o2o orders
accept`, the pending view read with `o2o orders list --json`, then sent and compared with the platform's answer."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from tests.support.platform import RunningPlatform, api
from tests.test_cli_orders import Cli, cli, running, server_order  # noqa: F401  (fixtures)
from tests.test_server_scheduled import _later
from tests.test_sync_engine import place_orders

PREP, EXTRA = 15, 10


def _when(value: Any) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(str(value))


def _rows(cli: Cli) -> dict[str, Any]:  # noqa: F811
    return {row["id"]: row for row in cli.json("orders", "list")}


def test_a_queued_accept_promises_what_the_platform_will(running: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    assert running.seed is not None
    store_id = running.seed.store_id
    merchant = api(running, "merchant")
    try:
        busy = merchant.put(f"/v1/stores/{store_id}/status", {"state": "BUSY", "extra_minutes": EXTRA})
        assert busy.status_code == 200, busy.text
    finally:
        merchant.close()
    [now_id] = place_orders(running.url, running.seed, 1)
    customer = api(running, "customer")
    try:
        later = customer.post("/v1/orders", _later(store_id, datetime.now(UTC) + timedelta(hours=3))).json()
    finally:
        customer.close()
    cli("sync", "--once")  # the store (busy) and both orders in the cache

    running.stop()
    for order_id in (now_id, later["id"]):
        assert "Queued" in cli("orders", "accept", order_id, "--prep", str(PREP)).stdout
    rows = _rows(cli)
    pending, held = rows[now_id], rows[later["id"]]
    assert pending["is_pending"] and held["is_pending"]
    # from the tap: the prep minutes and the busy store's extra minutes (not the prep minutes alone)
    promised = _when(pending["promised_ready_at"]) - _when(pending["confirmed_at"])
    assert promised == timedelta(minutes=PREP + EXTRA)
    # an order for later: the time the customer asked for, which is later than that
    asked = datetime.fromisoformat(later["timing"]["window_start"])
    assert _when(held["promised_ready_at"]) == asked

    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)  # the port may have changed
    report = cli.json("sync", "--once")
    assert report["pushed"] == 2 and report["pending"] == 0
    accepted, early = server_order(running, now_id), server_order(running, later["id"])
    # the platform promises from the accept's tap (docs/api.md): the ready time the view showed, to the millisecond
    assert accepted.promised_ready_at - accepted.confirmed_at == promised
    assert accepted.promised_ready_at == _when(pending["promised_ready_at"])
    assert early.promised_ready_at == _when(held["promised_ready_at"])  # to the second
    rows = _rows(cli)
    assert not rows[now_id]["is_pending"] and _when(rows[later["id"]]["promised_ready_at"]) == asked
