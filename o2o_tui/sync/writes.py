"""Writing what the platform said into the cache: one durable batch per delta. Runs on the cache's thread."""

from __future__ import annotations

from typing import Any

from o2o_tui.courier_tasks import foods_in_hand
from o2o_tui.domain.transitions import DELIVERY_ENDED
from o2o_tui.sync import tables
from o2o_tui.sync.fetch import Delta

_DELIVERY_ENDED = frozenset(str(s) for s in DELIVERY_ENDED)


def version_of(doc: Any) -> int:
    """A document's version; -1 for a damaged one (it must never block its own repair)."""
    version = doc.get("version", -1) if isinstance(doc, dict) else -1
    return version if isinstance(version, int) and not isinstance(version, bool) else -1


def not_older(table: Any, docs: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Drop documents older than the cached copy (a slow fetch must not undo a newer push answer)."""
    kept = {}
    for entity_id, doc in docs.items():
        cached = table.get(entity_id)
        if cached is not None and version_of(cached) > version_of(doc):
            continue
        kept[entity_id] = doc
    return kept


def _food_in_hand(cache: Any, table: str) -> set[str]:
    """The cached ended deliveries a snapshot does not list but the cache must keep: those whose food a refused
    pickup left in the courier's hands (`foods_in_hand` of the conflicts list, the rule retention keeps them by).
    The bring-the-food-back task is derived from them until the courier says the food is back."""
    if table != tables.DELIVERIES:
        return set()
    kept = set()
    for delivery_id in foods_in_hand(cache.outbox.conflicts()):
        cached = cache.table(table).get(delivery_id)
        if isinstance(cached, dict) and cached.get("status") in _DELIVERY_ENDED:
            kept.add(delivery_id)
    return kept


def write_delta(cache: Any, delta: Delta, meta: dict[str, Any]) -> None:
    """Entities and meta (the cursor) in one durable write: a crash leaves both old or both new. A replaced table
    keeps the cached copy of what the snapshot left out on purpose: a skipped entity, and an ended delivery whose
    food is still with the courier (a snapshot lists active deliveries only)."""
    with cache.write_batch():
        for table in delta.replace:
            docs = dict(delta.upserts.get(table, {}))
            kept = set(delta.skipped.get(table, {})) | _food_in_hand(cache, table)
            for entity_id in kept:  # left out of the snapshot: keep the cached copy
                cached = cache.table(table).get(entity_id)
                if cached is not None and entity_id not in docs:
                    docs[entity_id] = cached
            cache.table(table).replace_all(docs)
        for table, docs in delta.upserts.items():
            if table not in delta.replace and docs:
                fresher = not_older(cache.table(table), docs)
                if fresher:
                    cache.table(table).upsert_many(fresher)
        for table, ids in delta.removals.items():
            if table in delta.replace:
                continue
            for entity_id in ids:
                cache.table(table).remove(entity_id)
        if meta:
            cache.meta_set_many(meta)


def drop_unchanged(cache: Any, delta: Delta, keep: set[tuple[str, str]]) -> None:
    """Leave out of `delta` what the cache already holds as is (a document equal to the cached copy, the removal
    of one not cached), so a page whose events changed nothing writes nothing: the cache is one file, rewritten
    whole on every write. `keep` (table, id) are written anyway (a skipped entity's cached copy is not trusted)."""
    for table, docs in delta.upserts.items():
        if table in delta.replace:
            continue
        stored = cache.table(table)
        for entity_id in [i for i, doc in docs.items() if (table, i) not in keep and stored.get(i) == doc]:
            del docs[entity_id]
    for table, ids in delta.removals.items():
        if table in delta.replace:
            continue
        stored = cache.table(table)
        ids.difference_update({i for i in ids if (table, i) not in keep and stored.get(i) is None})
