"""`o2o simulate --leave-courier` offers the store's orders through the store's own fleet: an id that is not one of
the store's couriers (a platform courier, a typo) used to run silently with no offer ever; it is refused, exit 2,
before anything runs. The real server, `o2o simulate` as a process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform

ROOT = Path(__file__).resolve().parent.parent
CLI = [sys.executable, "-c", "from o2o_tui.cli import main; main()"]


def _simulate(platform: RunningPlatform, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    seed = platform.seed
    return subprocess.run(
        [*CLI, "simulate", "--url", platform.url, "--token", seed.tokens["admin"], "--store", seed.store_id,
         "--no-couriers", "--count", "1", "--timeout", "1", "--json", *args],
        capture_output=True, text=True, cwd=ROOT, env={**env, "O2O_LANG": "en"}, timeout=60,
    )  # fmt: skip


def test_a_courier_outside_the_store_fleet_is_refused_before_anything_runs(platform: RunningPlatform) -> None:
    refused = _simulate(platform, "--leave-courier", "cr_not_in_this_fleet")
    assert refused.returncode == Exit.USAGE, refused.stderr
    assert "Not a courier of this store's fleet: cr_not_in_this_fleet" in refused.stderr
    assert refused.stdout == ""  # nothing simulated


def test_a_store_courier_is_taken(platform: RunningPlatform) -> None:
    taken = _simulate(platform, "--leave-courier", platform.seed.courier_ids[0])
    assert taken.returncode == 0, taken.stderr
