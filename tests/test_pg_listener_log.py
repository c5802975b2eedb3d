"""PostgreSQL restarted under a server: its LISTEN connection is lost, an expected event. The log says it in one
line with what comes next (reconnecting in 2 s), not psycopg's several lines or a traceback (those at debug level
only), says nothing more while the database stays down, and one line when the listener is connected again. A real
throwaway cluster, stopped and started; the logging path alone when PostgreSQL is not installed."""

from __future__ import annotations

import logging
import subprocess
import threading
import time
from collections.abc import Iterator

import pytest
import sqlalchemy as sa

from o2o_tui.platform import pg_notify
from tests.support.postgres import PostgresCluster, PostgresUnavailable, start_cluster

LOGGER = "o2o.platform.notify"


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of this test's own: it is stopped and started again, which the shared one must never be."""
    pytest.importorskip("psycopg")
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


def _wait_for(condition: object, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():  # type: ignore[operator]
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.1)


def _said(caplog: pytest.LogCaptureFixture, level: int) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and r.levelno == level]


def test_a_restarted_database_is_one_line_then_one_when_back(
    own_cluster: PostgresCluster, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    engine = sa.create_engine(own_cluster.create_database())
    woken = threading.Event()
    listener = pg_notify.Listener(engine, woken.set)
    listener.start()
    try:
        _wait_for(woken.is_set)  # listening: it wakes the polls once on (re)connecting
        woken.clear()
        _pg_ctl(own_cluster, "-m", "fast", "-w", "stop")
        _wait_for(lambda: _said(caplog, logging.WARNING))
        time.sleep(2 * pg_notify._RECONNECT_SECONDS + 1)  # failed reconnects meanwhile: debug only
        options = f"-p {own_cluster.port} -k {own_cluster.socket_dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        _pg_ctl(own_cluster, "-o", options, "-l", str(own_cluster.log_path), "-w", "-t", "60", "start")
        _wait_for(woken.is_set)
    finally:
        listener.stop()
        engine.dispose()
    warned = [r.getMessage() for r in _said(caplog, logging.WARNING)]
    assert len(warned) == 2, warned
    lost, back = warned
    assert "\n" not in lost and lost.startswith("event listener lost its connection ("), lost
    assert "reconnecting in 2 s" in lost, lost
    assert back == "event listener connected again"
    assert all(r.exc_info is None for r in _said(caplog, logging.WARNING))
    debug = _said(caplog, logging.DEBUG)
    assert len(debug) >= 2 and all(r.exc_info for r in debug), debug  # the loss and the refused reconnects


def test_the_lost_line_is_one_line_whatever_psycopg_says(caplog: pytest.LogCaptureFixture) -> None:
    """The logging path alone (no PostgreSQL needed): psycopg's message runs over three lines."""
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    error = RuntimeError(
        "consuming input failed: terminating connection due to administrator command\n"
        "server closed the connection unexpectedly\n\tThis probably means the server terminated abnormally"
    )
    pg_notify._say_lost(error, said_already=False)
    pg_notify._say_lost(error, said_already=True)
    [warned] = _said(caplog, logging.WARNING)
    assert warned.getMessage() == (
        "event listener lost its connection (consuming input failed: terminating connection due to administrator "
        "command): reconnecting in 2 s; meanwhile long-polls see other processes' events at their re-reads"
    )
    assert warned.exc_info is None
    assert [r.exc_info is not None for r in _said(caplog, logging.DEBUG)] == [True, True]
