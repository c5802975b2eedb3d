"""`o2o demo`: the same stack without the TUI brings orders in, and nothing it started outlives it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CLI = "from o2o_tui.cli import main; main()"
LIVELY = ["--orders-per-hour", "7200", "--speed", "1"]  # about 4 orders a second


def _demo(home: Path, *args: str) -> list[str]:
    return [sys.executable, "-c", CLI, "demo", *args]


def _env(home: Path) -> dict[str, str]:
    return {**os.environ, "O2O_HOME": str(home), "O2O_LANG": "en"}


def _processes_under(home: Path) -> list[int]:
    """Live processes whose O2O_HOME lies under `home` (the demo gives its children an O2O_HOME of its own)."""
    marker = f"O2O_HOME={home}".encode()
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            environ = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            continue
        if state != "Z" and any(item.startswith(marker) for item in environ.split(b"\0")):
            found.append(int(entry.name))
    return found


def _wait_for(condition, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


pytestmark = pytest.mark.skipif(
    not Path("/proc/self/environ").exists(), reason="needs /proc to find children"
)


def test_headless_check_sees_orders_and_leaves_nothing_behind(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = subprocess.run(
        _demo(home, "--headless-check", "4", *LIVELY, "--json"),
        env=_env(home),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["orders"] > 0
    assert report["link"] == "ONLINE"
    assert _processes_under(home) == []
    assert not list((home / "data").glob("demo-*")), "the demo's data dir is removed without --keep"


def test_keep_keeps_the_database_and_logs(tmp_path: Path) -> None:
    home = tmp_path / "home"
    result = subprocess.run(
        _demo(home, "--headless-check", "3", *LIVELY, "--keep"),
        env=_env(home),
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    (kept,) = list((home / "data").glob("demo-*"))
    assert (kept / "platform.db").exists() and (kept / "server.log").exists()
    assert str(kept) in result.stdout
    assert _processes_under(home) == []


@pytest.mark.parametrize("sig", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_everything_it_started(tmp_path: Path, sig: signal.Signals) -> None:
    home = tmp_path / "home"
    demo = subprocess.Popen(
        _demo(home, "--headless-check", "300", *LIVELY),
        env=_env(home),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(lambda: len(_processes_under(home)) >= 3, 60), "server and simulator did not start"
        demo.send_signal(sig)
        demo.wait(timeout=60)
        assert _processes_under(home) == []
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="PR_SET_PDEATHSIG is Linux only")
def test_children_die_with_a_killed_demo(tmp_path: Path) -> None:
    home = tmp_path / "home"
    demo = subprocess.Popen(
        _demo(home, "--headless-check", "300", *LIVELY),
        env=_env(home),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert _wait_for(lambda: len(_processes_under(home)) >= 3, 60), "server and simulator did not start"
        demo.kill()
        demo.wait(timeout=10)
        assert _wait_for(lambda: _processes_under(home) == [], 30), _processes_under(home)
    finally:
        if demo.poll() is None:
            demo.kill()
            demo.wait()
        for pid in _processes_under(home):  # never leave strays, even when the test fails
            os.kill(pid, signal.SIGKILL)
