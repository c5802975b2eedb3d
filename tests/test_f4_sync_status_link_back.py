"""When the link comes back and a queued action is answered before the console's next poll (its poll still waits
out the outage's backoff), the console and `o2o sync status` (another reader of the same cache) tell the same
truth at the same moment: the poll is asked at once (ONLINE, new orders fetched now, not after up to 30 s), and the
status command counts that answer as the platform heard lately (it said NOT SYNCING while the console said ONLINE).
The real platform on loopback behind a fault proxy, a real cache, the status command on that cache."""

from __future__ import annotations

import asyncio
import json
import time
from pathlib import Path

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.cli import sync as cli_sync
from o2o_tui.config import load_profile
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.i18n import set_language
from o2o_tui.sync.model import SyncState
from o2o_tui.sync.session import make_client, make_engine, open_cache
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_console_token_resume import o2o
from tests.test_sync_engine import place_orders

STALE_S = 4.0  # `o2o sync status`'s NOT SYNCING age, shortened so that an outage can outlast it in seconds


def status(home: Path) -> dict:
    result = CliRunner().invoke(
        cli_app,
        ["sync", "status", "--json"],
        env={"O2O_HOME": str(home), "O2O_LANG": "en"},
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


async def until(condition: object, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.05)


async def test_a_push_answered_before_the_next_poll_is_said_alike_by_the_console_and_sync_status(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = platform.seed
    assert seed is not None
    set_language("en")
    home = tmp_path / "home"
    monkeypatch.setenv("O2O_HOME", str(home))
    monkeypatch.delenv("O2O_PROFILE", raising=False)
    monkeypatch.setattr(cli_sync, "STALE_AFTER_S", STALE_S)
    first, second = place_orders(platform.url, seed, 2)
    with FaultProxy(platform.port) as proxy:
        done = o2o(
            home,
            "login",
            "--url",
            f"http://127.0.0.1:{proxy.port}",
            "--token",
            "-",
            stdin=seed.tokens["merchant"] + "\n",
        )
        assert done.returncode == 0, done.stderr
        profile = load_profile()
        cache = open_cache(profile)
        client = make_client(profile)
        # a long outage's backoff (15 to 30 s) from the first fault on: the poll waits it out
        engine = make_engine(
            profile, cache, client, poll_wait=1.0, answer_grace=1.0, backoff_base=30.0, backoff_cap=30.0
        )
        task = asyncio.create_task(engine.run())
        try:
            await until(
                lambda: engine.status().state is SyncState.ONLINE and status(home)["live"], 20, "ONLINE"
            )
            proxy.drop()
            await until(lambda: engine.status().state is SyncState.OFFLINE, 10, "OFFLINE")
            await engine.submit("order.confirm", first, ConfirmBody(preparation_minutes=5))
            await asyncio.sleep(STALE_S + 1)  # longer than the status command's NOT SYNCING age
            assert status(home)["state"] == "OFFLINE" and engine.status().pending == 1
            proxy.pass_through()  # the link is back; the poll and the queue still wait out their backoff
            await engine.submit("order.confirm", second, ConfirmBody(preparation_minutes=5))  # sent at once
            await until(lambda: engine.status().pending == 0, 10, "the queue sent")
            await until(lambda: engine.status().state is SyncState.ONLINE, 5, "ONLINE")
            seen = status(home)
            assert seen["state"] == "ONLINE", seen  # not STALE (NOT SYNCING) while the console says ONLINE

            # the poll was asked at once (not after the rest of its 15 to 30 s backoff): the console's own last
            # sync is fresh
            def fresh() -> bool:
                last = engine.status().last_sync_at
                return last is not None and time.time() - last.timestamp() < 3

            await until(fresh, 5, "the poll answered")
            assert status(home)["live"]
        finally:
            engine.stop()
            await asyncio.wait_for(task, 10)
            await client.close()
            cache.close()
            set_language(None)
