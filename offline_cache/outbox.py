"""The outbox: the user's intents not yet confirmed by the platform, and the ones it refused.

It lives in its own small file (`outbox-v<N>.json`), so a durable append costs about a millisecond whatever the
size of the snapshot cache. Several processes append to it (the console and scripts): every change is made under
the profile's write lock on the newest file, so sequence numbers follow the order of the appends. It is the only
copy of unsynced work: nothing here is ever dropped without an explicit `mark_done` (the platform confirmed) or
`dismiss` (the user read the refusal).
"""

from __future__ import annotations

import enum
import uuid
from datetime import UTC, datetime
from typing import Any

import msgspec
import orjson

from offline_cache.tables import DocDB, copy_doc

ENTRIES_TABLE = "entries"
META_TABLE = "_meta"
_SEQ_DOC = "sequence"


class EntryState(enum.StrEnum):
    PENDING = "pending"  # not sent yet, or sent and failed with a network fault before any answer
    SENT = "sent"  # a request went out; whether the platform applied it is not known yet
    DONE = "done"  # confirmed by the platform (removed from the file)
    REJECTED = "rejected"  # refused for good (409/412/422/403): a conflict the user must see


class OutboxEntry(msgspec.Struct, frozen=True, kw_only=True):
    key: str  # uuid4, created once: the Idempotency-Key of every attempt
    seq: int  # append order within this outbox
    action: str  # e.g. "order.confirm"
    target: str  # the entity it acts on, e.g. "order:ord_123"; pushed in order per target
    body: str  # the serialized JSON request body, stored verbatim so retries are byte-identical
    base_version: int | None = None
    occurred_at: str  # the tap time, ISO 8601 UTC
    attempts: int = 0
    last_error: str | None = None
    state: EntryState = EntryState.PENDING
    rejection: dict[str, Any] | None = None
    origin: str = ""  # SCRIPT: queued by an `o2o` command; "": a person at a console (or its auto-accept)


SCRIPT = "script"
_ACTIVE = (EntryState.PENDING, EntryState.SENT)


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


_decoder = msgspec.json.Decoder(OutboxEntry)


def decode_entry(raw: dict[str, Any]) -> OutboxEntry:
    """A fresh entry (no object shared with the stored document); msgspec.ValidationError on a bad shape."""
    return _decoder.decode(orjson.dumps(raw))


def decode_entries(raw_entries: dict[str, dict[str, Any]]) -> dict[str, OutboxEntry]:
    """Raises msgspec.ValidationError when an entry does not have the expected shape."""
    entries = {}
    for key, raw in raw_entries.items():
        entry = decode_entry(raw)
        if entry.key != key:
            raise msgspec.ValidationError(f"entry stored under {key!r} has key {entry.key!r}")
        entries[key] = entry
    return entries


class Outbox:
    """Pending and refused actions, in one durable file. Every change is fsynced before the call returns."""

    def __init__(self, db: DocDB) -> None:
        self._db = db
        self._storage = db.storage
        self._entries = db.table(ENTRIES_TABLE, cache_size=0)
        self._meta = db.table(META_TABLE, cache_size=0)

    def _all(self) -> list[OutboxEntry]:
        raw = self._storage.snapshot().get(ENTRIES_TABLE, {})
        return sorted((decode_entry(doc) for doc in raw.values()), key=lambda entry: entry.seq)

    def _next_seq(self) -> int:
        counter = self._meta.get_doc(_SEQ_DOC)
        stored = int(counter["next"]) if counter else 1
        stored_entries = self._storage.snapshot().get(ENTRIES_TABLE, {}).values()
        highest = max((int(doc["seq"]) for doc in stored_entries), default=0)
        return max(stored, highest + 1)

    def _put(self, entry: OutboxEntry) -> None:
        doc = msgspec.to_builtins(entry)
        with self._storage.batch():
            self._entries.remove_docs([entry.key])
            self._entries.insert_doc(entry.key, doc)

    def append(
        self,
        action: str,
        target: str,
        body: str,
        *,
        base_version: int | None = None,
        occurred_at: str | None = None,
        key: str | None = None,
        origin: str = "",
    ) -> OutboxEntry:
        """Queue an intent durably (file and directory fsynced) and return it with its key and seq."""
        if not isinstance(body, str):
            raise TypeError("body is the serialized request body (str), stored verbatim")
        if not action or not target:
            raise ValueError("an outbox entry needs an action and a target")
        with self._storage.batch():  # under the write lock, on the newest file
            key = key or str(uuid.uuid4())
            if self._entries.get_doc(key) is not None:
                raise ValueError(f"outbox entry {key} already exists")
            seq = self._next_seq()
            entry = OutboxEntry(
                key=key,
                seq=seq,
                action=action,
                target=target,
                body=body,
                base_version=base_version,
                occurred_at=occurred_at or now_iso(),
                origin=origin,
            )
            self._put(entry)
            self._meta.remove_docs([_SEQ_DOC])
            self._meta.insert_doc(_SEQ_DOC, {"next": seq + 1})
            return entry

    def get(self, key: str) -> OutboxEntry | None:
        raw = self._entries.get_doc(key)
        return None if raw is None else decode_entry(raw)

    def _require(self, key: str) -> OutboxEntry:
        entry = self.get(key)
        if entry is None:
            raise KeyError(f"no outbox entry {key}")
        return entry

    def pending(self) -> list[OutboxEntry]:
        """Entries still to be confirmed (pending or sent), in append order."""
        return [entry for entry in self._all() if entry.state in _ACTIVE]

    def pending_for(self, target: str) -> list[OutboxEntry]:
        return [entry for entry in self.pending() if entry.target == target]

    def conflicts(self) -> list[OutboxEntry]:
        return [entry for entry in self._all() if entry.state is EntryState.REJECTED]

    def entries(self) -> list[OutboxEntry]:
        """Every entry in the file, in append order."""
        return self._all()

    def mark_sent(self, key: str) -> OutboxEntry:
        with self._storage.batch():
            entry = msgspec.structs.replace(self._require(key), state=EntryState.SENT)
            self._put(entry)
            return entry

    def record_attempt(self, key: str, error: str) -> OutboxEntry:
        with self._storage.batch():
            entry = self._require(key)
            entry = msgspec.structs.replace(entry, attempts=entry.attempts + 1, last_error=error)
            self._put(entry)
            return entry

    def mark_done(self, key: str) -> None:
        """Confirmed by the platform: the entry leaves the file (it has nothing more to say)."""
        with self._storage.batch():
            self._require(key)
            self._entries.remove_docs([key])

    def mark_done_many(self, keys: list[str]) -> int:
        """Several confirmations in one durable write; keys no longer in the outbox are skipped. Returns how
        many entries left the file."""
        with self._storage.batch():
            present = [key for key in keys if self._entries.get_doc(key) is not None]
            if present:
                self._entries.remove_docs(present)
            return len(present)

    def mark_rejected(self, key: str, reason: dict[str, Any]) -> OutboxEntry:
        """Refused for good: the entry moves to the conflicts with the platform's reason."""
        with self._storage.batch():
            entry = msgspec.structs.replace(
                self._require(key), state=EntryState.REJECTED, rejection=copy_doc(reason)
            )
            self._put(entry)
            return entry

    def rewrite_refused(self, bodies: dict[str, str]) -> int:
        """Replace the bodies of refused entries (key -> new body) in one durable write: the personal-data purge
        blanks what a refusal kept (offline_cache/retention.py). Entries still to be sent are never changed (a
        retry must send the very bytes of the first attempt). Returns how many entries changed."""
        changed = 0
        with self._storage.batch():
            for key, body in bodies.items():
                entry = self.get(key)
                if entry is None or entry.state is not EntryState.REJECTED or entry.body == body:
                    continue
                self._put(msgspec.structs.replace(entry, body=body))
                changed += 1
        return changed

    def _put_many(self, entries: list[OutboxEntry]) -> None:
        if entries:
            self._entries.remove_docs([entry.key for entry in entries])
            self._entries.insert_docs({entry.key: msgspec.to_builtins(entry) for entry in entries})

    def mark_rejected_many(self, reasons: dict[str, dict[str, Any]]) -> list[OutboxEntry]:
        """Several refusals in one durable write (`key -> reason`); keys no longer in the outbox are skipped."""
        with self._storage.batch():
            moved = [
                msgspec.structs.replace(entry, state=EntryState.REJECTED, rejection=copy_doc(reasons[key]))
                for key in reasons
                if (entry := self.get(key)) is not None
            ]
            self._put_many(moved)
            return moved

    def rebase(self, keys: list[str], base_version: int) -> int:
        """Give entries never sent a new `base_version` (the If-Match of a conditional action), in one durable
        write; an entry already sent once, or no longer pending, keeps its own. Returns how many moved."""
        with self._storage.batch():
            moved = [
                msgspec.structs.replace(entry, base_version=base_version)
                for key in keys
                if (entry := self.get(key)) is not None and entry.state is EntryState.PENDING and not entry.attempts
            ]
            self._put_many(moved)
            return len(moved)

    def requeue_many(self, keys: list[str]) -> int:
        """Put conflicts back in the queue as they were (key, body, tap time, place in the order), in one durable
        write: refusals this device made itself that no longer hold (an action an older version could not send,
        after an update). Keys that are not conflicts are skipped. Returns how many moved."""
        with self._storage.batch():
            moved = [
                msgspec.structs.replace(entry, state=EntryState.PENDING, rejection=None)
                for key in keys
                if (entry := self.get(key)) is not None and entry.state is EntryState.REJECTED
            ]
            self._put_many(moved)
            return len(moved)

    def dismiss_many(self, keys: list[str]) -> int:
        """Drop several conflicts in one durable write; keys that are not conflicts are skipped."""
        with self._storage.batch():
            present = [key for key in keys if (entry := self.get(key)) is not None and entry.rejection is not None]
            if present:
                self._entries.remove_docs(present)
            return len(present)

    def dismiss(self, key: str) -> bool:
        """Drop a conflict the user has seen. False when `key` is not a conflict."""
        with self._storage.batch():
            entry = self.get(key)
            if entry is None or entry.state is not EntryState.REJECTED:
                return False
            self._entries.remove_docs([key])
            return True

    def __len__(self) -> int:
        return len(self.pending())
