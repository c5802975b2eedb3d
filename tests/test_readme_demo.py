"""The README's demo command, run as a person would: in a terminal (tmux), orders arrive, `q` quits and
nothing it started is left running."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import time
from pathlib import Path

import pytest

from tests.test_readme_ci import ROOT, _readme_commands

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")

_ORDER_ROW = re.compile(r"#\d{4}")


def _tmux(*args: str, socket: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=False).stdout


def _children_of(session_pid: int) -> list[str]:
    out = subprocess.run(["ps", "-eo", "pid,ppid,args"], capture_output=True, text=True, check=True).stdout
    rows = [line.split(None, 2) for line in out.splitlines()[1:]]
    parents = {int(pid): int(ppid) for pid, ppid, *_ in rows}
    args = {int(row[0]): (row[2] if len(row) > 2 else "") for row in rows}

    def descends(pid: int) -> bool:
        while pid in parents and pid > 1:
            pid = parents[pid]
            if pid == session_pid:
                return True
        return False

    return [args[pid] for pid in parents if descends(pid)]


def test_readme_demo_command_shows_orders_and_quits_cleanly(tmp_path: Path) -> None:
    command = _readme_commands()[0]
    socket = f"o2o-readme-{os.getpid()}"
    env_prefix = f"cd {ROOT} && export O2O_HOME={tmp_path} TERM=xterm-256color && "
    _tmux("new-session", "-d", "-s", "demo", "-x", "80", "-y", "24",
          f"{env_prefix}{command}; echo DEMO-EXIT=$?; sleep 60", socket=socket)
    try:
        session_pid = int(_tmux("display-message", "-p", "-t", "demo", "#{pane_pid}", socket=socket).strip())
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
        while time.monotonic() < deadline and "DEMO-EXIT=" not in screen:
            time.sleep(0.5)
            screen = _tmux("capture-pane", "-p", "-t", "demo", "-S", "-50", socket=socket)
        assert "DEMO-EXIT=0" in screen, screen
        leftovers = [args for args in _children_of(session_pid) if "o2o" in args or "python" in args]
        assert leftovers == [], leftovers
    finally:
        _tmux("kill-server", socket=socket)
