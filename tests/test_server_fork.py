"""The test servers forked from a process that imported the server once (tests/support/server_fork.py) are the
server a fresh `python -m o2o_tui.platform` is: the environment of the start decides (not the zygote's), and
exit codes and signals read as Popen's."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from tests.support import server_fork
from tests.support.platform import _forked, start_platform


@pytest.fixture
def forks(monkeypatch: pytest.MonkeyPatch) -> server_fork.Zygote:
    monkeypatch.setenv(server_fork.SWITCH, "1")  # on by default; on here whatever the environment says
    found = server_fork.zygote()
    if found is None:
        pytest.skip("the server zygote is switched off or cannot start here")
    return found


def test_a_bad_setting_of_the_start_is_refused_the_same_way(forks: server_fork.Zygote, tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    env = {"O2O_JOB_INTERVAL_SECONDS": "soon", "O2O_LANG": "en", "O2O_SECRET_FILE": str(tmp_path / "secret")}
    with pytest.raises(RuntimeError) as forked:
        _forked(forks, db_url, 0, tmp_path / "forked.log", env)
    fresh = subprocess.run(
        [sys.executable, "-m", "o2o_tui.platform", "--port", "0", "--db", db_url],
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert fresh.returncode == 2, fresh.stderr
    said = fresh.stderr.strip().splitlines()[-1]
    assert "O2O_JOB_INTERVAL_SECONDS" in said
    assert said in str(forked.value)  # the same one line, read from the start's environment


def test_a_forked_server_answers_stops_on_sigterm_and_reads_a_kill_as_popen_does(
    forks: server_fork.Zygote, tmp_path: Path
) -> None:
    running = start_platform(tmp_path)
    try:
        assert httpx.get(f"{running.url}/healthz", timeout=10).status_code == 200
        running.process.send_signal(signal.SIGTERM)
        assert running.process.wait(timeout=20) == -signal.SIGTERM  # uvicorn re-raises it, as a fresh one's
    finally:
        running.stop()
    again = start_platform(tmp_path / "again")
    try:
        again.process.kill()
        assert again.process.wait(timeout=20) == -signal.SIGKILL
        assert again.process.poll() == -signal.SIGKILL
    finally:
        again.stop()


def test_a_server_whose_test_worker_is_gone_is_stopped(forks: server_fork.Zygote, tmp_path: Path) -> None:
    """A worker that dies (killed, timed out) leaves no server behind: its end of the connection closes and the
    supervisor kills the server (a fresh subprocess would have stayed)."""
    import time

    running = start_platform(tmp_path)
    process = running.process
    assert isinstance(process, server_fork.ForkedServer)
    process._conn.close()  # as the worker's end closes when it dies
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        try:
            os.kill(process.pid, 0)
        except ProcessLookupError:
            break
        time.sleep(0.1)
    else:
        pytest.fail("the server outlived its test worker")
