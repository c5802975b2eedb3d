"""PostgreSQL LISTEN/NOTIFY: a commit with events in one server process wakes the long-polls of all the others.

Without it a poll parked on process B sees an event written through process A only at its next database re-read
(`O2O_EVENT_RECHECK_SECONDS`); the re-read stays as the safety net for a lost listener connection.

The payload carries whom the events are for, `<origin> store:<id> customer:<id> ...`, so the other processes wake
only those polls, as the writing process does (events.Notifier). One NOTIFY per transaction and new set of scopes
(an order change is usually one: its store and customer); a payload with no scopes (an older server) wakes every
poll.
"""

from __future__ import annotations

import logging
import threading
import uuid
import weakref
from collections.abc import Callable, Iterable

from sqlalchemy import Connection, Engine, bindparam, text

log = logging.getLogger("o2o.platform.notify")

CHANNEL = "o2o_events"
_NOTIFY = text(f"SELECT pg_notify('{CHANNEL}', :origin)").bindparams(bindparam("origin"))
_ANNOUNCED_IN = "o2o_events_announced_in"
_RECONNECT_SECONDS = 2.0
_POLL_SECONDS = 1.0  # how often the listener thread looks at its stop flag

# who this process is in the payload, so the listener skips the process's own commits (they woke it already)
ORIGIN = uuid.uuid4().hex
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


class Listener:
    """A thread holding one LISTEN connection; calls `wake` (from that thread) when another process committed."""

    def __init__(
        self,
        engine: Engine,
        wake: Callable[[], None],
        wake_scoped: Callable[[frozenset[Scope] | None], None] | None = None,
    ) -> None:
        """`wake_scoped(scopes)` (when given) is called instead of `wake()` with whom the events are for (None:
        unknown, wake every poll)."""
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._wake_all = wake
        self._wake_scoped = wake_scoped
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="o2o-pg-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=_POLL_SECONDS + 2)

    def _wake(self, scopes: frozenset[Scope] | None) -> None:
        if self._wake_scoped is not None:
            self._wake_scoped(scopes)
        else:
            self._wake_all()

    def _run(self) -> None:
        try:
            import psycopg
        except ImportError:  # another driver (psycopg2): polls still see other processes at each re-read
            log.warning(
                "psycopg 3 is not installed: long-polls see other processes' events at each re-read only"
            )
            return

        lost = False  # said once per outage: every failed attempt after the first is at debug level only
        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    if lost:
                        log.warning("event listener connected again")
                        lost = False
                    self._wake(None)  # anything committed while (re)connecting
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=_POLL_SECONDS):
                            origin, scopes = parse_payload(notice.payload)
                            if origin != ORIGIN:
                                self._wake(scopes)
            except psycopg.Error as error:  # the database restarted or the link dropped: the re-read covers it
                said_already, lost = lost, True
                _say_lost(error, said_already)
                self._stop.wait(_RECONNECT_SECONDS)


def _say_lost(error: BaseException, said_already: bool) -> None:
    """One line for an expected event (PostgreSQL restarted): what happened, its first line only (psycopg's run on
    over several), and what comes next; the traceback at debug level only."""
    if not said_already:
        lines = str(error).strip().splitlines()
        log.warning(
            "event listener lost its connection (%s): reconnecting in %g s; meanwhile long-polls see other "
            "processes' events at their re-reads",
            lines[0].strip() if lines else type(error).__name__,
            _RECONNECT_SECONDS,
        )
    log.debug("event listener connection failed", exc_info=error)
