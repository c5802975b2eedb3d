"""The courier handheld on a screen under 12 rows (40x8, 20x10), on a real terminal: `8` pages through a task's
details, and the last page (the end of the note, or the customer line of a task without one) reaches the terminal.

Textual 8.2.8 sent the rows a scroll moved only when the frame was a scroll alone; on the last page the "more: 8"
line also turns "top: 8" in that frame, and the terminal got that line alone: the customer and the note were
never seen, while a headless run (which paints every frame whole) showed them. So this reads the real `o2o
courier` through a pty with pyte, as a courier's terminal shows it, against the real platform (loopback)."""

from __future__ import annotations

import fcntl
import os
import select
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pyte
import pytest

from o2o_tui.i18n import set_language, t
from o2o_tui.ssh_gate import GATE_ENV
from screens.courier_screens import SETTLE_S
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import courier_profile, offer

ROOT = Path(__file__).resolve().parents[1]
NOTE = "Leave it at the door please, ring the bell twice, the dog is friendly"
LAST_WORD = "friendly"
PHONE = "138****5678"  # the customer's phone as the platform masks it for a courier


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(GATE_ENV, raising=False)
    yield tmp_path / "home"
    set_language(None)


class Terminal:
    """`o2o courier` on a pty of `columns` x `lines`, read with pyte."""

    def __init__(self, home: Path, columns: int, lines: int, lang: str) -> None:
        self.main, child = os.openpty()
        fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", lines, columns, 0, 0))
        env = {key: value for key, value in os.environ.items() if key != GATE_ENV}
        env |= {"TERM": "xterm-256color", "LANG": "C.UTF-8", "O2O_LANG": lang, "O2O_HOME": str(home)}
        for name in ("LC_ALL", "COLUMNS", "LINES"):  # pytest-xdist exports COLUMNS/LINES 80x24: Textual would
            env.pop(name, None)  # take them over the pty's size
        self.process = subprocess.Popen(
            [sys.executable, "-c", "from o2o_tui.cli import main; main()", "courier", "--profile", "courier"],
            stdin=child,
            stdout=child,
            stderr=child,
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        os.close(child)
        self.screen = pyte.Screen(columns, lines)
        self.stream = pyte.ByteStream(self.screen)

    def text(self) -> str:
        return "\n".join(line.rstrip() for line in self.screen.display)

    def _read(self, wait: float) -> bool:
        if select.select([self.main], [], [], wait)[0]:
            try:
                self.stream.feed(os.read(self.main, 65536))
            except OSError:  # the app has gone
                return False
            return True
        return False

    def wait_for(self, shown: Callable[[str], bool], timeout: float = 20.0) -> str:
        deadline = time.monotonic() + timeout
        while not shown(self.text()):
            assert time.monotonic() < deadline, self.text()
            self._read(0.02)
        return self.text()

    def settle(self, quiet: float = 0.4, timeout: float = 10.0) -> str:
        """Read until nothing more comes for `quiet` s: what the terminal shows once the app has drawn."""
        deadline = time.monotonic() + timeout
        last = time.monotonic()
        while time.monotonic() - last < quiet and time.monotonic() < deadline:
            if self._read(0.02):
                last = time.monotonic()
        return self.text()

    def press(self, keys: str) -> None:
        os.write(self.main, keys.encode())

    def close(self) -> None:
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=10)
        os.close(self.main)


def _pages(terminal: Terminal, number: str, lang: str) -> list[str]:
    """Open the task `number` from the list, then `8` until the "top: 8" line shows: every page as seen."""
    set_language(lang)
    top = t("handheld.more.top", arrow="▲")
    listed = terminal.wait_for(lambda text: number in text)
    row = next(line for line in listed.splitlines() if number in line)
    time.sleep(SETTLE_S + 0.2)  # a deliberate courier: fresh lines take no key at once
    terminal.settle()
    terminal.press(row[0])  # the row's digit
    pages = [terminal.wait_for(lambda text: number in text and "8" in text and top not in text)]
    pages[0] = terminal.settle()
    for _ in range(12):
        terminal.press("8")
        pages.append(terminal.settle())
        if top in pages[-1]:
            return pages
    raise AssertionError("never reached the end of the details:\n" + "\n--\n".join(pages))


@pytest.mark.parametrize("lang", ["en", pytest.param("zh", marks=pytest.mark.deep)])
@pytest.mark.parametrize("size", [(40, 8), (20, 10)], ids=["40x8", "20x10"])
def test_the_last_page_of_a_tasks_details_reaches_the_terminal(
    platform: RunningPlatform, home: Path, lang: str, size: tuple[int, int]
) -> None:
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    noted = offer(platform, courier_id, note=NOTE)
    plain = offer(platform, courier_id)
    courier_profile(platform, courier_id)
    for order, end in ((noted, LAST_WORD), (plain, PHONE)):
        terminal = Terminal(home, *size, lang)
        try:
            pages = _pages(terminal, f"#{order['number']:04d}", lang)
        finally:
            terminal.close()
        last = pages[-1]
        # the end of the details is on the last page: the note's last words, or (no note) the customer's phone
        assert end in last, "\n--\n".join(pages)
        assert last != pages[-2].replace(t("handheld.more", arrow="▼"), t("handheld.more.top", arrow="▲"))
