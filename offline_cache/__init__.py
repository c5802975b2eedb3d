"""Local store of the console: JSON documents in TinyDB tables on crash-safe storage, the outbox of unsynced
actions, one writer per profile. Knows JSON documents, not orders (no import from `o2o_tui`).

    with open_profile_cache(directory) as cache:
        cache.table("orders").upsert(order_id, order_doc)
        entry = cache.outbox.append("order.confirm", f"order:{order_id}", body_json)
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
