"""`o2o demo --headless-check`: the link's state in the console's words (in Chinese too, not the raw ONLINE), and
the goodbye says the demo's data dir was removed (the start-up notes named files in it) and that --keep keeps it;
with --keep it says where the data was kept, and nothing about removing."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CLI = "from o2o_tui.cli import main; main()"
LIVELY = ["--orders-per-hour", "7200", "--speed", "1"]  # about 4 orders a second

pytestmark = pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="as tests/test_demo.py")


def _run(home: Path, lang: str, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", CLI, "demo", "--headless-check", "3", *LIVELY, *args],
        env={**os.environ, "O2O_HOME": str(home), "O2O_LANG": lang, "PYTHONPATH": str(ROOT)},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_in_chinese_the_link_is_in_words_and_the_goodbye_says_the_data_is_gone(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = _run(home, "zh")
    assert result.returncode == 0, result.stderr
    out = "".join(result.stdout.split())  # the lines are folded at the terminal's width
    assert "（连接：在线）" in out and "ONLINE" not in result.stdout, result.stdout
    assert not list((home / "data").glob("demo-*"))
    assert "演示数据已删除" in out and "o2odemo--keep" in out, result.stdout
    assert out.index("演示数据已删除") < out.index("演示已结束")


def test_with_keep_it_says_where_and_nothing_about_removing(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = _run(home, "en", "--keep")
    assert result.returncode == 0, result.stderr
    (kept,) = list((home / "data").glob("demo-*"))
    assert "(link: ONLINE)" in result.stdout  # the English word is the same
    assert "Demo data kept in" in result.stdout and "removed" not in result.stdout, result.stdout
