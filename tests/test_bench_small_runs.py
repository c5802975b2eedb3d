"""Small, bounded runs of benchmarks that are not run elsewhere in the suite, so they cannot rot unnoticed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _bench(*args: str) -> str:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    done = subprocess.run(
        [sys.executable, "-m", "bench", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return done.stdout


def test_bench_wire_small_run() -> None:
    out = _bench("wire", "--clients", "2", "--mb", "0.5", "--idle", "4")
    rows = {line[:44].strip(): line[44:].split() for line in out.splitlines()[2:] if line.strip()}
    assert rows["silent conns open after 3.5 s"] == [
        "4/4",
        "0/4",
    ]  # bare keeps them, the shipped server closes
    assert rows["half-header conns open after 3.5 s"] == ["4/4", "0/4"]
    assert rows["wrong token: answers"][-1] == "2x401"


def test_bench_longpoll_small_run() -> None:
    out = _bench("longpoll", "--polls", "6", "--stores", "2", "--writes", "10")
    labels = [line.split("  ")[0] for line in out.splitlines()[1:4]]
    assert labels == [
        "no polls",
        "6 idle polls of other stores, scoped wake-ups",
        "6 idle polls of other stores, every commit wakes all (before)",
    ]
    assert "scoped median" in out.splitlines()[-1]


def test_bench_menu_small_run() -> None:
    out = _bench("menu", "--runs", "1", "--keys", "5", "--publishes", "1")
    rows = {line[:40].strip(): line[40:].split() for line in out.splitlines()[3:] if line.strip()}
    assert "500 items in 40 categories, 120 option groups" in out.splitlines()[0]
    assert len(rows["open to first paint, median ms"]) >= 4  # bare, editor, ratio, budget (and a verdict)
    assert rows["keys measured / with no repaint"] == ["5/0", "5/0"]  # every key repainted, on both sides
    assert rows["publish 500 items, median ms"][-1] == "ok"  # one second is far: a failure here is a bug


def test_bench_console_small_run() -> None:
    """The console bench end to end on a small scale: every row it reports is there and measured."""
    out = _bench(
        "console",
        "--runs",
        "1",
        "--orders",
        "60",
        "--keys",
        "1",
        "--idle",
        "1",
        "--lists",
        "60",
        "--quick",
        "--json",
    )
    result = json.loads(out)
    paint = result["first_paint_ms"]
    assert paint["bare"]["median"] > 0 and paint["30"]["ratio"] > 0 and paint["60"]["ratio"] > 0
    cpu = result["first_paint_cpu_ms"]  # the CPU time to the first paint, beside the wall time (Linux)
    assert 0 < cpu["bare"]["median"] <= paint["bare"]["max"] * 2 and cpu["30"]["ratio"] > 0
    keys = result["keys_ms"]
    assert {"open order (Enter)", "close order (Escape)", "accept dialog (a)", "cursor down", "all"} <= set(
        keys
    )
    assert keys["all"]["silent"] == 0  # every key repainted something
    assert set(result["bytes"]) == {
        "idle B/s at 60",
        "20 visible timers, B/s",
        "new order arriving, B",
    }
    assert result["bytes"]["new order arriving, B"]["value"]  # the server's new order reached the screen
    assert result["orders_list_json_ms"]["60"]["ratio"] > 0
    assert "Accept #1000" in result["screens"]["accept dialog"]
