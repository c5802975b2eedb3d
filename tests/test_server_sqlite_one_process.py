"""One server process per SQLite file: a second `o2o serve` on the same file is refused naming the first, and a
killed server's lock is taken by the next one (docs/operations.md, SQLite or PostgreSQL)."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from pathlib import Path

import httpx

from o2o_tui.cli.exits import Exit
from o2o_tui.platform.launch import start_server

ROOT = Path(__file__).resolve().parent.parent
CLI = "from o2o_tui.cli import main; main()"


def _env(home: Path, lang: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("O2O_", "_O2O_"))}
    return {**env, "O2O_HOME": str(home), "O2O_LANG": lang, "O2O_SECRET_FILE": str(home / "secret.key")}


def _serve(home: Path, db_url: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    """`o2o serve` that is expected to be refused (a timeout here means it started)."""
    return subprocess.run(
        [sys.executable, "-c", CLI, "serve", "--port", "0", "--db", db_url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=_env(home, lang),
        timeout=30,
    )


def test_a_second_server_on_one_sqlite_file_is_refused_until_the_first_is_killed(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'data' / 'platform.sqlite3'}"
    env = _env(tmp_path, "en")
    first = start_server(db_url, tmp_path / "first.log", env=env)
    try:
        pid, host = first.process.pid, socket.gethostname()
        for lang, words in (("en", f"pid {pid} on {host}"), ("zh", f"主机 {host} 上的进程（pid {pid}）")):
            refused = _serve(tmp_path, db_url, lang)
            assert refused.returncode == Exit.LOCKED, refused.stderr
            lines = refused.stderr.strip().splitlines()
            assert len(lines) == 1 and words in lines[0] and "platform.sqlite3" in lines[0], refused.stderr
            assert "Traceback" not in refused.stderr and "listening" not in refused.stdout
        # `python -m o2o_tui.platform` (what tests and `o2o demo` start) refuses the same way
        module = subprocess.run(
            [sys.executable, "-m", "o2o_tui.platform", "--port", "0", "--db", db_url],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env=env,
            timeout=30,
        )
        assert module.returncode == 2 and f"pid {pid} on {host}" in module.stderr, module.stderr
        assert httpx.get(f"{first.url}/healthz", timeout=10).status_code == 200  # the first serves on

        first.process.send_signal(signal.SIGKILL)  # no clean-up at all: the lock file stays, naming a dead pid
        first.process.wait(timeout=10)
        second = start_server(db_url, tmp_path / "second.log", env=env)
        try:
            lock_text = (tmp_path / "data" / "platform.sqlite3.server-lock").read_text()
            assert lock_text.split()[0] == str(second.process.pid)
            refused = _serve(tmp_path, db_url)
            assert refused.returncode == Exit.LOCKED and f"pid {second.process.pid} " in refused.stderr
        finally:
            second.stop()
    finally:
        first.stop()


def test_a_symlink_to_the_file_shares_its_lock_and_another_file_does_not(tmp_path: Path) -> None:
    real = tmp_path / "a" / "platform.sqlite3"
    env = _env(tmp_path, "en")
    first = start_server(f"sqlite:///{real}", tmp_path / "first.log", env=env)
    try:
        (tmp_path / "b").mkdir()
        (tmp_path / "b" / "link.sqlite3").symlink_to(real)
        refused = _serve(tmp_path, f"sqlite:///{tmp_path / 'b' / 'link.sqlite3'}")
        assert refused.returncode == Exit.LOCKED and f"pid {first.process.pid} " in refused.stderr, refused.stderr
        other = start_server(
            f"sqlite:///{tmp_path / 'c' / 'platform.sqlite3'}",
            tmp_path / "other.log",
            env={**env, "O2O_SECRET_FILE": str(tmp_path / "other-secret.key")},
        )
        other.stop()
    finally:
        first.stop()
