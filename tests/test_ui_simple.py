"""The simple mode (screens/simple_screen.py): 1 accepts with the store's default, 2 marks ready, 3 asks the
pickup code in a field taking every digit typed; the ring and the voice as in the queue. On a memory source,
then end to end against the real platform through a link that drops."""

from __future__ import annotations

import asyncio
import fcntl
import json
import os
import select
import signal
import stat
import struct
import subprocess
import sys
import termios
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pyte
import pytest

from o2o_tui.config import save_profile
from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.requests import CodeBody, ConfirmBody, EmptyBody
from o2o_tui.i18n import set_language
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens.app import MerchantApp
from screens.dialogs import ChoicePrompt
from screens.engine_source import EngineOrderSource
from screens.memory_source import MemoryOrderSource
from screens.simple_screen import SimpleScreen
from screens.source import QueueEntry
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_ui_live import _place, _server_order, wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_link, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


class SimpleApp(MerchantApp):
    bells = 0

    def bell(self) -> None:
        self.bells += 1

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said = [*getattr(self, "said", []), message]
        super().say(message, severity=severity, timeout=timeout)


def _source(entries: list[QueueEntry] | None = None) -> MemoryOrderSource:
    store = msgspec.structs.replace(sample_store(), default_prep_minutes=25)
    return MemoryOrderSource(
        sample_entries() if entries is None else entries, store=store, link=sample_link()
    )


def _app(source: MemoryOrderSource) -> SimpleApp:
    return SimpleApp(source, clock=lambda: FROZEN_NOW, simple=True)


def _screen(app: MerchantApp) -> SimpleScreen:
    assert isinstance(app.screen, SimpleScreen), app.screen
    return app.screen


def _text(app: MerchantApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def _fake_engine(tmp_path: Path) -> tuple[Path, Path]:
    log = tmp_path / "spoken.log"
    program = tmp_path / "fake-espeak"
    program.write_text(f"#!/bin/sh\nprintf '%s\\n' \"$*\" >> '{log}'\n", encoding="utf-8")
    program.chmod(program.stat().st_mode | stat.S_IXUSR)
    return program, log


async def test_one_accepts_the_highlighted_order_with_the_store_default_and_no_dialog() -> None:
    source = _source()
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = _screen(app)
        assert screen.cursor_id == "ord-0042"  # new orders first
        text = _text(app)
        for label in ("1 Accept", "2 Ready", "3 Hand off", "Next: 1 Accept", "Order 1 of 6"):
            assert label in text
        assert app.bells == 1  # it rings as the queue does
        await pilot.press("1")
        await pilot.pause()
        assert source.submitted == [("order.confirm", "ord-0042", ConfirmBody(preparation_minutes=25))]
        assert isinstance(app.screen, SimpleScreen)  # no prep-minutes dialog


async def test_two_marks_the_order_moved_to_ready_and_a_wrong_key_is_explained() -> None:
    source = _source()
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("2")  # on a new order: not now, said why
        await pilot.pause()
        assert source.submitted == []
        assert any("#0042" in message for message in app.said)
        await pilot.press("down", "down", "down")  # #0039 (cancel request), #0038 (ready), #0040 (preparing)
        assert _screen(app).cursor_id == "ord-0040"
        assert "Next: 2 Ready" in _text(app)
        await pilot.press("2")
        await pilot.pause()
        assert source.submitted == [("order.ready", "ord-0040", EmptyBody())]


async def test_three_on_a_takeout_asks_the_code_and_every_digit_goes_to_it() -> None:
    ready = sample_order(40, OrderStatus.READY_FOR_PICKUP, minutes_ago=12, order_type=OrderType.TAKEOUT)
    ready = msgspec.structs.replace(ready, pickup_code="12321")  # a right code is sent (a wrong one is not)
    delivery = sample_order(41, OrderStatus.READY_FOR_PICKUP, minutes_ago=12)
    source = _source([QueueEntry(ready), QueueEntry(delivery)])
    app = _app(source)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        assert _screen(app).cursor_id == "ord-0040"
        # a scanner types the code and Enter right behind the 3: digits 1-3 are code, not actions
        await pilot.press("3", "1", "2", "3", "2", "1", "enter")
        await pilot.pause()
        assert source.submitted == [("order.handoff", "ord-0040", CodeBody(code="12321"))]
        assert not _screen(app).query_one("#simple-code").display
        await pilot.press("3", "escape")  # opened and closed: nothing sent
        await pilot.press("down", "3")  # a delivery order: the courier takes it, no code field
        await pilot.pause()
        assert not _screen(app).query_one("#simple-code").display
        assert len(source.submitted) == 1
        assert any("courier" in message.lower() for message in app.said)


async def test_quit_asks_first() -> None:
    app = _app(_source())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        assert isinstance(app.screen, ChoicePrompt)
        await pilot.press("1")  # keep working
        assert isinstance(app.screen, SimpleScreen) and app.is_running
        await pilot.press("escape", "2")  # Esc asks too; 2 quits
        await pilot.pause()
        assert not app.is_running


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_quit_question_says_what_waits_as_the_queues_does(lang: str) -> None:
    """Simple mode always asks; it now says, as the queue's question does, how many orders wait for an answer and
    how many actions are not sent yet (it said only "Quit the console?" over two ringing orders)."""
    from o2o_tui.i18n import t

    set_language(lang)
    app = _app(_source())  # two new orders ring; the link has one action waiting to be sent
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        assert isinstance(app.screen, ChoicePrompt)
        asked = app.screen._title.plain.split("\n")
        assert asked == [t("simple.quit_title"), t("queue.quit.waiting", count=2), t("queue.quit.queued.one")]


async def test_the_quit_question_with_nothing_waiting_is_the_title_alone() -> None:
    app = _app(MemoryOrderSource([], store=sample_store()))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        assert isinstance(app.screen, ChoicePrompt)
        assert app.screen._title.plain == "Quit the console?"


async def test_voice_on_with_no_engine_is_said_once_and_the_bell_stays(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path))
    monkeypatch.setenv("O2O_VOICE", "1")
    monkeypatch.setenv("O2O_VOICE_ENGINE", str(tmp_path / "no-such-engine"))
    source = _source()
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        source.put(sample_order(43, OrderStatus.CREATED, minutes_ago=0))
        await pilot.pause()
        assert app.bells == 2
        assert [m for m in app.said if "no speech engine" in m] == [
            "Voice is on, but no speech engine is installed (apt install espeak-ng): only the bell rings."
        ]


async def test_the_queue_speaks_each_new_order_once(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The normal console (not the simple one) says new orders next to its bell, through the engine."""
    program, log = _fake_engine(tmp_path)
    monkeypatch.setenv("O2O_HOME", str(tmp_path))
    monkeypatch.setenv("O2O_VOICE", "on")
    monkeypatch.setenv("O2O_VOICE_ENGINE", str(program))
    source = _source([])
    app = SimpleApp(source, clock=lambda: FROZEN_NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        source.put(sample_order(43, OrderStatus.CREATED, minutes_ago=0, order_type=OrderType.TAKEOUT))
        await wait_until(pilot, lambda: log.exists(), timeout=5)
        source.put(sample_order(43, OrderStatus.CREATED, minutes_ago=0, order_type=OrderType.TAKEOUT))
        await pilot.pause(0.3)
        assert log.read_text(encoding="utf-8").splitlines() == ["-v en -s 150 New order 43, takeout."]


async def test_end_to_end_offline_then_online_with_voice(
    shared_platform: RunningPlatform, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Against the real platform: a takeout order is announced; the link drops (said); 1 is queued; the link
    returns (said) and the accept reaches the platform once with the default prep; 2, then 3 and the code."""
    program, log = _fake_engine(tmp_path)
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("O2O_VOICE", "1")
    monkeypatch.setenv("O2O_VOICE_ENGINE", str(program))
    seed = shared_platform.seed
    assert seed is not None
    profile = save_profile(
        "counter",
        url=shared_platform.url,
        token=seed.tokens["merchant"],
        role="merchant",
        store_id=seed.store_id,
    )
    placed = await asyncio.to_thread(_place, shared_platform, order_type="TAKEOUT")

    def spoken() -> list[str]:
        return log.read_text(encoding="utf-8").splitlines() if log.exists() else []

    with FaultProxy(shared_platform.port) as proxy:
        via_proxy = msgspec.structs.replace(profile, url=f"http://127.0.0.1:{proxy.port}")
        cache = open_cache(via_proxy)
        client = make_client(via_proxy, timeout=2.0)
        engine = make_engine(via_proxy, cache, client, poll_wait=0.5, backoff_cap=0.5)
        app = SimpleApp(EngineOrderSource(engine, cache, client, seed.store_id), simple=True)
        async with app.run_test(size=(80, 24)) as pilot:
            screen = _screen(app)
            await wait_until(pilot, lambda: any(e.order.id == placed["id"] for e in screen.live()))
            await wait_until(pilot, lambda: f"New order {placed['number']}, takeout." in " ".join(spoken()))
            proxy.drop()
            await wait_until(pilot, lambda: app.source.link().state.value == "OFFLINE")
            await wait_until(pilot, lambda: any("Offline." in line for line in spoken()))
            screen.cursor_id = placed["id"]
            await pilot.press("1")
            await wait_until(pilot, lambda: app.source.link().pending == 1)
            proxy.pass_through()
            await wait_until(
                pilot, lambda: _server_order(shared_platform, placed["id"])["status"] == "CONFIRMED"
            )
            await wait_until(pilot, lambda: any("Back online." in line for line in spoken()))
            await wait_until(pilot, lambda: app.source.link().pending == 0)
            server = await asyncio.to_thread(_server_order, shared_platform, placed["id"])
            assert server["preparation_minutes"] == app.source.store().default_prep_minutes
            screen.cursor_id = placed["id"]
            await pilot.press("2")
            await wait_until(
                pilot, lambda: _server_order(shared_platform, placed["id"])["status"] == "READY_FOR_PICKUP"
            )
            await wait_until(pilot, lambda: app.source.link().pending == 0)
            screen.cursor_id = placed["id"]
            await pilot.press("3", *placed["pickup_code"], "enter")
            await wait_until(
                pilot, lambda: _server_order(shared_platform, placed["id"])["status"] == "DELIVERED"
            )


def test_a_scanner_burst_right_behind_the_three_goes_to_the_code_field(tmp_path: Path) -> None:
    """In a real terminal (a pty), `3` and a scanned code with a correction in ONE write: every digit lands in
    the code field in order (none of them runs 1-3), and Enter hands the order off with it."""
    out = tmp_path / "submitted.jsonl"
    main, child = os.openpty()
    fcntl.ioctl(child, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))
    env = {**os.environ, "TERM": "xterm-256color", "O2O_LANG": "en", "O2O_HOME": str(tmp_path)}
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.simple_burst_console", str(out)],
        stdin=child,
        stdout=child,
        stderr=child,
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        start_new_session=True,
    )
    os.close(child)
    screen = pyte.Screen(80, 24)
    stream = pyte.ByteStream(screen)

    def read_until(done: Callable[[], bool], seconds: float) -> None:
        deadline = time.monotonic() + seconds
        while not done() and time.monotonic() < deadline:
            if select.select([main], [], [], 0.05)[0]:
                stream.feed(os.read(main, 65536))

    try:
        read_until(lambda: "Next: 3 Hand off" in "\n".join(screen.display), 20)
        assert "3 Hand off" in "\n".join(screen.display), "\n".join(screen.display)
        os.write(main, b"348\x7f821\r")  # the order's pickup code, 4821, with a slip corrected
        read_until(lambda: out.exists() and out.read_text().endswith("\n"), 10)
        read_until(lambda: False, 0.3)  # anything submitted a moment later would show as a second line
        submitted = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
        assert submitted == [["order.handoff", "ord-0038", {"code": "4821"}]]
    finally:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=10)
        os.close(main)


def test_the_simple_flag_takes_the_quick_start_and_the_setting_turns_it_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from o2o_tui.cli.console_quick import _options, _without_simple
    from o2o_tui.settings import load_settings

    argv, simple = _without_simple(["--lang", "zh", "console", "--profile", "a", "--simple"])
    assert simple and _options(argv) == ("a", False)
    assert _without_simple(["console", "--no-cache"]) == (["console", "--no-cache"], False)
    assert (
        _options(_without_simple(["console", "--simple", "--simple"])[0]) is None
    )  # typer explains the rest
    monkeypatch.setenv("O2O_HOME", str(tmp_path))
    monkeypatch.delenv("O2O_VOICE", raising=False)
    monkeypatch.delenv("O2O_SIMPLE_MODE", raising=False)
    from o2o_tui.paths import config_dir

    config_dir().mkdir(parents=True, exist_ok=True)
    (config_dir() / "settings.json").write_text('{"simple_mode": true, "voice": true}', encoding="utf-8")
    assert load_settings().simple_mode and load_settings().voice
    monkeypatch.setenv("O2O_VOICE", "off")
    monkeypatch.setenv("O2O_SIMPLE_MODE", "no")
    assert not load_settings().voice and not load_settings().simple_mode
    monkeypatch.setenv("O2O_VOICE", "loud")  # not a switch: the file's value stands
    assert load_settings().voice
