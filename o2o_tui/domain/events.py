"""The event feed: at-least-once delivery, clients dedupe by id and advance an opaque cursor."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec

from o2o_tui.domain.limits import require_times_in_range


class EntityKind(enum.StrEnum):
    ORDER = "order"
    STORE = "store"
    MENU = "menu"
    COURIER = "courier"
    DELIVERY = "delivery"


class Event(msgspec.Struct, frozen=True):
    id: int
    type: str  # "<entity>.<created|updated|deleted>", e.g. "order.created"
    entity: EntityKind
    entity_id: str
    version: int
    occurred_at: datetime

    def __post_init__(self) -> None:
        require_times_in_range(self)


class EventPage(msgspec.Struct, frozen=True):
    events: list[Event]
    cursor: str
    # True when the requested cursor is older than the server keeps: the client must do a full resync.
    resync: bool = False
