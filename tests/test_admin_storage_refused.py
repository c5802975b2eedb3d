"""`o2o admin` on a database that refuses writes (its disk full, its file read-only, a PostgreSQL made read-only):
one line saying the database cannot store changes, exit 3 (README, exit codes), nothing changed, no traceback; in
both languages, and as a JSON error with `--json`.

The full disk is a file-size limit on the `o2o` process (`RLIMIT_FSIZE`, SIGXFSZ ignored: a write past it fails
with EFBIG, as one on a full disk fails with ENOSPC), so it needs no root: the SQLite write-ahead log is kept longer
than the limit by a reader holding it open, and the command's write appends to it. A real full tmpfs is tried too
where one can be mounted."""

from __future__ import annotations

import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.platform.seed import SeedResult, seed_demo

LIMIT = 64 * 1024  # bytes any file of the command may grow to; the log is kept well past it
REFUSED_EN = "The database cannot store changes"
REFUSED_ZH = "数据库无法保存更改"


def _o2o(home: Path, *args: str, lang: str = "en", limit: int | None = None) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    env |= {"O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "300"}
    env["PYTHONDONTWRITEBYTECODE"] = "1"

    def limited() -> None:
        if limit is not None:
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        preexec_fn=limited,
    )


@contextmanager
def _log_held_long(path: Path) -> Iterator[None]:
    """Keep the database's -wal longer than LIMIT while the block runs: a reader holds it open (so nobody
    checkpoints it away) and a filler table written after the reader opened made it long; a write appends to it."""
    reader = sqlite3.connect(path)
    try:
        reader.execute("SELECT count(*) FROM users").fetchone()
        with sqlite3.connect(path) as writer:
            writer.execute("CREATE TABLE IF NOT EXISTS filler (x BLOB)")
            writer.execute("INSERT INTO filler VALUES (zeroblob(?))", (4 * LIMIT,))
        writer.close()
        assert path.with_name(path.name + "-wal").stat().st_size > 2 * LIMIT
        yield
    finally:
        reader.close()


def _users(path: Path) -> list[tuple[str, ...]]:
    with sqlite3.connect(path) as conn:
        return conn.execute("SELECT id, token_hash FROM users ORDER BY id").fetchall()


def _dump(path: Path) -> list[str]:
    """Every row of the database but the filler's, as SQL text."""
    with sqlite3.connect(path) as conn:
        return [line for line in conn.iterdump() if "filler" not in line]


def _seeded(tmp_path: Path) -> tuple[Path, str, SeedResult]:
    path = tmp_path / "platform.sqlite3"
    url = f"sqlite:///{path}"
    return path, url, seed_demo(url)


def _said_once(result: subprocess.CompletedProcess[str], words: str) -> None:
    assert result.returncode == Exit.OFFLINE, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr and "INSERT INTO" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and words in lines[0], result.stderr
    assert result.stdout == "", result.stdout


def _writes(seed: SeedResult) -> list[list[str]]:
    return [
        ["admin", "create-user", "--role", "merchant", "--name", "X", "--store", seed.store_id],
        ["admin", "create-store", "--name", "Z"],
        ["admin", "seed-demo", "--allow-duplicate"],  # this database has the demo store: a second one is a write
        ["admin", "voucher", "create", "--store", seed.store_id, "--title", "T", "--value", "10", "--expires", "30d"],
    ]


def test_admin_writes_on_a_full_disk_are_one_line_exit_3_and_change_nothing(tmp_path: Path) -> None:
    path, url, seed = _seeded(tmp_path)
    with _log_held_long(path):
        before = _dump(path)
        for args in _writes(seed):
            _said_once(_o2o(tmp_path / "home", *args, "--db", url, limit=LIMIT), REFUSED_EN)
        assert _dump(path) == before  # nothing half-written
    # with room again the same command goes through
    made = _o2o(tmp_path / "home", "admin", "create-store", "--name", "Z", "--db", url)
    assert made.returncode == 0, made.stderr


def test_admin_user_changes_on_a_full_disk_say_it_in_chinese_and_in_json(tmp_path: Path) -> None:
    path, url, seed = _seeded(tmp_path)
    user_id = seed.user_ids["merchant"]  # not the admin: disabling the only admin is refused before any write
    with _log_held_long(path):
        before = _dump(path)
        for verb in ("disable-user", "revoke-token", "rotate-token"):
            refused = _o2o(tmp_path / "home", "admin", verb, user_id, "--db", url, lang="zh", limit=LIMIT)
            _said_once(refused, REFUSED_ZH)
        refused = _o2o(tmp_path / "home", "admin", "disable-user", user_id, "--db", url, "--json", limit=LIMIT)
        assert _dump(path) == before
    assert refused.returncode == Exit.OFFLINE and refused.stdout == "", refused.stderr
    error = json.loads(refused.stderr)["error"]
    assert error["code"] == "offline" and error["exit"] == 3 and REFUSED_EN in error["message"], error


def test_admin_reads_still_work_while_writes_are_refused(tmp_path: Path) -> None:
    path, url, seed = _seeded(tmp_path)
    with _log_held_long(path):
        for args in (["admin", "users"], ["admin", "stores"], ["admin", "voucher", "list", "--store", seed.store_id]):
            listed = _o2o(tmp_path / "home", *args, "--db", url, limit=LIMIT)
            assert listed.returncode == 0, (args, listed.stderr)


def test_a_real_full_disk_says_disk_full(tmp_path: Path) -> None:
    from tests.test_server_full_disk import _fill, _small_disk

    with _small_disk(tmp_path / "disk") as disk:
        path = disk / "platform.sqlite3"
        url = f"sqlite:///{path}"
        seed = seed_demo(url)
        users = _users(path)
        filler = _fill(disk)
        try:
            refused = _o2o(
                tmp_path / "home", "admin", "create-user", "--role", "merchant", "--name", "X",
                "--store", seed.store_id, "--db", url,
            )
            _said_once(refused, REFUSED_EN)
            assert "database or disk is full" in refused.stderr, refused.stderr
            # a read needs room too when SQLite must make its -shm: said as a read, not as a change refused
            listed = _o2o(tmp_path / "home", "admin", "users", "--db", url, lang="zh")
            if listed.returncode != 0:
                _said_once(listed, "现在无法读取数据库")
        finally:
            filler.unlink()
        assert _users(path) == users


def test_a_read_only_postgresql_is_one_line_exit_3(postgres_url: str) -> None:
    import psycopg
    from sqlalchemy.engine import make_url

    seed = seed_demo(postgres_url)
    url = make_url(postgres_url)
    with psycopg.connect(
        host=url.host, port=url.port, user=url.username, dbname="postgres", autocommit=True
    ) as admin:
        admin.execute(f'ALTER DATABASE "{url.database}" SET default_transaction_read_only = on')
    home = Path(os.environ.get("TMPDIR", "/tmp")) / f"o2o-p1-{os.getpid()}"
    refused = _o2o(
        home, "admin", "create-user", "--role", "merchant", "--name", "X", "--store", seed.store_id,
        "--db", postgres_url,
    )
    _said_once(refused, REFUSED_EN)
    assert "read-only transaction" in refused.stderr, refused.stderr
    refused = _o2o(home, "admin", "create-store", "--name", "Z", "--db", postgres_url, lang="zh")
    _said_once(refused, REFUSED_ZH)


@pytest.mark.parametrize("args", [["admin", "users"], ["admin", "create-store", "--name", "Z"]])
def test_an_unreachable_postgresql_is_one_line_exit_3(tmp_path: Path, args: list[str]) -> None:
    from tests.support.platform import free_port

    closed = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing"
    result = _o2o(tmp_path / "home", *args, "--db", closed)
    _said_once(result, "Cannot reach the database")
