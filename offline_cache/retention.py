"""Retention: keep the cache small and personal data short-lived, without knowing what the documents are.

The caller says when a document's life ended (for orders: `ended_at` of a delivered, concluded or cancelled order),
which fields are personal and what replaces them, and how long to keep each. `apply_retention` then prunes the
documents ended longer than `prune_after` ago and blanks the personal fields of those ended longer than
`purge_after` ago, in one durable write. Running it again changes nothing. `blank_refused` does the same for the
outbox's refused entries (the conflicts list): the caller says which bodies lose what; pending entries are never
touched.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from offline_cache.outbox import Outbox, OutboxEntry
from offline_cache.tables import Doc, DocTable

_MISSING = object()


def _always(_doc: Doc) -> bool:
    return True


def parse_time(value: Any) -> datetime | None:
    """An ISO 8601 time (naive means UTC), or None when absent or unreadable."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _lookup(doc: Doc, path: str) -> Any:
    node: Any = doc
    for part in path.split("."):
        if not isinstance(node, dict) or part not in node:
            return _MISSING
        node = node[part]
    return node


def time_field(path: str) -> Callable[[Doc], datetime | None]:
    """`ended_at` reader for a dotted path holding an ISO time, e.g. `time_field("ended_at")`."""

    def read(doc: Doc) -> datetime | None:
        value = _lookup(doc, path)
        return None if value is _MISSING else parse_time(value)

    return read


def purge_fields(doc: Doc, replacements: Mapping[str, Any]) -> Doc:
    """`doc` with each dotted path that exists set to its replacement (paths that do not exist are skipped)."""
    for path, replacement in replacements.items():
        *parents, leaf = path.split(".")
        node: Any = doc
        for part in parents:
            node = node.get(part) if isinstance(node, dict) else None
        if isinstance(node, dict) and leaf in node:
            node[leaf] = replacement
    return doc


def needs_purge(doc: Doc, replacements: Mapping[str, Any]) -> bool:
    return any(
        (value := _lookup(doc, path)) is not _MISSING and value != replacement
        for path, replacement in replacements.items()
    )


class RetentionPolicy(msgspec.Struct, frozen=True):
    ended_at: Callable[[Doc], datetime | None]  # None while the document is still active
    purge: Mapping[str, Any] = msgspec.field(default_factory=dict)  # dotted path -> replacement, e.g. {"customer.phone": ""}
    purge_after: timedelta | None = None  # None: never purge
    prune_after: timedelta | None = None  # None: never prune
    prunable: Callable[[Doc], bool] = _always  # narrows pruning, e.g. to CONCLUDED and CANCELLED orders


class RetentionReport(msgspec.Struct, frozen=True):
    pruned: int
    purged: int


def apply_retention(table: DocTable, policy: RetentionPolicy, *, now: datetime | None = None) -> RetentionReport:
    now = now or datetime.now(UTC)

    def ended_before(doc: Doc, age: timedelta | None) -> bool:
        ended = policy.ended_at(doc)
        return age is not None and ended is not None and ended <= now - age

    with table.batch():
        pruned = table.prune(lambda doc: ended_before(doc, policy.prune_after) and policy.prunable(doc))
        purged = 0
        if policy.purge:
            purged = table.transform(
                lambda doc: ended_before(doc, policy.purge_after) and needs_purge(doc, policy.purge),
                lambda doc: purge_fields(doc, policy.purge),
            )
    return RetentionReport(pruned=pruned, purged=purged)


def blank_refused(outbox: Outbox, blank: Callable[[OutboxEntry], str | None]) -> int:
    """Give each refused entry the body `blank` answers for it (None: keep it), in one durable write; returns how
    many changed. A refusal keeps its action, target, reason and tap time: the conflicts list still says what was
    refused and why. Entries still to be sent are never offered to `blank`."""
    bodies = {}
    for entry in outbox.conflicts():
        body = blank(entry)
        if body is not None and body != entry.body:
            bodies[entry.key] = body
    return outbox.rewrite_refused(bodies) if bodies else 0
