"""Background jobs: auto-cancel unconfirmed orders, conclude delivered ones, pause unwatched stores, prune, and
blank the personal data of orders and deliveries ended longer ago than the retention (or left open long past their
promised time)."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

import msgspec
from sqlalchemy import Connection, select, update

from o2o_tui.domain.events import EntityKind
from o2o_tui.domain.fleet import Delivery
from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import SCHEDULE_DAYS_MAX
from o2o_tui.domain.order import ENDED_STATUSES, Order, OrderStatus, Party
from o2o_tui.domain.personal_data import last_promised
from o2o_tui.domain.transitions import DELIVERY_ENDED, OrderAction
from o2o_tui.platform import (
    auto_accept,
    code_attempts,
    db,
    events,
    fleet,
    idempotency,
    order_retention,
    orders,
    server_secret,
    storage_health,
    stores,
)
from o2o_tui.platform.auth import Caller
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import ApiError
from o2o_tui.platform.personal import without_personal_delivery, without_personal_order
from o2o_tui.platform.write_failures import SaidOnce, refused_write

if TYPE_CHECKING:
    from o2o_tui.platform.app import Platform

log = logging.getLogger("o2o.platform.jobs")

SYSTEM = Caller(user_id="system", name="platform", role=Role.ADMIN)
PERSONAL_PURGED_THROUGH_KEY = "personal_purged_through"
# the purge's last look for orders written to after it blanked them (`_late_writes`), less the margin: a write's
# time is taken before it waits for the database, so one may commit a little after a later run looked
PERSONAL_LATE_CHECKED_KEY = "personal_late_writes_checked"
_LATE_MARGIN = timedelta(minutes=10)
# the purge of orders and deliveries left open (`_left_open`): the cutoff it last looked up to. A promise lies at
# most `_PROMISE_LEAD` after the last change (an order for later accepted a week ahead), so only the open rows last
# changed since that cutoff less the lead can have come due since
PERSONAL_OPEN_PURGED_THROUGH_KEY = "personal_open_purged_through"
_PROMISE_LEAD = timedelta(days=SCHEDULE_DAYS_MAX + 2)
_BATCH = 200
_ORDER_ENDED = tuple(status.value for status in ENDED_STATUSES)
_DELIVERY_ENDED = tuple(status.value for status in DELIVERY_ENDED)
_decode_order = msgspec.json.Decoder(Order).decode
_decode_delivery = msgspec.json.Decoder(Delivery).decode
_encode = msgspec.json.Encoder().encode


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
                    orders.cancel_stored(ctx, stored, orders.ACCEPT_TIMEOUT_REASON, Party.PLATFORM)
                else:
                    orders.transition(ctx, stored, OrderAction.CONCLUDE)
            if ctx.wrote_events:
                platform.notifier.notify(ctx.scopes)
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
    """Pause the stores nobody watches (stores.pause_unwatched). After an outage this process saw (a heartbeat or a
    job refused, a health check failed: `storage_health`), its first round that writes says only when the storage
    came back, for every process: the heartbeat's grace runs from then, and this round pauses nothing."""
    watch = storage_health.watch_of(platform)
    outage = watch.outage
    with db.writing(platform.engine) as conn:
        ctx = Ctx(conn=conn, caller=SYSTEM, now=db.utcnow(), settings=platform.settings)
        if outage:
            db.set_meta(conn, storage_health.STORAGE_BACK_KEY, db.iso(ctx.now))
            paused: list[str] = []
        else:
            paused = stores.pause_unwatched(
                ctx, timedelta(minutes=platform.settings.heartbeat_minutes), platform.started_at
            )
    if outage:
        watch.back()
        log.info("the storage is back: stores are paused for want of polls only a heartbeat from now")
    if ctx.wrote_events:
        platform.notifier.notify(ctx.scopes)
    return paused


def prune(platform: Platform) -> None:
    now = db.utcnow()
    with db.writing(platform.engine) as conn:
        events.prune(conn, now - timedelta(hours=platform.settings.event_retention_hours))
        kept = idempotency.kept_days(platform.settings.idempotency_retention_days)  # never under 7 days
        idempotency.purge(conn, now - timedelta(days=kept))
        code_attempts.purge(conn, now, timedelta(minutes=platform.settings.code_lock_minutes))
        order_retention.prune_orders(conn, now, platform.settings.order_retention_days)  # figures: 90 days
        auto_accept.forget_devices(conn, now)  # station candidates unheard of for 30 days


def _late_writes(conn: Connection, written_since: str, ended_before: str) -> tuple[list[str], int]:
    """The orders the purge passed by already (ended before `ended_before`) that were written to since
    `written_since` (a refund after handoff, within its window; anything a later change adds): their text is
    blanked too, as their first purge blanked it. Every save of an order is an event (`orders.save`), so the
    events name them. Answers the ids of those it blanked (their stored answers are blanked next: an order already
blank, as after a run within `_LATE_MARGIN` of the last, has none to blank) and how many."""
    events_table, orders_table = db.events, db.orders
    written = sorted(
        set(
            conn.execute(
                select(events_table.c.entity_id).where(
                    events_table.c.entity == EntityKind.ORDER.value,
                    events_table.c.occurred_at >= written_since,
                )
            ).scalars()
        )
    )
    ids: list[str] = []
    blanked = 0
    for start in range(0, len(written), _BATCH):
        for row in conn.execute(
            select(orders_table.c.id, orders_table.c.doc).where(
                orders_table.c.id.in_(written[start : start + _BATCH]),
                orders_table.c.status.in_(_ORDER_ENDED),
                orders_table.c.ended_at.is_not(None),
                orders_table.c.ended_at < ended_before,
            )
        ).all():
            order = _decode_order(row.doc)
            blank = without_personal_order(order)
            if blank != order:
                conn.execute(update(orders_table).where(orders_table.c.id == row.id).values(doc=_encode(blank)))
                ids.append(row.id)
                blanked += 1
    return ids, blanked


def _left_open(ctx: Ctx, since: str, cutoff: datetime) -> tuple[list[str], list[str], int]:
    """Blank the orders and deliveries left open (accepted and never marked ready or handed off: nothing ends them)
    whose promised times and last change (`last_promised`) are all before `cutoff`, as an ended one is blanked; a
    courier still at such a delivery's door (it arrived there and nothing happened since) loses that position, as
    for an ended one (`fleet.forget_door`). Only the open rows last changed before `cutoff` and since `since` less
    `_PROMISE_LEAD` are read. Answers the ids of the orders and of the deliveries it blanked (their stored answers
    are blanked next) and how many documents changed."""
    conn = ctx.conn
    ids: tuple[list[str], list[str]] = ([], [])
    blanked = 0
    limit = db.iso(cutoff)
    first = db.iso(datetime.fromisoformat(since) - _PROMISE_LEAD) if since else ""
    for table, ended, found in ((db.orders, _ORDER_ENDED, ids[0]), (db.deliveries, _DELIVERY_ENDED, ids[1])):
        for row in conn.execute(
            select(table.c.id, table.c.doc).where(
                table.c.status.not_in(ended), table.c.updated_at >= first, table.c.updated_at < limit
            )
        ).all():
            promised = last_promised(msgspec.json.decode(row.doc))
            if promised is None or promised >= cutoff:
                continue
            doc: Order | Delivery = _decode_order(row.doc) if table is db.orders else _decode_delivery(row.doc)
            if isinstance(doc, Delivery) and fleet.forget_door(ctx, doc):  # before its drop-off is blanked
                blanked += 1
            blank = without_personal_order(doc) if isinstance(doc, Order) else without_personal_delivery(doc)
            if blank != doc:  # one blanked already (a run before) has its stored answers blanked too
                conn.execute(update(table).where(table.c.id == row.id).values(doc=_encode(blank)))
                found.append(row.id)
                blanked += 1
    return ids[0], ids[1], blanked


def _wipe_sqlite(platform: Platform) -> None:
    """After a purge that blanked something on SQLite: copy the WAL into the main file and truncate it, so the
    values blanked (also left in the WAL's older frames) are gone from disk, not only from the rows. The purge's
    writes ran with `secure_delete`, so the freed space in the pages holds zeros, not the old text."""
    try:
        with platform.engine.connect() as conn:
            conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    except Exception as error:  # busy readers: the WAL is checkpointed later (the next purge, or SQLite's own)
        log.info("checkpoint after the personal-data purge not done: %s", error)


def purge_personal(platform: Platform) -> int:
    """Blank the customer's name, phone, address and the notes of orders and deliveries that ended longer than
    `purge_personal_hours` ago (the consoles' caches do the same after the same time). Each run handles what
    ended since the previous run's cutoff (kept in `meta`); no event and no new version: the devices blank their
    own copies on the same schedule. The stored answers that carry those orders and deliveries (replayed for their
    Idempotency-Key) are blanked alike. A courier still at such a delivery's door loses that position, with an
    event (fleet.forget_door). An order written to after its purge (`_late_writes`, found by the events since the
    previous run, less `_LATE_MARGIN`) is blanked again, its stored answers too. Orders and deliveries left open
    `purge_open_hours` past their promised time and last change are blanked alike (`_left_open`). On SQLite the
    purge's writes zero the space they free and a purge that blanked something checkpoints the WAL
    (`_wipe_sqlite`). Answers how many documents it blanked."""
    purged = _purge_personal(platform)
    if purged and platform.engine.dialect.name == "sqlite":
        _wipe_sqlite(platform)
    return purged


def _purge_personal(platform: Platform) -> int:
    now = db.utcnow()
    cutoff = db.iso(now - timedelta(hours=platform.settings.purge_personal_hours))
    open_cutoff = now - timedelta(hours=platform.settings.purge_open_hours)
    with db.writing(platform.engine) as conn:
        if conn.dialect.name == "sqlite":  # what an update frees in a page is zeroed, not left with the old text
            conn.exec_driver_sql("PRAGMA secure_delete=ON")
        ctx = Ctx(conn=conn, caller=SYSTEM, now=now, settings=platform.settings)
        purged = _purge_in(ctx, cutoff, open_cutoff)
    if ctx.wrote_events:  # a courier that lost a door's position: boards and caches hear of it
        platform.notifier.notify(ctx.scopes)
    return purged


def _purge_in(ctx: Ctx, cutoff: str, open_cutoff: datetime) -> int:
    """`_purge_personal`'s work inside its transaction; answers how many documents it changed."""
    conn, now = ctx.conn, ctx.now
    since = db.get_meta(conn, PERSONAL_PURGED_THROUGH_KEY) or ""
    written_since = db.get_meta(conn, PERSONAL_LATE_CHECKED_KEY) or ""
    late, purged = _late_writes(conn, written_since, min(since, cutoff))
    db.set_meta(conn, PERSONAL_LATE_CHECKED_KEY, db.iso(now - _LATE_MARGIN))
    idempotency.blank_personal(conn, idempotency.ORDER, late)
    open_since = db.get_meta(conn, PERSONAL_OPEN_PURGED_THROUGH_KEY) or ""
    open_orders, open_deliveries, blanked = _left_open(ctx, open_since, open_cutoff)
    purged += blanked
    idempotency.blank_personal(conn, idempotency.ORDER, open_orders)
    idempotency.blank_personal(conn, idempotency.DELIVERY, open_deliveries)
    db.set_meta(conn, PERSONAL_OPEN_PURGED_THROUGH_KEY, db.iso(open_cutoff))
    if since >= cutoff:
        return purged
    orders_table = db.orders
    ended_orders: list[str] = []
    for row in conn.execute(
        select(orders_table.c.id, orders_table.c.doc).where(
            orders_table.c.status.in_(_ORDER_ENDED),
            orders_table.c.ended_at.is_not(None),
            orders_table.c.ended_at >= since,
            orders_table.c.ended_at < cutoff,
        )
    ).all():
        ended_orders.append(row.id)
        order = _decode_order(row.doc)
        blank = without_personal_order(order)
        if blank != order:
            conn.execute(
                update(orders_table).where(orders_table.c.id == row.id).values(doc=_encode(blank))
            )
            purged += 1
    deliveries = db.deliveries
    ended_deliveries: list[str] = []
    for row in conn.execute(  # an ended delivery never changes again: its updated_at is when it ended
        select(deliveries.c.id, deliveries.c.doc).where(
            deliveries.c.status.in_(_DELIVERY_ENDED),
            deliveries.c.updated_at >= since,
            deliveries.c.updated_at < cutoff,
        )
    ).all():
        ended_deliveries.append(row.id)
        delivery = _decode_delivery(row.doc)
        if fleet.forget_door(ctx, delivery):
            purged += 1
        blank_delivery = without_personal_delivery(delivery)
        if blank_delivery != delivery:
            conn.execute(
                update(deliveries).where(deliveries.c.id == row.id).values(doc=_encode(blank_delivery))
            )
            purged += 1
    idempotency.blank_personal(conn, idempotency.ORDER, ended_orders)
    idempotency.blank_personal(conn, idempotency.DELIVERY, ended_deliveries)
    db.set_meta(conn, PERSONAL_PURGED_THROUGH_KEY, cutoff)
    return purged


def file_stored_answers(platform: Platform) -> int:
    """At start: file the answers stored before schema 7 (idempotency.file_earlier_answers), blanking those of
    orders and deliveries this job blanked already."""
    with db.writing(platform.engine) as conn:
        purged_through = db.get_meta(conn, PERSONAL_PURGED_THROUGH_KEY) or ""
        return idempotency.file_earlier_answers(conn, server_secret.of(platform.settings), purged_through)


JOBS: tuple[tuple[str, Callable[[Platform], object]], ...] = (
    ("cancel_overdue", cancel_overdue),
    ("conclude_delivered", conclude_delivered),
    ("pause_unwatched", pause_unwatched),
    ("prune", prune),
    ("purge_personal", purge_personal),
)
_said = SaidOnce(log)


def run_once(platform: Platform) -> None:
    """Each job in turn; one failing does not keep the others from their turn. A job the database refuses to let
    write (its disk full, read-only) says so once per kind, in one line, and once when it writes again; any other
    failure is a bug and keeps its traceback."""
    for name, job in JOBS:
        where = f"background job {name}"
        try:
            job(platform)
        except Exception as error:  # a job failing must not stop the others, now or next time round
            if refused_write(error):  # the disk full, the file read-only, locked: once per kind, in one line
                storage_health.watch_of(platform).failed()
                _said.failed(where, error)
            else:  # a bug ("no such table" too): its traceback
                log.exception("%s failed", where)
        else:
            _said.wrote(where)


async def run_forever(platform: Platform) -> None:
    while True:
        await asyncio.sleep(platform.settings.job_interval_seconds)
        run_once(platform)
