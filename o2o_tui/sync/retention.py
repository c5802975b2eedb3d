"""Keep the cache small and free of stale personal data (uses `offline_cache.retention`, which knows only
documents; this module says what an ended order or delivery is and which fields are personal).

Customer name, phone and address are blanked `purge_personal_after` an order (or delivery) ended; ended orders and
deliveries are pruned after `prune_ended_after`.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

import msgspec

from o2o_tui.domain.order import ENDED_STATUSES
from o2o_tui.domain.transitions import DELIVERY_ENDED
from o2o_tui.sync import tables
from offline_cache.retention import RetentionPolicy as DocPolicy
from offline_cache.retention import apply_retention as apply_doc_retention
from offline_cache.retention import parse_time

_ORDER_ENDED = frozenset(str(s) for s in ENDED_STATUSES)
_DELIVERY_ENDED = frozenset(str(s) for s in DELIVERY_ENDED)
ORDER_PERSONAL = {"customer.name": "", "customer.phone": "", "customer.address": None}
DELIVERY_PERSONAL = {"customer_name": "", "customer_phone": "", "dropoff.text": ""}


class RetentionPolicy(msgspec.Struct, frozen=True):
    purge_personal_after: timedelta = timedelta(hours=6)
    prune_ended_after: timedelta = timedelta(days=3)


def _ended(statuses: frozenset[str]) -> Any:
    def ended_at(doc: dict[str, Any]) -> datetime | None:
        if doc.get("status") not in statuses:
            return None
        return parse_time(doc.get("ended_at")) or parse_time(doc.get("updated_at"))

    return ended_at


def apply_retention(cache: Any, policy: RetentionPolicy, now: datetime) -> tuple[int, int]:
    """Purge and prune orders and deliveries; returns (purged, pruned). Runs on the cache's thread."""
    purged = pruned = 0
    for table, statuses, personal in (
        (tables.ORDERS, _ORDER_ENDED, ORDER_PERSONAL),
        (tables.DELIVERIES, _DELIVERY_ENDED, DELIVERY_PERSONAL),
    ):
        doc_policy = DocPolicy(
            ended_at=_ended(statuses),
            purge=personal,
            purge_after=policy.purge_personal_after,
            prune_after=policy.prune_ended_after,
        )
        report = apply_doc_retention(cache.table(table), doc_policy, now=now)
        purged += report.purged
        pruned += report.pruned
    return purged, pruned
