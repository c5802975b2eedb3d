"""`o2o sync status` while a console or `o2o sync` hears the platform says "live".

A running engine writes a quiet poll's answer time to disk only now and then (`persist_idle_every`, 30 s), so
the stored "last sync" grew to ~30 s on a healthy link and a cron check read it as stale. The engine records how
far that stored time may lag a working link (`live_within`); within it, and ONLINE, the status says "live"
(`--json`: `"live": true`). A one-off `o2o sync --once` and a stopped engine are not live: they count the age.
Real platform on loopback, real cache under a temp O2O_HOME.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.sync import tables
from o2o_tui.sync.model import SyncState
from o2o_tui.sync.session import make_client, make_engine, profile_cache
from tests.support.platform import RunningPlatform


def run_cli(home: Path, *args: str, lang: str = "en") -> Any:
    env = {"O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200"}
    env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
    return CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)


def stored_age(home: Path) -> float:
    status = json.loads(run_cli(home, "sync", "status", "--json").stdout)
    last = datetime.fromisoformat(status["last_sync_at"].replace("Z", "+00:00"))
    return (datetime.now(UTC) - last).total_seconds()


async def test_sync_status_says_live_while_a_running_engine_hears_the_platform(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    home = tmp_path / "home"
    monkeypatch.setenv("O2O_HOME", str(home))
    cli = asyncio.to_thread  # the CLI runs its own event loop: in a thread
    login = await cli(run_cli, home, "login", "--url", shared_platform.url, "--token", seed.tokens["merchant"])
    assert login.exit_code == 0, login.output

    # a one-off sync (cron): ONLINE and just now, but nobody is listening: not "live"
    assert (await cli(run_cli, home, "sync", "--once")).exit_code == 0
    once = json.loads((await cli(run_cli, home, "sync", "status", "--json")).stdout)
    assert once["state"] == "ONLINE" and once["live"] is False
    assert "last sync 0 s ago" in (await cli(run_cli, home, "sync", "status")).stdout

    with profile_cache(None) as (profile, cache):
        client = make_client(profile)
        # quick quiet polls; the stored time written only every 6 s (the shipped 30 s, shortened)
        engine = make_engine(profile, cache, client, poll_wait=0.3, persist_idle_every=6.0)
        async with client:
            task = asyncio.create_task(engine.run())
            try:
                for _ in range(250):
                    if engine.status().state is SyncState.ONLINE:
                        break
                    await asyncio.sleep(0.02)
                assert engine.status().state is SyncState.ONLINE
                assert cache.meta_get(tables.META_STATE) == "ONLINE"
                await asyncio.sleep(3.0)  # quiet polls answer; the stored time is not rewritten for each
                age = await asyncio.to_thread(stored_age, home)
                assert age >= 2.0, "the stored time lags the answers (written only every persist_idle_every)"
                live = await asyncio.to_thread(run_cli, home, "sync", "status", "--json")
                data = json.loads(live.stdout)
                assert data["state"] == "ONLINE" and data["live"] is True, data
                text = (await asyncio.to_thread(run_cli, home, "sync", "status")).stdout
                assert text.startswith("ONLINE") and text.rstrip().endswith("last sync live"), text
                zh = (await asyncio.to_thread(run_cli, home, "sync", "status", lang="zh")).stdout
                assert "上次同步 实时" in zh, zh
            finally:
                engine.stop()
                await asyncio.wait_for(task, 5)

    # stopped: no longer live, the age of the last answer is counted again
    stopped = json.loads((await cli(run_cli, home, "sync", "status", "--json")).stdout)
    assert stopped["live"] is False
    assert "last sync live" not in (await cli(run_cli, home, "sync", "status")).stdout
