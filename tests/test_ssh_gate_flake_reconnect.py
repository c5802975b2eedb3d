"""A reconnect in another language ends the old tmux server and starts a fresh app: the gate waits until the old
server is really gone. `kill-server` only starts its end: the server waits for each of its clients to go (the
stale one of the link that dropped) and meanwhile closes every new connection, so `has-session` already failed
and the reconnect's client reached the dying server: "server exited unexpectedly" on the courier's screen (CI saw
it once in tests/test_ssh_gate_locale.py). Through the gate's plan, the real tmux, in terminals; no sshd needed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import pty
import select
import shutil
import signal
import struct
import subprocess
import tempfile
import termios
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from o2o_tui import ssh_gate

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed")
APP = "sh -c 'echo APP-LANG=[$O2O_LANG]; exec sleep 1000'"


class Terminal:
    """The tmux client the gate execs, in a terminal of its own (the courier's SSH channel), read through pyte."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        import pyte

        self.screen = pyte.Screen(40, 16)
        self.stream = pyte.ByteStream(self.screen)
        self.main, other = pty.openpty()
        fcntl.ioctl(other, termios.TIOCSWINSZ, struct.pack("HHHH", 16, 40, 0, 0))  # the screen's size
        self.process = subprocess.Popen(
            argv, stdin=other, stdout=other, stderr=other, env=env, start_new_session=True
        )
        os.close(other)

    def text(self) -> str:
        return "\n".join(self.screen.display)

    def wait_for(self, condition: Callable[[str], bool], timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while not condition(self.text()) and time.monotonic() < deadline:
            ready, _, _ = select.select([self.main], [], [], 0.1)
            if ready:
                try:
                    data = os.read(self.main, 65536)
                except OSError:  # the client ended and its terminal with it
                    break
                if not data:
                    break
                self.stream.feed(data)
        return self.text()

    def close(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(self.process.pid, signal.SIGKILL)  # a stopped client too
        self.process.wait(timeout=10)
        os.close(self.main)


@pytest.fixture
def gate(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """A login's environment for the gate, with a tmux socket folder and an O2O_HOME of the test's own."""
    folder = Path(tempfile.mkdtemp(prefix="o2o-f2-"))  # short: a tmux socket path has ~100 bytes at most
    courier = f"fl{os.getpid()}"
    monkeypatch.setenv("TMUX_TMPDIR", str(folder))
    monkeypatch.setenv("O2O_HOME", str(folder / "home"))
    environ = {
        "PATH": os.environ["PATH"],
        "TERM": "xterm",
        "LANG": "C.UTF-8",
        "O2O_LANG": "en",
        "TMUX_TMPDIR": str(folder),
        "O2O_HOME": str(folder / "home"),
        "SSH_CLIENT": "192.0.2.7 50000 22",
        ssh_gate.COMMAND_ENV: APP,
        "COURIER": courier,
    }
    try:
        yield environ
    finally:
        subprocess.run(
            ["tmux", "-L", ssh_gate.socket_name(courier), "kill-server"],
            env={**os.environ, "TMUX_TMPDIR": str(folder)},
            capture_output=True,
            timeout=10,
        )
        shutil.rmtree(folder, ignore_errors=True)


def login(environ: dict[str, str], **changes: str) -> tuple[ssh_gate.GatePlan, Terminal]:
    login_env = {**environ, **changes}
    chosen = ssh_gate.plan(environ["COURIER"], None, login_env, has_tty=True, program="/opt/o2o")
    return chosen, Terminal(chosen.argv, chosen.env)


def test_a_reconnect_waits_for_the_old_server_that_a_stale_client_holds(gate: dict[str, str]) -> None:
    first_plan, first = login(gate)
    again: Terminal | None = None
    try:
        assert first_plan.event == "start"
        assert "APP-LANG=[en]" in first.wait_for(lambda s: "APP-LANG=[en]" in s), first.text()
        # the link dropped and sshd has not hung its client up yet: a stale client, slow to go
        os.kill(first.process.pid, signal.SIGSTOP)
        threading.Timer(1.0, os.kill, (first.process.pid, signal.SIGCONT)).start()

        again_plan, again = login(gate, O2O_LANG="zh")
        assert again_plan.event == "restart"
        text = again.wait_for(lambda s: "APP-LANG=[zh]" in s or "server exited" in s)
        assert "server exited unexpectedly" not in text, text
        assert "APP-LANG=[zh]" in text, text
    finally:
        first.close()
        if again is not None:
            again.close()


def test_a_stale_client_that_never_goes_does_not_hold_the_reconnect(
    gate: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(ssh_gate, "END_GRACE", 0.5)
    first_plan, first = login(gate)
    again: Terminal | None = None
    try:
        assert first_plan.event == "start"
        assert "APP-LANG=[en]" in first.wait_for(lambda s: "APP-LANG=[en]" in s), first.text()
        os.kill(first.process.pid, signal.SIGSTOP)  # it never reads the server's goodbye

        started = time.monotonic()
        again_plan, again = login(gate, O2O_LANG="zh")
        waited = time.monotonic() - started
        assert again_plan.event == "restart"
        assert waited < ssh_gate.TMUX_TIMEOUT, waited  # the old server was ended, not waited for to the end
        text = again.wait_for(lambda s: "APP-LANG=[zh]" in s or "server exited" in s)
        assert "server exited unexpectedly" not in text, text
        assert "APP-LANG=[zh]" in text, text
    finally:
        first.close()
        if again is not None:
            again.close()
