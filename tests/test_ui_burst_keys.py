"""No key of a burst is lost or reordered (a barcode scanner, a fast typist): the real merchant console in a pty
(80x24, on an in-memory source that records what it submits), keys written in ONE os.write, then what was
submitted is checked. It accepted 15 (the default) or nothing, or 11 for "1⌫12": the digits after `a` reached
the queue instead of the dialog, and a Backspace ran after the digits typed behind it."""

from __future__ import annotations

import fcntl
import json
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from pathlib import Path

import pyte

ROOT = Path(__file__).resolve().parent.parent


def _burst(tmp_path: Path, keys: bytes, *, until: str | None = None) -> tuple[list[list[object]], str]:
    """Start the console in a pty, wait for its queue, write `keys` at once; the submitted actions and the
    screen after. Waits for a submitted action, or with `until` for that text on the screen."""
    out = tmp_path / "submitted.jsonl"
    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "O2O_LANG": "en", "O2O_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.burst_console", str(out)],
        stdin=child,
        stdout=child,
        stderr=child,
        cwd=ROOT,
        env=env,
        start_new_session=True,
    )
    os.close(child)
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)
    try:
        deadline = time.monotonic() + 20
        while "#0042" not in "\n".join(screen.display) and time.monotonic() < deadline:
            if select.select([main], [], [], 0.1)[0]:
                stream.feed(os.read(main, 65536))
        assert "#0042" in "\n".join(screen.display), "\n".join(screen.display)
        os.write(main, keys)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if until is not None and until in "\n".join(screen.display):
                break
            if until is None and out.exists() and out.read_text().endswith("\n"):
                break
            if select.select([main], [], [], 0.05)[0]:
                stream.feed(os.read(main, 65536))
        settle = time.monotonic() + 0.3  # anything submitted a moment later would show as a second line
        while time.monotonic() < settle:
            if select.select([main], [], [], 0.05)[0]:
                stream.feed(os.read(main, 65536))
        submitted = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
        return submitted, "\n".join(screen.display)
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        os.close(main)


def test_a_burst_after_accept_lands_in_the_prep_minutes_box(tmp_path: Path) -> None:
    submitted, _ = _burst(tmp_path, b"a1\x7f12\r")
    assert submitted == [["order.confirm", "ord-0042", {"preparation_minutes": 12}]]


def test_a_scanned_pickup_code_with_a_correction_hands_over_the_right_order(tmp_path: Path) -> None:
    # down to the ready takeout, h, then a code typed with a Backspace in the middle
    handed, _ = _burst(tmp_path, b"\x1b[Bh482\x7f21\r")
    assert handed == [["order.handoff", "ord-0038", {"code": "4821"}]]


def test_a_search_typed_right_after_slash_lands_in_the_search_box(tmp_path: Path) -> None:
    """`x` is the queue's Reject key: typed into the search box it is a letter, and a Backspace removes it."""
    submitted, screen = _burst(tmp_path, b"/kunx\x7fg", until="kun")
    assert submitted == []
    assert "kung" in screen and "kunx" not in screen and "Reject" not in screen.splitlines()[0]
