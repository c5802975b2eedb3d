"""`python -m bench dispatch --json` end to end on generated instances (no shared data needed)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from o2o_tui.dispatch.generator import generate
from o2o_tui.dispatch.mdrp import write_instance

ROOT = Path(__file__).resolve().parent.parent


def test_bench_reports_every_instance_policy_and_ratio(tmp_path: Path) -> None:
    for seed in (0, 1):
        write_instance(generate(seed, orders=50, couriers=10), tmp_path / "instances" / f"{seed}o50t100s1p100")
    result = subprocess.run(
        [sys.executable, "-m", "bench", "dispatch", "--json", "--jobs", "2"],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "O2O_MDRP_DIR": str(tmp_path)}, check=True,
    )
    report = json.loads(result.stdout)
    assert {(r["instance"], r["policy"]) for r in report["instances"]} == {
        (f"{s}o50t100s1p100", p) for s in (0, 1) for p in ("engine", "b1", "greedy")
    }
    for row in report["instances"]:
        assert row["lower_bound"] <= row["ctd_mean"] <= 180
        assert 0 <= row["delivered"] <= 1 and 0 <= row["on_time"] <= 1
        assert row["decision_p50_ms"] <= row["decision_p99_ms"]
    engine = report["overall"]["engine"]
    assert engine["instances"] == 2
    assert engine["ctd_ratio_geomean"] > 0 and engine["avoidable_ratio_geomean"] > 0
    assert set(report["families"]["o50t100s1p100"]) == {"engine", "b1", "greedy"}
    assert "[6/6]" in result.stderr  # progress

