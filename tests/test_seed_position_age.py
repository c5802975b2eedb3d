"""Seeded couriers' positions carry the time they were seeded, so the dispatch board's stale-position rule counts
them like any report: fresh at the start of a demo, old once nobody has reported for `STALE_POSITION_MINUTES`.
Real server, real seed, the real CLI and simulator."""

from __future__ import annotations

import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

from o2o_tui.client import PlatformClient
from o2o_tui.live_dispatch import STALE_POSITION_MINUTES, plan_live, position_stale, read_fleet
from tests.support.platform import RunningPlatform
from tests.test_simulator import _simulate

ROOT = Path(__file__).resolve().parent.parent


def _fleet(platform: RunningPlatform) -> object:
    assert platform.seed is not None
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as client:
        return read_fleet(client, platform.seed.store_id)


def test_seeded_positions_are_dated_and_go_stale_like_any_report(platform: RunningPlatform) -> None:
    now = datetime.now(UTC)
    snapshot = _fleet(platform)
    couriers = snapshot.couriers  # type: ignore[attr-defined]
    assert len(couriers) == 10
    for courier in couriers:
        assert courier.position is not None and courier.position_at is not None, courier
        assert now - timedelta(minutes=2) < courier.position_at <= now

    fresh = plan_live(snapshot, now)  # type: ignore[arg-type]
    assert not [state.name for state in fresh.couriers if position_stale(state, now)]
    assert all(suggestion.stale_minutes is None for suggestion in fresh.suggestions)

    later = now + timedelta(minutes=STALE_POSITION_MINUTES + 1)  # nobody reported since the seed
    old = plan_live(snapshot, later)  # type: ignore[arg-type]
    assert all(position_stale(state, later) for state in old.couriers)


def test_the_couriers_command_dates_seeded_positions(platform: RunningPlatform, tmp_path: Path) -> None:
    """At the start of a demo `o2o couriers list` says how old each position is, none old, none undated."""
    seed = platform.seed
    assert seed is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    env.update(O2O_HOME=str(tmp_path / "home"), O2O_LANG="en")
    cli = [sys.executable, "-c", "from o2o_tui.cli import main; main()"]

    def run(*args: str) -> str:
        done = subprocess.run([*cli, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=120)
        assert done.returncode == 0, done.stderr
        return done.stdout

    env["O2O_TOKEN"] = seed.tokens["dispatcher"]  # a token never on a command line
    run("login", "--url", platform.url, "--profile", "desk")
    del env["O2O_TOKEN"]
    listed = run("couriers", "list", "--profile", "desk").splitlines()
    assert len(listed) == 10
    for line in listed:
        assert "position 0 min ago" in line or "position 1 min ago" in line, line


def test_the_demo_simulator_keeps_its_couriers_reporting(platform: RunningPlatform) -> None:
    """The simulator re-reports where its couriers are (idle ones too), so a demo's fleet stays fresh after the
    seed's dates; the courier left to a person is not moved for it."""
    seed = platform.seed
    assert seed is not None
    seeded = {c.id: c.position_at for c in _fleet(platform).couriers}  # type: ignore[attr-defined]
    left = seed.courier_ids[0]
    _simulate(platform, "--count", "1", "--timeout", "5", "--leave-courier", left)
    after = {c.id: c.position_at for c in _fleet(platform).couriers}  # type: ignore[attr-defined]
    assert after[left] == seeded[left]
    moved = [
        cid
        for cid, at in seeded.items()
        if cid != left and after[cid] is not None and (at is None or after[cid] > at)
    ]
    assert len(moved) == len(seeded) - 1, (seeded, after)
