"""A console whose terminal goes away without a SIGHUP ends, as on SIGHUP (exit status 129), and does not spin.

The terminal's side of the pty closes while the console holds no controlling terminal (a new session, as a process
re-parented after its SSH session or emulator died): no SIGHUP comes, and the input reads end of file (or EIO) on
every select. Textual 8.2.8's input loop selected again at once and spun a core for the life of the process
(screens/driver.py). The real `o2o console` on a pty, on a cached profile whose platform is unreachable."""

from __future__ import annotations

import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pytest

from tests.support.counter_cache import cached_counter_env
from tests.test_console_signals import _read_until

ROOT = Path(__file__).resolve().parent.parent


def _cpu_seconds(pid: int) -> float:
    """User and system time the process has used so far (/proc/PID/stat, in clock ticks)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_a_console_whose_terminal_closes_ends_as_on_sighup(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    env = {k: v for k, v in os.environ.items() if k not in ("O2O_PROFILE", "NO_COLOR", "COLUMNS", "LINES")}
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
        before = _read_until(main, lambda written: b"#0040" in written, time.monotonic() + 60)
        assert b"#0040" in before, f"the queue never showed; it wrote: {before[-2000:]!r}"
        time.sleep(0.5)  # mounted and settled
        cpu_at_close = _cpu_seconds(console.pid)
        os.close(main)
        main = -1
        try:
            code = console.wait(timeout=30)
        except subprocess.TimeoutExpired:
            spent = _cpu_seconds(console.pid) - cpu_at_close
            pytest.fail(f"the console still runs 30 s after its terminal closed ({spent:.1f} s of CPU since)")
        assert code == 128 + signal.SIGHUP
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(console.pid, signal.SIGKILL)
        console.wait(timeout=10)
        if main >= 0:
            os.close(main)


class _AppWhoseShutdownNeverComes:
    """Stands in for an app that hears of the terminal's end and then never stops the driver (seen: a console's
    main thread finished while the input thread waited for `exit_event` for good, 120 MB kept per process)."""

    def __init__(self) -> None:
        self.told = 0

    def terminal_gone(self) -> None:
        self.told += 1

    def exit(self) -> None:  # what a driver calls on an app without `terminal_gone`
        raise AssertionError("terminal_gone is the app's to hear")


async def test_the_input_thread_ends_by_itself_when_the_terminal_is_gone() -> None:
    import asyncio
    import threading

    from screens.driver import QuickEscapeDriver

    app = _AppWhoseShutdownNeverComes()
    main, child = os.openpty()
    driver = QuickEscapeDriver(app)  # type: ignore[arg-type]
    driver.fileno = child
    thread = threading.Thread(target=driver.run_input_thread, daemon=True)
    thread.start()
    try:
        os.close(main)  # the terminal's side goes away: the input reads end of file (or EIO)
        for _ in range(100):
            await asyncio.sleep(0.05)
            if not thread.is_alive():
                break
        assert not thread.is_alive(), "the input thread still waits after the terminal went away"
        await asyncio.sleep(0.1)  # the call it made on this loop
        assert app.told == 1  # the app heard it once, on its loop
        assert not driver.exit_event.is_set()  # nobody stopped the driver: the thread ended by itself
    finally:
        driver.exit_event.set()
        thread.join(timeout=5)
        os.close(child)
