"""A database fault while a request's token is checked before its body (admission) answers the documented JSON 500.

docs/api.md: 500 `internal` in the `{"error": ...}` shape, logged on the server with its traceback, never with
request headers nor bound values. Admission looks a body's token up before the app (and its error handlers) runs;
a failing lookup used to escape to uvicorn, which answered a plain-text `Internal Server Error`. Real servers,
real faults: the SQLite users table is gone; PostgreSQL refusing every connection is an outage, not a bug: 503.
"""

from __future__ import annotations

import hashlib
import sqlite3
import time
from pathlib import Path

import httpx
import sqlalchemy as sa

from tests.support.platform import RunningPlatform, start_platform

INTERNAL = {"error": {"code": "internal", "message": "internal server error"}}


def _confirm(running: RunningPlatform, token: str) -> httpx.Response:
    """A merchant's accept: a POST with a body, so admission checks its token before anything else."""
    with httpx.Client(base_url=running.url, timeout=30) as http:
        return http.post(
            "/v1/orders/no-such-order/confirm",
            json={"preparation_minutes": 5},
            headers={"Authorization": f"Bearer {token}", "Idempotency-Key": "k1"},
        )


def _assert_documented_500(response: httpx.Response) -> None:
    assert response.status_code == 500, response.text
    assert response.headers["content-type"] == "application/json", response.headers
    assert response.json() == INTERNAL
    assert response.headers["connection"] == "close"  # the body was never read


def _wait_for_log(running: RunningPlatform, text: str) -> str:
    deadline = time.monotonic() + 10
    while text not in running.log_text() and time.monotonic() < deadline:
        time.sleep(0.05)
    return running.log_text()


def _assert_logged_without_secrets(running: RunningPlatform, token: str) -> None:
    logged = _wait_for_log(running, "unhandled error on POST /v1/orders/no-such-order/confirm")
    assert "unhandled error on POST /v1/orders/no-such-order/confirm" in logged
    assert "Traceback" in logged
    assert token not in logged and hashlib.sha256(token.encode()).hexdigest() not in logged
    assert "Exception in ASGI application" not in logged  # uvicorn's own report of an escaped exception


def test_a_broken_sqlite_database_answers_the_json_500(tmp_path: Path) -> None:
    running = start_platform(tmp_path)
    try:
        assert running.seed is not None
        token = running.seed.tokens["merchant"]  # never looked up yet: admission asks the database
        path = running.db_url.removeprefix("sqlite:///")
        with sqlite3.connect(path) as conn:
            conn.execute("ALTER TABLE users RENAME TO users_lost")
        _assert_documented_500(_confirm(running, token))
        _assert_logged_without_secrets(running, token)

        with sqlite3.connect(path) as conn:
            conn.execute("ALTER TABLE users_lost RENAME TO users")
        healed = _confirm(running, token)
        assert healed.status_code == 404 and healed.json()["error"]["code"] == "not_found"
    finally:
        running.stop()


def test_postgresql_refusing_connections_answers_the_json_503(postgres_url: str, tmp_path: Path) -> None:
    """What an outage of PostgreSQL looks like to the servers: every connection, new or pooled, is refused. Not a
    bug: 503 `storage_unavailable` with Retry-After, said in one line without a traceback (write_failures.py)."""
    running = start_platform(tmp_path, db_url=postgres_url)
    name = postgres_url.rsplit("/", 1)[1]
    admin = sa.create_engine(postgres_url.rsplit("/", 1)[0] + "/postgres", isolation_level="AUTOCOMMIT")
    try:
        assert running.seed is not None
        token = running.seed.tokens["merchant"]
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS false'))
            conn.execute(
                sa.text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"),
                {"name": name},
            )
        refused = _confirm(running, token)
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "storage_unavailable"
        assert int(refused.headers["retry-after"]) > 0
        logged = _wait_for_log(running, "the database cannot be reached")
        assert "Traceback" not in logged and token not in logged

        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        healed = _confirm(running, token)
        assert healed.status_code == 404 and healed.json()["error"]["code"] == "not_found"
    finally:
        running.stop()
        with admin.connect() as conn:
            conn.execute(sa.text(f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS true'))
        admin.dispose()
