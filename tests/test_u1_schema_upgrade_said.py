"""The database schema upgrade says one line, once (o2o_tui/platform/db.py `open_database`): an `o2o admin` command
(even a read-only one) on stderr, in the CLI's language; `o2o serve` in its log. The upgrade is one-way: an older
release refuses the database after it, so the line says so and where to read about backups. A database already
current says nothing. The database is turned back into schema 5 as tests/test_server_persistence.py does."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.platform import db
from o2o_tui.platform.seed import seed_demo
from tests.support.platform import start_platform

EN = (
    f"The database was upgraded from schema 5 to {db.SCHEMA_VERSION} (an older o2o release can no longer open it;"
    " docs/operations.md: back up before upgrading)."
)
ZH = f"数据库已从结构版本 5 升级到 {db.SCHEMA_VERSION}（旧版 o2o 已无法再打开它；docs/operations.md：升级前请先备份）。"


def _make_version_5(path: Path) -> None:
    """Drop what schemas 6 to 8 added (event tags, what a stored answer carries, the orders' status index, the
    devices' table) and say schema 5."""
    with sqlite3.connect(path) as conn:
        conn.execute("ALTER TABLE events DROP COLUMN tag")
        conn.execute("DROP INDEX ix_idempotency_entity")
        conn.execute("ALTER TABLE idempotency DROP COLUMN entity")
        conn.execute("ALTER TABLE idempotency DROP COLUMN entity_id")
        conn.execute("DROP INDEX ix_orders_store_status")
        conn.execute("DROP TABLE store_devices")
        conn.execute("UPDATE schema_info SET version = 5")


def _version(path: Path) -> int:
    with sqlite3.connect(path) as conn:
        return int(conn.execute("SELECT version FROM schema_info").fetchone()[0])


def _admin_users(db_url: str, home: Path, lang: str) -> tuple[str, str]:
    env = {"O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200", "O2O_DB": None}
    result = CliRunner().invoke(app, ["admin", "users", "--db", db_url], env=env, catch_exceptions=False)
    assert result.exit_code == 0, (result.stdout, result.stderr)
    return result.stdout, result.stderr


def test_a_read_only_admin_command_says_the_upgrade_once_in_its_language(tmp_path: Path) -> None:
    path = tmp_path / "platform.sqlite3"
    db_url = db.sqlite_url(path)
    seed_demo(db_url)
    for lang, line in (("en", EN), ("zh", ZH)):
        _make_version_5(path)
        stdout, stderr = _admin_users(db_url, tmp_path / "home", lang)
        used = ("Database: " if lang == "en" else "数据库：") + str(path)  # the file it used, once it is done
        assert stderr.splitlines() == [line, used]
        assert line not in stdout  # scripts reading the list get the list
        assert _version(path) == db.SCHEMA_VERSION
        again = _admin_users(db_url, tmp_path / "home", lang)
        assert again[1].splitlines() == [used] and again[0] == stdout  # already current: nothing said


def test_a_fresh_database_says_nothing(tmp_path: Path) -> None:
    said: list[str] = []
    engine = db.open_database(db.sqlite_url(tmp_path / "new.sqlite3"), say=said.append)
    engine.dispose()
    assert said == []


def test_the_server_logs_the_upgrade_once(tmp_path: Path) -> None:
    running = start_platform(tmp_path, env={"O2O_LANG": "en"})
    path = tmp_path / "platform.sqlite3"
    try:
        running.stop()
        assert EN not in running.log_text()
        _make_version_5(path)
        running.restart()
        assert running.log_text().count(EN) == 1
        assert _version(path) == db.SCHEMA_VERSION
        running.stop()
        running.restart()  # already current: said no more
        assert running.log_text().count(EN) == 1
    finally:
        running.stop()
