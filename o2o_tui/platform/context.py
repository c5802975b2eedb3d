"""What every service call works with: one transaction, the caller, the clock and the settings."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Connection

from o2o_tui.domain.events import EntityKind
from o2o_tui.platform import db, events
from o2o_tui.platform.auth import Caller
from o2o_tui.platform.settings import Settings

_LOG = db.action_log.insert()


@dataclass
class Ctx:
    conn: Connection
    caller: Caller
    now: datetime
    settings: Settings = field(default_factory=Settings)
    occurred_at: datetime | None = None  # the tap time the device reported (X-Occurred-At)
    wrote_events: bool = False
    # whom the events written are for: after the commit, `notifier.notify(ctx.scopes)` wakes only their polls
    scopes: set[events.Scope] = field(default_factory=set)

    def record(self, entity: str, entity_id: str, action: str) -> None:
        """Keep who did what and when they tapped it."""
        self.conn.execute(
            _LOG,
            {
                "entity": entity,
                "entity_id": entity_id,
                "action": action,
                "user_id": self.caller.user_id,
                "occurred_at": db.iso(self.occurred_at) if self.occurred_at else None,
                "recorded_at": db.iso(self.now),
            },
        )

    def emit(
        self,
        event_type: str,
        entity: EntityKind,
        entity_id: str,
        version: int,
        *,
        store_id: str | None = None,
        courier_id: str | None = None,
        customer_id: str | None = None,
    ) -> None:
        events.append(
            self.conn,
            event_type,
            entity,
            entity_id,
            version,
            self.now,
            store_id=store_id,
            courier_id=courier_id,
            customer_id=customer_id,
        )
        self.wrote_events = True
        self.scopes.update(events.scopes_of(store_id, courier_id, customer_id))
