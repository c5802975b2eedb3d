"""Without Rich (`TYPER_USE_RICH=0`, Typer prints Click's errors itself) a usage error under `--json` (or
`--fields`) is the same JSON error object on stderr, with the same exit code, as with Rich; without `--json` it is
Click's plain words, in the current language."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.test_cli_json_parse_errors import CASES


def _run(
    args: list[str], tmp_path: Path, *, rich: bool, lang: str = "en"
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "O2O_HOME": str(tmp_path), "O2O_LANG": lang, "COLUMNS": "200"}
    env["TYPER_USE_RICH"] = "1" if rich else "0"
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args]
    return subprocess.run(command, env=env, capture_output=True, text=True)


# Without Rich the suite runs one case of each error (unknown option, a value missing, an extra argument, a
# missing argument, a bad value) and of each way of asking for JSON (`--json`, `--fields id`, `--fields=id`, a
# bare `--fields`); these two repeat an error and a way the others have, and run in `python -m bench deep`.
_DEEP = {
    ("orders", "list", "--fields", "id,status", "--bogus"),
    ("orders", "list", "--fields", "id", "--status"),
}
_CASES = [pytest.param(*case, marks=pytest.mark.deep) if tuple(case[0]) in _DEEP else case for case in CASES]


@pytest.mark.parametrize(("args", "message"), _CASES, ids=[" ".join(args) for args, _ in CASES])
def test_json_error_without_rich_as_with_it(args: list[str], message: str, tmp_path: Path) -> None:
    plain, rich = _run(args, tmp_path, rich=False), _run(args, tmp_path, rich=True)
    assert plain.returncode == rich.returncode == 2 and plain.stdout == ""
    assert plain.stderr == rich.stderr
    lines = plain.stderr.strip().splitlines()
    assert len(lines) == 1, plain.stderr
    error = json.loads(lines[0])["error"]
    assert error["code"] == "usage" and error["exit"] == 2 and error["message"].startswith(message)


def test_plain_words_without_json_in_the_language(tmp_path: Path) -> None:
    done = _run(["orders", "list", "--bogus"], tmp_path, rich=False, lang="zh")
    assert done.returncode == 2 and '"error"' not in done.stderr
    assert "没有这个选项：--bogus" in done.stderr
    # Click's own words around it too: the help hint and the "Error:" before the sentence
    assert "\n运行 '" in done.stderr and "orders list --help' 查看帮助。" in done.stderr
    assert "错误：没有这个选项：--bogus" in done.stderr
    assert "Try '" not in done.stderr and "Error:" not in done.stderr
    english = _run(["orders", "list", "--bogus"], tmp_path, rich=False)
    assert "orders list --help' for help." in english.stderr
    assert "Error: No such option: --bogus" in english.stderr
    json_zh = _run(["orders", "list", "--json", "--bogus"], tmp_path, rich=False, lang="zh")
    assert json.loads(json_zh.stderr)["error"]["message"] == "没有这个选项：--bogus"
