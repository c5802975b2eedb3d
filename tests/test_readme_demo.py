"""The README's demo command, run as a person would: in a terminal (tmux), orders arrive, `q` quits and
nothing it started is left running (found by the O2O_HOME each of them carries, wherever it was re-parented)."""

from __future__ import annotations

import contextlib
import os
import re
import shlex
import shutil
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_demo import _processes_under, _wait_for
from tests.test_readme_ci import ROOT, _readme_commands

pytestmark = pytest.mark.skipif(
    shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)"
)

_ORDER_ROW = re.compile(r"#\d{4}")


def _tmux(*args: str, socket: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=False).stdout


def test_readme_demo_command_shows_orders_and_quits_cleanly(tmp_path: Path) -> None:
    command = _readme_commands()[0]
    socket = f"o2o-readme-{os.getpid()}"
    # only the README's command and what it starts carry this O2O_HOME (the demo's children one under it): not
    # the pane's shell, so once the command has exited, any process that carries it is a leftover
    run = f"env O2O_HOME={shlex.quote(str(tmp_path))} sh -c {shlex.quote(command)}"
    _tmux(
        "new-session",
        "-d",
        "-s",
        "demo",
        "-x",
        "80",
        "-y",
        "24",
        f"cd {ROOT} && export TERM=xterm-256color && {run}; echo DEMO-EXIT=$?; sleep 60",
        socket=socket,
    )
    try:
        deadline = time.monotonic() + 150
        screen = ""
        while time.monotonic() < deadline:
            screen = _tmux("capture-pane", "-p", "-t", "demo", socket=socket)
            if len(_ORDER_ROW.findall(screen)) >= 2:
                break
            time.sleep(1)
        assert len(_ORDER_ROW.findall(screen)) >= 2, f"no orders arrived on screen:\n{screen}"
        assert "ONLINE" in screen
        _tmux("send-keys", "-t", "demo", "q", socket=socket)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and not ("Quit the console?" in screen or "DEMO-EXIT=" in screen):
            time.sleep(0.3)
            screen = _tmux("capture-pane", "-p", "-t", "demo", "-S", "-50", socket=socket)
        if "Quit the console?" in screen:  # a new order waits for an answer at that moment: it asks first
            _tmux("send-keys", "-t", "demo", "y", socket=socket)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and "DEMO-EXIT=" not in screen:
            time.sleep(0.5)
            screen = _tmux("capture-pane", "-p", "-t", "demo", "-S", "-50", socket=socket)
        assert "DEMO-EXIT=0" in screen, screen
        # the demo's server and simulator run in sessions of their own, and a process whose parent exits is
        # re-parented (to init or a subreaper): look for them by what they carry, not under the pane
        assert _processes_under(tmp_path) == [], _described(_processes_under(tmp_path))
    finally:
        _tmux("kill-server", socket=socket)
        _wait_for(lambda: _processes_under(tmp_path) == [], 5)
        for pid in _processes_under(tmp_path):  # never leave strays, even when the test fails
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


def _described(pids: list[int]) -> list[str]:
    described = []
    for pid in pids:
        try:
            described.append(
                f"{pid}: " + Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            )
        except OSError:
            described.append(f"{pid}: (gone)")
    return described
