"""A `kill` ends the console the way `q` does: terminal restored, exit status 128 + the signal
(`screens.leave_on_signal`). The real `o2o console` on a pty, on a cached profile whose platform is unreachable."""

from __future__ import annotations

import contextlib
import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.support.counter_cache import cached_counter_env

ROOT = Path(__file__).resolve().parent.parent

ENTER_ALTERNATE_SCREEN = b"\x1b[?1049h"
LEAVE_ALTERNATE_SCREEN = b"\x1b[?1049l"
SHOW_CURSOR = b"\x1b[?25h"


def _read_until(main: int, done: object, deadline: float) -> bytes:
    written = bytearray()
    while time.monotonic() < deadline:
        if select.select([main], [], [], 0.05)[0]:
            try:
                chunk = os.read(main, 65536)
            except OSError:  # the program ended and the pty closed
                break
            if not chunk:
                break
            written += chunk
            if callable(done) and done(written):
                break
    return bytes(written)


# one handler for both signals (`screens.leave_on_signal.SIGNALS`): the suite sends each signal once,
# SIGTERM on the queue and SIGHUP before the first screen; `python -m bench deep` each signal at both times
@pytest.mark.covering
@pytest.mark.parametrize("early", [False, True], ids=["on-the-queue", "before-the-first-screen"])
@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGHUP], ids=["SIGTERM", "SIGHUP"])
def test_a_signal_ends_the_console_and_gives_the_terminal_back(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    sig: signal.Signals,
    early: bool,
) -> None:
    """`early`: sent as the terminal enters the alternate screen, before the app's first screen is mounted."""
    env = {k: v for k, v in os.environ.items() if k not in ("O2O_PROFILE", "NO_COLOR")}
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    env.update(cached_counter_env(tmp_path / "home"), TERM="xterm-256color")
    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    console = subprocess.Popen(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "console", "--profile", "counter"],
        stdin=child, stdout=child, stderr=child, env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    os.close(child)
    try:
        if early:
            before = _read_until(main, lambda written: ENTER_ALTERNATE_SCREEN in written, time.monotonic() + 60)
            assert ENTER_ALTERNATE_SCREEN in before, before[-2000:]
        else:
            before = _read_until(main, lambda written: b"#0040" in written, time.monotonic() + 60)
            assert b"#0040" in before, f"the queue never showed; it wrote: {before[-2000:]!r}"
            time.sleep(0.5)  # mounted and settled
        console.send_signal(sig)
        after = _read_until(main, None, time.monotonic() + 30)
        assert console.wait(timeout=30) == 128 + sig
        assert LEAVE_ALTERNATE_SCREEN in after and SHOW_CURSOR in after, after[-500:]
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(console.pid, signal.SIGKILL)
        console.wait(timeout=10)
        os.close(main)
