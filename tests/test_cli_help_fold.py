"""`o2o ... --help` loses no words in a narrow terminal: a run of Chinese longer than its column breaks between
characters onto the next line, never cut with "…" (Rich breaks lines only at spaces; `o2o_tui/cli/help_text.py`)."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys

import pytest

_BORDERS = re.compile(r"[\s│╭╮╰╯─]")


def _help(args: list[str], columns: int) -> str:
    env = {**os.environ, "O2O_LANG": "zh", "COLUMNS": str(columns)}
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args, "--help"]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


def _flat(text: str) -> str:
    """The text without spaces, line ends and panel borders: a description folded over several lines is one
    run again (the other columns of its continuation lines are blank)."""
    return _BORDERS.sub("", text)


_DESCRIPTIONS = """
import json, sys
import typer
from o2o_tui.cli import build_app
args = sys.argv[1:]
command = typer.main.get_command(build_app(args[0] if args else None))
context = typer.Context(command)
for name in args:
    command = command.commands[name]
if hasattr(command, "commands"):
    found = [(sub.short_help or sub.help or "").split("\\n\\n")[0] for sub in command.commands.values() if not sub.hidden]
else:
    found = [param.help for param in command.get_params(context) if getattr(param, "help", None)]
print(json.dumps(found))
"""


def _descriptions(args: list[str]) -> list[str]:
    """The descriptions `--help` shows for `o2o ARGS`: its commands' first paragraphs, or its options' help (read
    in a Chinese process of its own: the commands' modules say their help in the language they were loaded in)."""
    env = {**os.environ, "O2O_LANG": "zh"}
    done = subprocess.run([sys.executable, "-c", _DESCRIPTIONS, *args], env=env, capture_output=True, text=True, check=True)
    return list(json.loads(done.stdout))


@pytest.mark.covering  # every command and width in the suite, every combination in `python -m bench deep`
@pytest.mark.parametrize("columns", [80, 60])
@pytest.mark.parametrize("args", [[], ["orders", "list"], ["orders"], ["print", "ticket"]], ids=" ".join)
def test_chinese_help_folds_and_loses_no_words(args: list[str], columns: int) -> None:
    shown = _help(args, columns)
    assert "…" not in shown
    flat = _flat(shown)
    descriptions = _descriptions(args)
    assert descriptions
    for description in descriptions:
        assert _flat(description) in flat, description
