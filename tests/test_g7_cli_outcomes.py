"""What a script reads (g7): a refusal o2o makes before sending carries the platform's `reason` code in its JSON
error (`"sent": false`), exit 5 with `login_needed` when the profile's last sync found the token refused (the cache
may be old); `dispatch assign`/`unassign --json` say `outcome` (`unchanged` for a no-op); `report day --csv` says
the zone of the day's bounds."""

from __future__ import annotations

import csv
import io
import json
from datetime import date
from pathlib import Path
from typing import Any

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.report import What, csv_bytes
from o2o_tui.client import PlatformClient
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.platform import reports
from tests.support.platform import RunningPlatform
from tests.test_cli_dispatch import Cli as DispatchCli
from tests.test_cli_dispatch import place_ready_orders
from tests.test_cli_orders import Cli, server_order
from tests.test_r1_trading_day_figures import _at, _store
from tests.test_sync_engine import place_orders


def _error(result: Any) -> dict[str, Any]:
    lines = [json.loads(line) for line in result.stderr.splitlines() if line.startswith("{")]
    [error] = [line["error"] for line in lines if "error" in line]
    assert isinstance(error, dict)
    return error


def test_a_local_refusal_gives_the_platforms_reason_and_a_refused_token_says_log_in(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    running = shared_platform
    assert running.seed is not None
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    first, second = place_orders(running.url, running.seed, 2)  # takeout
    cli("sync", "--once")
    early = _error(cli("orders", "preparing", first, "--json", code=Exit.REJECTED))
    assert early["code"] == "rejected" and early["sent"] is False
    assert early["reason"] == {"code": "illegal_transition", "from": "CREATED", "to": "PREPARING"}
    cli("orders", "accept", first, "--prep", "5")
    cli("orders", "ready", first)
    wrong = "0000" if server_order(running, first).pickup_code != "0000" else "1111"
    refused = _error(cli("orders", "handoff", first, "--code", wrong, "--json", code=Exit.REJECTED))
    assert refused["reason"]["code"] == "wrong_code"  # the code the platform answers for a wrong code
    # another counter accepts the second order; this profile's cache still shows it NEW, and its token is revoked
    with PlatformClient(running.url, running.seed.tokens["merchant"]) as merchant:
        merchant.act("order.confirm", second, ConfirmBody(preparation_minutes=10))
    profiles = next(cli.home.rglob("profiles.json"))
    profiles.write_text(profiles.read_text(encoding="utf-8").replace(cli.token, "revoked-token"), encoding="utf-8")
    stale = cli("orders", "preparing", second, "--json", code=Exit.AUTH)
    error = _error(stale)
    assert error["code"] == "auth" and error["login_needed"] is True and error["sent"] is False
    assert error["reason"]["code"] == "illegal_transition" and "o2o login" in error["message"]
    assert "log in again" in cli("orders", "preparing", second, code=Exit.AUTH).stderr


def test_dispatch_says_its_outcome_and_a_no_op_is_unchanged(shared_platform: RunningPlatform, tmp_path: Path) -> None:
    platform = shared_platform
    assert platform.seed is not None
    cli = DispatchCli(tmp_path / "home")
    cli("login", "--url", platform.url, "--token", platform.seed.tokens["dispatcher"])
    [order] = place_ready_orders(platform, [(500.0, 500.0)])
    courier = platform.seed.courier_ids[0]
    assigned = cli.json("dispatch", "assign", order.id, courier)
    assert assigned["outcome"] == "done" and assigned["courier_id"] == courier
    again = cli.json("dispatch", "assign", order.id, courier)
    assert again["outcome"] == "unchanged" and again["id"] == assigned["id"]
    taken = cli.json("dispatch", "unassign", order.id)
    assert taken["outcome"] == "done" and taken["courier_id"] is None
    noop = cli.json("dispatch", "unassign", order.id)
    assert noop["outcome"] == "unchanged" and noop["id"] == order.id
    assert "nothing changed" in cli("dispatch", "unassign", order.id).stdout


def test_the_csv_day_bounds_say_their_zone() -> None:
    report = reports.compute(_store(), date(2026, 12, 6), [], _at(7, 1, 40))
    rows = list(csv.DictReader(io.StringIO(csv_bytes(report, What.HOURS).decode("utf-8-sig"))))
    bounds = ("2026-12-06 00:00 Asia/Shanghai", "2026-12-07 03:00 Asia/Shanghai")
    assert (rows[0]["day_starts"], rows[0]["day_ends"]) == bounds
