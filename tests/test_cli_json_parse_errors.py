"""Click's own errors (an unknown option, a missing value or argument, a bad value) are the JSON error object
`--json` errors are (`{"error": {"code": "usage", "exit": 2, "message": ...}}` on stderr, exit 2) whenever the
command line asks for JSON: by `--json`, or by `--fields` (which implies it), wherever on the line; plain
words otherwise. Both from a real `o2o` process and from a caller that passes its own arguments (CliRunner)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import build_app

CASES = [
    (["orders", "list", "--fields", "id,status", "--bogus"], "No such option: --bogus"),
    (["orders", "list", "--fields=id", "--bogus"], "No such option: --bogus"),
    (["orders", "list", "--fields"], "Option '--fields' requires an argument."),
    (["orders", "list", "--fields", "id", "--status"], "Option '--status' requires an argument."),
    (["orders", "list", "--fields", "id", "extra"], "Got unexpected extra argument"),
    (["orders", "accept", "--json"], "Missing argument 'order_id'."),
    (["orders", "accept", "2", "--prep", "0", "--json"], "Invalid value for '--prep': 0 is not in the range"),
]


def _error(stderr: str) -> dict:
    lines = stderr.strip().splitlines()
    assert len(lines) == 1, stderr
    document = json.loads(lines[0])
    assert set(document) == {"error"} and document["error"]["code"] == "usage" and document["error"]["exit"] == 2
    return document["error"]


@pytest.mark.parametrize(("args", "message"), CASES, ids=[" ".join(args) for args, _ in CASES])
def test_an_o2o_process(args: list[str], message: str, tmp_path: Path) -> None:
    env = {**os.environ, "O2O_HOME": str(tmp_path), "O2O_LANG": "en", "COLUMNS": "200"}
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args]
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    assert done.returncode == 2 and done.stdout == ""
    assert _error(done.stderr)["message"].startswith(message)


@pytest.mark.parametrize(("args", "message"), CASES, ids=[" ".join(args) for args, _ in CASES])
def test_arguments_given_by_a_caller(args: list[str], message: str, tmp_path: Path) -> None:
    """Not this process's own command line (sys.argv): what the command was given decides."""
    env = {"O2O_HOME": str(tmp_path), "O2O_LANG": "en", "COLUMNS": "200", "O2O_PROFILE": None, "O2O_TOKEN": None}
    result = CliRunner().invoke(build_app("orders"), args, env=env)
    assert result.exit_code == 2 and result.stdout == ""
    assert _error(result.stderr)["message"].startswith(message)


def test_in_chinese_too_and_plain_words_without_json(tmp_path: Path) -> None:
    env = {**os.environ, "O2O_HOME": str(tmp_path), "O2O_LANG": "zh", "COLUMNS": "200"}
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", "orders", "list"]
    done = subprocess.run([*command, "--fields", "id", "--bogus"], env=env, capture_output=True, text=True)
    assert done.returncode == 2 and _error(done.stderr)["message"] == "没有这个选项：--bogus"
    plain = subprocess.run([*command, "--bogus"], env=env, capture_output=True, text=True)
    assert plain.returncode == 2 and "没有这个选项：--bogus" in plain.stderr and '"error"' not in plain.stderr
    # after `--` the words are arguments, not a request for JSON
    after = subprocess.run([*command, "--", "--fields"], env=env, capture_output=True, text=True)
    assert after.returncode == 2 and '"error"' not in after.stderr
