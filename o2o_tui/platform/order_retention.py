"""How long the platform keeps ended orders: `order_retention_days` (at least `FIGURES_DAYS`, 90), so a store's
figures (o2o_tui/platform/reports.py) can be computed for any day of the last 90 from the orders themselves.
Events go much sooner (`event_retention_hours`); the figures never read them. Ended orders older than that are
deleted, with their ended deliveries, a batch per job run (so one run never holds the writer long)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, select

from o2o_tui.domain.order import ENDED_STATUSES
from o2o_tui.domain.transitions import DELIVERY_ENDED
from o2o_tui.platform import db
from o2o_tui.platform.settings import FIGURES_DAYS  # the figures' window: a shorter setting is raised to it

BATCH = 500
_ENDED = tuple(status.value for status in ENDED_STATUSES)
_DELIVERY_ENDED = tuple(status.value for status in DELIVERY_ENDED)


def kept_days(setting: float) -> float:
    """The retention in force: the setting, never under the figures' 90 days (0 or less: kept forever).

    `O2O_ORDER_RETENTION_DAYS` under 90 is raised with a warning, and a negative one refused, when the settings are
    read (settings.py); this keeps a setting given in code (`create_app(..., order_retention_days=5)`) safe too."""
    return setting if setting <= 0 else max(setting, FIGURES_DAYS)


def prune_orders(conn: Connection, now: datetime, setting: float) -> int:
    """Delete up to `BATCH` orders that ended before the retention and their ended deliveries; how many."""
    days = kept_days(setting)
    if days <= 0:
        return 0
    cutoff = db.iso(now - timedelta(days=days))
    table = db.orders
    ids = list(
        conn.execute(
            select(table.c.id)
            .where(table.c.status.in_(_ENDED), table.c.ended_at.is_not(None), table.c.ended_at < cutoff)
            .limit(BATCH)
        ).scalars()
    )
    if not ids:
        return 0
    deliveries = db.deliveries
    conn.execute(
        delete(deliveries).where(deliveries.c.order_id.in_(ids), deliveries.c.status.in_(_DELIVERY_ENDED))
    )
    conn.execute(delete(table).where(table.c.id.in_(ids)))
    return len(ids)
