"""Scheduled orders on the platform: the window checked when the order is placed, the order held until its prep
start, or the store's next opening when its hours have it closed then (accept deadline counted from then), and
released by a job that wakes at the next release (rules: `o2o_tui/domain/schedule.py`). The hours are looked at
again at release (closed then: held until they open) and when staff change them (`rehold`, from
`stores.set_hours`), so a held order never rings while its store is closed by its hours, but for one whose
promised time itself they have closed (a holiday set after it was placed): that one cannot be made on time and
rings at once, flagged (`Order.closed_at_promise`), for staff to call the customer or cancel. A ring time worked
out again counts the prep minutes the order was placed with (`Order.scheduled_prep_minutes`).

State lives in the order document (`held_until`, `released_at`); the orders table's `accept_deadline` column is
the held order's deadline (its release + accept timeout), so the timeout job (`jobs.cancel_overdue`) never
cancels a held order early. Several server processes on one database each run the release loop: a release is a
conditional save on the order's version, so the second one finds it released already and skips it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import datetime, timedelta
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import Connection, bindparam, select, update

from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import as_utc
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import ClosedAtPromise, Order, OrderStatus, Timing, TimingType
from o2o_tui.domain.requests import NewOrderLine
from o2o_tui.domain.schedule import (
    WINDOW_MESSAGES,
    closed_at_promise,
    is_held,
    prep_minutes_for,
    prep_start,
    release_time,
    window_problem,
)
from o2o_tui.domain.store import Store, StoreState
from o2o_tui.platform import db, menus, orders, stores
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
_SET_DEADLINE = (
    update(db.orders).where(db.orders.c.id == bindparam("b_id")).values(accept_deadline=bindparam("deadline"))
)
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


def placed_prep_minutes(store: Store, menu: Menu, timing: Timing, lines: list[NewOrderLine]) -> int | None:
    """A new order for later's prep minutes, by the menu now (kept in the order: `Order.scheduled_prep_minutes`);
    None for an instant order."""
    if timing.type is not TimingType.SCHEDULED or timing.window_start is None:
        return None
    own = {item.id: item.prep_minutes for category in menu.categories for item in category.items}
    return prep_minutes_for((own.get(line.item_id) for line in lines), store.default_prep_minutes)


def held_until(store: Store, menu: Menu, timing: Timing, lines: list[NewOrderLine], now: datetime) -> datetime | None:
    """When a new order rings: its prep start, or the store's next opening when its hours have it closed then;
    None when that is now (instant, or a prep start already past while the store is open)."""
    minutes = placed_prep_minutes(store, menu, timing, lines)
    if minutes is None or timing.window_start is None:
        return None
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


def _held(conn: Connection, store_id: str | None = None) -> list[Order]:
    query = _HELD_CANDIDATES if store_id is None else _HELD_CANDIDATES.where(db.orders.c.store_id == store_id)
    found = []
    for row in conn.execute(query):
        try:
            order = _decode(row.doc)
        except msgspec.DecodeError:
            log.warning("order %s does not decode; not released", row.id)
            continue
        if is_held(order):
            found.append(order)
    return found


def _prep_start_of(conn: Connection, store: Store, order: Order) -> datetime:
    """A held order's prep start, by the prep minutes it was placed with; for one placed before they were kept,
    the menu's prep minutes of its items now."""
    assert order.timing.window_start is not None  # a held order is scheduled, with a window
    minutes = order.scheduled_prep_minutes
    if minutes is None:
        menu = menus.load(conn, store.id)
        own = {i.id: i.prep_minutes for category in menu.categories for i in category.items} if menu else {}
        minutes = prep_minutes_for((own.get(line.item_id) for line in order.lines), store.default_prep_minutes)
    return prep_start(as_utc(order.timing.window_start), minutes)


def _closed_at_promise(store: Store, order: Order) -> ClosedAtPromise | None:
    """Why the store's hours have it closed at the order's promised time (None: open then)."""
    if order.timing.window_start is None:
        return None
    start = as_utc(order.timing.window_start)
    return closed_at_promise(start, _zone(store), store.opening_hours, store.hours_exceptions)


def _ring_at(store: Store, at: datetime, now: datetime) -> datetime | None:
    """When an order due to ring at `at` rings under the store's hours as they are now (None: now)."""
    return release_time(at, now, _zone(store), store.opening_hours, store.hours_exceptions)


def _move(ctx: Ctx, store: Store, stored: orders.StoredOrder, ring: datetime) -> None:
    """Hold the order until `ring`, its accept deadline counted from then (event `order.updated`, so consoles
    fetch its new ring time)."""
    timeout = ctx.settings.accept_timeout_seconds or store.accept_timeout_seconds
    deadline = ring + timedelta(seconds=timeout)
    after = msgspec.structs.replace(stored.order, held_until=ring, accept_deadline=deadline)
    orders.save(ctx, stored, after)
    ctx.conn.execute(_SET_DEADLINE, {"b_id": stored.order.id, "deadline": db.iso(deadline)})


def _release(ctx: Ctx, store: Store | None, stored: orders.StoredOrder, closed: ClosedAtPromise | None) -> None:
    """Release the held order now (event `order.released`: every console rings for it as for a new order). One
    the hours have closed at its promised time (`closed`) is flagged so, its accept deadline counted from now."""
    number = orders.number_in_queue(ctx, stored.order)  # its own, unless the queue has it already
    changes: dict[str, object] = {"held_until": None, "released_at": ctx.now, "number": number}
    if store is not None and closed is not None:
        timeout = ctx.settings.accept_timeout_seconds or store.accept_timeout_seconds
        changes["accept_deadline"] = ctx.now + timedelta(seconds=timeout)
        changes["closed_at_promise"] = closed
    orders.save(ctx, stored, msgspec.structs.replace(stored.order, **changes), RELEASED_EVENT)
    deadline = changes.get("accept_deadline")
    if isinstance(deadline, datetime):  # the orders table's column too (the timeout job reads it)
        ctx.conn.execute(_SET_DEADLINE, {"b_id": stored.order.id, "deadline": db.iso(deadline)})


def _flagged(conn: Connection, store_id: str) -> list[Order]:
    """The store's new orders rung because its hours had them closed at their promised time (not held)."""
    found = []
    for row in conn.execute(_HELD_CANDIDATES.where(db.orders.c.store_id == store_id)):
        try:
            order = _decode(row.doc)
        except msgspec.DecodeError:
            continue
        if order.closed_at_promise is not None and not is_held(order):
            found.append(order)
    return found


def _recheck_flags(ctx: Ctx, store: Store) -> None:
    """A new order flagged `closed_at_promise` whose promised time the new hours have open again (the holiday
    taken back, the hours changed back before anyone acted) loses the flag: it can be made on time, so no call
    or cancel is asked (it stays in the live queue, as it rang); one still closed then, for another reason now
    (a holiday gone, the weekly hours closed), says the new reason (event `order.updated`)."""
    for order in _flagged(ctx.conn, store.id):
        stored = orders.load(ctx.conn, order.id)
        if stored is None or stored.order.status is not OrderStatus.CREATED or is_held(stored.order):
            continue
        closed = _closed_at_promise(store, stored.order)
        if closed == stored.order.closed_at_promise:
            continue
        ctx.record("order", order.id, "update")
        orders.save(ctx, stored, msgspec.structs.replace(stored.order, closed_at_promise=closed))


def rehold(ctx: Ctx, store: Store) -> int:
    """The store's hours (or dated exceptions) changed: every order of it still held rings again at its prep
    start, or the next opening of the new hours when they have it closed then (now when that is past: the release
    job takes it at once); one whose promised time the new hours have closed rings now, flagged
    (`Order.closed_at_promise`); one rung so before whose promised time they have open again loses the flag
    (`_recheck_flags`). Answers how many ring times moved."""
    _recheck_flags(ctx, store)  # before: an order rung below is flagged by these very hours
    moved = 0
    for order in _held(ctx.conn, store.id):
        stored = orders.load(ctx.conn, order.id)
        if stored is None or not is_held(stored.order) or stored.order.timing.window_start is None:
            continue
        closed = _closed_at_promise(store, stored.order)
        if closed is not None:  # cannot be made on time: staff call the customer or cancel, now
            ctx.record("order", order.id, "release")
            _release(ctx, store, stored, closed)
            moved += 1
            continue
        ring = _ring_at(store, _prep_start_of(ctx.conn, store, stored.order), ctx.now) or ctx.now
        held = stored.order.held_until
        if held is not None and as_utc(held) == ring:
            continue
        ctx.record("order", order.id, "hold")
        _move(ctx, store, stored, ring)
        moved += 1
    if moved:
        nudge()
    return moved


def release_due(platform: Platform, now: datetime | None = None) -> tuple[int, datetime | None]:
    """Release every held order whose prep start has come (event `order.released`: every console rings for it
    as for a new order), unless the store's hours have it closed now: then it is held until they next open, its
    accept deadline counted from then (event `order.updated`). A pause or a staff close does not hold it: it
    rings as a live order placed before the pause does. Answers (how many were released, the next ring time
    still ahead or None)."""
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
                store = stores.load(conn, stored.order.store_id)
                closed = _closed_at_promise(store, stored.order) if store is not None else None
                ring = _ring_at(store, ctx.now, ctx.now) if store is not None and closed is None else None
                if store is not None and ring is not None:  # closed by its hours now: ring when they open
                    ctx.record("order", order_id, "hold")
                    _move(ctx, store, stored, ring)
                    ahead.append(ring)
                else:  # due and open now; or closed at the promised time itself: rings now, flagged
                    ctx.record("order", order_id, "release")
                    _release(ctx, store, stored, closed)
                    released += 1
            platform.notifier.notify(ctx.scopes)
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

