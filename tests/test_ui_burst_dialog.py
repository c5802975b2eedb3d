"""`a`, Enter, Enter in one read (a laggy SSH link, a busy terminal): accept with the default prep time, then open
the next order under the cursor. The second Enter reached the accept dialog before it had dismissed itself, and its
second dismiss popped the queue from under it: a blank console, then a crash (NoMatches '#banner') at the next
source change, and `o2o console` exited 0. Now the Enter opens the detail (screens/steady_keys.py, a fence's
second lap), the home screen is never popped (screens/app.py), and a crash exits 1."""

from __future__ import annotations

import asyncio
import contextlib
import fcntl
import os
import signal
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual import events
from textual.pilot import Pilot

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.detail_screen import DetailScreen
from screens.launch import open_source
from tests.support.counter_cache import cached_counter_env
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_console_signals import LEAVE_ALTERNATE_SCREEN, _read_until
from tests.test_ui_burst_keys import _burst

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _place(platform: RunningPlatform) -> dict[str, Any]:
    assert platform.seed is not None
    customer = api(platform, "customer")
    try:
        answer = customer.post("/v1/orders", order_body(platform.seed.store_id))
        assert answer.status_code == 201, answer.text
        placed: dict[str, Any] = answer.json()
        return placed
    finally:
        customer.close()


async def _wait(pilot: Pilot[None], app: MerchantApp, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    """Let the app run until `condition()` holds; fails at once, saying why, when the queue or the app is gone."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert app.is_running, "the console stopped"
        assert app.orders_screen in app.screen_stack, "the queue was popped from under the accept dialog"
        assert loop.time() < deadline, "condition not reached"
        await pilot.pause(0.05)


def _status(platform: RunningPlatform, order_id: str) -> str:
    admin = api(platform, "admin")
    try:
        return str(admin.get(f"/v1/orders/{order_id}").json()["status"])
    finally:
        admin.close()


async def test_accept_enter_enter_in_one_go_accepts_then_opens_and_the_queue_stays(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _wait(pilot, app, lambda: app.source.link().state.value == "ONLINE")
        first = await asyncio.to_thread(_place, platform)
        second = await asyncio.to_thread(_place, platform)
        queue = app.orders_screen.queue
        await _wait(pilot, app, lambda: {first["id"], second["id"]} <= set(queue.order_ids))
        queue.move_cursor(first["id"])
        third = asyncio.create_task(asyncio.to_thread(_place, platform))  # arrives while the keys are handled
        for key, character in (("a", "a"), ("enter", "\r"), ("enter", "\r")):  # one read: no wait between
            app.post_message(events.Key(key, character))
        await _wait(pilot, app, lambda: _status(platform, first["id"]) == "CONFIRMED")
        placed = await third
        # the accept, its push and the third order are source changes: each is applied with the detail in front
        await _wait(pilot, app, lambda: placed["id"] in queue.order_ids and not app.source.link().pending)
        assert app.is_running
        assert app.orders_screen in app.screen_stack
        assert isinstance(app.screen, DetailScreen)  # the second Enter opened the order under the cursor
        assert app.screen.order_id in (first["id"], second["id"])
        await pilot.press("escape")
        assert app.screen_stack[-1] is app.orders_screen
    assert app.return_code in (None, 0)


def test_accept_enter_enter_written_at_once_to_the_terminal(tmp_path: Path) -> None:
    """The same burst through a pty (the console on its in-memory source): one accept, then the detail."""
    submitted, screen = _burst(tmp_path, b"a\r\r", until="Back")
    assert submitted == [["order.confirm", "ord-0042", {"preparation_minutes": 15}]]
    assert "Back" in screen  # the detail's footer (Esc Back): the queue is under it, not gone


CRASHING_CONSOLE = """
import sys
from screens.orders_screen import OrdersScreen

def crash(self: OrdersScreen) -> None:
    raise RuntimeError("a bug in the console")

OrdersScreen.action_help = crash
from o2o_tui.cli import main
sys.argv[0] = "o2o"
main()
"""


def test_a_crash_in_the_console_exits_non_zero(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The real `o2o console` on a pty, with a bug put into one of its keys (`?`): the traceback, then exit 1 (a
    supervisor or wrapper script must not read a crash as a quit)."""
    env = {k: v for k, v in os.environ.items() if k not in ("O2O_PROFILE", "NO_COLOR")}
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    env.update(cached_counter_env(tmp_path / "home"), TERM="xterm-256color")
    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    console = subprocess.Popen(
        [sys.executable, "-c", CRASHING_CONSOLE, "console", "--profile", "counter"],
        stdin=child, stdout=child, stderr=child, env=env, cwd=ROOT, start_new_session=True,
    )  # fmt: skip
    os.close(child)
    try:
        before = _read_until(main, lambda written: b"#0040" in written, time.monotonic() + 60)
        assert b"#0040" in before, f"the queue never showed; it wrote: {before[-2000:]!r}"
        os.write(main, b"?")
        after = _read_until(main, None, time.monotonic() + 30)
        assert console.wait(timeout=30) == 1
        assert LEAVE_ALTERNATE_SCREEN in after
        assert b"a bug in the console" in after
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(console.pid, signal.SIGKILL)
        console.wait(timeout=10)
        os.close(main)
