"""Entities this device could not take in: an answer over the size cap or one that does not fit the type (from the
platform), or a cached copy that no longer decodes (in the cache). Each is left out, said once, and fetched again.

The list lives in the cache meta (`sync.skipped`), so it survives restarts and every process sees it: the sync
engine retries each entry when its `retry_at` is due (a reader marks a bad cached copy due at once), a fetch that
works removes it, and `o2o sync status` shows what is still missing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from o2o_tui.domain.events import EntityKind
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.sync import tables

META_SKIPPED = "sync.skipped"
# the `Change.kind` the engine emits once for entities it has just left out (ids: their keys)
CHANGE_KIND = "skipped"
RETRY_EVERY = timedelta(minutes=5)  # an answer that was too big or unreadable is asked for again after this
_MAX_REASON = 300

KIND_OF: dict[str, EntityKind] = {table: kind for kind, table in tables.TABLE_FOR.items()}


class Skipped(msgspec.Struct, frozen=True):
    table: str  # a cache table (tables.ORDERS, ...)
    id: str
    reason: str  # one safe line: why it was left out
    source: str = "platform"  # "platform": its answer was refused; "cache": the cached copy is unreadable
    since: str = ""  # ISO time it was first skipped
    retry_at: str = ""  # ISO time the engine asks for it again

    @property
    def key(self) -> str:
        return key_of(self.table, self.id)

    @property
    def kind(self) -> EntityKind | None:
        return KIND_OF.get(self.table)


def key_of(table: str, entity_id: str) -> str:
    return f"{table}/{entity_id}"


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _when(value: str) -> datetime:
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return datetime(1970, 1, 1, tzinfo=UTC)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def clean_reason(reason: str) -> str:
    text = safe_text(reason, one_line=True)
    return text if len(text) <= _MAX_REASON else text[: _MAX_REASON - 1] + "…"


def load(cache: Any) -> dict[str, Skipped]:
    """The stored list, by key; a damaged list is read as empty (it is only a reminder)."""
    raw = cache.meta_get(META_SKIPPED, None)
    if not isinstance(raw, list):
        return {}
    try:
        entries = msgspec.convert(raw, list[Skipped])
    except msgspec.ValidationError:
        return {}
    return {entry.key: entry for entry in entries}


def dump(entries: Mapping[str, Skipped]) -> list[dict[str, Any]]:
    return [msgspec.to_builtins(entries[k]) for k in sorted(entries)]


def skip(
    entries: Mapping[str, Skipped],
    table: str,
    entity_id: str,
    reason: str,
    *,
    now: datetime,
    source: str = "platform",
    retry_after: timedelta = RETRY_EVERY,
) -> Skipped:
    """The entry to store for a new failure: keeps when it was first skipped, moves the next retry on."""
    old = entries.get(key_of(table, entity_id))
    return Skipped(
        table=table,
        id=entity_id,
        reason=clean_reason(reason),
        source=source,
        since=old.since if old is not None else _iso(now),
        retry_at=_iso(now + retry_after),
    )


def due(entries: Iterable[Skipped], now: datetime) -> list[Skipped]:
    return [entry for entry in entries if _when(entry.retry_at) <= now]


def mark_unreadable(cache: Any, found: Mapping[tuple[str, str], str], now: datetime | None = None) -> bool:
    """A reader found cached copies that do not decode: note them for the engine to fetch at its next round.
    Needs a writable cache (a read-only reader leaves it to the engine's own check); returns whether it wrote."""
    if not found or getattr(cache, "read_only", False):
        return False
    now = now or datetime.now(UTC)
    entries = load(cache)
    changed = False
    for (table, entity_id), reason in found.items():
        if key_of(table, entity_id) in entries:
            continue
        entries[key_of(table, entity_id)] = skip(
            entries, table, entity_id, reason, now=now, source="cache", retry_after=timedelta(0)
        )
        changed = True
    if changed:
        cache.meta_set(META_SKIPPED, dump(entries))
    return changed


def entity_word(table: str) -> str:
    kind = KIND_OF.get(table)
    return t("client.skipped.entity." + (kind.value if kind is not None else "other"))


def describe(entry: Skipped) -> str:
    """One line for a person, in the current language."""
    if entry.source == "cache":
        key = "client.skipped.cache"
    elif entry.id == "*":  # fetch.LISTING: a snapshot listing that could not be read to its end
        key = "client.skipped.listing"
    else:
        key = "client.skipped.platform"
    return t(key, entity=entity_word(entry.table), id=safe_text(entry.id, one_line=True), reason=entry.reason)
