"""Writes the database refuses (its disk full, its file read-only, its disk failing), said once in one line.

A write that is only bookkeeping beside a read (a store device's last poll, written while it reads the event feed)
must not fail that read, and the background jobs must not log a traceback every round while the disk stays full:
each place says a refusal once, in one line, per kind of refusal, and once more when it can write again.

A change the platform refuses (409, 422, ...) stores that refusal under the caller's Idempotency-Key, in a write
of its own (pipeline.py). When only that record cannot be written (`refusal_record`), the device still gets the
true answer, not a 503: what is lost is the record (a retry with the same key is judged afresh), said once.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.exc import InternalError, OperationalError

# The refusals of the database itself (SQLite: "database or disk is full", "attempt to write a readonly database",
# "disk I/O error", "database is locked"; PostgreSQL: a full disk, a read-only transaction on a standby). Anything
# else is a bug and keeps its traceback.
REFUSED_WRITES: tuple[type[Exception], ...] = (OperationalError, InternalError)
_KIND_MAX = 200

# Of those, the ones that say the storage cannot take a write now (and may later), for a request's answer: SQLite's
# primary result codes (FULL, READONLY, IOERR, BUSY, LOCKED, CANTOPEN: its journal could not be made) or, from a
# driver that gives none, its words; PostgreSQL's SQLSTATEs (class 53 insufficient resources: disk full, out of
# memory, too many connections; class 08 connection exception; read-only transaction; I/O error; lock not
# available; the server shutting down, crashed or not accepting connections yet). A PostgreSQL that cannot be
# reached at all (stopped, restarting: psycopg's "connection failed: ... Connection refused" or "... the database
# system is shutting down" carries no SQLSTATE) is one too: SQLAlchemy marks the connection invalidated, or the
# driver says so in the words below. Any other OperationalError ("no such table", a syntax error) is a bug: a 500
# with its traceback.
_SQLITE_REFUSAL_CODES = frozenset({13, 8, 10, 5, 6, 14})
_SQLITE_REFUSAL_WORDS = (
    "database or disk is full",
    "readonly database",
    "disk i/o error",
    "database is locked",
    "database table is locked",
    "unable to open database file",
)
_PG_REFUSAL_STATES = frozenset({"25006", "58030", "55P03", "57P01", "57P02", "57P03"})
_PG_REFUSAL_CLASSES = frozenset({"53", "08"})
_PG_UNREACHABLE_STATES = frozenset({"57P01", "57P02", "57P03"})
_PG_UNREACHABLE_WORDS = (
    "connection failed",
    "connection refused",
    "could not connect",
    "server closed the connection",
    "the connection is closed",
    "the connection is lost",
    "terminating connection",
    "the database system is shutting down",
    "the database system is starting up",
    "the database system is in recovery mode",
)
# the one kind every "cannot reach the database" is said under: a stopped PostgreSQL answers "shutting down",
# then "connection refused", then "starting up", and that is one outage, said in one line
UNREACHABLE = "the database cannot be reached"


def refused_write(error: BaseException) -> bool:
    """Whether `error` is the database refusing a write for now (disk full, read-only, I/O error, locked past its
    timeout), not a bug: a request answers it 503 `storage_unavailable`, retried later."""
    if not isinstance(error, REFUSED_WRITES):
        return False
    if unreachable(error):
        return True
    cause = getattr(error, "orig", None) or error
    state = _sqlstate(cause)
    if state:
        return state in _PG_REFUSAL_STATES or state[:2] in _PG_REFUSAL_CLASSES
    code = getattr(cause, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in _SQLITE_REFUSAL_CODES
    said = str(cause).lower()
    return any(words in said for words in _SQLITE_REFUSAL_WORDS)


def _sqlstate(cause: BaseException) -> str:
    state = getattr(cause, "sqlstate", None) or getattr(cause, "pgcode", None)
    return state if isinstance(state, str) else ""


def unreachable(error: BaseException) -> bool:
    """Whether `error` says the database server cannot be reached now (stopped, restarting, the connection lost):
    a connection failure, with or without a SQLSTATE, never a bug."""
    if not isinstance(error, REFUSED_WRITES):
        return False
    if getattr(error, "connection_invalidated", False):  # SQLAlchemy's own "that was a disconnect"
        return True
    cause = getattr(error, "orig", None) or error
    state = _sqlstate(cause)
    if state:
        return state[:2] == "08" or state in _PG_UNREACHABLE_STATES
    if getattr(cause, "sqlite_errorcode", None) is not None:
        return False
    said = str(cause).lower()
    return any(words in said for words in _PG_UNREACHABLE_WORDS)


def kind_of(error: BaseException) -> str:
    """The refusal in a few words: the driver's own message, its first line (no SQL, no parameters)."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    said = lines[0].strip() if lines else ""
    return (said or type(cause).__name__)[:_KIND_MAX]


def _key_of(error: BaseException) -> str:
    """What a refusal is said once under: its kind, or one `UNREACHABLE` for all the words of one outage."""
    return UNREACHABLE if unreachable(error) else kind_of(error)


class SaidOnce:
    """What each place (`where`) said of its writes: each kind of refusal is logged once, until the place writes
    again, which is said once too."""

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._said: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def failed(self, where: str, error: BaseException) -> None:
        key = _key_of(error)
        with self._lock:
            kinds = self._said.setdefault(where, set())
            if key in kinds:
                return
            kinds.add(key)
        kind = kind_of(error)
        said = kind if key == kind else f"{key} ({kind})"
        self._log.warning("%s cannot write: %s (said once until it can again)", where, said)

    def wrote(self, where: str) -> None:
        with self._lock:
            if self._said.pop(where, None) is None:
                return
        self._log.warning("%s writes again", where)

    def failing(self, where: str) -> frozenset[str]:
        """The kinds of refusal `where` said since it last wrote (empty if it writes)."""
        with self._lock:
            return frozenset(self._said.get(where, ()))


REFUSAL_RECORDS = "the record of refused changes"
_refusal_records = SaidOnce(logging.getLogger("o2o.platform"))


@contextmanager
def refusal_record() -> Iterator[None]:
    """Around the write that stores a refusal's answer under its Idempotency-Key: a database that refuses that
    write (disk full, read-only, ...) loses the record, not the answer: said once per kind, in one line, and once
    more when a record is stored again; anything else (a bug) is raised as it was."""
    try:
        yield
    except REFUSED_WRITES as error:
        if not refused_write(error):
            raise
        _refusal_records.failed(REFUSAL_RECORDS, error)
    else:
        _refusal_records.wrote(REFUSAL_RECORDS)
