"""`python -m bench terminal` end to end, once and short, so the benchmark cannot rot silently: the report has its
rows and bytes where there must be bytes. No timed asserts (the figures are the benchmark's to report)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from bench.pty_screen import PtyScreen

ROOT = Path(__file__).resolve().parent.parent

TICKER = "import time\nfor n in range(40):\n    print('tick', n, flush=True)\n    time.sleep(0.05)\nprint('done')\n"


def test_pty_screen_counts_what_the_program_writes_and_sees_it_on_screen() -> None:
    with PtyScreen.spawn([sys.executable, "-c", TICKER], size=(40, 16)) as screen:
        screen.wait_for("tick 3", timeout=20)
        ticking = screen.count_for(0.5)  # the idle count sees bytes when there are some
        assert ticking > 0
        screen.wait_for("done", timeout=20)
        assert screen.wait_quiet(0.3, timeout=20) >= len("done")
        assert screen.count_for(0.3) == 0  # exited: nothing more
        assert screen.total > ticking and len(screen.screen.display) == 16


def test_bench_terminal_reports_every_row_with_bytes_counted() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "bench", "terminal", "--json", "--runs", "1", "--idle", "1", "--quiet", "0.5"]
        + ["--no-ssh", "--screen", "courier"],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "O2O_LANG": "en"},
        timeout=150,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout)
    name = report["screen"]
    assert name in ("courier", "console") and report["size"] == "40x16" and report["runs"] == 1
    paint = report["first_paint_ms"]
    assert paint["bare"]["median"] > 0 and paint[name]["median"] > 0 and paint["ratio"] > 0
    start = report["start_bytes"]
    assert start["bare"] > 500 and start[name] > 500  # a full first paint, not a stray escape
    assert isinstance(report["idle_bytes"]["bare"], int) and isinstance(report["idle_bytes"][name], int)
    changes = report["change_bytes"]
    assert changes and all(row["bytes"] > 0 for row in changes.values()), (changes, report["notes"])
    if name == "courier":
        assert any("accept" in label for label in changes) and any("ready" in label for label in changes)
    if shutil.which("tmux"):
        tmux = report["tmux"]
        assert (
            tmux["start in tmux"] > 500 and tmux["re-attach"] > 500 and isinstance(tmux["idle in tmux"], int)
        )
    assert "ssh" not in report
