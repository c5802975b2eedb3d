"""Script-facing corners of `o2o`: the exit code a script reads when a stream is gone, `menu show`'s option words,
and the print queue's purged day numbers as ints.

A usage error (unknown option, missing argument, unknown command) is exit 2 also with stderr closed (`2>&-`) or
its reader gone: Rich's console exits 1 by itself on a broken pipe, and a write to a closed stderr raised. Commands
that write to stdout themselves (`--version`, `completion`, `--help`, `dispatch auto`) keep their own exit code and
print no traceback once stdout is closed (`>&-`) or its reader left; `dispatch auto` run until stopped then stops
quietly, exit 141, as `o2o sync` does. The real `o2o` in a subprocess against the real platform on loopback.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.sync_service import OUTPUT_GONE_EXIT
from tests.support.platform import RunningPlatform
from tests.test_login import ROOT, o2o

CLI = [sys.executable, "-c", "from o2o_tui.cli import main; main()"]


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_") and k != "TYPER_USE_RICH"}
    return env | {"O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1", **extra}


def _closed(fd: int) -> Any:
    """A `preexec_fn` closing `fd` in the child: `>&-` / `2>&-` (DEVNULL is an open file, not a closed one)."""
    return lambda: os.close(fd)


def _read_only(fd: int) -> Any:
    """A `preexec_fn` leaving `fd` open for reading only: `2>&-` through a wrapper script (pyenv's shim: bash
    opens the script on the lowest free descriptor, the closed one), so Python has a stream there that every write
    fails on (EBADF)."""

    def leave() -> None:
        os.close(fd)
        opened = os.open(os.devnull, os.O_RDONLY)
        if opened != fd:
            os.dup2(opened, fd)
            os.close(opened)
        os.set_inheritable(fd, True)  # os.open's own are closed on exec

    return leave


CLOSINGS = {"closed": _closed, "read-only": _read_only}


def _run(home: Path, *args: str, env: dict[str, str] | None = None, **options: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*CLI, *args], cwd=ROOT, env=env or _env(home), text=True, timeout=60, **options
    )


def _with_reader_gone(home: Path, *args: str, stream: int, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Run with `stream` (1 or 2) a pipe whose reader left before a byte was written (`| head -0`); the exit code
    and what the other stream said."""
    reader, writer = os.pipe()
    os.close(reader)
    try:
        if stream == 1:
            done = _run(home, *args, env=env, stdout=writer, stderr=subprocess.PIPE)
            return done.returncode, done.stderr
        done = _run(home, *args, env=env, stdout=subprocess.PIPE, stderr=writer)
        return done.returncode, done.stdout
    finally:
        os.close(writer)


@pytest.fixture(scope="module")
def merchant(shared_platform: RunningPlatform, tmp_path_factory: pytest.TempPathFactory) -> Path:
    assert shared_platform.seed is not None
    home = tmp_path_factory.mktemp("merchant")
    done = o2o(home, "login", "--url", shared_platform.url, "--token", shared_platform.seed.tokens["merchant"])
    assert done.returncode == 0, done.stderr
    return home


# --- 1. usage errors are exit 2 whatever happens to stderr --------------------------------------------------------

USAGE_ERRORS = [
    ["orders", "list", "--bogus"],  # unknown option
    ["orders", "show"],  # missing argument
    ["nosuchcommand"],  # unknown command
    ["orders", "accept", "1", "--prep", "999"],  # a value out of range
]


@pytest.mark.covering  # every value of every axis in the suite, every combination in `python -m bench deep`
@pytest.mark.parametrize("how", CLOSINGS)
@pytest.mark.parametrize("rich", ["1", "0"], ids=["rich", "plain"])
@pytest.mark.parametrize("args", USAGE_ERRORS, ids=lambda args: "-".join(args))
def test_a_usage_error_is_exit_2_with_stderr_closed(tmp_path: Path, args: list[str], rich: str, how: str) -> None:
    env = _env(tmp_path, TYPER_USE_RICH=rich)
    said = _run(tmp_path, *args, env=env, capture_output=True)
    assert said.returncode == 2, said.stderr  # as it always was with stderr open
    closed = _run(tmp_path, *args, env=env, stdout=subprocess.PIPE, stderr=None, preexec_fn=CLOSINGS[how](2))
    assert closed.returncode == 2
    assert closed.stdout == ""


@pytest.mark.parametrize("rich", ["1", "0"], ids=["rich", "plain"])
@pytest.mark.parametrize("args", USAGE_ERRORS[:2], ids=lambda args: "-".join(args))
def test_a_usage_error_is_exit_2_when_stderrs_reader_left(tmp_path: Path, args: list[str], rich: str) -> None:
    code, stdout = _with_reader_gone(tmp_path, *args, stream=2, env=_env(tmp_path, TYPER_USE_RICH=rich))
    assert code == 2
    assert stdout == ""


# --- 2. stdout gone: the command's own exit code, no traceback --------------------------------------------------

STDOUT_COMMANDS = [
    ["--version"],
    ["completion", "bash"],
    ["orders", "--help"],
    ["menu", "show"],
    ["menu", "show", "--json"],
    ["dispatch", "auto", "--once"],
    ["dispatch", "auto", "--once", "--json"],
]


@pytest.mark.covering  # every value of every axis in the suite, every combination in `python -m bench deep`
@pytest.mark.parametrize("how", [*CLOSINGS, "reader-left"])
@pytest.mark.parametrize("args", STDOUT_COMMANDS, ids=lambda args: "-".join(args))
def test_a_command_whose_stdout_is_gone_keeps_its_exit_code(merchant: Path, args: list[str], how: str) -> None:
    said = _run(merchant, *args, capture_output=True)
    assert said.returncode == 0, said.stderr
    if how in CLOSINGS:
        done = _run(merchant, *args, stdout=None, stderr=subprocess.PIPE, preexec_fn=CLOSINGS[how](1))
        code, stderr = done.returncode, done.stderr
    else:
        code, stderr = _with_reader_gone(merchant, *args, stream=1)
    assert code == 0, stderr
    assert stderr == ""  # no traceback, no "Exception ignored ... BrokenPipeError"


def test_shell_completion_answers_with_stdout_gone(merchant: Path) -> None:
    """The shell asks `o2o` for completions (`_O2O_COMPLETE`) and stopped reading: exit 0, nothing on stderr."""
    env = _env(merchant, _O2O_COMPLETE="complete_bash", COMP_WORDS="o2o ord", COMP_CWORD="1")
    said = _run(merchant, env=env, capture_output=True)
    assert said.returncode == 0 and "orders" in said.stdout, said.stderr
    code, stderr = _with_reader_gone(merchant, stream=1, env=env)
    assert (code, stderr) == (0, "")
    for leave in CLOSINGS.values():
        closed = _run(merchant, env=env, stdout=None, stderr=subprocess.PIPE, preexec_fn=leave(1))
        assert (closed.returncode, closed.stderr) == (0, "")


@pytest.mark.covering  # every value of every axis in the suite, every combination in `python -m bench deep`
@pytest.mark.parametrize("how", [*CLOSINGS, "reader-left"])
@pytest.mark.parametrize("as_json", [False, True], ids=["text", "json"])
def test_dispatch_auto_stops_quietly_once_its_output_is_gone(merchant: Path, as_json: bool, how: str) -> None:
    """Run until stopped, as `o2o sync`: its reader gone, it stops after the round it could not say (141)."""
    args = ["dispatch", "auto", "--every", "1", *(["--json"] if as_json else [])]
    if how in CLOSINGS:
        closed = _run(merchant, *args, stdout=None, stderr=subprocess.PIPE, preexec_fn=CLOSINGS[how](1))
        code, stderr = closed.returncode, closed.stderr
    else:
        code, stderr = _with_reader_gone(merchant, *args, stream=1)
    assert (code, stderr) == (OUTPUT_GONE_EXIT, "")


# --- 3. menu show: how many options a group takes, and which groups an item offers --------------------------------


def _groups_said(shown: str) -> dict[str, str]:
    lines = shown.splitlines()
    start = lines.index(next(line for line in lines if line in ("Options", "选项")))
    return {line.split()[0]: line for line in lines[start + 1 :] if line.startswith("  ") and not line.startswith("    ")}


def test_menu_show_says_each_groups_rule_and_each_items_groups(merchant: Path) -> None:
    menu = json.loads(o2o(merchant, "menu", "show", "--json").stdout)
    groups = {group["id"]: group for group in menu["option_groups"]}
    exactly = next(g for g in groups.values() if g["min"] == g["max"])
    optional = next(g for g in groups.values() if g["min"] == 0 and g["max"] > 0)
    item = next(i for category in menu["categories"] for i in category["items"] if i["option_group_ids"])
    plain = next(i for category in menu["categories"] for i in category["items"] if not i["option_group_ids"])

    shown = o2o(merchant, "menu", "show")
    assert shown.returncode == 0, shown.stderr
    said = _groups_said(shown.stdout)
    assert said[exactly["id"]].endswith(f"(choose {exactly['max']})"), said
    assert "-" not in said[exactly["id"]].rsplit("(", 1)[1]  # never "choose 1-1"
    assert said[optional["id"]].endswith(f"(optional, up to {optional['max']})"), said
    item_line = next(line for line in shown.stdout.splitlines() if line.startswith(f"  {item['id']}  "))
    assert item_line.endswith("options: " + ", ".join(groups[g]["name"] for g in item["option_group_ids"])), item_line
    plain_line = next(line for line in shown.stdout.splitlines() if line.startswith(f"  {plain['id']}  "))
    assert "options:" not in plain_line

    zh = o2o(merchant, "menu", "show", env={"O2O_LANG": "zh"})
    assert zh.returncode == 0, zh.stderr
    said = _groups_said(zh.stdout)
    assert said[exactly["id"]].endswith(f"（选 {exactly['max']} 项）"), said
    assert said[optional["id"]].endswith(f"（可不选，最多 {optional['max']} 项）"), said
    item_line = next(line for line in zh.stdout.splitlines() if line.startswith(f"  {item['id']}  "))
    assert item_line.endswith("选项：" + "、".join(groups[g]["name"] for g in item["option_group_ids"])), item_line


def test_a_groups_rule_in_words() -> None:
    from o2o_tui.cli.menu import group_rule
    from o2o_tui.i18n import set_language

    set_language("en")
    assert [group_rule(1, 1), group_rule(2, 2), group_rule(0, 3), group_rule(1, 3)] == [
        "choose 1",
        "choose 2",
        "optional, up to 3",
        "choose 1-3",
    ]


# --- 4. print status: the purged day numbers are ints, their display form beside them -----------------------------


def test_purged_numbers_are_ints_with_their_display_form_beside() -> None:
    from o2o_tui.cli.printing import _purged_number_fields

    assert _purged_number_fields(("#0041", "#0042")) == {
        "purged_numbers": [41, 42],
        "purged_display_numbers": ["#0041", "#0042"],
    }
    assert _purged_number_fields(()) == {"purged_numbers": [], "purged_display_numbers": []}
