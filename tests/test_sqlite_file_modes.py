"""A SQLite database put in place with the umask's 0644 (a restore of a `.backup` copy, as docs/operations.md once
showed it) holds customers' names and full phone numbers for every local user to read: the server makes it and its
-wal and -shm private (0600) when it starts, saying so once in its log, and refuses to start, in one line, exit 2,
only when it cannot."""

from __future__ import annotations

import os
import sqlite3
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.platform import sqlite_lock
from o2o_tui.platform.seed import seed_demo
from tests.support.platform import start_platform

SAID = "The SQLite database was readable by other users: made private"


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_restored_0644_database_is_made_private_at_start_and_said_once(tmp_path: Path) -> None:
    path = tmp_path / "platform" / "platform.sqlite3"
    path.parent.mkdir()
    url = f"sqlite:///{path}"
    seed_demo(url)
    os.chmod(path, 0o644)  # as `sqlite3 ... ".backup"` and a copy back leave it under umask 022
    holder = sqlite3.connect(path)  # a reader left open: SQLite makes its -wal and -shm with the file's mode
    holder.execute("SELECT count(*) FROM users").fetchone()
    wal, shm = path.with_name(path.name + "-wal"), path.with_name(path.name + "-shm")
    try:
        assert _mode(wal) == 0o644 and _mode(shm) == 0o644
        running = start_platform(tmp_path / "platform", seed=False, db_url=url)
        try:
            assert (_mode(path), _mode(wal), _mode(shm)) == (0o600, 0o600, 0o600)
            log = running.log_text()
            assert log.count(SAID) == 1 and f"{path} 0644 -> 0600" in log and f"{wal} 0644 -> 0600" in log, log
        finally:
            running.stop()
    finally:
        holder.close()
    secret = {"O2O_SECRET_FILE": str(tmp_path / "platform" / "platform-secret.key")}
    (tmp_path / "again").mkdir()
    again = start_platform(tmp_path / "again", seed=False, db_url=url, env=secret)  # private already: not said
    try:
        assert SAID not in again.log_text()
        assert _mode(path) == 0o600
    finally:
        again.stop()


def test_a_database_that_cannot_be_made_private_stops_the_start_in_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "platform.sqlite3"
    url = f"sqlite:///{path}"
    seed_demo(url)
    os.chmod(path, 0o640)

    def refused(target: object, mode: int) -> None:  # another user's file: chmod is not ours to do
        raise PermissionError(1, "Operation not permitted")

    monkeypatch.setattr(sqlite_lock.os, "chmod", refused)
    env = {"O2O_HOME": str(tmp_path / "home"), "O2O_LANG": "en", "O2O_SECRET_FILE": str(tmp_path / "secret.key")}
    result = CliRunner().invoke(app, ["serve", "--port", "0", "--db", url], env=env, catch_exceptions=False)
    assert result.exit_code == Exit.USAGE, (result.exit_code, result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and str(path) in lines[0] and "0640" in lines[0], result.stderr
    assert "Operation not permitted" in lines[0] and "chmod 600" in lines[0], result.stderr
    assert _mode(path) == 0o640
