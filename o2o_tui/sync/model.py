"""Small value types the engine hands to its observers (TUI, CLI)."""

from __future__ import annotations

import enum
from datetime import datetime

import msgspec


class SyncState(enum.StrEnum):
    CONNECTING = "CONNECTING"  # started, no answer from the platform yet
    ONLINE = "ONLINE"  # the last request had a good answer
    OFFLINE = "OFFLINE"  # no answer (network, timeout, 5xx): retrying with backoff
    RESYNCING = "RESYNCING"  # answering, and fetching a full snapshot
    UNAUTHORIZED = "UNAUTHORIZED"  # the platform refused the token (401): log in again; the outbox is kept
    # the platform answers (reads work) but cannot store changes now (503 storage_unavailable to a write: its disk
    # full, read-only): queued actions wait and are retried after its Retry-After; customers' new orders are
    # writes too, so they may not come in either
    NOT_STORING = "NOT_STORING"
    # the platform answers but cannot reach its storage at all (503 storage_unavailable to a read: its database
    # is down): nothing new arrives here, actions wait; the merchant watches the platform's own app or phones it
    STORAGE_DOWN = "STORAGE_DOWN"
    # this device cannot write its own cache (its disk full, the file not writable): what the platform sends cannot
    # be stored, so new orders may not show here (the screens show the cache); retried every few seconds, and back
    # to ONLINE by itself at the first write that goes through (`SyncStatus.save_fault` says why)
    CANNOT_SAVE = "CANNOT_SAVE"


class SyncStatus(msgspec.Struct, frozen=True):
    state: SyncState
    pending: int
    conflicts: int
    last_sync_at: datetime | None = None  # when the last good answer to a poll arrived (not the last write)
    last_error: str | None = None
    cursor: str | None = None
    # while CANNOT_SAVE (and until a write goes through again): the cache error's code, "disk_full" or another
    save_fault: str | None = None


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
