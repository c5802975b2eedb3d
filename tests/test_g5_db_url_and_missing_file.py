"""The platform operator's database URL (docs/operations.md, SQLite or PostgreSQL): a password with an unescaped @
is refused in one line, exit 2, the whole password shown as ***; `o2o admin` commands other than those that make a
platform refuse a SQLite file that is not there (`sqlite:///x`, three slashes, is a path under the current
directory), naming the absolute path; and each says which database it used (`database` under --json)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.platform.db import BadDatabaseUrl, check_db_url, shown_url

AT_IN_PASSWORD = "postgresql+psycopg://o2o:s3c@r3tPW@127.0.0.1:28341/o2o"


def o2o(home: Path, *args: str, code: int = 0, env: dict[str, str | None] | None = None) -> Any:
    base: dict[str, str | None] = {"O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "300"}
    base |= {"O2O_PROFILE": None, "O2O_TOKEN": None, "O2O_DB": None, "O2O_SECRET_FILE": str(home / "secret.key")}
    result = CliRunner().invoke(app, list(args), env=base | (env or {}), catch_exceptions=False)
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    return result


def test_an_unescaped_at_in_the_password_is_refused_whole_password_hidden(tmp_path: Path) -> None:
    assert shown_url(AT_IN_PASSWORD) == "postgresql+psycopg://o2o:***@127.0.0.1:28341/o2o"
    with pytest.raises(BadDatabaseUrl) as refused:
        check_db_url(AT_IN_PASSWORD)
    assert refused.value.key == "db.url.at_sign"
    check_db_url("postgresql+psycopg://o2o:s3c%40r3tPW@127.0.0.1:28341/o2o")  # %-encoded: fine
    for args in (["serve", "--port", "0"], ["admin", "users"]):
        result = o2o(tmp_path, *args, code=Exit.USAGE, env={"O2O_DB": AT_IN_PASSWORD})
        [line] = result.stderr.strip().splitlines()
        assert "%40" in line and "o2o:***@127.0.0.1" in line, line
        assert "s3c" not in line and "r3tPW" not in line, line


def test_admin_refuses_a_missing_sqlite_file_and_names_the_database_it_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    home = tmp_path / "home"
    three = "sqlite:///x/platform.sqlite3"  # meant /x/platform.sqlite3: a path under the current directory
    looked_at = tmp_path / "x" / "platform.sqlite3"
    for args in (["admin", "users"], ["admin", "create-user", "--role", "admin"], ["admin", "stores"]):
        refused = o2o(home, *args, "--db", three, code=Exit.USAGE)
        assert str(looked_at) in refused.stderr and "sqlite:////x/platform.sqlite3" in refused.stderr, refused.stderr
        assert refused.stdout == ""
    assert not (tmp_path / "x").exists()  # nothing made

    # the commands that make a platform make it, and say where; the others then use it and say so too
    made = o2o(home, "admin", "create-store", "--name", "A", "--db", three)
    assert made.stderr == f"Database: {looked_at} (created now)\n", made.stderr
    listed = o2o(home, "admin", "users", "--db", three)
    assert listed.stdout == "No users yet.\n" and listed.stderr == f"Database: {looked_at}\n"
    as_json = o2o(home, "admin", "users", "--db", three, "--json")
    assert json.loads(as_json.stdout) == {"users": [], "database": str(looked_at)} and as_json.stderr == ""
