"""`o2o ... --help` between 40 and 80 columns never cuts an option's notes: its env var, its default and
[required] ("[env var: O2O_PROFILE]", "[default: Asia/Shanghai]") are shown whole on one line, in English and in
Chinese. Typer's table cut a note wider than its help column with "…" (at 60 columns: "[env var: O2O_PROFIL…");
the options are then listed one under another, each note kept whole after the help."""

from __future__ import annotations

import functools
import re

import pytest

from tests.test_cli_help_narrow import _help, _panels

COMMANDS = [
    ["courier"],
    ["dispatch", "auto"],
    ["admin", "create-store"],
    ["orders", "cancellation", "deny"],
    ["serve"],
]
_NOTE = re.compile(r"\[[^\[\]]+\]")


@functools.cache
def _notes(args: tuple[str, ...], lang: str) -> frozenset[str]:
    """The notes `o2o ARGS --help` shows at 200 columns (read once per worker: every width is checked against
    them)."""
    return frozenset(_NOTE.findall(_panels(_help(list(args), 200, lang))))


# every command, language and width in the suite (each command at one width, in one language: 5 of the 40),
# every combination in `python -m bench deep`
@pytest.mark.covering
@pytest.mark.parametrize("columns", [50, 60, 70, 80])
@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("args", COMMANDS, ids=" ".join)
def test_notes_whole_from_50_to_80_columns(args: list[str], lang: str, columns: int) -> None:
    notes = _notes(tuple(args), lang)
    assert notes, "a command with an env var or a default"
    shown = _help(args, columns, lang)
    assert "…" not in shown.replace("……", ""), (columns, shown)
    assert all(len(line) <= columns for line in shown.splitlines())
    lines = _panels(shown).splitlines()
    missing = [note for note in notes if not any(note in line for line in lines)]
    assert not missing, (columns, missing, shown)
