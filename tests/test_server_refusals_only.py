"""Only the database's own refusals (disk full, read-only, locked) are said once in one line; anything else (a
"no such table") is a bug and keeps its traceback. The token check before a body answers a locked database 503
`storage_unavailable` with Retry-After, as the app does, not a 500 with a traceback.

Real SQLite files throughout: a file without the platform's tables, a file opened read-only, a file another
connection holds an exclusive lock on."""

from __future__ import annotations

import logging
import sqlite3
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from sqlalchemy import create_engine, text

from o2o_tui.domain.identity import Role
from o2o_tui.platform import admission, db, jobs
from o2o_tui.platform.auth import Caller, TokenCache
from o2o_tui.platform.routes import system
from o2o_tui.platform.settings import Settings


def _empty(tmp_path: Path) -> Any:
    path = tmp_path / "empty.sqlite3"
    sqlite3.connect(path).executescript("CREATE TABLE t (x INTEGER);")
    return create_engine(f"sqlite:///{path}")


def _read_only(tmp_path: Path) -> Any:
    """The platform's tables (and `t`) in a file opened read-only: every write is refused."""
    path = tmp_path / "ro.sqlite3"
    writable = create_engine(f"sqlite:///{path}")
    db.metadata.create_all(writable)
    writable.dispose()
    sqlite3.connect(path).executescript("CREATE TABLE t (x INTEGER);")
    return create_engine(f"sqlite:///file:{path}?mode=ro&uri=true")


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.exc_info]


def test_a_background_job_bug_keeps_its_traceback_a_refusal_is_said_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    empty, read_only = _empty(tmp_path), _read_only(tmp_path)

    def buggy(_platform: object) -> None:
        with empty.begin() as conn:
            conn.execute(text("INSERT INTO no_such_table VALUES (1)"))

    def refused(_platform: object) -> None:
        with read_only.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))

    monkeypatch.setattr(jobs, "JOBS", (("buggy", buggy), ("refused", refused)))
    caplog.set_level(logging.WARNING, logger="o2o.platform.jobs")
    for _ in range(3):
        jobs.run_once(SimpleNamespace())
    bugs = _tracebacks(caplog)
    assert len(bugs) == 3 and all("background job buggy failed" in r.getMessage() for r in bugs), caplog.text
    assert "no such table" not in "".join(r.getMessage() for r in caplog.records if not r.exc_info)
    said = [r.getMessage() for r in caplog.records if "background job refused cannot write" in r.getMessage()]
    assert len(said) == 1 and "readonly database" in said[0], caplog.text


def test_the_heartbeat_raises_a_bug_and_says_a_refusal_once(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caller = Caller(user_id="u1", name="m", role=Role.MERCHANT)
    notifier = SimpleNamespace(notify=lambda _scopes: None)
    caplog.set_level(logging.WARNING, logger="o2o.platform.heartbeat")
    broken = SimpleNamespace(engine=_empty(tmp_path), settings=Settings(), notifier=notifier)
    with pytest.raises(Exception, match="no such table"):  # the request's 500, its traceback in the app's log
        system._record_poll(broken, caller, "s1")  # type: ignore[arg-type]
    assert "cannot write" not in caplog.text
    full = SimpleNamespace(engine=_read_only(tmp_path), settings=Settings(), notifier=notifier)
    for _ in range(3):
        system._record_poll(full, caller, "s1")  # type: ignore[arg-type]
    assert caplog.text.count("heartbeat cannot write") == 1, caplog.text


async def test_the_token_check_on_a_locked_database_answers_503(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "locked.sqlite3"
    engine = create_engine(f"sqlite:///{path}", connect_args={"timeout": 0.2})
    db.metadata.create_all(engine)
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # another process writing for a long while: readers get "database is locked"
    reached: list[str] = []

    async def inner(scope: Any, _receive: Any, send: Any) -> None:
        reached.append(scope["path"])
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    guard = admission.Admission(inner, Settings(), admission.token_lookup(engine, TokenCache()))
    caplog.set_level(logging.WARNING, logger="o2o.platform")
    try:
        transport = httpx.ASGITransport(app=guard)
        async with httpx.AsyncClient(transport=transport, base_url="http://platform") as client:
            answers = [
                await client.post("/v1/orders", content=b"{}", headers={"Authorization": "Bearer nope-" + str(n)})
                for n in range(3)
            ]
    finally:
        holder.rollback()
        holder.close()
        engine.dispose()
    for answer in answers:
        assert answer.status_code == 503, answer.text
        assert answer.json()["error"]["code"] == "storage_unavailable"
        assert answer.headers["retry-after"] == "30"
    assert not reached
    assert not _tracebacks(caplog), caplog.text
    assert caplog.text.count("cannot write: database is locked") == 1, caplog.text


async def test_the_release_loop_keeps_a_bugs_traceback_and_says_a_refusal_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    import asyncio

    from o2o_tui.platform import scheduled

    empty, read_only = _empty(tmp_path), _read_only(tmp_path)
    rounds: list[str] = []

    def release_due(_platform: object) -> tuple[int, None]:
        rounds.append("round")
        if len(rounds) <= 2:
            with empty.begin() as conn:
                conn.execute(text("INSERT INTO no_such_table VALUES (1)"))
        with read_only.begin() as conn:
            conn.execute(text("INSERT INTO t VALUES (1)"))
        return 0, None

    monkeypatch.setattr(scheduled, "release_due", release_due)
    monkeypatch.setattr(scheduled, "_MIN_WAIT_S", 0.01)
    platform = SimpleNamespace(settings=Settings(job_interval_seconds=0.01))
    caplog.set_level(logging.WARNING, logger=scheduled.log.name)
    task = asyncio.create_task(scheduled.run_forever(platform))  # type: ignore[arg-type]
    while len(rounds) < 6:
        await asyncio.sleep(0.01)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert len(_tracebacks(caplog)) == 2 and "no such table" in caplog.text, caplog.text
    assert caplog.text.count("release_held_orders cannot write: attempt to write a readonly database") == 1
