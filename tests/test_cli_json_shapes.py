"""`--json` reads the same wherever a shape appears (the README promises scripts can rely on it): an order's
`number` is the int and `display_number` its "#0042" in `o2o redeem` and `o2o print ticket/status` as in `o2o
orders list`; every time ends in `Z` (`handed_over_at`, a refusal's `promised_ready_at`, a profile's `saved_at`);
a refund's lines carry `line_number` (from 1, as `--line` takes them and `o2o orders show` numbers them) beside the
platform's `line` (from 0); a refund refused as stale says "this device" when the refund that got there first was
queued on this device by another command, "another device" otherwise."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from offline_cache import open_profile_cache
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli

Z_TIME = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$"


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


def _device(running: RunningPlatform, home: Path) -> Cli:
    assert running.seed is not None
    cli = Cli(home, running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once")
    return cli


def _accepted(running: RunningPlatform, *, ready: bool = False) -> dict[str, Any]:
    assert running.seed is not None
    customer, merchant = api(running, "customer"), api(running, "merchant")
    placed: dict[str, Any] = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    merchant.post(f"/v1/orders/{placed['id']}/confirm", {"preparation_minutes": 5})
    if ready:
        merchant.post(f"/v1/orders/{placed['id']}/ready", {})
    return placed


def test_redeem_gives_the_number_as_orders_list_does_and_times_in_z(running: RunningPlatform, tmp_path: Path) -> None:
    import re

    order = _accepted(running, ready=True)
    cli = _device(running, tmp_path / "m")
    listed = next(row for row in cli.json("orders", "list") if row["id"] == order["id"])
    assert isinstance(listed["number"], int) and listed["display_number"] == f"#{order['number']:04d}"

    done = cli.json("redeem", order["pickup_code"])
    assert done["outcome"] == "done"
    assert (done["number"], done["display_number"]) == (listed["number"], listed["display_number"])
    again = cli.json("redeem", order["pickup_code"])  # a script's retry: already done, said with when
    assert again["outcome"] == "already_done"
    assert (again["number"], again["display_number"]) == (listed["number"], listed["display_number"])
    assert re.match(Z_TIME, again["handed_over_at"]), again["handed_over_at"]

    for profile in [cli.json("login", "--url", running.url, "--token", cli.token)] + cli.json("profiles", "list")[
        "profiles"
    ]:
        assert re.match(Z_TIME, profile["saved_at"]), profile


def test_refusal_times_end_in_z(running: RunningPlatform, tmp_path: Path) -> None:
    """The `already_accepted` refusal's payload: its `promised_ready_at` as the order's own times."""
    import re

    assert running.seed is not None
    placed = api(running, "customer").post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    cli = _device(running, tmp_path / "m")
    api(running, "merchant").post(f"/v1/orders/{placed['id']}/confirm", {"preparation_minutes": 7})
    refused = cli.json("orders", "accept", placed["id"], "--prep", "20", "--no-print", code=Exit.REJECTED)
    assert refused["reason"]["code"] == "already_accepted", refused
    assert re.match(Z_TIME, refused["reason"]["promised_ready_at"]), refused["reason"]


def _o2o(home: Path, printer: str, *args: str) -> Any:
    env = {"O2O_HOME": str(home), "O2O_LANG": "en", "O2O_PRINTER": printer, "O2O_PROFILE": None, "COLUMNS": "200"}
    result = CliRunner().invoke(app, [*args, "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return json.loads(result.stdout)


def test_print_ticket_and_status_give_the_number_as_orders_list_does(
    running: RunningPlatform, tmp_path: Path
) -> None:
    order = _accepted(running)
    home = tmp_path / "home"
    assert running.seed is not None
    with FakePrinter() as printer:
        _o2o(home, printer.target, "login", "--url", running.url, "--token", running.seed.tokens["merchant"])
        _o2o(home, printer.target, "sync", "--once")
        printed = _o2o(home, printer.target, "print", "ticket", order["id"])
        assert printed["printed"] is True
        assert (printed["number"], printed["display_number"]) == (order["number"], f"#{order['number']:04d}")
        printer.power_off()
        queued = _o2o(home, printer.target, "print", "ticket", order["id"], "--receipt")
        assert queued["queued"] is True and queued["number"] == order["number"]
        jobs = _o2o(home, printer.target, "print", "status")["jobs"]
        assert [(job["number"], job["display_number"]) for job in jobs] == [
            (order["number"], f"#{order['number']:04d}")
        ]


def test_refund_lines_are_numbered_from_one_in_show_and_in_json(running: RunningPlatform, tmp_path: Path) -> None:
    order = _accepted(running)
    cli = _device(running, tmp_path / "m")
    shown = cli("orders", "show", order["id"]).stdout
    first = order["lines"][0]
    assert f"line 1: {first['quantity']} x {first['name']}" in shown, shown  # the number --line takes

    done = cli.json("orders", "refund", order["id"], "--line", "1:1", "--reason", "QUALITY")
    assert done["outcome"] == "done"
    part = done["order"]["refunds"][0]["lines"][0]
    assert (part["line"], part["line_number"], part["quantity"]) == (0, 1, 1)  # the API's field kept, beside it

    chinese = Cli(cli.home, cli.token)
    assert f"第1行：{first['quantity']} x " in chinese("--lang", "zh", "orders", "show", order["id"]).stdout


def _queue_same_refund_again(home: Path, order_id: str) -> None:
    """What a second script on this profile queues when it read the order before the first script's refund was
    queued: the same refund, under its own id, having seen no refund (`seen_refunds` 0)."""
    with open_profile_cache(home / "cache" / "profiles" / "default") as cache:
        first = next(entry for entry in cache.outbox.entries() if entry.action == "order.refund")
        body = json.loads(first.body)
        assert body["seen_refunds"] == 0
        body["id"] = uuid.uuid4().hex
        cache.outbox.append("order.refund", first.target, json.dumps(body), occurred_at=first.occurred_at)


def _stale_explanation(cli: Cli) -> str:
    refused = [entry for entry in cli.json("conflicts", "list") if entry["action"] == "order.refund"]
    assert len(refused) == 1, refused
    assert refused[0]["reason"]["code"] == "stale_refund"
    said: str = refused[0]["explanation"]
    return said


def test_a_refund_beaten_by_this_devices_own_says_this_device(running: RunningPlatform, tmp_path: Path) -> None:
    order = _accepted(running)
    cli = _device(running, tmp_path / "m")
    running.stop()
    cli("orders", "refund", order["id"], "--line", "1:1", "--reason", "QUALITY")  # queued offline, seen 0
    _queue_same_refund_again(cli.home, order["id"])  # the other command, racing it
    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once", code=Exit.REJECTED)  # one refused: said in the conflicts
    said = _stale_explanation(cli)
    assert "already refunded by this device (another command queued the same refund)" in said, said
    assert "another device" not in said
    assert len(api(running, "merchant").get(f"/v1/orders/{order['id']}").json()["refunds"]) == 1  # paid once


def test_a_refund_beaten_by_another_devices_still_says_another_device(
    running: RunningPlatform, tmp_path: Path
) -> None:
    order = _accepted(running)
    mine, theirs = _device(running, tmp_path / "m"), _device(running, tmp_path / "m2")  # both saw no refund
    running.stop()
    mine("orders", "refund", order["id"], "--line", "1:1", "--reason", "QUALITY")  # queued here, seen 0
    running.restart()
    for device in (mine, theirs):
        device("login", "--url", running.url, "--token", device.token)
    theirs.json("orders", "refund", order["id"], "--line", "1:1", "--reason", "QUALITY")  # gets there first
    mine("sync", "--once", code=Exit.REJECTED)
    said = _stale_explanation(mine)
    assert "refunded from another device" in said and "this device" not in said, said
