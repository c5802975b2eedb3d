"""`o2o completion bash|zsh|fish`: the shell completion script, and the answers that script asks `o2o` for.

The script is static text (typer's templates): saved once where the shell loads completions, it runs nothing
when the shell starts. On TAB the shell runs `o2o` with `_O2O_COMPLETE` set; `main()` hands that to `answer()`
before the usual start, which builds only the command module the words name (all of them for the command word
itself). Nothing here is imported by any other command.
"""

from __future__ import annotations

import enum
import os
import sys
from typing import Any

import typer

from o2o_tui.i18n import t

PROG_NAME = "o2o"
COMPLETE_VAR = "_O2O_COMPLETE"


class Shell(enum.StrEnum):
    bash = "bash"
    zsh = "zsh"
    fish = "fish"


def script(shell: Shell | str) -> str:
    """The completion script for `shell`: it sets `_O2O_COMPLETE` and the words, then runs `o2o`."""
    from typer._completion_shared import get_completion_script

    return get_completion_script(prog_name=PROG_NAME, complete_var=COMPLETE_VAR, shell=Shell(shell).value)


def _shell_of(instruction: str) -> tuple[str, str] | None:
    """(action, shell) of `complete_bash` (typer's scripts) or `bash_complete` (click's order), else None."""
    first, _, second = instruction.partition("_")
    for action, shell in ((first, second), (second, first)):
        if shell in Shell.__members__ and action in ("complete", "source"):
            return action, shell
    return None


def answer(instruction: str) -> int:
    """Print the completions the shell asked for through `_O2O_COMPLETE=<instruction>`; the exit code."""
    from typer._click.shell_completion import get_completion_class
    from typer._completion_classes import completion_init

    from o2o_tui.cli import build_app, command_in
    from o2o_tui.cli.output import written

    parsed = _shell_of(instruction)
    if parsed is None:
        said = t("cli.completion.bad_instruction", var=COMPLETE_VAR, value=instruction) + "\n"
        written(lambda: _write(sys.stderr, said), stderr=True)
        return 1
    action, shell = parsed
    if action == "source":
        text = script(shell) + "\n"
        written(lambda: _write(sys.stdout, text))  # a shell that stopped reading: dropped, still 0
        return 0
    completion_init()
    complete_class = get_completion_class(shell)
    assert complete_class is not None  # registered by completion_init() for every Shell
    args, _incomplete = complete_class(None, {}, PROG_NAME, COMPLETE_VAR).get_completion_args()  # type: ignore[arg-type]
    root = typer.main.get_command(build_app(command_in(args)))
    answered = complete_class(root, {}, PROG_NAME, COMPLETE_VAR).complete() + "\n"
    written(lambda: _write(sys.stdout, answered))
    return 0


def _write(stream: Any, text: str) -> None:
    """`text` on `stream`, flushed here, where a reader that left is caught (`output.written`), not at exit."""
    stream.write(text)
    stream.flush()


def answer_from_environment() -> int | None:
    """`answer()` when the shell set `_O2O_COMPLETE`, else None (an ordinary run)."""
    instruction = os.environ.get(COMPLETE_VAR)
    return answer(instruction) if instruction else None


def completion(
    shell: Shell = typer.Argument(..., metavar="SHELL", help=t("cli.completion.shell"), show_default=False),
) -> None:
    from o2o_tui.cli.output import written

    # `o2o completion bash | head -0`, or stdout closed: nothing to save it to, and still exit 0
    written(lambda: _write(sys.stdout, script(shell) + "\n"))


def register(app: typer.Typer) -> None:
    """Add `o2o completion` to the root app."""
    app.command("completion", help=t("cli.completion.help"))(completion)
