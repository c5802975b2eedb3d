"""Scheduled orders on the platform: the window checked when the order is placed, the order held until its prep
start, or the store's next opening when its hours have it closed then (accept deadline counted from then), and
released by a job that wakes at the next release (rules: `o2o_tui/domain/schedule.py`).

State lives in the order document (`held_until`, `released_at`); the orders table's `accept_deadline` column is
the held order's deadline (its release + accept timeout), so the timeout job (`jobs.cancel_overdue`) never
cancels a held order early. Several server processes on one database each run the release loop: a release is a
conditional save on the order's version, so the second one finds it released already and skips it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import Connection, select

from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import as_utc
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order, OrderStatus, Timing, TimingType
from o2o_tui.domain.requests import NewOrderLine
from o2o_tui.domain.schedule import (
    WINDOW_MESSAGES,
    is_held,
    prep_minutes_for,
    prep_start,
    release_time,
    window_problem,
)
from o2o_tui.domain.store import Store, StoreState
from o2o_tui.platform import db, orders, stores
from o2o_tui.platform.auth import Caller
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import ApiError, validation
from o2o_tui.platform.write_failures import SaidOnce, refused_write

if TYPE_CHECKING:
    from o2o_tui.platform.state import Platform

log = logging.getLogger("o2o.platform.scheduled")

RELEASED_EVENT = "order.released"
SYSTEM = Caller(user_id="system", name="platform", role=Role.ADMIN)  # as jobs.SYSTEM (jobs imports orders)
_MIN_WAIT_S = 0.05
_decode = msgspec.json.Decoder(Order).decode
_HELD_CANDIDATES = select(db.orders.c.id, db.orders.c.doc).where(db.orders.c.status == OrderStatus.CREATED.value)
# the release loops of this process (their loop and wake-up), poked when a new held order may be due sooner
_wakers: set[tuple[asyncio.AbstractEventLoop, asyncio.Event]] = set()


def _zone(store: Store) -> ZoneInfo:
    try:
        return ZoneInfo(store.timezone)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def check_window(store: Store, timing: Timing, now: datetime) -> None:
    """A scheduled order's window: in the future, within SCHEDULE_DAYS_MAX days, in the store's opening hours
    (422 naming `timing.window_start` with the reason). An instant order has nothing to check."""
    if timing.type is not TimingType.SCHEDULED:
        return
    problem = window_problem(
        timing.window_start, now, _zone(store), store.opening_hours, store.hours_exceptions
    )
    if problem is not None:
        raise validation("timing.window_start", WINDOW_MESSAGES[problem])


def admits(store: Store, now: datetime, timing: Timing) -> bool:
    """Whether the store takes this order now: an instant one only while it takes orders; one for later also
    while it is closed by its hours (its window was checked against them), never while paused or closed by
    staff."""
    if stores.takes_orders(store, now):
        return True
    return timing.type is TimingType.SCHEDULED and store.status.state in (StoreState.ONLINE, StoreState.BUSY)


def held_until(store: Store, menu: Menu, timing: Timing, lines: list[NewOrderLine], now: datetime) -> datetime | None:
    """When a new order rings: its prep start, or the store's next opening when its hours have it closed then;
    None when that is now (instant, or a prep start already past while the store is open)."""
    if timing.type is not TimingType.SCHEDULED or timing.window_start is None:
        return None
    own = {item.id: item.prep_minutes for category in menu.categories for item in category.items}
    minutes = prep_minutes_for((own.get(line.item_id) for line in lines), store.default_prep_minutes)
    start = prep_start(timing.window_start, minutes)
    return release_time(start, now, _zone(store), store.opening_hours, store.hours_exceptions)


def due_day(store: Store, timing: Timing) -> str:
    """The day (YYYY-MM-DD, the store's clock) a held order is due: whose counter numbers it."""
    assert timing.window_start is not None  # a held order is scheduled, with a window
    return timing.window_start.astimezone(_zone(store)).strftime("%Y-%m-%d")


def on_confirm(order: Order, now: datetime) -> dict[str, object]:
    """What accepting changes for a scheduled order: no longer held (accepted early leaves the scheduled view,
    released by staff now: the day's accept time counts it from then, `reports.py`)."""
    changes: dict[str, object] = {}
    if order.held_until is not None:
        changes["held_until"] = None
        if is_held(order):
            changes["released_at"] = now
    return changes


def nudge() -> None:
    """A held order was placed: wake this process's release loops to look again (after the commit, since this
    runs inside the request's transaction on the event loop's thread)."""
    for loop, wake in list(_wakers):
        try:
            loop.call_soon_threadsafe(wake.set)
        except RuntimeError:  # that loop has closed
            _wakers.discard((loop, wake))


def _held(conn: Connection) -> list[Order]:
    found = []
    for row in conn.execute(_HELD_CANDIDATES):
        try:
            order = _decode(row.doc)
        except msgspec.DecodeError:
            log.warning("order %s does not decode; not released", row.id)
            continue
        if is_held(order):
            found.append(order)
    return found


def release_due(platform: Platform, now: datetime | None = None) -> tuple[int, datetime | None]:
    """Release every held order whose prep start has come (event `order.released`: every console rings for it
    as for a new order). Answers (how many were released, the next prep start still ahead or None)."""
    now = now or db.utcnow()
    with platform.engine.connect() as conn:
        held = _held(conn)
    due = [order.id for order in held if order.held_until is not None and as_utc(order.held_until) <= now]
    ahead = [as_utc(order.held_until) for order in held if order.held_until and as_utc(order.held_until) > now]
    released = 0
    for order_id in due:
        try:
            with db.writing(platform.engine) as conn:
                ctx = Ctx(conn=conn, caller=SYSTEM, now=db.utcnow(), settings=platform.settings)
                stored = orders.load(conn, order_id)
                if stored is None or not is_held(stored.order):  # accepted early, cancelled, or released
                    continue
                ctx.record("order", order_id, "release")
                number = orders.number_in_queue(ctx, stored.order)  # its own, unless the queue has it already
                after = msgspec.structs.replace(stored.order, held_until=None, released_at=ctx.now, number=number)
                orders.save(ctx, stored, after, RELEASED_EVENT)
            platform.notifier.notify(ctx.scopes)
            released += 1
        except ApiError as error:  # changed meanwhile (another process released it, a late cancel): skip it
            log.info("release skipped order %s: %s", order_id, error)
    return released, min(ahead) if ahead else None


_WHERE = "background job release_held_orders"
_said = SaidOnce(log)


async def run_forever(platform: Platform) -> None:
    """Release held orders at their prep start: sleep until the next one (at most a job interval, so another
    process's new held orders are seen too), woken early when this process takes a new held order."""
    loop = asyncio.get_running_loop()
    wake = asyncio.Event()
    waker = (loop, wake)
    _wakers.add(waker)
    try:
        while True:
            wait = platform.settings.job_interval_seconds
            try:
                _, upcoming = release_due(platform)
                if upcoming is not None:
                    wait = min(wait, (upcoming - db.utcnow()).total_seconds())
                _said.wrote(_WHERE)
            except Exception as error:  # a failing round must not stop the next one
                if refused_write(error):  # the disk full, the file read-only, locked: once per kind, in one line
                    _said.failed(_WHERE, error)
                else:  # a bug ("no such table" too): its traceback
                    log.exception("releasing scheduled orders failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), max(_MIN_WAIT_S, wait))
            wake.clear()
    finally:
        _wakers.discard(waker)

