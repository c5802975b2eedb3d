"""`o2o orders refund` never gives the same money back twice: a refund sends the refunds this device saw (as the
console's dialog does), so a second device's refund of the same item, chosen before the first one reached it, is
refused as stale (exit 4); the same refund typed twice offline is queued once (said with when); a refund with
nothing left to give back is refused here (exit 4, nothing sent, nothing on stdout, no conflict)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


def _accepted(running: RunningPlatform) -> tuple[dict[str, Any], str]:
    assert running.seed is not None
    customer, merchant = api(running, "customer"), api(running, "merchant")
    placed = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    path = f"/v1/orders/{placed['id']}"
    merchant.post(path + "/confirm", {"preparation_minutes": 20})
    return placed, path


def _device(running: RunningPlatform, home: Path) -> Cli:
    assert running.seed is not None
    cli = Cli(home, running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once")
    return cli


def test_the_same_item_refunded_from_two_devices_goes_through_once(running: RunningPlatform, tmp_path: Path) -> None:
    placed, path = _accepted(running)
    first, second = _device(running, tmp_path / "m"), _device(running, tmp_path / "m2")  # both saw no refund
    order_id = placed["id"]

    done = first.json("orders", "refund", order_id, "--line", "1:1", "--reason", "QUALITY")
    assert done["outcome"] == "done"
    stale = second("orders", "refund", order_id, "--line", "1:1", "--reason", "QUALITY", code=Exit.REJECTED)
    assert "refunded from another device before your refund reached the platform" in stale.stderr
    assert stale.stdout == "" and "#0001" in stale.stderr  # the order's line beside the refusal: stdout keeps results
    assert len(api(running, "merchant").get(path).json()["refunds"]) == 1  # the customer got it back once

    # the second device, having seen the first refund now, may refund the other unit on purpose
    second("sync", "--once")
    again = second.json("orders", "refund", order_id, "--line", "1:1", "--reason", "QUALITY")
    assert again["outcome"] == "done"
    assert len(api(running, "merchant").get(path).json()["refunds"]) == 2


def test_the_same_refund_twice_offline_is_queued_once(running: RunningPlatform, tmp_path: Path) -> None:
    placed, path = _accepted(running)
    cli = _device(running, tmp_path / "m")
    order_id = placed["id"]

    running.stop()
    cli("orders", "refund", order_id, "--line", "1:1", "--reason", "QUALITY")
    twice = cli("orders", "refund", order_id, "--line", "1:1", "--reason", "LATE")
    assert "already queued at" in twice.stdout and "not queued again" in twice.stdout
    said = cli.json("orders", "refund", order_id, "--line", "1:1", "--reason", "QUALITY")
    assert said["already_queued"] is True and said["outcome"] == "queued" and said["queued_at"]
    cli("orders", "refund", order_id, "--line", "1:1", "--reason", "QUALITY", "--online", code=Exit.OFFLINE)
    assert cli.json("sync", "status")["pending"] == 1
    # another line of the same order is another refund, and a second unit asked for on purpose too
    cli("orders", "refund", order_id, "--line", "1:1", "--reason", "QUALITY", "--again")
    assert cli.json("sync", "status")["pending"] == 2

    # back online: the same refund typed again sends the one queued (its outcome is this one's), nothing more
    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)
    sent = cli("orders", "refund", order_id, "--line", "1:1", "--reason", "QUALITY")
    assert "not sent twice" in sent.stdout
    assert cli.json("sync", "status")["pending"] == 0 and cli.json("conflicts", "list") == []
    refunds = api(running, "merchant").get(path).json()["refunds"]
    assert [r["lines"][0]["quantity"] for r in refunds] == [1, 1]  # the first, and the one meant (--again)


def test_a_refund_with_nothing_left_is_refused_here(running: RunningPlatform, tmp_path: Path) -> None:
    placed, path = _accepted(running)
    cli = _device(running, tmp_path / "m")
    order_id = placed["id"]
    cli("orders", "refund", order_id, "--all", "--reason", "LATE")

    whole = cli("orders", "refund", order_id, "--all", "--reason", "LATE", code=Exit.REJECTED)
    assert "refunded in full already" in whole.stderr and "nothing was sent" in whole.stderr
    assert whole.stdout == ""  # stdout keeps results: a refusal is said on stderr only
    line = cli("orders", "refund", order_id, "--line", "1:1", "--reason", "LATE", code=Exit.REJECTED)
    assert "refunded in full already" in line.stderr
    said = cli("orders", "refund", order_id, "--all", "--reason", "LATE", "--json", code=Exit.REJECTED)
    assert said.stdout == "" and json.loads(said.stderr)["error"]["code"] == "rejected"
    assert cli.json("conflicts", "list") == [] and cli.json("sync", "status")["pending"] == 0
    assert len(api(running, "merchant").get(path).json()["refunds"]) == 1


def test_more_of_a_line_than_is_left_is_refused_here(running: RunningPlatform, tmp_path: Path) -> None:
    placed, path = _accepted(running)
    cli = _device(running, tmp_path / "m")
    order_id = placed["id"]
    cli("orders", "refund", order_id, "--line", "1:1", "--reason", "LATE")

    more = cli("orders", "refund", order_id, "--line", "1:2", "--reason", "LATE", code=Exit.REJECTED)
    assert "Line 1 has 1 of 2 left to refund" in more.stderr and more.stdout == ""
    assert cli.json("conflicts", "list") == [] and cli.json("sync", "status")["pending"] == 0
    assert len(api(running, "merchant").get(path).json()["refunds"]) == 1
