"""Keep the cache small and free of stale personal data (uses `offline_cache.retention`, which knows only
documents; this module says what an ended order or delivery is and which fields are personal).

The customer's personal data (o2o_tui/domain/personal_data.py: the rule the platform blanks its own copies with) is
blanked `purge_personal_after` an order (or delivery) ended; ended orders and deliveries are pruned after
`prune_ended_after`.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

import msgspec

from o2o_tui.domain.order import ENDED_STATUSES
from o2o_tui.domain.personal_data import (
    DELIVERY_PERSONAL,
    ORDER_PERSONAL,
    PURGE_PERSONAL_HOURS,
    blank_personal,
    needs_blanking,
)
from o2o_tui.domain.transitions import DELIVERY_ENDED
from o2o_tui.sync import tables
from offline_cache.retention import RetentionPolicy as DocPolicy
from offline_cache.retention import apply_retention as apply_doc_retention
from offline_cache.retention import parse_time

_ORDER_ENDED = frozenset(str(s) for s in ENDED_STATUSES)
_DELIVERY_ENDED = frozenset(str(s) for s in DELIVERY_ENDED)


class RetentionPolicy(msgspec.Struct, frozen=True):
    purge_personal_after: timedelta = timedelta(hours=PURGE_PERSONAL_HOURS)
    prune_ended_after: timedelta = timedelta(days=3)


def _ended(statuses: frozenset[str]) -> Any:
    def ended_at(doc: dict[str, Any]) -> datetime | None:
        if doc.get("status") not in statuses:
            return None
        return parse_time(doc.get("ended_at")) or parse_time(doc.get("updated_at"))

    return ended_at


def _blank_ended(table: Any, ended_at: Any, rule: Mapping[str, Any], cutoff: datetime) -> int:
    def due(doc: dict[str, Any]) -> bool:
        ended = ended_at(doc)
        return ended is not None and ended <= cutoff and needs_blanking(doc, rule)

    return int(table.transform(due, lambda doc: blank_personal(doc, rule)))


def apply_retention(cache: Any, policy: RetentionPolicy, now: datetime) -> tuple[int, int]:
    """Purge and prune orders and deliveries; returns (purged, pruned). Runs on the cache's thread."""
    purged = pruned = 0
    for table_name, statuses, personal in (
        (tables.ORDERS, _ORDER_ENDED, ORDER_PERSONAL),
        (tables.DELIVERIES, _DELIVERY_ENDED, DELIVERY_PERSONAL),
    ):
        ended_at = _ended(statuses)
        table = cache.table(table_name)
        with table.batch():  # one durable write for the pruning and the blanking
            doc_policy = DocPolicy(ended_at=ended_at, prune_after=policy.prune_ended_after)
            pruned += apply_doc_retention(table, doc_policy, now=now).pruned
            purged += _blank_ended(table, ended_at, personal, now - policy.purge_personal_after)
    return purged, pruned
