"""`o2o orders chase-reply` and `o2o orders refund` end to end: the real commands against the real platform on
loopback, online, then offline (queued) and replayed exactly once when the platform is back; a refund the
platform refuses lands in the conflicts with its sentence; usage errors and a handed-off order exit before
anything is queued."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


def test_chase_reply_and_refunds_online_offline_and_refused(running: RunningPlatform, tmp_path: Path) -> None:
    assert running.seed is not None
    customer, merchant = api(running, "customer"), api(running, "merchant")
    placed = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    path = f"/v1/orders/{placed['id']}"
    merchant.post(path + "/confirm", {"preparation_minutes": 20})
    customer.post(path + "/chase", {"note": "好了吗"})
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once")
    order_id = placed["id"]

    # usage errors: nothing queued
    cli("orders", "refund", order_id, "--reason", "LATE", code=Exit.USAGE)  # neither --all nor --line
    cli("orders", "refund", order_id, "--all", "--reason", "BORED", code=Exit.USAGE)
    cli("orders", "chase-reply", order_id, "--template", "SOON", code=Exit.USAGE)
    untrue = cli("orders", "chase-reply", order_id, "--template", "READY", code=Exit.REJECTED)
    assert "not what order" in untrue.stderr  # still being cooked: never told "ready", nothing queued
    both = cli("orders", "chase-reply", order_id, "--template", "READY", "--text", "soon", code=Exit.USAGE)
    assert "not both" in both.stderr
    unsaid = cli("orders", "refund", order_id, "--all", "--reason", "OTHER", code=Exit.USAGE)
    assert "--note" in unsaid.stderr
    assert cli.json("conflicts", "list") == [] and cli.json("sync", "status")["pending"] == 0  # nothing queued

    # online
    answered = cli.json("orders", "chase-reply", order_id, "--template", "PREPARING", "--minutes", "7")
    assert answered["outcome"] == "done"
    chase = customer.get(path).json()["chases"][-1]
    assert (chase["reply"], chase["minutes"], chase["note"]) == ("PREPARING", 7, "好了吗")
    assert chase["answered_at"] is not None
    unit = placed["lines"][0]["total"]["amount"] // placed["lines"][0]["quantity"]
    refunded = cli.json("orders", "refund", order_id, "--line", "1:1", "--reason", "ITEM_UNAVAILABLE")
    assert refunded["outcome"] == "done"
    assert refunded["order"]["totals"]["refunded"]["amount"] == unit

    # offline: both are queued, then sent exactly once
    running.stop()
    queued = cli("orders", "refund", order_id, "--line", "1", "--reason", "other", "--note", "停电 power cut")
    assert "Queued" in queued.stdout
    cli("orders", "chase-reply", order_id, "--text", "马上好 almost ready")
    assert cli.json("sync", "status")["pending"] == 2
    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)
    assert cli.json("sync", "--once")["pushed"] == 2
    assert cli.json("sync", "--once")["pushed"] == 0
    seen = api(running, "customer").get(path).json()
    assert [r["amount"]["amount"] for r in seen["refunds"]] == [unit, placed["lines"][0]["total"]["amount"] - unit]
    assert (seen["chases"][-1]["reply"], seen["chases"][-1]["text"]) == ("TEXT", "马上好 almost ready")

    shown = cli("orders", "show", order_id).stdout
    assert "answered: 马上好 almost ready" in shown and "Refunded" in shown and "停电 power cut" in shown

    # nothing left to refund: refused here (nothing sent, so nothing waits in the conflicts)
    refused = cli("orders", "refund", order_id, "--line", "1:1", "--reason", "LATE", code=Exit.REJECTED)
    assert "nothing is left to refund" in refused.stderr
    assert cli.json("conflicts", "list") == [] and cli.json("sync", "status")["pending"] == 0

    # handed off (refunds after it: tests/test_refund_after_handoff.py): still nothing left, nothing queued
    cli("orders", "ready", order_id)
    cli("orders", "handoff", order_id, "--code", placed["pickup_code"])
    late = cli("orders", "refund", order_id, "--all", "--reason", "LATE", code=Exit.REJECTED)
    assert "nothing is left to refund" in late.stderr  # handed off, in the window: refunded in full already
    assert cli.json("sync", "status")["pending"] == 0
