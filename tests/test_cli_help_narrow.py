"""`o2o ... --help` at 40 columns breaks only between words: no option name cut with "…", no type or default
folded inside a token ("<floa|t>", "[default: 30|0]"), no word of the help cut in two. In a narrow terminal the
options are listed one under another (their names and type on a line, the help below), and every word the help
shows at 200 columns is there whole. In Chinese no line starts with closing punctuation. And `--json` of
`o2o admin` says what it prints: a token only where the command hands one out."""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from o2o_tui.text_fold import CLOSING

_BORDERS = re.compile(r"[│╭╮╰╯─]")
COMMANDS = [
    ["admin", "create-store"],
    ["admin", "users"],
    ["orders", "accept"],
    ["orders", "list"],
    ["store", "pause"],
    ["demo"],
    ["simulate"],
]


def _help(args: list[str], columns: int, lang: str = "en") -> str:
    env = {**os.environ, "O2O_LANG": lang, "COLUMNS": str(columns)}
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args, "--help"]
    return subprocess.run(command, env=env, capture_output=True, text=True, check=True).stdout


def _panels(text: str) -> str:
    """The text of the help's panels (options, arguments), without their borders."""
    inside = [line for line in text.splitlines() if line.startswith("│")]
    return "\n".join(_BORDERS.sub(" ", line) for line in inside)


# Each command at 40 columns in one language in the suite, the other in `python -m bench deep`: in English the
# commands whose options show types, ranges and defaults (the tokens a fold could cut), in Chinese the others.
_IN_ENGLISH = [["admin", "create-store"], ["orders", "accept"], ["demo"], ["simulate"]]


def _in(language: str) -> list[object]:
    """COMMANDS, those the suite checks in the other language marked `deep`."""
    here = [args for args in COMMANDS if (args in _IN_ENGLISH) == (language == "en")]
    return [args if args in here else pytest.param(args, marks=pytest.mark.deep) for args in COMMANDS]


@pytest.mark.parametrize("args", _in("en"), ids=" ".join)
def test_every_word_whole_at_40_columns(args: list[str]) -> None:
    narrow, wide = _help(args, 40), _help(args, 200)
    assert "…" not in narrow
    assert all(len(line) <= 40 for line in narrow.splitlines())
    words = set(_panels(narrow).split())
    missing = [word for word in _panels(wide).split() if word not in words]
    assert not missing, (missing, narrow)


@pytest.mark.parametrize("args", _in("zh"), ids=" ".join)
def test_chinese_at_40_columns(args: list[str]) -> None:
    narrow, wide = _help(args, 40, "zh"), _help(args, 200, "zh")
    assert "…" not in narrow
    lines = [line.strip() for line in _panels(narrow).splitlines() if line.strip()]
    assert not [line for line in lines if line[0] in CLOSING]
    flat = "".join(_panels(narrow).split())
    for word in _panels(wide).split():  # a Chinese run may break between characters, never lose one
        assert word in flat, word


def test_the_table_stays_at_80_columns() -> None:
    shown = _help(["admin", "create-store"], 80)
    assert re.search(r"│ \*  --name +<str> +Store name\. \[required\]", shown)


def test_admin_json_says_what_it_prints() -> None:
    never = _help(["admin", "users"], 200)
    assert "Print the result as one JSON document (it holds no token)." in never
    assert "ids and tokens" not in never
    for args in (["admin", "create-user"], ["admin", "rotate-token"], ["admin", "seed-demo"]):
        assert "tokens included (shown once" in _help(args, 200), args
    assert "以一个 JSON 文档输出结果（不含令牌）。" in _help(["admin", "create-store"], 200, "zh")
