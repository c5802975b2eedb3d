"""PostgreSQL LISTEN/NOTIFY: a commit with events in one server process wakes the long-polls of all the others.

Without it a poll parked on process B sees an event written through process A only at its next database re-read
(`O2O_EVENT_RECHECK_SECONDS`); the re-read stays as the safety net for a lost listener connection.
"""

from __future__ import annotations

import logging
import threading
import uuid
import weakref
from collections.abc import Callable

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


def announce(conn: Connection) -> None:
    """Tell the other processes at commit that this transaction wrote events (once per transaction)."""
    if conn.dialect.name != "postgresql" or conn.engine not in _ANNOUNCING:
        return
    transaction = conn.get_transaction()
    if transaction is not None and conn.info.get(_ANNOUNCED_IN) is transaction:
        return
    conn.execute(_NOTIFY, {"origin": ORIGIN})
    conn.info[_ANNOUNCED_IN] = transaction


class Listener:
    """A thread holding one LISTEN connection; calls `wake` (from that thread) when another process committed."""

    def __init__(self, engine: Engine, wake: Callable[[], None]) -> None:
        self._conninfo = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
        self._wake = wake
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="o2o-pg-listen", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=_POLL_SECONDS + 2)

    def _run(self) -> None:
        try:
            import psycopg
        except ImportError:  # another driver (psycopg2): polls still see other processes at each re-read
            log.warning(
                "psycopg 3 is not installed: long-polls see other processes' events at each re-read only"
            )
            return

        while not self._stop.is_set():
            try:
                with psycopg.connect(self._conninfo, autocommit=True) as conn:
                    conn.execute(f"LISTEN {CHANNEL}")
                    self._wake()  # anything committed while (re)connecting
                    while not self._stop.is_set():
                        for notice in conn.notifies(timeout=_POLL_SECONDS):
                            if notice.payload != ORIGIN:
                                self._wake()
            except (
                psycopg.Error
            ) as error:  # the database restarted or the link dropped: the re-read covers it
                log.warning("event listener lost its connection (%s); reconnecting", error)
                self._stop.wait(_RECONNECT_SECONDS)
