"""The full-screen commands (`o2o console`, `o2o dispatch`, `o2o demo`, `o2o courier`, `o2o menu edit`) refuse
at once when stdin or stdout is not a terminal (a script, a cron job, a pipe): a Textual app started there never
draws anything and spins on its input forever. The refusal comes before any profile, server or app is opened."""

from __future__ import annotations

import sys
from typing import TextIO

from o2o_tui.cli.exits import Exit
from o2o_tui.cli.output import fail
from o2o_tui.i18n import t


def has_terminal(stdin: TextIO | None = None, stdout: TextIO | None = None) -> bool:
    """Both ends a person types into and reads from are a terminal."""
    streams = (stdin or sys.stdin, stdout or sys.stdout)
    return all(stream is not None and _isatty(stream) for stream in streams)


def _isatty(stream: TextIO) -> bool:
    try:
        return stream.isatty()
    except (ValueError, OSError):  # a closed stream
        return False


def require_terminal(command: str) -> None:
    """Exit 2 with a sentence naming `command` (e.g. "o2o console") unless stdin and stdout are a terminal."""
    if not has_terminal():
        raise fail(t("cli.error.no_terminal", command=command), Exit.USAGE)
