"""`--profile` with a name the profile rules refuse (`../../etc`, `a b`) is a usage error on every command: exit 2,
and `"code": "usage"` under `--json`, as other bad arguments (README, exit codes)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit

COMMANDS = [
    ["orders", "list"],
    ["orders", "accept", "o1"],
    ["sync", "status"],
    ["sync", "--once"],
    ["menu", "show"],
    ["deliveries", "list"],
    ["whoami"],
    ["logout"],
    ["console"],
    ["courier"],
    ["dispatch", "suggest"],
]


def _run(tmp_path: Path, args: list[str]) -> object:
    env = {"O2O_HOME": str(tmp_path), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200"}
    env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
    return CliRunner().invoke(app, args, env=env, catch_exceptions=False)


@pytest.mark.parametrize("name", ["../../etc", "a b"])
@pytest.mark.parametrize("command", COMMANDS, ids=lambda c: " ".join(c))
def test_refused_profile_name_is_a_usage_error(tmp_path: Path, command: list[str], name: str) -> None:
    result = _run(tmp_path, [*command, "--profile", name])
    assert result.exit_code == Exit.USAGE, (result.stdout, result.stderr)
    assert "Not a usable profile name" in result.stderr


@pytest.mark.parametrize("command", [c for c in COMMANDS if c[0] not in ("console", "courier")], ids=" ".join)
def test_refused_profile_name_in_json(tmp_path: Path, command: list[str]) -> None:
    result = _run(tmp_path, [*command, "--profile", "a b", "--json"])
    assert result.exit_code == Exit.USAGE, (result.stdout, result.stderr)
    error = json.loads(result.stderr)["error"]
    assert error["code"] == "usage" and error["exit"] == 2 and "a b" in error["message"]


def test_refused_profile_name_from_the_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {"O2O_HOME": str(tmp_path), "O2O_LANG": "en", "NO_COLOR": "1", "O2O_PROFILE": "../x"}
    result = CliRunner().invoke(app, ["orders", "list", "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == Exit.USAGE
    assert json.loads(result.stderr)["error"]["code"] == "usage"
