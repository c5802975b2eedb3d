"""The storage as one server process sees it: `/healthz`'s cheap read of the database, and the end of an outage.

`/healthz` reads the schema version from the database (one indexed row), at most once a second however many
health checks come (the answer is kept that long; checks that come while one read is under way wait for it), in a
thread of its own, so a database that does not answer never holds the server's other requests: a database that
cannot be read is a 503 a load balancer sees.

An outage (the database refusing a write or a read: its disk full, read-only, PostgreSQL stopped) keeps the store
devices' heartbeats from being written, so once it ends every store whose devices polled through it looks
unwatched. The process that saw it (`StorageWatch.failed`: the heartbeat, a background job, a health check) writes
when the storage came back into `meta` (`STORAGE_BACK_KEY`, by the pause job's next round, which pauses nothing
that round), and every process's pause job allows the heartbeat's grace from then, as it does from its own start:
the devices' polls are written again meanwhile, and a device that truly stopped polling is paused after the
heartbeat.

A process whose devices poll nobody still meets an outage that refuses writes but not reads (a full disk, a
read-only database), where its pause rounds, which write nothing when nothing is due, succeed: its job loop writes
each round (`jobs.purge_personal` records in `meta` how far it checked late writes, whatever it finds), that write
is refused, and `jobs.run_once` tells this process's watch (`failed`). So its first pause round after the outage
only says when the storage came back, even when it runs before the round of the process its devices polled
through (tests/test_f2_storage_back_race.py; it relies on that write staying unconditional). Nothing of Textual
here: the core.
"""

from __future__ import annotations

import asyncio
import logging
import threading
import time
from typing import TYPE_CHECKING, Any

from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError

from o2o_tui.platform import db
from o2o_tui.platform.write_failures import kind_of, unreachable

if TYPE_CHECKING:
    from o2o_tui.platform.state import Platform

log = logging.getLogger("o2o.platform.health")

# when the storage last came back after an outage (ISO 8601 UTC), written by the process that saw the outage
STORAGE_BACK_KEY = "storage_back_at"
# how long a health answer is kept: a storm of health checks reads the database once a second
HEALTH_CACHE_SECONDS = 1.0
# a database that has not answered the health check's read in this long is reported as not answering
HEALTH_TIMEOUT_SECONDS = 3.0
# the storage's states in the health answer
STORAGE_OK = "ok"
STORAGE_UNREACHABLE = "unreachable"  # PostgreSQL stopped, restarting, the connection lost
STORAGE_UNREADABLE = "unreadable"  # the database answered with an error (an I/O error, its file gone, ...)
STORAGE_NOT_ANSWERING = "not_answering"  # no answer within HEALTH_TIMEOUT_SECONDS


class Health:
    """One health answer: its HTTP status and body."""

    __slots__ = ("body", "status")

    def __init__(self, status: int, body: dict[str, Any]) -> None:
        self.status = status
        self.body = body


def _healthy(version: int | None) -> Health:
    body: dict[str, Any] = {"ok": True, "schema_version": version}
    if version != db.SCHEMA_VERSION:  # another release upgraded the database under this process
        body["code_schema_version"] = db.SCHEMA_VERSION
    return Health(200, body)


def _unhealthy(storage: str) -> Health:
    message = "the platform cannot read its database right now; retry later"
    return Health(
        503,
        {
            "ok": False,
            "storage": storage,
            "schema_version": None,
            "code_schema_version": db.SCHEMA_VERSION,
            "error": {"code": "storage_unavailable", "message": message},
        },
    )


class StorageWatch:
    """What this process saw of its storage: an outage not yet over (`failed`, until `back`), the health answer."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._outage = False
        self._health: tuple[float, Health] | None = None
        self._checking: asyncio.Future[Health] | None = None
        self._said_down = False

    def failed(self) -> None:
        """The database refused a write or a read: an outage, over when the pause job writes again (`back`)."""
        with self._lock:
            self._outage = True

    @property
    def outage(self) -> bool:
        with self._lock:
            return self._outage

    def back(self) -> None:
        """The storage took the write that says it came back (`STORAGE_BACK_KEY`)."""
        with self._lock:
            self._outage = False

    def _check(self, engine: Engine) -> Health:
        """Read the schema version (in a worker thread): the cheapest read that proves the database answers."""
        try:
            with engine.connect() as conn:
                version = conn.execute(select(db.schema_info.c.version).where(db.schema_info.c.id == 1)).scalar()
        except SQLAlchemyError as error:
            self.failed()
            with self._lock:
                said, self._said_down = self._said_down, True
            if not said:  # once per outage, in one line
                log.warning("the health check cannot read the database: %s (said once until it can again)", kind_of(error))
            return _unhealthy(STORAGE_UNREACHABLE if unreachable(error) else STORAGE_UNREADABLE)
        with self._lock:
            said, self._said_down = self._said_down, False
        if said:
            log.warning("the health check reads the database again")
        return _healthy(version)

    async def health(self, engine: Engine) -> Health:
        """The health answer: kept `HEALTH_CACHE_SECONDS`; one read under way at a time, shared by those waiting."""
        kept = self._health
        if kept is not None and time.monotonic() < kept[0]:
            return kept[1]
        checking = self._checking
        if checking is None or checking.done():
            checking = asyncio.ensure_future(asyncio.to_thread(self._check, engine))
            self._checking = checking
            checking.add_done_callback(self._keep)
        try:
            return await asyncio.wait_for(asyncio.shield(checking), HEALTH_TIMEOUT_SECONDS)
        except TimeoutError:
            self.failed()
            return _unhealthy(STORAGE_NOT_ANSWERING)

    def _keep(self, done: asyncio.Future[Health]) -> None:
        if not done.cancelled() and done.exception() is None:
            self._health = (time.monotonic() + HEALTH_CACHE_SECONDS, done.result())


_WATCH_ATTRIBUTE = "_storage_watch"
_watches_lock = threading.Lock()


def watch_of(platform: Platform) -> StorageWatch:
    """The storage watch of this server process's platform (kept on it: one per process, like the platform)."""
    with _watches_lock:
        watch = getattr(platform, _WATCH_ATTRIBUTE, None)
        if not isinstance(watch, StorageWatch):
            watch = StorageWatch()
            setattr(platform, _WATCH_ATTRIBUTE, watch)
        return watch
