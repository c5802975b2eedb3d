"""The PostgreSQL event listener outlives whatever its connection throws, not only psycopg's errors.

An OSError or a timeout from the socket (or anything else) used to escape the listener's loop: its thread died
without a word and other processes' events reached the waiting consoles only at their re-reads. Now every failure
is said in one line (the database password never in the log), the listener connects again after a wait that
doubles while the connects keep failing, and `stop()` ends it at once without a word. No PostgreSQL needed: the
loop is driven through its `connect` with connections that raise (tests/test_pg_listener_log.py has the real
restarted cluster)."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import sqlalchemy as sa

from o2o_tui.platform import pg_notify

LOGGER = "o2o.platform.notify"
PASSWORD = "s3cr@t/pw"  # quoted in the URL as s3cr%40t%2Fpw
URL = "postgresql+psycopg://o2o:s3cr%40t%2Fpw@127.0.0.1:1/o2o"


@dataclass
class Notice:
    payload: str


class FakeConnection:
    """A psycopg-like connection: `notifies` runs `script` (each step returns notices to yield, or raises)."""

    def __init__(self, script: list[Callable[[], list[Notice]]], stopping: threading.Event) -> None:
        self.script = script
        self.stopping = stopping
        self.executed: list[str] = []

    def __enter__(self) -> FakeConnection:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def execute(self, sql: str) -> None:
        self.executed.append(sql)

    def notifies(self, timeout: float) -> Iterator[Notice]:
        if self.script:
            yield from self.script.pop(0)()
            return
        if self.stopping.wait(timeout):  # stopped while waiting: as if the socket failed under it
            raise OSError("Bad file descriptor")


def _raises(error: BaseException) -> Callable[[], list[Notice]]:
    def step() -> list[Notice]:
        raise error

    return step


class Connects:
    """The listener's `connect`: each call takes the next outcome (an exception to raise, or a connection)."""

    def __init__(self, outcomes: list[BaseException | FakeConnection]) -> None:
        self.outcomes = outcomes
        self.conninfos: list[str] = []
        self.calls = 0

    def __call__(self, conninfo: str) -> Any:
        self.conninfos.append(conninfo)
        self.calls += 1
        outcome = self.outcomes.pop(0) if self.outcomes else FakeConnection([], threading.Event())
        if isinstance(outcome, BaseException):
            raise outcome
        return outcome


@pytest.fixture
def quick(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(pg_notify, "_RECONNECT_SECONDS", 0.05)
    monkeypatch.setattr(pg_notify, "_RECONNECT_MAX_SECONDS", 0.2)
    monkeypatch.setattr(pg_notify, "_POLL_SECONDS", 0.05)


def _wait_for(condition: Callable[[], object], seconds: float = 10) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


def _records(caplog: pytest.LogCaptureFixture, level: int | None = None) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == LOGGER and (level is None or r.levelno == level)]


def _everything_logged(caplog: pytest.LogCaptureFixture) -> str:
    handler = logging.Handler()
    handler.setFormatter(logging.Formatter())
    return "\n".join(handler.format(r) for r in _records(caplog))


@pytest.mark.parametrize("steady", [30.0, 0.0], ids=["short-lived connection", "lasting connection"])
def test_socket_errors_and_timeouts_are_said_and_the_listener_connects_again(
    quick: None, steady: float, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A connection that lasted `_STEADY_SECONDS` starts the next outage's waits from the first again."""
    monkeypatch.setattr(pg_notify, "_STEADY_SECONDS", steady)
    after = 0.2 if steady else 0.05  # the wait after the timeout: doubled on, or from the first again
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    engine = sa.create_engine(URL)
    stopping = threading.Event()  # replaced by the listener's own stop flag below
    woken: list[frozenset[pg_notify.Scope] | None] = []
    other = "0" * 32  # another server process's origin
    delivered = threading.Event()

    def notices() -> list[Notice]:
        delivered.set()
        return [Notice(f"{other} store:st_1"), Notice(f"{pg_notify.ORIGIN} store:st_2")]

    connects = Connects(
        [
            OSError(f"[Errno 111] Connection refused: {engine.url.render_as_string(hide_password=False)}"),
            ConnectionResetError(104, f"Connection reset by peer (password={PASSWORD})"),
            FakeConnection([_raises(TimeoutError())], stopping),  # connected, then the socket times out
            FakeConnection([notices], stopping),  # connected again: it keeps listening
        ]
    )
    listener = pg_notify.Listener(engine, lambda: woken.append(None), woken.append, connect=connects)
    for outcome in connects.outcomes:
        if isinstance(outcome, FakeConnection):
            outcome.stopping = listener._stop
    listener.start()
    try:
        _wait_for(delivered.is_set)
        _wait_for(lambda: frozenset({("store", "st_1")}) in woken)
        assert listener.is_alive()
    finally:
        started = time.monotonic()
        listener.stop()
        stopped_in = time.monotonic() - started
        engine.dispose()
    assert not listener.is_alive() and stopped_in < 1, stopped_in
    assert frozenset({("store", "st_2")}) not in woken  # its own commit: woken already
    assert woken.count(None) == 2  # on each connect: whatever was committed meanwhile

    warned = [r.getMessage() for r in _records(caplog, logging.WARNING)]
    assert warned == [
        "event listener lost its connection ([Errno 111] Connection refused: postgresql+psycopg://o2o:***@127.0.0."
        "1:1/o2o): reconnecting in 0.05 s; meanwhile long-polls see other processes' events at their re-reads",
        "event listener connected again",
        f"event listener lost its connection (TimeoutError): reconnecting in {after:g} s; meanwhile long-polls "
        "see other processes' events at their re-reads",
        "event listener connected again",
    ], warned  # the reset while already lost is at debug level only; stopping says nothing
    assert all(r.exc_info is None for r in _records(caplog, logging.WARNING))
    debug = _records(caplog, logging.DEBUG)
    assert [r.args[0] for r in debug if isinstance(r.args, tuple)] == [0.05, 0.1, after]  # doubled while failing
    logged = _everything_logged(caplog)
    assert "Traceback" in logged and "ConnectionResetError" in logged
    for secret in (PASSWORD, "s3cr%40t%2Fpw", "s3cr%40t", "s3cr@t"):
        assert secret not in logged, secret
    assert all(info == connects.conninfos[0] for info in connects.conninfos) and connects.calls == 4


def test_the_wait_doubles_up_to_its_ceiling_while_the_database_stays_away(
    quick: None, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    engine = sa.create_engine(URL)
    connects = Connects([OSError("No route to host") for _ in range(6)] + [RuntimeError("a bug")])
    woken = threading.Event()
    listener = pg_notify.Listener(engine, woken.set, connect=connects)
    listener.start()
    try:
        _wait_for(woken.is_set)
    finally:
        listener.stop()
        engine.dispose()
    debug = _records(caplog, logging.DEBUG)
    assert [r.args[0] for r in debug if isinstance(r.args, tuple)] == [0.05, 0.1, 0.2, 0.2, 0.2, 0.2, 0.2]
    warned = [r.getMessage() for r in _records(caplog, logging.WARNING)]
    assert len(warned) == 2 and warned[0].startswith("event listener lost its connection (No route to host)")
    assert warned[1] == "event listener connected again"
    assert all(r.exc_info for r in debug)  # no password in these: the tracebacks as they are


def test_stop_during_a_wait_before_connecting_again_ends_it_at_once(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG, logger=LOGGER)
    monkeypatch.setattr(pg_notify, "_RECONNECT_SECONDS", 60.0)
    engine = sa.create_engine(URL)
    connects = Connects([TimeoutError("timed out")])
    listener = pg_notify.Listener(engine, lambda: None, connect=connects)
    listener.start()
    _wait_for(lambda: _records(caplog, logging.WARNING))
    started = time.monotonic()
    listener.stop()
    assert not listener.is_alive() and time.monotonic() - started < 1
    assert connects.calls == 1
    engine.dispose()
