"""Small value types the engine hands to its observers (TUI, CLI)."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec


class SyncState(enum.StrEnum):
    ONLINE = "ONLINE"
    OFFLINE = "OFFLINE"
    RESYNCING = "RESYNCING"


class SyncStatus(msgspec.Struct, frozen=True):
    state: SyncState
    pending: int
    conflicts: int
    last_sync_at: datetime | None = None
    last_error: str | None = None
    cursor: str | None = None


class ChangeKind(enum.StrEnum):
    ORDER = "order"
    STORE = "store"
    MENU = "menu"
    COURIER = "courier"
    DELIVERY = "delivery"
    STATUS = "status"
    CONFLICT = "conflict"


class Change(msgspec.Struct, frozen=True):
    """What changed: `ids` are entity ids (order ids, store ids, ...) or outbox keys for `conflict`."""

    kind: str
    ids: frozenset[str] = frozenset()


class SyncReport(msgspec.Struct):
    """What one `sync_once()` did."""

    state: SyncState = SyncState.OFFLINE
    pushed: int = 0
    rejected: int = 0
    events: int = 0
    fetched: int = 0
    resynced: bool = False
    pending: int = 0
    conflicts: int = 0
    error: str | None = None
