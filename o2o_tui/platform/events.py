"""The event log (written in the same transaction as the change) and the notifier that wakes long-polls."""

from __future__ import annotations

import asyncio
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
    pg_notify.announce(conn)


class Notifier:
    """Wakes every waiting long-poll when an event was committed (in this process, or on PostgreSQL in any)."""

    def __init__(self) -> None:
        self._changed = asyncio.Event()

    def notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

    async def wait(self, timeout: float) -> bool:
        try:
            await asyncio.wait_for(self._changed.wait(), timeout)
        except TimeoutError:
            return False
        return True


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
