"""`o2o deliveries problem` run twice within seconds is one report on the platform, as on the handheld
(`courier_tasks.reported_before`): a problem the platform recorded on the delivery (any, not only the latest),
with the same reason and note, less than `SAME_REPORT_S` ago, is refused at once (exit 4, the refused-action
code; `--json` says it on stderr with when it was reported), nothing sent. Another reason or note, or the same one later, is a new
report. The real platform on loopback, a courier profile in tmp_path."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

from typer.testing import CliRunner

from o2o_tui import courier_tasks
from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from tests.support.platform import Api, RunningPlatform, api
from tests.test_cli_deliveries import _offer
from tests.test_cli_orders import Cli


def _problems(running: RunningPlatform, delivery_id: str) -> list[tuple[str, str]]:
    delivery: dict[str, Any] = api(running, "dispatcher").get(f"/v1/deliveries/{delivery_id}").json()
    return [(p["reason"], p["note"]) for p in delivery["problems"]]


def test_the_same_problem_run_twice_is_reported_once(running: RunningPlatform, courier: Cli) -> None:
    order = _offer(running)
    ref, delivery_id = order["ref"], order["delivery_id"]
    courier("deliveries", "accept", ref)
    first = courier("deliveries", "problem", ref, "--reason", "order-not-ready", "--note", "gate 3")
    assert "problem reported" in first.stdout
    again = courier("deliveries", "problem", ref, "--reason", "order_not_ready", "--note", "gate 3", code=Exit.REJECTED)
    assert f"{ref}: order not ready already reported at " in again.stderr
    assert "not sent again" in again.stderr and again.stdout == ""
    assert _problems(running, delivery_id) == [("ORDER_NOT_READY", "gate 3")]
    assert courier.json("deliveries", "show", ref)["pending_actions"] == []  # nothing queued either

    refused = courier("deliveries", "problem", ref, "--reason", "order-not-ready", "--note", "gate 3", "--json",
                      code=Exit.REJECTED)  # fmt: skip
    assert refused.stdout == ""
    error = json.loads(refused.stderr)["error"]
    assert error["code"] == "rejected" and error["exit"] == Exit.REJECTED
    assert error["outcome"] == "already_reported" and error["delivery_id"] == delivery_id
    assert error["reason"] == {"code": "already_reported"} and error["sent"] is False  # every refusal's shape
    assert error["reported_at"].endswith("Z") and "already reported at" in error["message"]
    assert _problems(running, delivery_id) == [("ORDER_NOT_READY", "gate 3")]

    # another note, or another reason, is another report
    courier("deliveries", "problem", ref, "--reason", "order-not-ready", "--note", "still waiting")
    courier("deliveries", "problem", ref, "--reason", "other", "--note", "gate 3")
    assert _problems(running, delivery_id) == [
        ("ORDER_NOT_READY", "gate 3"), ("ORDER_NOT_READY", "still waiting"), ("OTHER", "gate 3"),
    ]  # fmt: skip


def test_the_same_problem_later_is_a_new_report(running: RunningPlatform, courier: Cli) -> None:
    """Later: the first report tapped more than `SAME_REPORT_S` ago (its X-Occurred-At), which the CLI holds;
    the platform applies the same window to the tap times, so it records the second too."""
    order = _offer(running)
    ref, delivery_id = order["ref"], order["delivery_id"]
    courier("deliveries", "accept", ref)
    long_ago = datetime.now(UTC) - timedelta(seconds=courier_tasks.SAME_REPORT_S + 5)
    first = Api(running.url, courier.token).post(
        f"/v1/deliveries/{delivery_id}/problem",
        {"reason": "NOBODY_TO_RECEIVE"},
        headers={"X-Occurred-At": long_ago.isoformat()},
    )
    assert first.status_code == 200, first.text
    courier("sync", "--once")  # the CLI holds the first report
    courier("deliveries", "problem", ref, "--reason", "nobody-to-receive")
    assert _problems(running, delivery_id) == [("NOBODY_TO_RECEIVE", ""), ("NOBODY_TO_RECEIVE", "")]


def test_said_in_chinese(running: RunningPlatform, courier: Cli) -> None:
    order = _offer(running)
    ref = order["ref"]
    courier("deliveries", "accept", ref)
    courier("deliveries", "problem", ref, "--reason", "address-unknown")
    env = {"O2O_HOME": str(courier.home), "O2O_LANG": "zh", "NO_COLOR": "1", "COLUMNS": "200"}
    env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
    args = ["deliveries", "problem", ref, "--reason", "address-unknown"]
    again = CliRunner().invoke(app, args, env=env, catch_exceptions=False)
    assert again.exit_code == Exit.REJECTED, again.stderr
    assert f"{ref}：地址不明 已于 " in again.stderr and "未再次上报" in again.stderr
    assert _problems(running, order["delivery_id"]) == [("ADDRESS_UNKNOWN", "")]
