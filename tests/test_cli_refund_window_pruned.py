"""`o2o orders refund` of an order the device pruned: devices drop an ended order from their caches after
`O2O_REFUND_WINDOW_DAYS` (3), so a refund asked later finds nothing cached. The CLI asks the platform (GET the
order): one it knows is refused as the window closed (exit 4, nothing queued), never "no such order"; an order the
platform does not know either is still "no such order" (exit 6). Real platform on loopback, real cache."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api
from tests.test_cli_orders import Cli
from tests.test_refund_after_handoff import _ended_ago, _picked_up


@pytest.fixture(autouse=True)
def _default_window(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("O2O_REFUND_WINDOW_DAYS", raising=False)


def test_a_refund_of_an_order_pruned_after_the_window_says_the_window_closed(
    running: RunningPlatform, tmp_path: Path
) -> None:
    assert running.seed is not None
    old, path = _picked_up(running)
    _ended_ago(running, old["id"], timedelta(days=4))
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once")
    assert old["id"] not in [order["id"] for order in cli.json("orders", "list")]  # pruned: not cached

    closed = cli("orders", "refund", old["id"], "--all", "--reason", "QUALITY", code=Exit.REJECTED)
    assert "was handed off more than 3 days ago" in closed.stderr, closed.stderr
    assert "no order" not in closed.stderr.lower()
    assert cli.json("conflicts", "list") == [] and cli.json("sync", "status")["pending"] == 0  # nothing queued
    assert api(running, "merchant").get(path).json()["refunds"] == []

    as_json = cli("orders", "refund", old["id"], "--all", "--reason", "QUALITY", "--json", code=Exit.REJECTED)
    assert "more than 3 days ago" in as_json.stdout + as_json.stderr

    unknown = cli("orders", "refund", "ord_nobody_knows", "--all", "--reason", "QUALITY", code=Exit.NOT_FOUND)
    assert "window" not in unknown.stderr


def test_the_window_closed_in_chinese_too(running: RunningPlatform, tmp_path: Path) -> None:
    from typer.testing import CliRunner

    from o2o_tui.cli import app

    assert running.seed is not None
    old, _ = _picked_up(running)
    _ended_ago(running, old["id"], timedelta(days=5))
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once")
    env = {"O2O_HOME": str(cli.home), "O2O_LANG": "zh", "NO_COLOR": "1", "COLUMNS": "200", "O2O_PROFILE": None}
    said = CliRunner().invoke(app, ["orders", "refund", old["id"], "--all", "--reason", "QUALITY"], env=env)
    assert said.exit_code == Exit.REJECTED, (said.stdout, said.stderr)
    assert "3" in said.stderr and "天" in said.stderr, said.stderr
