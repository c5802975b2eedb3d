"""The event log (written in the same transaction as the change) and the notifier that wakes long-polls.

A cursor names the last event it passed by id *and* by that event's random tag (`<id>.<tag>`). A database restored
from an older copy hands the ids after the copy's newest event out again, to other events: a device that read the
lost ones holds a cursor whose id now exists with another tag, and only the tag tells the server so. Tags are
restored with their rows, so a cursor the restore kept (at or before the copy's newest event) still matches and
goes on; nothing outside the database (a file, a start-up epoch) has to survive a restore, which works the same for
a SQLite file copy, `sqlite3 .backup`, `pg_restore --clean` with servers running, and a PostgreSQL point-in-time
recovery or a failover that lost the last commits.
"""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, bindparam, delete, select

from o2o_tui.domain.events import EntityKind, Event, EventPage
from o2o_tui.domain.identity import Role
from o2o_tui.platform import db, pg_notify
from o2o_tui.platform.auth import Caller
from o2o_tui.platform.errors import validation

MAX_WAIT_SECONDS = 60.0
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
PRUNED_THROUGH_KEY = "events_pruned_through"
PRUNED_TAG_KEY = "events_pruned_through_tag"  # the tag of that event, for a cursor that names it
_NO_TAG = "0"  # a row an older release wrote without a tag (one running beside this one on PostgreSQL)
_CURSOR = re.compile(r"([0-9]{1,40})(?:\.([0-9a-f]{1,32}))?")
_MAX_ID = 2**63 - 1  # ids are 64-bit: a bigger one names no event (and must not reach a PostgreSQL query)

# built once: the hot paths then skip statement construction (SQLAlchemy caches the compiled form)
_INSERT = db.events.insert()
_NEWEST = select(db.events.c.id, db.events.c.tag).order_by(db.events.c.id.desc()).limit(1)
_TAG_OF = select(db.events.c.tag).where(db.events.c.id == bindparam("id"))
_PRUNED = select(db.meta.c.key, db.meta.c.value).where(
    db.meta.c.key.in_((PRUNED_THROUGH_KEY, PRUNED_TAG_KEY))
)


@dataclass(frozen=True)
class Position:
    """A place in the event log: the id of the last event passed and that event's tag.

    `tag` is None for the start (id 0: before every event) and for a bare id, the cursor of a release before tags,
    which cannot be checked."""

    id: int
    tag: str | None = None

    def cursor(self) -> str:
        return str(self.id) if self.id == 0 else f"{self.id}.{self.tag or _NO_TAG}"


START = Position(0)


Scope = tuple[str, str]
"""Who an event is for: ("store", id) its staff, ("courier", id) the courier, ("customer", id) the customer."""


def scopes_of(store_id: str | None, courier_id: str | None, customer_id: str | None) -> list[Scope]:
    """The scopes an event with these columns is in (the same columns `read_page` filters on)."""
    found: list[Scope] = []
    if store_id is not None:
        found.append(("store", store_id))
    if courier_id is not None:
        found.append(("courier", courier_id))
    if customer_id is not None:
        found.append(("customer", customer_id))
    return found


def scope_of(caller: Caller) -> Scope | None:
    """The one scope whose events `caller` reads (see `_visible`); None for admin, who reads every event."""
    if caller.role is Role.ADMIN:
        return None
    if caller.role in (Role.MERCHANT, Role.DISPATCHER):
        return ("store", caller.store_id or "")
    if caller.role is Role.COURIER:
        return ("courier", caller.courier_id or "")
    return ("customer", caller.user_id)


def append(
    conn: Connection,
    event_type: str,
    entity: EntityKind,
    entity_id: str,
    version: int,
    occurred_at: datetime,
    *,
    store_id: str | None = None,
    courier_id: str | None = None,
    customer_id: str | None = None,
) -> None:
    db.lock_writers(conn)  # PostgreSQL: ids commit in id order, so a poll never passes an id committed later
    conn.execute(
        _INSERT,
        {
            "type": event_type,
            "entity": entity.value,
            "entity_id": entity_id,
            "version": version,
            "occurred_at": db.iso(occurred_at),
            "store_id": store_id,
            "courier_id": courier_id,
            "customer_id": customer_id,
            "tag": secrets.token_hex(8),
        },
    )
    pg_notify.announce(conn, scopes_of(store_id, courier_id, customer_id))


class Notifier:
    """Wakes the waiting long-polls an event committed (in this process, or on PostgreSQL in any) is for.

    A poll waits in its caller's scope (`scope_of`; None for admin, who sees everything); `notify(scopes)` wakes
    the polls of those scopes and every unscoped one. `notify()` without scopes wakes every poll (a commit whose
    scopes are unknown). Before, every commit woke every poll of every store: each re-read the database and went
    back to sleep, and 150 idle polls of other stores took a write from 1.6 to 30 ms (bench/longpoll.py).
    """

    def __init__(self) -> None:
        self._everything = asyncio.Event()  # unscoped polls: woken by every notify
        self._scoped: dict[Scope, asyncio.Event] = {}  # one event per scope that has a poll waiting
        self._waiting: dict[Scope, int] = {}
        self._unscoped = 0
        self.woken = 0  # polls woken by a notify so far (tests and the benchmark count them)
        self.closing = False  # the server is stopping: polls answer with what they have instead of waiting

    def close(self) -> None:
        """The server is stopping: wake every parked poll so it answers now, and let none wait again."""
        self.closing = True
        self.notify()

    def notify(self, scopes: Iterable[Scope] | None = None) -> None:
        self._everything.set()
        self._everything = asyncio.Event()
        chosen = list(self._scoped) if scopes is None else [s for s in set(scopes) if s in self._scoped]
        for scope in chosen:
            self._scoped.pop(scope).set()

    async def wait(self, timeout: float, scope: Scope | None = None) -> bool:
        """Until a notify for `scope` (None: any notify) or `timeout` seconds; True when woken."""
        if scope is None:
            event = self._everything
            self._unscoped += 1
        else:
            event = self._scoped.get(scope) or self._scoped.setdefault(scope, asyncio.Event())
            self._waiting[scope] = self._waiting.get(scope, 0) + 1
        try:
            await asyncio.wait_for(event.wait(), timeout)
        except TimeoutError:
            return False
        finally:
            if scope is None:
                self._unscoped -= 1
            else:
                self._forget(scope, event)
        self.woken += 1
        return True

    def _forget(self, scope: Scope, event: asyncio.Event) -> None:
        left = self._waiting[scope] - 1
        if left:
            self._waiting[scope] = left
            return
        del self._waiting[scope]
        # nobody waits on it any more: do not keep an event for every scope ever seen
        if self._scoped.get(scope) is event:
            del self._scoped[scope]

    def waiting(self) -> int:
        """How many polls are parked now."""
        return self._unscoped + sum(self._waiting.values())


def parse_cursor(value: str | None) -> Position | None:
    """None means "the latest position" (`after=latest`); a missing cursor or `0` is the start."""
    if value is None or value == "":
        return START
    if value == "latest":
        return None
    found = _CURSOR.fullmatch(value)
    if found is None:
        raise validation("after", "the cursor is not one this server handed out")
    return Position(int(found[1]), found[2])


def _visible(caller: Caller) -> ColumnElement[bool] | None:
    if caller.role is Role.ADMIN:
        return None
    if caller.role in (Role.MERCHANT, Role.DISPATCHER):
        return db.events.c.store_id == caller.store_id
    if caller.role is Role.COURIER:
        return db.events.c.courier_id == caller.courier_id
    return db.events.c.customer_id == caller.user_id


def newest(conn: Connection, gone: Position | None = None) -> Position:
    """Where a poll that read everything stands: the newest event kept, else the last one pruned (`gone`, when
    the caller read it already), else the start."""
    row = conn.execute(_NEWEST).first()
    if row is not None:
        return Position(row.id, row.tag or _NO_TAG)
    return pruned(conn) if gone is None else gone


def pruned(conn: Connection) -> Position:
    """The newest event pruned (START when none was)."""
    values = {row.key: row.value for row in conn.execute(_PRUNED)}
    through = int(values.get(PRUNED_THROUGH_KEY) or 0)
    if not through:
        return START
    return Position(through, values.get(PRUNED_TAG_KEY) or _NO_TAG)  # no tag: pruned by an older release


def prune(conn: Connection, cutoff: datetime) -> None:
    """Drop the events that happened before `cutoff`, remembering the newest one dropped (cursors may name it)."""
    query = _NEWEST.where(db.events.c.occurred_at < db.iso(cutoff))
    row = conn.execute(query).first()
    if row is None:
        return
    conn.execute(delete(db.events).where(db.events.c.id <= row.id))
    db.set_meta(conn, PRUNED_THROUGH_KEY, str(row.id))
    db.set_meta(conn, PRUNED_TAG_KEY, row.tag or _NO_TAG)


def _continues(conn: Connection, after: Position, gone: Position) -> bool:
    """Whether this database's log holds the event `after` names (so its history up to there is the cursor's):
    false for a cursor older than the kept window, from another database, from a history a restore dropped, or
    a bare id of an older release (one resync gives it a cursor that can be checked)."""
    if after == START:
        return gone == START  # from the oldest event: only while none was pruned
    if after.tag is None or after.id < gone.id or after.id > _MAX_ID:
        return False
    if after.id == gone.id:
        return after.tag == gone.tag
    tag = conn.execute(_TAG_OF, {"id": after.id}).first()
    return tag is not None and (tag[0] or _NO_TAG) == after.tag


def read_page(conn: Connection, caller: Caller, after: Position | None, limit: int) -> EventPage:
    """Events after the cursor that `caller` may see; `resync` when the log does not hold the cursor's event
    (older than the server keeps, or a history this database does not have: `_continues`)."""
    gone = pruned(conn)
    head = newest(conn, gone)
    if after is None:
        return EventPage(events=[], cursor=head.cursor())
    if not _continues(conn, after, gone):
        return EventPage(events=[], cursor=head.cursor(), resync=True)
    query = select(db.events).where(db.events.c.id > after.id).order_by(db.events.c.id).limit(limit)
    clause = _visible(caller)
    if clause is not None:
        query = query.where(clause)
    rows = conn.execute(query).all()
    found = [
        Event(
            id=row.id,
            type=row.type,
            entity=EntityKind(row.entity),
            entity_id=row.entity_id,
            version=row.version,
            occurred_at=datetime.fromisoformat(row.occurred_at),
        )
        for row in rows
    ]
    reached = after
    if rows:
        reached = Position(rows[-1].id, rows[-1].tag or _NO_TAG)
    if len(found) < limit:  # a full page goes on from its last event; else from the newest, seen or not
        reached = max(reached, head, key=lambda p: p.id)
    return EventPage(events=found, cursor=reached.cursor())
