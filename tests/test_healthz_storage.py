"""`/healthz` tells a load balancer the truth about the database: 503 with the storage's state while PostgreSQL is
stopped (every /v1 call is a 503 `storage_unavailable` then), 200 again once it is back; the schema version is the
database's; and a storm of health checks reads the database once a second, not once each."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import event, update

from o2o_tui.platform import db, storage_health
from tests.support.platform import api, start_platform
from tests.support.postgres import PostgresCluster, PostgresUnavailable, start_cluster


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of this test's own: it is stopped and started again, which the shared one must never be."""
    try:
        cluster = start_cluster()
    except PostgresUnavailable as error:
        pytest.skip(str(error))
    try:
        yield cluster
    finally:
        cluster.stop()


def _pg_ctl(cluster: PostgresCluster, *args: str) -> None:
    subprocess.run(
        [*cluster.prefix, str(cluster.bin_dir / "pg_ctl"), "-D", str(cluster.data_dir), *args],
        capture_output=True,
        check=True,
        timeout=120,
    )


def _start_again(cluster: PostgresCluster) -> None:
    options = f"-p {cluster.port} -k {cluster.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
    _pg_ctl(cluster, "-o", options, "-l", str(cluster.log_path), "-w", "-t", "60", "start")


def _health(url: str) -> httpx.Response:
    return httpx.get(f"{url}/healthz", timeout=10)  # no token: a load balancer has none


def _until(check: Any, seconds: float) -> Any:
    deadline = time.monotonic() + seconds
    while True:
        answer = check()
        if answer or time.monotonic() > deadline:
            return answer
        time.sleep(0.2)


def test_a_stopped_database_is_a_503_on_healthz_and_200_once_back(own_cluster: PostgresCluster, tmp_path: Path) -> None:
    running = start_platform(tmp_path, db_url=own_cluster.create_database())
    try:
        healthy = _health(running.url)
        assert healthy.status_code == 200, healthy.text
        assert healthy.json() == {"ok": True, "schema_version": db.SCHEMA_VERSION}
        _pg_ctl(own_cluster, "-m", "fast", "-w", "stop")
        merchant = api(running, "merchant")
        assert merchant.get("/v1/me").json()["error"]["code"] == "storage_unavailable"
        down = _until(lambda: (answer := _health(running.url)).status_code == 503 and answer, 5)
        assert down, "healthz still said 200 with the database stopped"
        assert down.json() == {
            "ok": False,
            "storage": "unreachable",
            "schema_version": None,
            "code_schema_version": db.SCHEMA_VERSION,
            "error": {
                "code": "storage_unavailable",
                "message": "the platform cannot read its database right now; retry later",
            },
        }
        assert down.headers["Retry-After"] == "1"
        _start_again(own_cluster)
        back = _until(lambda: (answer := _health(running.url)).status_code == 200 and answer, 15)
        assert back and back.json() == {"ok": True, "schema_version": db.SCHEMA_VERSION}
        merchant.close()
    finally:
        running.stop()
    log = running.log_text()
    assert "Traceback" not in log, log[:3000]
    assert log.count("the health check cannot read the database") == 1, log  # one outage, one line
    assert log.count("the health check reads the database again") == 1, log


def test_the_schema_version_is_the_databases(tmp_path: Path) -> None:
    running = start_platform(tmp_path)
    try:
        assert _health(running.url).json() == {"ok": True, "schema_version": db.SCHEMA_VERSION}
        engine = db.make_engine(running.db_url)
        try:  # a newer release upgraded the shared database under this process
            with db.writing(engine) as conn:
                conn.execute(update(db.schema_info).values(version=db.SCHEMA_VERSION + 1))
        finally:
            engine.dispose()
        newer = _until(lambda: (answer := _health(running.url)).json()["schema_version"] != db.SCHEMA_VERSION and answer, 5)
        assert newer and newer.json() == {
            "ok": True,
            "schema_version": db.SCHEMA_VERSION + 1,
            "code_schema_version": db.SCHEMA_VERSION,
        }
    finally:
        running.stop()


def test_a_storm_of_health_checks_reads_the_database_once_a_second(tmp_path: Path) -> None:
    engine = db.open_database(f"sqlite:///{tmp_path / 'platform.sqlite3'}")
    reads: list[str] = []
    event.listen(engine, "before_cursor_execute", lambda *args: reads.append(args[2]))
    watch = storage_health.StorageWatch()

    async def storm() -> list[storage_health.Health]:
        return list(await asyncio.gather(*(watch.health(engine) for _ in range(200))))

    try:
        answers = asyncio.run(storm())
        assert {answer.status for answer in answers} == {200}
        assert len(reads) == 1, reads  # 200 checks at once: one read, shared
        assert all(answer.status == 200 for answer in asyncio.run(storm()))
        assert len(reads) == 1, reads  # within the second: the kept answer
        time.sleep(storage_health.HEALTH_CACHE_SECONDS + 0.1)
        asyncio.run(storm())
        assert len(reads) == 2, reads
    finally:
        engine.dispose()
