"""`o2o demo`: a stop signal that comes while the demo starts a child ends it at once, with every child stopped.

A signal sent the moment a child appears (as `test_demo.py` sends its Ctrl-C, and as a person's could) is handled
by Python inside the parent's after-fork hooks (logging has one), where the KeyboardInterrupt of Python's own SIGINT
handler was printed as "Exception ignored" and dropped: the demo ran its whole headless check (CI: no end within
60 s of a SIGINT). Raised a few bytecodes later, between the fork and the demo's record of the child, it left that
child running unknown to the demo's stop. Here the signal is placed at those very points, every time.
"""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.signals import hears_ctrl_c
from tests.test_demo import LIVELY, ROOT, _env, _processes_under, _wait_for

# The demo, with `signum` sent to itself by the parent at the `nth` fork: inside an after-fork hook ("hook"), or
# inside Popen once the child exists ("popen": CPython's `_close_pipe_fds`, which runs right after the fork).
_INJECT = """
import os, subprocess, sys
where, signum, nth = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
del sys.argv[1:4]
forks = 0

def send():
    os.kill(os.getpid(), signum)
    for _ in range(10000):  # Python runs the handler here, inside the hook
        pass

def after_fork():
    global forks
    forks += 1
    if where == "hook" and forks == nth:
        send()

os.register_at_fork(after_in_parent=after_fork)
close_pipe_fds = subprocess.Popen._close_pipe_fds

def closing(self, *args):
    if where == "popen" and forks == nth:
        send()
    return close_pipe_fds(self, *args)

subprocess.Popen._close_pipe_fds = closing
from o2o_tui.cli import main
main()
"""


@pytest.mark.skipif(not hasattr(subprocess.Popen, "_close_pipe_fds"), reason="CPython's Popen internals")
@pytest.mark.covering  # every value of every axis in the suite, every combination in `python -m bench deep`
@pytest.mark.parametrize("nth", [1, 2], ids=["server", "simulator"])
@pytest.mark.parametrize("where", ["hook", "popen"])
@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM], ids=["SIGINT", "SIGTERM"])
def test_a_signal_while_a_child_starts_stops_the_demo_at_once(
    tmp_path: Path, sig: signal.Signals, where: str, nth: int
) -> None:
    home = tmp_path / "home"
    started = time.monotonic()
    demo = subprocess.Popen(
        [sys.executable, "-c", _INJECT, where, str(int(sig)), str(nth), "demo", "--headless-check", "300", *LIVELY],
        env=_env(home),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=hears_ctrl_c,
    )
    try:
        # the demo starts (seconds on a loaded machine), gets the signal as it starts a child, and stops; a
        # dropped SIGINT ran the 300 s check
        _, stderr = demo.communicate(timeout=60)
        assert demo.returncode == 130, stderr
        assert "Exception ignored" not in stderr, stderr
        # every child stopped by the demo itself, none left to the kernel's parent-death signal
        assert _processes_under(home) == [], (time.monotonic() - started, stderr)
        assert not list((home / "data").glob("demo-*")), "the demo's data dir is removed"
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        _wait_for(lambda: _processes_under(home) == [], 30)
