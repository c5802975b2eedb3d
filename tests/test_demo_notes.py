"""What `o2o demo` prints before its console takes the screen (the handheld command, `--door`, the voucher codes
file, the tickets file) stays reachable while the demo runs: the queue's `?` says it again, at 80x24 and 40x15,
in English and Chinese. Once in the console's help (memory source), once end to end: `o2o demo` in tmux."""

from __future__ import annotations

import contextlib
import os
import shlex
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui import demo_notes
from o2o_tui.demo_notes import DemoNotes
from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.help_screen import HelpScreen
from screens.memory_source import MemoryOrderSource
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.test_demo import _processes_under, _wait_for
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store

ROOT = Path(__file__).resolve().parent.parent
NOTES = DemoNotes(
    courier_name="你（手持机） You (handheld)",
    handheld_command="O2O_HOME=/tmp/d/home o2o courier --profile courier",
    offer_stands_s=75,
    vouchers="/tmp/d/home/data/voucher-codes.txt",
    tickets="/tmp/d/tickets.bin",
)


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


@pytest.fixture
def demo_running() -> Iterator[DemoNotes]:
    demo_notes.set_running(NOTES)
    yield NOTES
    demo_notes.set_running(None)


async def _open_help(size: tuple[int, int], keys: tuple[str, ...] = ()) -> tuple[HelpScreen, str, int]:
    """The help opened on the screen `keys` lead to: the screen, the text on the terminal, its demo paragraphs."""
    app = MerchantApp(MemoryOrderSource(sample_entries(), store=sample_store()), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press(*keys, "question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        top = "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())
        return app.screen, top, len(app.screen.query(".demo-note"))


@pytest.mark.parametrize("size", [(80, 24), (40, 15)])
async def test_the_queues_help_says_the_demo_notes_first(
    lang: str, size: tuple[int, int], demo_running: DemoNotes
) -> None:
    help_screen, top, paragraphs = await _open_help(size)
    lines = top.splitlines()
    # the first thing in the help, above the keys, and the handheld command starts on the first screen
    assert any(t("demo.notes.title") in line for line in lines[:4]), top
    assert not any(t("ui.help.title") in line for line in lines[:4]) and "o2o demo" in top, top
    said = "\n".join(help_screen.demo_notes)
    for text in ("o2o demo --handheld", "o2o demo --door", NOTES.courier_name, NOTES.handheld_command, "75"):
        assert text in said, (text, said)
    assert NOTES.vouchers in said and NOTES.tickets is not None and NOTES.tickets in said
    assert paragraphs == 4


async def test_no_demo_notes_outside_a_demo_nor_off_the_queue(lang: str, demo_running: DemoNotes) -> None:
    detail, _, paragraphs = await _open_help((80, 24), ("enter",))
    assert detail.demo_notes == [] and paragraphs == 0
    demo_notes.set_running(None)
    queue, top, paragraphs = await _open_help((80, 24))
    assert queue.demo_notes == [] and paragraphs == 0 and t("demo.notes.title") not in top


def _tmux(*args: str, socket: str) -> str:
    return subprocess.run(["tmux", "-L", socket, *args], capture_output=True, text=True, check=False).stdout


@pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (.ci/run installs it)")
def test_o2o_demo_shows_its_notes_under_question_mark(tmp_path: Path) -> None:
    socket = f"o2o-demo-notes-{os.getpid()}"
    run = f"env O2O_HOME={shlex.quote(str(tmp_path))} O2O_LANG=en o2o demo"
    _tmux(
        "new-session", "-d", "-s", "demo", "-x", "80", "-y", "24",
        f"cd {ROOT} && export TERM=xterm-256color && {run}; echo DEMO-EXIT=$?; sleep 60",
        socket=socket,
    )  # fmt: skip
    try:
        screen = ""
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and "ONLINE" not in screen:
            time.sleep(0.5)
            screen = _tmux("capture-pane", "-p", "-t", "demo", socket=socket)
        assert "ONLINE" in screen, screen
        _tmux("send-keys", "-t", "demo", "?", socket=socket)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline and "This demo" not in screen:
            time.sleep(0.3)
            screen = _tmux("capture-pane", "-p", "-t", "demo", socket=socket)
        assert "This demo" in screen and "--handheld" in screen and "O2O_HOME=" in screen, screen
    finally:
        _tmux("kill-server", socket=socket)
        _wait_for(lambda: _processes_under(tmp_path) == [], 10)
        for pid in _processes_under(tmp_path):  # never leave strays, even when the test fails
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
