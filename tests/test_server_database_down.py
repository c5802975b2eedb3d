"""PostgreSQL stopped under load (an operator's `pg_ctl stop` for a few seconds): every request is answered 503
`storage_unavailable` with `Retry-After`, reads too, and the log says it in one line (not a 7 KB traceback per
request), then "the API writes again" once it can. A console's `o2o sync --once` says the platform's storage is
unavailable, not that it "had a problem"."""

from __future__ import annotations

import logging
import os
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
import sqlalchemy as sa

from o2o_tui.client.errors import ServerError
from o2o_tui.i18n import set_language
from o2o_tui.platform.write_failures import SaidOnce, refused_write, unreachable
from tests.support.platform import RunningPlatform, api, order_body, start_platform
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


def _o2o(home: Path, running: RunningPlatform, *args: str) -> subprocess.CompletedProcess[str]:
    assert running.seed is not None
    env = {
        **os.environ,
        "O2O_HOME": str(home),
        "O2O_LANG": "en",
        "O2O_URL": running.url,
        "O2O_TOKEN": running.seed.tokens["merchant"],
    }
    return subprocess.run(["o2o", *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_stopped_database_is_a_503_said_once_then_writes_again(own_cluster: PostgresCluster, tmp_path: Path) -> None:
    running = start_platform(tmp_path, db_url=own_cluster.create_database(), env={"O2O_JOB_INTERVAL_SECONDS": "0.2"})
    stop = threading.Event()
    answers: list[int] = []
    try:
        assert running.seed is not None
        store = running.seed.store_id
        customer, merchant = api(running, "customer"), api(running, "merchant")
        home = tmp_path / "console"
        assert _o2o(home, running, "login").returncode == 0

        def load() -> None:  # the operator's "under load": orders and reads while the database goes away
            while not stop.is_set():
                answers.append(customer.post("/v1/orders", order_body(store)).status_code)
                answers.append(merchant.get("/v1/me").status_code)

        loader = threading.Thread(target=load)
        loader.start()
        time.sleep(0.5)
        _pg_ctl(own_cluster, "-m", "fast", "-w", "stop")
        time.sleep(1.0)
        for _ in range(3):
            for answer in (customer.post("/v1/orders", order_body(store)), merchant.get("/v1/me")):
                assert answer.status_code == 503, answer.text
                assert answer.json()["error"]["code"] == "storage_unavailable"
                assert int(answer.headers["Retry-After"]) > 0
        synced = _o2o(home, running, "sync", "--once", "--json")
        assert synced.returncode == 3, synced.stdout + synced.stderr  # offline-like: the queue stays
        # reads refused too: the platform cannot reach its storage, nothing new arrives (not NOT SAVING)
        assert '"STORAGE_DOWN"' in synced.stdout and "cannot reach its storage" in synced.stdout, synced.stdout
        assert "had a problem" not in synced.stdout

        _start_again(own_cluster)
        stop.set()
        loader.join(timeout=60)
        deadline = time.monotonic() + 30
        while customer.post("/v1/orders", order_body(store)).status_code != 201:
            assert time.monotonic() < deadline, "the platform never wrote again"
            time.sleep(0.2)
    finally:
        stop.set()
        running.stop()
    log = running.log_text()
    assert 500 not in answers, answers
    assert answers.count(503) > 2, answers
    assert "Traceback" not in log and "unhandled error" not in log, log[:3000]
    said = [line for line in log.splitlines() if "the API cannot write" in line]  # after its time and level
    assert len(said) == 1, said  # "shutting down", "connection refused", "starting up": one outage, one line
    assert "(said once until it can again)" in said[0]
    assert "the API writes again" in log
    assert len(log) < 20_000, len(log)


def test_connection_failures_are_refusals_and_bugs_are_not(own_cluster: PostgresCluster) -> None:
    url = own_cluster.create_database()
    engine = sa.create_engine(url)
    try:
        with engine.connect() as conn, pytest.raises(sa.exc.DBAPIError) as bug:
            conn.execute(sa.text("SELECT * FROM no_such_table"))
        assert not refused_write(bug.value) and not unreachable(bug.value)
        # an OperationalError with another SQLSTATE (57014, a statement cancelled): not a refusal either
        with engine.connect() as conn, pytest.raises(sa.exc.OperationalError) as cancelled:
            conn.execute(sa.text("SET statement_timeout = 1"))
            conn.execute(sa.text("SELECT pg_sleep(1)"))
        assert not refused_write(cancelled.value) and not unreachable(cancelled.value)
    finally:
        engine.dispose()
    _pg_ctl(own_cluster, "-m", "fast", "-w", "stop")
    down = sa.create_engine(url)
    try:
        with pytest.raises(sa.exc.OperationalError) as refused:
            down.connect()
    finally:
        down.dispose()
    assert refused_write(refused.value) and unreachable(refused.value)


def test_the_client_says_the_storage_is_unavailable() -> None:
    set_language("en")
    error = ServerError("the platform cannot store changes right now", status=503, code="storage_unavailable")
    try:
        set_language("en")
        assert "storage is unavailable" in error.i18n_message()
        set_language("zh")
        assert "存储暂时不可用" in error.i18n_message()
    finally:
        set_language(None)
    other = ServerError("boom", status=500, code="internal")
    assert "had a problem (HTTP 500)" in other.i18n_message()


def _wrapped(cause: Exception) -> sa.exc.OperationalError:
    return sa.exc.OperationalError("SELECT 1", {}, cause)


def test_one_outage_in_several_words_is_said_in_one_line(caplog: pytest.LogCaptureFixture) -> None:
    """A stopped PostgreSQL first says "terminating connection", then "shutting down", "connection refused",
    "starting up": one outage, one line, and one more when the place writes again."""
    outage = [
        _wrapped(psycopg.errors.AdminShutdown("terminating connection due to administrator command")),
        _wrapped(psycopg.OperationalError("connection failed: ... failed: FATAL:  the database system is shutting down")),
        _wrapped(psycopg.OperationalError("connection failed: ... failed: Connection refused")),
        _wrapped(psycopg.OperationalError("connection failed: ... failed: FATAL:  the database system is starting up")),
        _wrapped(psycopg.OperationalError("consuming input failed: server closed the connection unexpectedly")),
    ]
    said = SaidOnce(logging.getLogger("o2o.test.outage"))
    with caplog.at_level(logging.WARNING, logger="o2o.test.outage"):
        for error in outage:
            assert refused_write(error) and unreachable(error), error
            said.failed("the API", error)
        said.wrote("the API")
        said.failed("the API", outage[2])
    lines = caplog.text.splitlines()
    assert [line for line in lines if "cannot write" in line] == [lines[0], lines[2]], lines
    assert "the database cannot be reached (terminating connection" in lines[0]
    assert "the API writes again" in lines[1]
