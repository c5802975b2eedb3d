"""PostgreSQL LISTEN/NOTIFY: a commit with events in one server process wakes the long-polls of all the others.

Without it a poll parked on process B sees an event written through process A only at its next database re-read
(`O2O_EVENT_RECHECK_SECONDS`); the re-read stays as the safety net for a lost listener connection.

The payload carries whom the events are for, `<origin> store:<id> customer:<id> ...`, so the other processes wake
only those polls, as the writing process does (events.Notifier). One NOTIFY per transaction and new set of scopes
(an order change is usually one: its store and customer); a payload with no scopes (an older server) wakes every
poll.

The listener survives whatever its connection throws (psycopg's errors, but also an OSError or a timeout from the
socket, or anything else): it says so in one line (never the password of the database URL), waits, and connects
again, the wait doubling from `_RECONNECT_SECONDS` up to `_RECONNECT_MAX_SECONDS` while the connects keep failing.
TCP keepalives close a link that went silent (a peer gone without a reset) so that it is noticed too. `stop()` ends
it within `_POLL_SECONDS` (a connect under way: within its timeout), without a word.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import traceback
import uuid
import weakref
from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, quote_plus

from sqlalchemy import Connection, Engine, bindparam, text

log = logging.getLogger("o2o.platform.notify")

CHANNEL = "o2o_events"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', :origin)").bindparams(bindparam("origin"))
_ANNOUNCED_IN = "o2o_events_announced_in"
_RECONNECT_SECONDS = 2.0  # the first wait before connecting again; doubled after each failed connect
_RECONNECT_MAX_SECONDS = 30.0
_STEADY_SECONDS = 30.0  # a connection that lasted this long starts the next outage's waits from the first again
_POLL_SECONDS = 1.0  # how often the listener thread looks at its stop flag
# libpq: give up a connect after this long; probe a silent link (30 s idle, then 3 probes 10 s apart)
_CONNECT_OPTIONS: dict[str, Any] = {
    "connect_timeout": 10,
    "keepalives": 1,
    "keepalives_idle": 30,
    "keepalives_interval": 10,
    "keepalives_count": 3,
}

# who this process is in the payload, so the listener skips the process's own commits (they woke it already):
# made again in a forked child (`os.register_at_fork`), which is another process with other commits
ORIGIN = uuid.uuid4().hex


def _new_origin() -> None:
    global ORIGIN
    ORIGIN = uuid.uuid4().hex


os.register_at_fork(after_in_child=_new_origin)
# engines of servers that announce (not the admin commands: other processes see their writes at the re-read)
_ANNOUNCING: weakref.WeakSet[Engine] = weakref.WeakSet()


def enable(engine: Engine) -> None:
    """Make writes through `engine` announce their events to the other server processes (PostgreSQL only)."""
    if engine.dialect.name == "postgresql":
        _ANNOUNCING.add(engine)


Scope = tuple[str, str]  # as events.Scope (this module sits below events)


def payload(scopes: Iterable[Scope]) -> str:
    return " ".join([ORIGIN, *(f"{kind}:{value}" for kind, value in scopes)])


def parse_payload(text: str) -> tuple[str, frozenset[Scope] | None]:
    """(origin, scopes); scopes None when the payload names none (wake every poll)."""
    origin, *parts = text.split(" ")
    scopes = frozenset((kind, value) for kind, _, value in (part.partition(":") for part in parts if part))
    return origin, scopes or None


def announce(conn: Connection, scopes: Iterable[Scope] = ()) -> None:
    """Tell the other processes at commit that this transaction wrote events for `scopes` (each scope once per
    transaction)."""
    if conn.dialect.name != "postgresql" or conn.engine not in _ANNOUNCING:
        return
    transaction = conn.get_transaction()
    announced: tuple[object, set[Scope]] | None = conn.info.get(_ANNOUNCED_IN)
    if announced is None or announced[0] is not transaction:
        announced = (transaction, set())
        conn.info[_ANNOUNCED_IN] = announced
    done = announced[1]
    chosen = set(scopes)
    new = chosen - done
    if done and not new:
        return
    conn.execute(_NOTIFY, {"origin": payload(sorted(new or chosen))})
    done.update(chosen)


Connect = Callable[[str], Any]  # conninfo -> a psycopg-like connection (a context manager)


class Listener:
    """A thread holding one LISTEN connection; calls `wake` (from that thread) when another process committed."""

    def __init__(
        self,
        engine: Engine,
        wake: Callable[[], None],
        wake_scoped: Callable[[frozenset[Scope] | None], None] | None = None,
        *,
        connect: Connect | None = None,
    ) -> None:
        """`wake_scoped(scopes)` (when given) is called instead of `wake()` with whom the events are for (None:
        unknown, wake every poll). `connect(conninfo)` opens the connection (default: psycopg 3, autocommit)."""
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._secrets = _secret_forms(engine.url.password, self._conninfo)
        self._connect = connect
        self._wake_all = wake
        self._wake_scoped = wake_scoped
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="o2o-pg-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=_POLL_SECONDS + 2)

    def is_alive(self) -> bool:
        return self._thread.is_alive()

    def _wake(self, scopes: frozenset[Scope] | None) -> None:
        if self._wake_scoped is not None:
            self._wake_scoped(scopes)
        else:
            self._wake_all()

    def _run(self) -> None:
        connect = self._connect or _psycopg_connect()
        if connect is None:  # another driver (psycopg2): polls still see other processes at each re-read
            log.warning(
                "psycopg 3 is not installed: long-polls see other processes' events at each re-read only"
            )
            return
        lost = False  # said once per outage: every failed attempt after the first is at debug level only
        delay = _RECONNECT_SECONDS
        while not self._stop.is_set():
            connected_at: float | None = None
            try:
                with connect(self._conninfo) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    connected_at = time.monotonic()
                    if lost:
                        log.warning("event listener connected again")
                        lost = False
                    self._wake(None)  # anything committed while (re)connecting
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=_POLL_SECONDS):
                            origin, scopes = parse_payload(notice.payload)
                            if origin != ORIGIN:
                                self._wake(scopes)
            except Exception as error:  # noqa: BLE001 - the thread must live on: the database restarted, the
                # link dropped or timed out (OSError, TimeoutError), or a bug; the re-read covers the gap meanwhile
                if self._stop.is_set():  # shutting down: whatever the closing connection raised is nothing to say
                    return
                if connected_at is not None and time.monotonic() - connected_at >= _STEADY_SECONDS:
                    delay = _RECONNECT_SECONDS
                said_already, lost = lost, True
                _say_lost(error, said_already, delay=delay, secrets=self._secrets)
                self._stop.wait(delay)
                delay = min(delay * 2, _RECONNECT_MAX_SECONDS)


def _psycopg_connect() -> Connect | None:
    try:
        import psycopg
    except ImportError:
        return None

    def connect(conninfo: str) -> Any:
        return psycopg.connect(conninfo, autocommit=True, **_CONNECT_OPTIONS)

    return connect


def _secret_forms(password: str | None, conninfo: str) -> tuple[str, ...]:
    """What must never reach the log: the password as it is and as a URL writes it, and the URL holding it."""
    if not password:
        return ()
    return tuple(sorted({password, quote(password, safe=""), quote_plus(password), conninfo}, key=len, reverse=True))


def _hidden(text: str, secrets: Iterable[str]) -> str:
    for secret in secrets:
        text = text.replace(secret, "***")
    return text


def _say_lost(
    error: BaseException, said_already: bool, *, delay: float = _RECONNECT_SECONDS, secrets: Iterable[str] = ()
) -> None:
    """One line for an expected event (PostgreSQL restarted): what happened, its first line only (psycopg's run on
    over several), and what comes next; the traceback at debug level only. Neither names the password."""
    secrets = tuple(secrets)
    if not said_already:
        lines = _hidden(str(error), secrets).strip().splitlines()
        log.warning(
            "event listener lost its connection (%s): reconnecting in %g s; meanwhile long-polls see other "
            "processes' events at their re-reads",
            lines[0].strip() if lines else type(error).__name__,
            delay,
        )
    told = "".join(traceback.format_exception(error))
    if any(secret in told for secret in secrets):  # the traceback as text, the password blanked
        log.debug("event listener connection failed (reconnecting in %g s)\n%s", delay, _hidden(told, secrets))
    else:
        log.debug("event listener connection failed (reconnecting in %g s)", delay, exc_info=error)
