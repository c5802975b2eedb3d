"""One profile, several processes, end to end: `o2o sync` running (the console's engine, holding the profile open
for its whole life) while `o2o orders accept/ready` and `o2o store pause/resume` run in parallel on the same profile,
through a fault proxy that slows the link, against the real platform. Every command answers as if it were alone;
the platform applies every action exactly once, in the order of the appends; a push holder SIGKILLed mid-send is
taken over by another process (same keys, nothing lost, nothing twice)."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.domain.order import OrderStatus
from offline_cache import open_profile_cache
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_sync_engine import place_orders

ROOT = Path(__file__).resolve().parent.parent


class Profile:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.directory = home / "cache" / "profiles" / "default"
        self.env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200"}
        for name in ("O2O_PROFILE", "O2O_TOKEN"):
            self.env.pop(name, None)

    def start(self, *args: str) -> subprocess.Popen[str]:
        return subprocess.Popen(
            [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )

    def outbox(self) -> list[tuple[int, str, str, str]]:
        """(seq, key, action, target) of what is pending, as any process reads it."""
        with open_profile_cache(self.directory, read_only=True) as cache:
            return [(e.seq, e.key, e.action, e.target) for e in cache.outbox.entries()]

    def push_holder(self) -> int | None:
        with open_profile_cache(self.directory) as cache:
            assert cache.push_lock is not None
            if cache.push_lock.try_acquire():
                cache.push_lock.release()
                return None
            pid = cache.push_lock.holder().get("pid")
            return pid if isinstance(pid, int) else None


def finish(process: subprocess.Popen[str], timeout: float = 30) -> tuple[int, str]:
    out, err = process.communicate(timeout=timeout)
    return process.returncode, out + err


def wait_for(check: Callable[[], object], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def server_log(platform: RunningPlatform) -> list[tuple[str, str]]:
    """(entity id, action) of every action the platform applied, in the order it applied them."""
    path = platform.db_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        return list(db.execute("SELECT entity_id, action FROM action_log ORDER BY id"))


def applied_keys(platform: RunningPlatform, keys: list[str]) -> list[str]:
    """The keys among `keys` the platform stored an answer for, in the order it stored them."""
    path = platform.db_url.split("///", 1)[1]
    with sqlite3.connect(path) as db:
        rows = db.execute("SELECT key FROM idempotency ORDER BY rowid").fetchall()
    return [key for (key,) in rows if key in keys]


@pytest.fixture
def proxy(platform: RunningPlatform) -> Iterator[FaultProxy]:
    with FaultProxy(platform.port) as running:
        yield running


def test_the_console_and_scripts_share_one_profile_even_when_the_sender_is_killed(
    platform: RunningPlatform, proxy: FaultProxy, tmp_path: Path
) -> None:
    assert platform.seed is not None and platform.db_url.startswith("sqlite")
    profile = Profile(tmp_path / "home")
    token = platform.seed.tokens["merchant"]
    login = CliRunner().invoke(
        app,
        ["login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", token],
        env={"O2O_HOME": str(profile.home), "O2O_LANG": "en", "O2O_PROFILE": None, "O2O_TOKEN": None},
    )
    assert login.exit_code == 0, login.output
    orders = place_orders(platform.url, platform.seed, 3)
    synced = finish(profile.start("sync", "--once"))
    assert synced[0] == 0, synced
    console = profile.start("sync")  # the console's engine: the profile open for its whole life
    try:
        # 1. four commands at once, the link slow enough that each finds another one sending
        proxy.delay(120)
        started = [profile.start("orders", "accept", order_id, "--prep", "12") for order_id in orders]
        started.append(profile.start("store", "pause", "--reason", "rush"))
        results = [finish(process) for process in started]
        assert [code for code, _ in results] == [0, 0, 0, 0], results
        assert all("accepted: ready" in text for _, text in results[:3]), results
        assert all("Queued" not in text for _, text in results), results
        # 2. the sender is SIGKILLed after the platform applied its first action, before the answer came back
        proxy.delay(1000)
        second = [profile.start("orders", "ready", order_id) for order_id in orders[:2]]
        second.append(profile.start("store", "resume"))
        wait_for(lambda: len(profile.outbox()) == 3, 15, "three queued actions")
        queued = sorted(profile.outbox())
        appended = [key for _, key, _, _ in queued]
        second_targets = [target for _, _, _, target in queued]
        wait_for(lambda: applied_keys(platform, appended), 15, "the platform to apply the first one")
        holder = profile.push_holder()
        assert holder is not None
        os.kill(holder, signal.SIGKILL)
        proxy.pass_through()
        for process in second:
            code, text = finish(process)
            assert code == (-signal.SIGKILL if process.pid == holder else 0), text
            assert process.pid == holder or "Queued" not in text, text
        wait_for(lambda: not profile.outbox(), 10, "the rest to be sent by another process")
        assert applied_keys(platform, appended) == appended  # in the order of the appends, each once
    finally:
        console.send_signal(signal.SIGINT)
        try:
            console.wait(timeout=10)
        except subprocess.TimeoutExpired:
            console.kill()
            console.wait(timeout=10)
        for stream in (console.stdout, console.stderr):
            if stream is not None:
                stream.close()
    store_id = platform.seed.store_id
    applied = [(entity, action) for entity, action in server_log(platform) if action != "create"]
    assert sorted(applied) == sorted(  # each action exactly once
        [(order_id, "confirm") for order_id in orders]
        + [
            (orders[0], "ready"),
            (orders[1], "ready"),
            (store_id, "status:PAUSED"),
            (store_id, "status:ONLINE"),
        ]
    )
    assert [entity for entity, _ in applied[-3:]] == [target.split("/")[0] for target in second_targets]
    assert {order_id: _status(platform, order_id) for order_id in orders} == {
        orders[0]: OrderStatus.READY_FOR_PICKUP,
        orders[1]: OrderStatus.READY_FOR_PICKUP,
        orders[2]: OrderStatus.CONFIRMED,
    }


def _status(platform: RunningPlatform, order_id: str) -> OrderStatus:
    from o2o_tui.client import PlatformClient

    assert platform.seed is not None
    with PlatformClient(platform.url, platform.seed.tokens["merchant"]) as merchant:
        return merchant.get_order(order_id).status


def test_an_open_engine_shows_another_process_writes_and_sends_what_it_left(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    """In one test process, two cache objects on one profile behave as two processes (their own locks, stamps)."""
    import asyncio

    from o2o_tui.client.actions import encode_body
    from o2o_tui.domain.requests import ConfirmBody
    from o2o_tui.sync.engine import SyncSettings
    from tests.test_sync_engine import merchant_engine

    seed = shared_platform.seed
    assert seed is not None
    [order_id] = place_orders(shared_platform.url, seed, 1)
    directory = tmp_path / "profile"
    settings = SyncSettings(poll_wait=0.5, backoff_base=0.01, backoff_cap=0.05, watch_every=0.2)

    async def scenario() -> None:
        with open_profile_cache(directory) as console, open_profile_cache(directory) as script:
            client, engine = merchant_engine(shared_platform.url, seed, console, settings=settings)
            seen: list[Any] = []
            engine.subscribe(seen.append)
            async with client:
                await engine.sync_once()
                running = asyncio.create_task(engine.run())
                await asyncio.sleep(0)  # started: a stop() before run() began would not stop it
                seen.clear()
                try:
                    assert script.push_lock is not None and script.push_lock.try_acquire()  # a script sending
                    body = encode_body("order.confirm", ConfirmBody(preparation_minutes=9)).decode()
                    entry = script.outbox.append("order.confirm", order_id, body)
                    for _ in range(40):  # shown by the open engine, without its own action
                        if any(c.kind == "order" and order_id in c.ids for c in seen):
                            break
                        await asyncio.sleep(0.05)
                    else:
                        raise AssertionError(f"no change for {order_id}: {seen}")
                    assert engine.status().pending == 1
                    await asyncio.sleep(0.6)
                    assert script.outbox.get(entry.key) is not None  # left to the holder: not sent twice
                    script.push_lock.release()  # the script went away without sending
                    for _ in range(60):  # the engine takes the push lock over and sends it
                        if script.outbox.get(entry.key) is None:
                            break
                        await asyncio.sleep(0.05)
                    else:
                        raise AssertionError("the entry left behind was never sent")
                finally:
                    engine.stop()
                    await running
        assert _status(shared_platform, order_id) is OrderStatus.CONFIRMED

    asyncio.run(scenario())
