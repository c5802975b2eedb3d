"""`o2o store busy` while paused says the pause it ended; `o2o store status` from a cache no poll has refreshed for
the platform's heartbeat says the store may be paused by the platform; `python -m o2o_tui.platform --port 80000`
is a one-line usage refusal. The real platform on loopback, a real cache."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.sync import tables
from tests.support.platform import RunningPlatform, start_platform
from tests.test_cli_orders import Cli


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def cli(running: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert running.seed is not None
    runner = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    runner("login", "--url", running.url, "--token", runner.token)
    yield runner


def test_busy_while_paused_says_the_pause_ended(cli: Cli) -> None:
    paused = cli("store", "pause", "--minutes", "15", "--reason", "test").stdout
    at = paused.split("until ", 1)[1].split("  ")[0]  # the pause's end in the store's time, as status says it
    said = cli("store", "busy", "--extra", "10").stdout
    assert "BUSY" in said and "+10 min" in said, said
    assert f"This ended the pause until {at}: a busy store is open, it takes orders again." in said, said
    # busy again while busy: no pause to end, no such line; --json names the pause ended (null here)
    again = cli("store", "busy", "--extra", "12").stdout
    assert "ended the pause" not in again, again
    assert cli.json("store", "busy", "--extra", "12")["ended_pause"] is None
    cli("store", "pause", "--reason", "out of pearls")
    ended = cli.json("store", "busy", "--extra", "5")["ended_pause"]
    assert ended == {"until": None, "reason": "out of pearls", "auto": False}
    assert cli.json("store", "status")["status"]["state"] == "BUSY"


def _backdate_last_sync(cli: Cli, minutes: float) -> None:
    from o2o_tui.sync.session import profile_cache

    os.environ["O2O_HOME"] = str(cli.home)
    try:
        with profile_cache(None) as (_, cache):
            last = datetime.now(UTC) - timedelta(minutes=minutes)
            cache.meta_set(tables.META_LAST_SYNC_AT, last.isoformat().replace("+00:00", "Z"))
    finally:
        del os.environ["O2O_HOME"]


def test_status_from_a_cache_older_than_the_heartbeat_says_it_may_be_paused(cli: Cli) -> None:
    cli("sync", "--once")
    fresh = cli("store", "status").stdout
    assert "Now: Open, taking orders" in fresh and "may be paused" not in fresh, fresh
    assert cli.json("store", "status")["now"]["may_be_auto_paused"] is False
    _backdate_last_sync(cli, 12)
    stale = cli("store", "status").stdout
    assert "Last synced 12 min ago: the platform pauses a store when none of its devices has polled for 5 min" in (
        stale
    ), stale
    assert "`o2o sync --once`" in stale
    assert cli.json("store", "status")["now"]["may_be_auto_paused"] is True
    # a store paused by its staff refuses orders anyway: nothing to add
    cli("store", "pause", "--reason", "gas off")
    _backdate_last_sync(cli, 12)
    assert "may be paused" not in cli("store", "status").stdout


def test_platform_module_refuses_a_port_out_of_range_in_one_line(tmp_path: Path) -> None:
    env = dict(os.environ, O2O_HOME=str(tmp_path), PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    for port in ("80000", "-1"):
        done = subprocess.run(
            [sys.executable, "-m", "o2o_tui.platform", "--port", port, "--db", f"sqlite:///{tmp_path / 'p.db'}"],
            capture_output=True, text=True, env=env, timeout=60,
        )
        assert done.returncode == 2, (done.stdout, done.stderr)
        assert "Traceback" not in done.stderr, done.stderr
        assert f"error: argument --port: {port} is not in the range 0-65535" in done.stderr, done.stderr
    assert not (tmp_path / "p.db").exists()  # refused before anything was opened
