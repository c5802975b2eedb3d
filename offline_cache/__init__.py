"""Local store of the console: JSON documents in TinyDB tables on crash-safe storage, the outbox of unsynced
actions. Any number of processes open one profile at once: each write holds the profile's write lock for its
duration and reads the newest file first; `cache.push_lock` is the right to send the outbox (one process at a
time, taken without waiting); `cache.external_changes()` says what other processes wrote. Knows JSON documents,
not orders (no import from `o2o_tui`).

    with open_profile_cache(directory) as cache:          # CacheLockedError only if a writer is stuck
        entry = cache.outbox.append("order.confirm", f"order:{order_id}", body_json)   # fsynced
        with cache.write_batch():                          # one durable write for both
            cache.table("orders").upsert(order_id, server_doc)
            cache.meta_set("cursor", cursor)

Errors carry a stable `code` for the CLI to translate (their English message is for logs): `cache_locked`
(CacheLockedError: pid, command, since, host of a process holding the write lock longer than `lock_wait`), `corrupt_outbox` (CorruptOutboxError: path, detail), and on
CacheError `disk_full`, `write_failed`, `write_not_durable`, `read_only`, `closed`, `invalid_document`,
`open_failed` (with `path`, `errno`). `cache.warnings` holds CacheWarning strings with a `code`:
`cache_set_aside` (path, moved_to, detail; `cache.was_reset` is True: resync everything), `cache_unreadable`
(read-only open of a bad cache), `other_outbox` (an outbox of another schema version holds entries). A folder or
file of the profile someone made readable by others is made private again at open (0700, 0600):
`cache.made_private` lists what was changed or could not be (`offline_cache.private`).
"""

from offline_cache.errors import CacheError, CacheLockedError, CorruptOutboxError
from offline_cache.outbox import EntryState, Outbox, OutboxEntry
from offline_cache.profile import CacheWarning, ProfileCache, open_profile_cache
from offline_cache.retention import (
    RetentionPolicy,
    RetentionReport,
    apply_retention,
    purge_fields,
    time_field,
)
from offline_cache.storage import AtomicJSONStorage
from offline_cache.tables import DocTable

__all__ = [
    "AtomicJSONStorage",
    "CacheError",
    "CacheLockedError",
    "CacheWarning",
    "CorruptOutboxError",
    "DocTable",
    "EntryState",
    "Outbox",
    "OutboxEntry",
    "ProfileCache",
    "RetentionPolicy",
    "RetentionReport",
    "apply_retention",
    "open_profile_cache",
    "purge_fields",
    "time_field",
]
