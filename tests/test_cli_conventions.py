"""The conventions a new user tries first: `o2o --version` and shell completion (`o2o completion bash|zsh|fish`)."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit

ROOT = Path(__file__).resolve().parent.parent
CLI = "from o2o_tui.cli import main; main()"


def _env(home: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("O2O_", "_O2O_", "COMP_", "_TYPER_"))}
    return {**env, "O2O_HOME": str(home), "O2O_LANG": "en", **extra}


def o2o(home: Path, *args: str, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(home, **extra_env),
        timeout=60,
    )


def test_version_prints_the_package_version(tmp_path: Path) -> None:
    expected = f"o2o {version('o2o')}\n"
    for args in (["--version"], ["--lang", "zh", "--version"]):
        result = o2o(tmp_path, *args)
        assert (result.returncode, result.stdout, result.stderr) == (0, expected, ""), args


def test_version_and_completion_cost_other_commands_nothing(tmp_path: Path) -> None:
    """`--version` loads no command module; `orders list` loads neither the completion module nor its answers."""
    code = (
        "import sys\n"
        "from o2o_tui.cli import main\n"
        "sys.argv = ['o2o', *sys.argv[1:]]\n"
        "try:\n"
        "    main()\n"
        "except SystemExit:\n"
        "    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('o2o_tui.cli.') and m not in\n"
        "    ('o2o_tui.cli.exits', 'o2o_tui.cli.output')), file=sys.stderr)\n"
    )

    def loaded(*args: str) -> str:
        run = subprocess.run(
            [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, env=_env(tmp_path)
        )
        return run.stderr.strip().splitlines()[-1]

    assert loaded("--version") == "[]"
    orders = loaded("orders", "list")  # no profile: exits 5, after the whole start-up
    assert "'o2o_tui.cli.orders'" in orders and "completion" not in orders, orders


def test_unknown_shell_is_refused_with_exit_2(tmp_path: Path) -> None:
    result = o2o(tmp_path, "completion", "tcsh")
    assert result.returncode == Exit.USAGE and result.stdout == "", result
    assert "tcsh" in result.stderr


def test_completion_answers_when_the_shell_asks(tmp_path: Path) -> None:
    """`o2o` with the completion variables set answers instead of running: command words, then deeper."""
    asks = {
        # click's order of the instruction, as the check sets it, and typer's (what the script sets)
        ("bash_complete", "o2o ord", "1"): ["orders"],
        ("complete_bash", "o2o ord", "1"): ["orders"],
        ("complete_bash", "o2o orders li", "2"): ["list"],
        ("complete_bash", "o2o completion ", "2"): ["bash", "zsh", "fish"],
        ("complete_bash", "o2o --lang zh sto", "3"): ["store"],
    }
    for (instruction, words, cword), expected in asks.items():
        result = o2o(tmp_path, _O2O_COMPLETE=instruction, COMP_WORDS=words, COMP_CWORD=cword)
        assert result.returncode == 0, result.stderr
        assert result.stdout.split() == expected, (words, result.stdout)
    zsh = o2o(tmp_path, _O2O_COMPLETE="complete_zsh", _TYPER_COMPLETE_ARGS="o2o ord")
    assert zsh.returncode == 0 and '"orders"' in zsh.stdout, zsh
    fish = o2o(
        tmp_path,
        _O2O_COMPLETE="complete_fish",
        _TYPER_COMPLETE_FISH_ACTION="get-args",
        _TYPER_COMPLETE_ARGS="o2o ord",
    )
    assert fish.returncode == 0 and fish.stdout.startswith("orders\t"), fish
    bad = o2o(tmp_path, _O2O_COMPLETE="complete_tcsh", COMP_WORDS="o2o ord", COMP_CWORD="1")
    assert bad.returncode == 1 and bad.stdout == "" and "_O2O_COMPLETE" in bad.stderr, bad


@pytest.mark.parametrize("shell", ["zsh", "fish"])
def test_zsh_and_fish_scripts_ask_o2o(tmp_path: Path, shell: str) -> None:
    result = o2o(tmp_path, "completion", shell)
    assert result.returncode == 0, result.stderr
    assert f"_O2O_COMPLETE=complete_{shell}" in result.stdout and "o2o" in result.stdout


@pytest.mark.skipif(shutil.which("bash") is None, reason="bash is not installed")
def test_bash_script_completes_commands_in_a_real_bash(tmp_path: Path) -> None:
    """The printed script, sourced by bash, fills COMPREPLY by asking `o2o` (a shim on PATH runs this tree)."""
    result = o2o(tmp_path, "completion", "bash")
    assert result.returncode == 0, result.stderr
    script = tmp_path / "o2o.bash"
    script.write_text(result.stdout)
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir()
    shim = bin_dir / "o2o"
    shim.write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -c {shlex.quote(CLI)} "$@"\n')
    shim.chmod(0o755)
    program = (
        f"source {shlex.quote(str(script))}\n"
        # what bash itself does on `o2o ord<TAB>`: the words, the index of the word under the cursor, then the
        # function `complete -F` registered, called with the command, the word and the word before it
        "COMP_WORDS=(o2o ord); COMP_CWORD=1\n"
        "_o2o_completion o2o ord o2o\n"
        "printf '%s\\n' \"${COMPREPLY[@]}\"\n"
        "complete -p o2o\n"
    )
    env = _env(tmp_path, PATH=f"{bin_dir}{os.pathsep}{os.environ['PATH']}")
    run = subprocess.run(
        ["bash", "--norc", "--noprofile", "-c", program],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert run.returncode == 0, run.stderr
    lines = run.stdout.splitlines()
    assert lines[0] == "orders", run.stdout
    assert "_o2o_completion" in lines[-1] and lines[-1].endswith(" o2o"), run.stdout
