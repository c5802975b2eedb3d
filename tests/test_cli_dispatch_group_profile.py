"""A group's `--profile` (and `o2o dispatch`'s `--store`) reaches its commands: `o2o dispatch --profile fleet
suggest` is `o2o dispatch suggest --profile fleet`, and so for every `o2o dispatch` command, `o2o sync` and
`o2o store hours`; the command's own option wins over the group's, and the group's over `O2O_PROFILE`. Against
the real platform on loopback, on a home with no default profile (only named ones)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform
from tests.test_cli_dispatch import on_server, place_ready_orders


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.outputs: list[str] = []

    def __call__(self, *args: str, code: int = 0, env_profile: str | None = None) -> Any:
        env: dict[str, str | None] = {"O2O_HOME": str(self.home), "O2O_LANG": "en", "NO_COLOR": "1"}
        env |= {"COLUMNS": "200", "O2O_PROFILE": env_profile, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        self.outputs.append(result.stdout + result.stderr)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, code: int = 0, env_profile: str | None = None) -> Any:
        return json.loads(self(*args, "--json", code=code, env_profile=env_profile).stdout)


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert platform.seed is not None
    runner = Cli(tmp_path / "home")
    tokens = platform.seed.tokens
    runner("login", "--url", platform.url, "--token", tokens["dispatcher"], "--profile", "fleet")
    runner("login", "--url", platform.url, "--token", tokens["merchant"], "--profile", "counter")
    runner("login", "--url", platform.url, "--token", tokens["courier"], "--profile", "rider")
    runner("login", "--url", platform.url, "--token", tokens["admin"], "--profile", "boss")
    yield runner
    assert all(token not in text for text in runner.outputs for token in tokens.values())


def test_every_dispatch_command_takes_the_groups_profile(platform: RunningPlatform, cli: Cli) -> None:
    [order] = place_ready_orders(platform, [(700.0, 400.0)])
    number = f"#{order.number:04d}"
    plan = cli.json("dispatch", "--profile", "fleet", "suggest")
    assert [s["order_id"] for s in plan["suggestions"]] == [order.id]
    assert "leave now" in cli("dispatch", "--profile", "counter", "suggest").stdout  # a merchant of its fleet

    courier = platform.seed.courier_ids[0] if platform.seed else ""
    assert cli.json("dispatch", "--profile", "fleet", "assign", number, courier)["courier_id"] == courier
    assert on_server(platform, order.id).courier_id == courier
    assert cli.json("dispatch", "--profile", "fleet", "unassign", number)["courier_id"] is None
    assert on_server(platform, order.id).courier_id is None

    report = cli.json("dispatch", "--profile", "fleet", "auto", "--once")
    assert [s["order_id"] for s in report["assigned"]] == [order.id]
    assert on_server(platform, order.id).courier_id is not None


def test_the_commands_own_option_wins_and_the_group_beats_the_environment(cli: Cli) -> None:
    # the courier's profile may not dispatch (exit 2, saying what it uses): which profile was used shows
    assert cli.json("dispatch", "--profile", "rider", "suggest", "--profile", "fleet")["suggestions"] == []
    refused = cli("dispatch", "--profile", "fleet", "suggest", "--profile", "rider", code=Exit.USAGE)
    assert "courier" in refused.stderr.lower()
    assert cli.json("dispatch", "--profile", "fleet", "suggest", env_profile="rider")["suggestions"] == []
    assert cli.json("dispatch", "suggest", env_profile="fleet")["suggestions"] == []  # O2O_PROFILE alone
    cli("dispatch", "suggest", env_profile="rider", code=Exit.USAGE)
    cli("dispatch", "suggest", code=Exit.AUTH)  # no --profile anywhere and no default profile: as before


def test_the_dispatch_groups_store(platform: RunningPlatform, cli: Cli) -> None:
    assert platform.seed is not None
    store = platform.seed.store_id
    cli("dispatch", "--profile", "boss", "suggest", code=Exit.USAGE)  # an admin has no store of its own
    assert cli.json("dispatch", "--profile", "boss", "--store", store, "suggest")["suggestions"] == []
    assert cli.json("dispatch", "--store", store, "suggest", "--profile", "boss")["suggestions"] == []
    # the command's own --store wins: a store that is not there is a platform's "not found"
    wrong = ("--store", "no-such-store")
    cli("dispatch", "--profile", "boss", "--store", store, "suggest", *wrong, code=Exit.NOT_FOUND)


def test_sync_and_store_hours_take_their_groups_profile(cli: Cli) -> None:
    cli("sync", "--profile", "counter", "--once")
    status = cli.json("sync", "--profile", "counter", "status")
    assert status["state"] == "ONLINE" and status["pending"] == 0
    changed = cli.json("store", "hours", "--profile", "counter", "set", "fri", "10:00-14:00")
    assert changed["outcome"] == "done"
    assert changed["hours"]["week"]["fri"] == [{"opens": "10:00", "closes": "14:00"}]
    assert cli.json("store", "hours", "--profile", "counter", "reset")["outcome"] == "done"


def test_a_groups_json_reaches_its_commands(cli: Cli) -> None:
    """`o2o sync --json status`, `o2o store hours --json set ...`: the group's --json is the command's."""
    cli("sync", "--profile", "counter", "--once")
    status = json.loads(cli("sync", "--json", "--profile", "counter", "status").stdout)
    assert status["state"] == "ONLINE"
    changed = json.loads(cli("store", "hours", "--json", "--profile", "counter", "set", "fri", "10:00-14:00").stdout)
    assert changed["outcome"] == "done"
    assert json.loads(cli("store", "hours", "--json", "--profile", "counter", "reset").stdout)["outcome"] == "done"
