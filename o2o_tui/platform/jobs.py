"""Background jobs: auto-cancel unconfirmed orders, conclude delivered ones, pause unwatched stores, prune."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Connection, delete, func, select

from o2o_tui.domain.identity import Role
from o2o_tui.domain.order import OrderStatus, Party
from o2o_tui.domain.transitions import OrderAction
from o2o_tui.platform import db, events, idempotency, orders, stores
from o2o_tui.platform.auth import Caller
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import ApiError

if TYPE_CHECKING:
    from o2o_tui.platform.app import Platform

log = logging.getLogger("o2o.platform.jobs")

SYSTEM = Caller(user_id="system", name="platform", role=Role.ADMIN)
ACCEPT_TIMEOUT_REASON = "ACCEPT_TIMEOUT"
_BATCH = 200


def _ids(conn: Connection, status: OrderStatus, column: str, before: str) -> list[str]:
    table = db.orders
    query = (
        select(table.c.id)
        .where(table.c.status == status.value, table.c[column].is_not(None), table.c[column] < before)
        .limit(_BATCH)
    )
    return list(conn.execute(query).scalars())


def _each_order(platform: Platform, ids: list[str], step: str) -> int:
    done = 0
    for order_id in ids:
        try:
            with db.writing(platform.engine) as conn:
                ctx = Ctx(conn=conn, caller=SYSTEM, now=db.utcnow(), settings=platform.settings)
                stored = orders.load(conn, order_id)
                if stored is None:
                    continue
                if step == "cancel":
                    orders.cancel_stored(ctx, stored, ACCEPT_TIMEOUT_REASON, Party.PLATFORM)
                else:
                    orders.transition(ctx, stored, OrderAction.CONCLUDE)
            if ctx.wrote_events:
                platform.notifier.notify()
                done += 1
        except ApiError as error:  # changed meanwhile (another process, or a late confirm): skip it
            log.info("job %s skipped order %s: %s", step, order_id, error)
    return done


def cancel_overdue(platform: Platform) -> int:
    with platform.engine.connect() as conn:
        ids = _ids(conn, OrderStatus.CREATED, "accept_deadline", db.iso(db.utcnow()))
    return _each_order(platform, ids, "cancel")


def conclude_delivered(platform: Platform) -> int:
    cutoff = db.utcnow() - timedelta(minutes=platform.settings.conclude_after_minutes)
    with platform.engine.connect() as conn:
        ids = _ids(conn, OrderStatus.DELIVERED, "ended_at", db.iso(cutoff))
    return _each_order(platform, ids, "conclude")


def pause_unwatched(platform: Platform) -> list[str]:
    with db.writing(platform.engine) as conn:
        ctx = Ctx(conn=conn, caller=SYSTEM, now=db.utcnow(), settings=platform.settings)
        paused = stores.pause_unwatched(
            ctx, timedelta(minutes=platform.settings.heartbeat_minutes), platform.started_at
        )
    if ctx.wrote_events:
        platform.notifier.notify()
    return paused


def prune(platform: Platform) -> None:
    now = db.utcnow()
    event_cutoff = db.iso(now - timedelta(hours=platform.settings.event_retention_hours))
    with db.writing(platform.engine) as conn:
        newest_old = conn.execute(
            select(func.max(db.events.c.id)).where(db.events.c.occurred_at < event_cutoff)
        ).scalar_one_or_none()
        if newest_old:
            conn.execute(delete(db.events).where(db.events.c.id <= newest_old))
            _set_meta(conn, events.PRUNED_THROUGH_KEY, str(newest_old))
        idempotency.purge(conn, now - timedelta(days=platform.settings.idempotency_retention_days))


def _set_meta(conn: Connection, key: str, value: str) -> None:
    if conn.execute(db.meta.update().where(db.meta.c.key == key).values(value=value)).rowcount == 0:
        conn.execute(db.meta.insert().values(key=key, value=value))


def run_once(platform: Platform) -> None:
    cancel_overdue(platform)
    conclude_delivered(platform)
    pause_unwatched(platform)
    prune(platform)


async def run_forever(platform: Platform) -> None:
    while True:
        await asyncio.sleep(platform.settings.job_interval_seconds)
        try:
            run_once(platform)
        except Exception:  # a job failing must not stop the others next time round
            log.exception("background jobs failed")
