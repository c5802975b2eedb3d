"""Writes the database refuses (its disk full, its file read-only, its disk failing), said once in one line.

A write that is only bookkeeping beside a read (a store device's last poll, written while it reads the event feed)
must not fail that read, and the background jobs must not log a traceback every round while the disk stays full:
each place says a refusal once, in one line, per kind of refusal, and once more when it can write again.
"""

from __future__ import annotations

import logging
import threading

from sqlalchemy.exc import InternalError, OperationalError

# The refusals of the database itself (SQLite: "database or disk is full", "attempt to write a readonly database",
# "disk I/O error", "database is locked"; PostgreSQL: a full disk, a read-only transaction on a standby). Anything
# else is a bug and keeps its traceback.
REFUSED_WRITES: tuple[type[Exception], ...] = (OperationalError, InternalError)
_KIND_MAX = 200


def kind_of(error: BaseException) -> str:
    """The refusal in a few words: the driver's own message, its first line (no SQL, no parameters)."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    said = lines[0].strip() if lines else ""
    return (said or type(cause).__name__)[:_KIND_MAX]


class SaidOnce:
    """What each place (`where`) said of its writes: each kind of refusal is logged once, until the place writes
    again, which is said once too."""

    def __init__(self, log: logging.Logger) -> None:
        self._log = log
        self._said: dict[str, set[str]] = {}
        self._lock = threading.Lock()

    def failed(self, where: str, error: BaseException) -> None:
        kind = kind_of(error)
        with self._lock:
            kinds = self._said.setdefault(where, set())
            if kind in kinds:
                return
            kinds.add(kind)
        self._log.warning("%s cannot write: %s (said once until it can again)", where, kind)

    def wrote(self, where: str) -> None:
        with self._lock:
            if self._said.pop(where, None) is None:
                return
        self._log.warning("%s writes again", where)

    def failing(self, where: str) -> frozenset[str]:
        """The kinds of refusal `where` said since it last wrote (empty if it writes)."""
        with self._lock:
            return frozenset(self._said.get(where, ()))
