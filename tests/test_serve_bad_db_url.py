"""A database URL o2o cannot keep data in (unparsable, another dialect, PostgreSQL without psycopg named, SQLite in
memory) is one line and exit 2 from `o2o serve` and `o2o admin`, never a traceback, its password never shown; and
`o2o serve`'s exit codes (docs/operations.md): 2 what was given is wrong (the URL, the secret file), 7 another
holds what it needs (the port, the SQLite file), 3 the database out of reach. The token check before a body says a
database out of reach as that, not as a write it never tried."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
from pathlib import Path

import httpx
import pytest
from sqlalchemy import create_engine

from o2o_tui.cli.exits import Exit
from o2o_tui.platform import admission
from o2o_tui.platform.auth import TokenCache
from o2o_tui.platform.settings import Settings
from tests.support.platform import free_port, start_platform

ROOT = Path(__file__).resolve().parent.parent
CLI = "from o2o_tui.cli import main; main()"


def _o2o(home: Path, *args: str, lang: str = "en", env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """An `o2o` command expected to end by itself (a timeout here means a server started)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("O2O_", "_O2O_"))}
    base |= {"O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "300"}
    base.setdefault("O2O_SECRET_FILE", str(home / "secret.key"))
    return subprocess.run(
        [sys.executable, "-c", CLI, *args], capture_output=True, text=True, cwd=ROOT, env=base | (env or {}),
        timeout=60, check=False,
    )


def _one_line(result: subprocess.CompletedProcess[str], code: int, *words: str) -> None:
    assert result.returncode == code, (result.returncode, result.stdout, result.stderr)
    assert "Traceback" not in result.stderr, result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], (word, result.stderr)
    assert "listening" not in result.stdout and "Created" not in result.stdout, result.stdout


BAD = [
    ("postgresql+psycopg://o2o:s3cret@dbhost:54x2/o2o", "cannot be read"),  # the port no number
    ("bogus://x", "names bogus"),
    ("not a url", "cannot be read"),
    ("mysql://o2o@db/o2o", "names mysql"),
    ("postgres://o2o:s3cret@db/o2o", "postgresql+psycopg://o2o:***@db/o2o"),
    ("postgresql://o2o@db/o2o", "postgresql+psycopg://o2o@db/o2o"),
    ("sqlite://", "in memory"),
    ("sqlite:///", "in memory"),
    (":memory:", "in memory"),
    ("sqlite:///:memory:", "in memory"),
    ("sqlite:///file:x?mode=memory&uri=true", "in memory"),
]


def _given(entry: str, url: str) -> tuple[list[str], dict[str, str]]:
    """The command and environment that give `url` to o2o through `entry`."""
    if entry == "serve":
        return ["serve", "--port", "0", "--db", url], {}
    if entry == "create-store":
        return ["admin", "create-store", "--name", "Z", "--db", url], {}
    return ["admin", "users"], {"O2O_DB": url}  # O2O_DB is read the same way


# Each URL through one of the three entry points, each entry point at least once, in the suite (an `o2o`
# process each, ~0.6 s of CPU); every URL through every entry point in `python -m bench deep`.
@pytest.mark.covering
@pytest.mark.parametrize("entry", ["serve", "create-store", "O2O_DB"])
@pytest.mark.parametrize(("url", "words"), BAD)
def test_a_bad_database_url_is_one_line_and_exit_2(tmp_path: Path, url: str, words: str, entry: str) -> None:
    args, env = _given(entry, url)
    result = _o2o(tmp_path, *args, env=env)
    _one_line(result, Exit.USAGE, words)
    assert "s3cret" not in result.stderr, result.stderr


def test_a_bad_database_url_in_chinese(tmp_path: Path) -> None:
    _one_line(_o2o(tmp_path, "serve", "--port", "0", "--db", "sqlite://", lang="zh"), Exit.USAGE, "内存中的 SQLite")
    _one_line(_o2o(tmp_path, "admin", "users", "--db", "postgres://h/o2o", lang="zh"), Exit.USAGE, "postgresql+psycopg://h/o2o")


def test_serve_exit_codes_port_taken_7_lock_held_7_secret_missing_2_database_away_3(tmp_path: Path) -> None:
    db_url = f"sqlite:///{tmp_path / 'data' / 'platform.sqlite3'}"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        # SO_REUSEADDR does not share a port someone listens on
        _one_line(_o2o(tmp_path, "serve", "--port", str(port), "--db", db_url), Exit.LOCKED, f"127.0.0.1:{port}")
    running = start_platform(tmp_path / "platform")
    try:
        _one_line(_o2o(tmp_path, "serve", "--port", "0", "--db", running.db_url), Exit.LOCKED, "already served")
    finally:
        running.stop()
    # the database was used with a secret file: another path, missing, is a setting to fix
    missing = {"O2O_SECRET_FILE": str(tmp_path / "elsewhere" / "secret.key")}
    _one_line(_o2o(tmp_path, "serve", "--port", "0", "--db", running.db_url, env=missing), Exit.USAGE, "secret")
    closed = f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing"
    _one_line(_o2o(tmp_path, "serve", "--port", "0", "--db", closed), Exit.OFFLINE, "Cannot reach the database")


async def test_the_token_check_says_a_database_out_of_reach_as_that(caplog: pytest.LogCaptureFixture) -> None:
    pytest.importorskip("psycopg")
    engine = create_engine(f"postgresql+psycopg://nobody@127.0.0.1:{free_port()}/nothing")
    reached: list[str] = []

    async def inner(scope: dict, _receive: object, send: object) -> None:  # pragma: no cover - never reached
        reached.append(scope["path"])

    guard = admission.Admission(inner, Settings(), admission.token_lookup(engine, TokenCache()))
    caplog.set_level(logging.WARNING, logger="o2o.platform")
    try:
        transport = httpx.ASGITransport(app=guard)
        async with httpx.AsyncClient(transport=transport, base_url="http://platform") as client:
            answers = [
                await client.post("/v1/orders", content=b"{}", headers={"Authorization": f"Bearer nope-{n}"})
                for n in range(3)
            ]
    finally:
        engine.dispose()
    assert [answer.status_code for answer in answers] == [503] * 3
    assert not reached
    said = [r.getMessage() for r in caplog.records if r.getMessage().startswith(admission.TOKEN_CHECK)]
    assert len(said) == 1, said
    assert said[0].startswith("the token check before a body cannot reach the database: "), said
    assert "cannot write" not in caplog.text, caplog.text
