"""The suite's forked `o2o` commands (tests/support/cli_fork.py) give what a fresh process gives: the same output,
exit code and language, stdin as piped, the profile's files; a command whose client is killed (a `timeout`) does
not outlive it."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support import cli_fork


def _both(args: list[str], env: dict[str, str], **kwargs: object) -> tuple[object, object]:
    forked = subprocess.run(args, env=env, capture_output=True, text=True, timeout=60, **kwargs)  # type: ignore[call-overload]
    fresh = cli_fork._real_run(args, env=env, capture_output=True, text=True, timeout=60, **kwargs)
    return (forked.returncode, forked.stdout, forked.stderr), (fresh.returncode, fresh.stdout, fresh.stderr)


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    return {**os.environ, "O2O_HOME": str(tmp_path / "home"), "COLUMNS": "100", "NO_COLOR": "1"}


def test_forked_commands_say_what_fresh_ones_say(env: dict[str, str]) -> None:
    assert cli_fork._forked((["o2o", "orders", "list"],), {"env": env}) is not None  # forked, not fresh
    cli = [sys.executable, "-c", cli_fork.CLI_SNIPPET]
    for args, extra in (
        (["o2o", "--help"], {}),
        (["o2o", "orders", "list"], {}),  # not logged in: exit 5
        ([*cli, "nosuch"], {}),  # usage error: exit 2, prog name "-c"
        (["o2o", "orders", "list", "--json"], {"O2O_LANG": "zh"}),
        (["o2o", "login", "--url", "http://127.0.0.1:9"], {"O2O_TOKEN": "o2o_not_a_token"}),  # refused connection
    ):
        forked, fresh = _both(args, {**env, **extra}, input="")
        assert forked == fresh, args


def test_a_forked_command_ends_with_its_killed_client(env: dict[str, str]) -> None:
    silent = socket.socket()  # takes connections, never answers
    silent.bind(("127.0.0.1", 0))
    silent.listen(8)
    url = f"http://127.0.0.1:{silent.getsockname()[1]}"
    zygote = cli_fork._zygote_now()
    assert zygote is not None
    try:
        with pytest.raises(subprocess.TimeoutExpired) as stopped:
            subprocess.run(["o2o", "login", "--url", url], env={**env, "O2O_TOKEN": "o2o_x"}, capture_output=True,
                           timeout=1.5)
        assert stopped.value.cmd == ["o2o", "login", "--url", url]
        assert _forked_commands(zygote.process.pid)  # it was forked, and it waits for an answer (its supervisor too)
        deadline = time.monotonic() + 4  # the command alone would wait 10 s for one (its client's timeout)
        while _forked_commands(zygote.process.pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not _forked_commands(zygote.process.pid)
    finally:
        silent.close()


def _forked_commands(zygote: int) -> list[int]:
    """What `zygote` forked that still runs, supervisors and commands (a fork keeps its parent's command line; an
    orphaned command too)."""
    itself = Path(f"/proc/{zygote}/cmdline").read_bytes()
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and int(entry.name) != zygote:
            try:
                if (entry / "cmdline").read_bytes() == itself:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found
