"""The event log (written in the same transaction as the change) and the notifier that wakes long-polls."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import ColumnElement, Connection, func, select

from o2o_tui.domain.events import EntityKind, Event, EventPage
from o2o_tui.domain.identity import Role
from o2o_tui.platform import db, pg_notify
from o2o_tui.platform.auth import Caller
from o2o_tui.platform.errors import validation

MAX_WAIT_SECONDS = 60.0
DEFAULT_LIMIT = 200
MAX_LIMIT = 1000
PRUNED_THROUGH_KEY = "events_pruned_through"

# built once: the hot paths then skip statement construction (SQLAlchemy caches the compiled form)
_INSERT = db.events.insert()
_LATEST = select(func.max(db.events.c.id))
_PRUNED = select(db.meta.c.value).where(db.meta.c.key == PRUNED_THROUGH_KEY)


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


def parse_cursor(value: str | None) -> int | None:
    """None means "the latest position" (`after=latest`)."""
    if value is None or value == "":
        return 0
    if value == "latest":
        return None
    if not value.isdigit():
        raise validation("after", "the cursor is not one this server handed out")
    return int(value)


def _visible(caller: Caller) -> ColumnElement[bool] | None:
    if caller.role is Role.ADMIN:
        return None
    if caller.role in (Role.MERCHANT, Role.DISPATCHER):
        return db.events.c.store_id == caller.store_id
    if caller.role is Role.COURIER:
        return db.events.c.courier_id == caller.courier_id
    return db.events.c.customer_id == caller.user_id


def latest_id(conn: Connection) -> int:
    return conn.execute(_LATEST).scalar_one_or_none() or 0


def pruned_through(conn: Connection) -> int:
    value = conn.execute(_PRUNED).scalar_one_or_none()
    return int(value) if value else 0


def read_page(conn: Connection, caller: Caller, after: int | None, limit: int) -> EventPage:
    """Events after the cursor that `caller` may see; `resync` when the cursor is older than the server keeps."""
    pruned = pruned_through(conn)
    newest = max(latest_id(conn), pruned)
    if after is None:
        return EventPage(events=[], cursor=str(newest))
    if after > newest or after < pruned:
        return EventPage(events=[], cursor=str(newest), resync=True)
    query = select(db.events).where(db.events.c.id > after).order_by(db.events.c.id).limit(limit)
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
    if found:
        cursor = found[-1].id if len(found) == limit else max(found[-1].id, newest)
    else:
        cursor = max(after, newest)
    return EventPage(events=found, cursor=str(cursor))
