"""`python -m bench dispatch --json` end to end on generated instances (no shared data needed), and the headline's
arithmetic on hand-made numbers."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest

from o2o_tui.dispatch.generator import generate
from o2o_tui.dispatch.headline import Pair, geomean, headline, total_avoidable_ratio, worst
from o2o_tui.dispatch.mdrp import write_instance

ROOT = Path(__file__).resolve().parent.parent


def _bench(*args: str, mdrp_dir: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bench", "dispatch", "--json", *args],
        capture_output=True, text=True, cwd=ROOT, env={**os.environ, "O2O_MDRP_DIR": str(mdrp_dir)}, check=True,
    )


def test_bench_reports_every_instance_policy_and_ratio(tmp_path: Path) -> None:
    for seed in (0, 1):
        write_instance(generate(seed, orders=50, couriers=10), tmp_path / "instances" / f"{seed}o50t100s1p100")
    result = _bench("--jobs", "2", mdrp_dir=tmp_path)
    report = json.loads(result.stdout)
    assert {(r["instance"], r["policy"]) for r in report["instances"]} == {
        (f"{s}o50t100s1p100", p) for s in (0, 1) for p in ("engine", "b1", "greedy")
    }
    for row in report["instances"]:
        assert row["lower_bound"] <= row["ctd_mean"] <= 180
        assert 0 <= row["delivered"] <= 1 and 0 <= row["on_time"] <= 1
        assert row["decision_p50_ms"] <= row["decision_p99_ms"]
        assert row["delivered_orders"] == round(row["delivered"] * row["orders"])
        assert row["avoidable"] == pytest.approx(row["ctd_mean"] - row["lower_bound"])
    engine = report["overall"]["engine"]
    assert engine["instances"] == 2
    assert engine["ctd_ratio_geomean"] > 0 and engine["avoidable_ratio_geomean"] > 0
    assert engine["total_avoidable_ratio"] > 0 and engine["worst"] in {"0o50t100s1p100", "1o50t100s1p100"}
    assert 0 <= engine["ctd_above_b1"] <= 2 and 0 < engine["delivered_share"] <= 1
    assert set(report["families"]["o50t100s1p100"]) == {"engine", "b1", "greedy"}
    assert engine["families"]["o50t100s1p100"]["instances"] == 2
    assert "[6/6]" in result.stderr  # progress


def test_bench_runs_a_generated_regime(tmp_path: Path) -> None:
    report = json.loads(_bench("--regimes", "--quick", "--instances", "rich-*", "--policies", "engine,b1",
                               "--jobs", "1", mdrp_dir=tmp_path / "nothing").stdout)
    assert report["source"] == "regimes"
    assert {(r["instance"], r["policy"]) for r in report["instances"]} == {("rich-0", "engine"), ("rich-0", "b1")}
    assert set(report["overall"]["engine"]["families"]) == {"rich"}
    assert report["overall"]["engine"]["delivered_share"] == 1.0
    assert report["overall"]["engine"]["serious_total_avoidable_ratio"] is None  # rich: B1 leaves < 2 min


# three instances: LB 28, 28, 30; avoidable (policy, B1) = (2, 4), (0.2, 0.1), (10, 8)
PAIRS = [
    Pair("a", 100, ctd=30.0, ctd_b1=32.0, lower_bound=28.0, delivered=100, delivered_b1=100),
    Pair("b", 50, ctd=28.2, ctd_b1=28.1, lower_bound=28.0, delivered=50, delivered_b1=50),
    Pair("c", 200, ctd=40.0, ctd_b1=38.0, lower_bound=30.0, delivered=198, delivered_b1=200),
]


def test_headline_arithmetic_on_hand_made_numbers() -> None:
    h = headline(PAIRS)
    assert [p.ratio for p in PAIRS] == pytest.approx([0.5, 2.0, 1.25])
    assert h.instances == 3
    assert h.avoidable_ratio_geomean == pytest.approx((0.5 * 2.0 * 1.25) ** (1 / 3))
    assert h.ctd_ratio_geomean == pytest.approx((30 / 32 * 28.2 / 28.1 * 40 / 38) ** (1 / 3))
    assert h.total_avoidable_ratio == pytest.approx(12.2 / 12.1)  # the small instance barely counts
    assert (h.avoidable_mean, h.avoidable_mean_b1) == (pytest.approx(12.2 / 3), pytest.approx(12.1 / 3))
    assert (h.serious_instances, h.serious_total_avoidable_ratio) == (2, pytest.approx(12 / 12))  # a and c
    assert (h.worst, h.worst_ratio) == ("b", pytest.approx(2.0))
    assert (h.serious_worst, h.serious_worst_ratio) == ("c", pytest.approx(1.25))
    assert h.ctd_above_b1 == 1  # c: 40 > 38 * 1.01; b: 28.2 < 28.1 * 1.01
    assert h.delivered_share == pytest.approx(348 / 350) and h.delivered_share_b1 == 1.0
    assert (h.fewest_delivered, h.fewest_delivered_difference) == ("c", -2)


def test_headline_edges() -> None:
    assert math.isnan(geomean([])) and math.isnan(total_avoidable_ratio([]))
    assert worst([]) == ("", pytest.approx(math.nan, nan_ok=True))
    assert geomean([0.0, 1.0]) == pytest.approx(math.sqrt(1e-3))  # floored, not -inf
    perfect_b1 = Pair("z", 10, ctd=29.0, ctd_b1=28.0, lower_bound=28.0, delivered=10, delivered_b1=10)
    assert perfect_b1.ratio == pytest.approx(1000.0)  # B1's zero floored at 1e-3 minutes
    assert headline([]).instances == 0 and headline([]).fewest_delivered == ""
