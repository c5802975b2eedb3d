"""Orders: creation (priced from the menu), every action of the transition table, listing, code checks."""

from __future__ import annotations

import base64
import dataclasses
import re
import secrets
from datetime import datetime, timedelta

import msgspec
from sqlalchemy import Connection, and_, bindparam, or_, select, update

from o2o_tui.domain.cancel_reasons import ADMIN_REASONS, CUSTOMER_REASONS, DENY_REASONS, reason_in
from o2o_tui.domain.delay import DelayCheck, check_delay, delayed_promise
from o2o_tui.domain.errors import ErrorDetail
from o2o_tui.domain.events import EntityKind
from o2o_tui.domain.geo import address_of
from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import (
    DELAY_MINUTES_MAX,
    DELAY_MINUTES_MIN,
    DELAY_TOTAL_MAX,
    ID_PATTERN,
    PREP_MINUTES_MAX,
    PREP_MINUTES_MIN,
    REJECT_REASONS,
    TIME_RANGE_MESSAGE,
    as_utc,
    blank,
    reject_reason,
    time_in_range,
)
from o2o_tui.domain.money import Money, zero
from o2o_tui.domain.order import (
    ENDED_STATUSES,
    Cancellation,
    CodeLock,
    CustomerContact,
    Order,
    OrderStatus,
    OrderType,
    Party,
    Payment,
    Timing,
    Totals,
    payment_on_cancel,
    timing_of,
)
from o2o_tui.domain.requests import CodeValidation, CreateOrderBody, ReasonBody
from o2o_tui.domain.schedule import is_held, promised_on_accept
from o2o_tui.domain.transitions import (
    ORDER_TRANSITIONS,
    OrderAction,
    TransitionCheck,
    check_order_transition,
    refused_message,
)
from o2o_tui.platform import code_attempts, db, menus, scheduled, stores
from o2o_tui.platform.auth import Caller, require_role
from o2o_tui.platform.code_attempts import CodeSubject
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import ApiError, conflict, illegal_transition, not_found, validation
from o2o_tui.platform.pricing import price_lines, subtotal

DELIVERY_FEE_MINOR = 500
ACCEPT_TIMEOUT_REASON = "ACCEPT_TIMEOUT"  # the platform cancelled an order nobody confirmed by its accept deadline
DEFAULT_PAGE = 100
MAX_PAGE = 500

_decode = msgspec.json.Decoder(Order).decode
_encode = msgspec.json.Encoder().encode
_ENDED = tuple(status.value for status in ENDED_STATUSES)
_STAFF = (Role.MERCHANT, Role.DISPATCHER)


class StoredOrder(msgspec.Struct, frozen=True):
    order: Order
    customer_id: str


_LOAD = select(db.orders.c.doc, db.orders.c.customer_id).where(db.orders.c.id == bindparam("b_id"))
_SAVE = (
    update(db.orders)
    .where(db.orders.c.id == bindparam("b_id"), db.orders.c.version == bindparam("b_version"))
    .values(
        status=bindparam("status"),
        version=bindparam("version"),
        updated_at=bindparam("updated_at"),
        ended_at=bindparam("ended_at"),
        number=bindparam("number"),  # a held order may take another as it joins the queue (`number_in_queue`)
        doc=bindparam("doc"),
    )
)
_INSERT = db.orders.insert()


def load(conn: Connection, order_id: str) -> StoredOrder | None:
    row = conn.execute(_LOAD, {"b_id": order_id}).first()
    return None if row is None else StoredOrder(_decode(row.doc), row.customer_id)


def visible(conn: Connection, caller: Caller, order_id: str, allowed: tuple[Role, ...]) -> StoredOrder:
    """The order if `caller` may act on it: 403 for a role that never may, 404 when it is not theirs."""
    require_role(caller, (*allowed, Role.ADMIN))
    stored = load(conn, order_id)
    if stored is None:
        raise not_found("order")
    if caller.role in _STAFF and stored.order.store_id != caller.store_id:
        raise not_found("order")
    if caller.role is Role.CUSTOMER and stored.customer_id != caller.user_id:
        raise not_found("order")
    return stored


def get(ctx: Ctx, order_id: str) -> StoredOrder:
    return visible(ctx.conn, ctx.caller, order_id, (*_STAFF, Role.CUSTOMER))


def save(ctx: Ctx, before: StoredOrder, after: Order, event_type: str = "order.updated") -> StoredOrder:
    """Write `after` with the version bumped, if nobody changed the order meanwhile; emit `event_type`."""
    old = before.order
    after = msgspec.structs.replace(after, version=old.version + 1, updated_at=ctx.now)
    result = ctx.conn.execute(
        _SAVE,
        {
            "b_id": old.id,
            "b_version": old.version,
            "status": after.status.value,
            "version": after.version,
            "updated_at": db.iso(ctx.now),
            "ended_at": db.iso(after.ended_at) if after.ended_at else None,
            "number": after.number,
            "doc": _encode(after),
        },
    )
    if result.rowcount != 1:
        raise conflict("the order changed at the same time; retry")
    ctx.emit(
        event_type,
        EntityKind.ORDER,
        after.id,
        after.version,
        store_id=after.store_id,
        customer_id=before.customer_id,
    )
    return StoredOrder(after, before.customer_id)


def transition(ctx: Ctx, stored: StoredOrder, action: OrderAction, **changes: object) -> StoredOrder:
    """Apply one row of `ORDER_TRANSITIONS`; already in the target state is a success that changes nothing."""
    order = stored.order
    check = check_order_transition(order.status, order.type, action)
    target = ORDER_TRANSITIONS[action].target
    if check is TransitionCheck.ALREADY:
        return stored
    if check is TransitionCheck.ILLEGAL:  # saying which action to use instead where one does (reject -> cancel)
        refused = illegal_transition(order.status.value, target.value).detail
        message = refused_message(order.status, order.type, action)
        raise ApiError(409, msgspec.structs.replace(refused, message=message))
    if target in ENDED_STATUSES and order.ended_at is None:  # concluding keeps the delivery time
        changes.setdefault("ended_at", ctx.now)
    if target is OrderStatus.CANCELLED:  # a paid order's money goes back with its cancel: REFUNDED
        changes.setdefault("payment", payment_on_cancel(order.payment))
    ctx.record("order", order.id, action.value)
    after = save(ctx, stored, msgspec.structs.replace(order, status=target, **changes))
    if action in (OrderAction.CONFIRM, OrderAction.READY) and after.order.delivery_id is not None:
        from o2o_tui.platform import fleet  # fleet builds on orders

        fleet.follow_ready_time(ctx, after.order)  # the courier sees the new ready time
    return after


# --- creation ----------------------------------------------------------------------------------------------------


_counters = db.order_counters
_COUNTER_WHERE = and_(_counters.c.store_id == bindparam("b_store"), _counters.c.day == bindparam("b_day"))
_BUMP = update(_counters).where(_COUNTER_WHERE).values(last_number=_counters.c.last_number + 1)
_COUNTER = select(_counters.c.last_number).where(_COUNTER_WHERE)
_START_COUNTER = _counters.insert()
_CODE_TAKEN = (
    select(db.orders.c.id)
    .where(
        db.orders.c.store_id == bindparam("b_store"),
        db.orders.c.pickup_code == bindparam("b_code"),
        db.orders.c.status.not_in(_ENDED),
    )
    .limit(1)
)


_QUEUED = select(db.orders.c.id, db.orders.c.number, db.orders.c.status, db.orders.c.doc).where(
    # on ix_orders_store_status: this store's open orders only (not every order it ever had, nor every store's)
    db.orders.c.store_id == bindparam("b_store"),
    db.orders.c.status.in_([status.value for status in OrderStatus if status not in ENDED_STATUSES]),
)


class _HeldProbe(msgspec.Struct):
    held_until: datetime | None = None


_decode_held = msgspec.json.Decoder(_HeldProbe).decode


def _numbers_in_queue(conn: Connection, store_id: str, but: str = "") -> set[int]:
    """The numbers of the store's orders in its live queue: not ended, not held for later (a held order due on
    another day may share a number with one of today's until it is released: `number_in_queue`)."""
    taken = set()
    for row in conn.execute(_QUEUED, {"b_store": store_id}):
        if row.id == but:
            continue
        if row.status == OrderStatus.CREATED.value and _decode_held(row.doc).held_until is not None:
            continue
        taken.add(row.number)
    return taken


def _next_number(conn: Connection, store_id: str, day: str, taken: set[int] | frozenset[int] = frozenset()) -> int:
    """The next number of the store's `day` that no order in the live queue holds (`taken`): an order left from
    the day before, or one for later released early, keeps its number and today's counter steps over it."""
    where = {"b_store": store_id, "b_day": day}
    while True:
        if conn.execute(_BUMP, where).rowcount == 0:
            conn.execute(_START_COUNTER, {"store_id": store_id, "day": day, "last_number": 1})
            number = 1
        else:
            number = conn.execute(_COUNTER, where).scalar_one()
        if number not in taken:
            return number


def number_in_queue(ctx: Ctx, order: Order) -> int:
    """The number a held order has as it joins the live queue (released, or accepted early): its own (of the
    day it is due), unless an order in the queue holds it already; then the next free one of today."""
    taken = _numbers_in_queue(ctx.conn, order.store_id, but=order.id)
    if order.number not in taken:
        return order.number
    store = stores.load(ctx.conn, order.store_id)
    day = (stores.local_time(store, ctx.now) if store is not None else ctx.now).strftime("%Y-%m-%d")
    return _next_number(ctx.conn, order.store_id, day, taken)


def _four_digits() -> str:
    return f"{secrets.randbelow(10_000):04d}"


def _free_pickup_code(conn: Connection, store_id: str) -> str:
    """A pickup code no other open order of the store holds, so a scan names one order."""
    for _ in range(50):
        code = _four_digits()
        if conn.execute(_CODE_TAKEN, {"b_store": store_id, "b_code": code}).first() is None:
            return code
    raise conflict("no free pickup code; too many open orders")


def _checked_timing(body: CreateOrderBody) -> Timing:
    """The window's ends are aware (the body type says so); here: within the years we take, in order."""
    timing = body.timing
    for name in ("window_start", "window_end"):
        moment = getattr(timing, name)
        if moment is not None and not time_in_range(moment):
            raise validation(f"timing.{name}", TIME_RANGE_MESSAGE)
    if timing.window_start and timing.window_end and timing.window_end <= timing.window_start:
        raise validation("timing.window_end", "the window must end after it starts")
    return timing_of(timing)


def create(ctx: Ctx, body: CreateOrderBody) -> tuple[StoredOrder, bool]:
    """Place an order; answer (order, created). A second create with the same id answers the first order."""
    caller = ctx.caller
    require_role(caller, (Role.CUSTOMER, Role.ADMIN))
    # free text, lists, quantities, positions and ids are bounded by the body's type (decoded strictly)
    existing = load(ctx.conn, body.id)
    if existing is not None:
        if existing.customer_id != caller.user_id and caller.role is not Role.ADMIN:
            raise conflict("this order id is taken")
        return existing, False
    if blank(body.customer_name):  # spaces or zero-width characters only: nothing to call out at the counter
        raise validation("customer_name", "a name for the order")
    if blank(body.customer_phone):
        raise validation("customer_phone", "a phone number for the order")
    if body.type is OrderType.DELIVERY and body.address is None:
        raise validation("address", "a delivery order needs an address")
    timing = _checked_timing(body)
    store = stores.load(ctx.conn, body.store_id)
    if store is None:
        raise not_found("store")
    local = stores.local_time(store, ctx.now)
    scheduled.check_window(store, timing, ctx.now)  # an order for later: future, within days, in the hours
    if not scheduled.admits(store, ctx.now, timing):  # paused, closed, or outside its hours (domain/hours.py)
        raise conflict("the store is not taking orders now", code="store_unavailable")
    menu = menus.load(ctx.conn, store.id)
    if menu is None:
        raise conflict("the store has no menu", code="store_unavailable")
    lines = price_lines(menu, body.lines, ctx.now)
    held = scheduled.held_until(store, menu, timing, body.lines, ctx.now)  # until its prep start, if later
    today = local.strftime("%Y-%m-%d")
    # a held order is numbered on the day it is due (as Meituan numbers 预订单), so that day's counter goes on
    # after it; what is in the queue now matters only to a number of today
    day = scheduled.due_day(store, timing) if held is not None else today
    number = _next_number(ctx.conn, store.id, day, _numbers_in_queue(ctx.conn, store.id) if day == today else set())
    fee = (
        Money(DELIVERY_FEE_MINOR, store.currency) if body.type is OrderType.DELIVERY else zero(store.currency)
    )
    sub = subtotal(lines, store.currency)
    timeout = ctx.settings.accept_timeout_seconds or store.accept_timeout_seconds
    order = Order(
        id=body.id,
        store_id=store.id,
        number=number,
        type=body.type,
        status=OrderStatus.CREATED,
        timing=timing,
        lines=lines,
        totals=Totals(subtotal=sub, delivery_fee=fee, discount=zero(store.currency), total=sub + fee),
        payment=Payment(),
        customer=CustomerContact(
            name=body.customer_name, phone=body.customer_phone, address=address_of(body.address)
        ),
        created_at=ctx.now,
        updated_at=ctx.now,
        version=1,
        note=body.note,
        accept_deadline=(held or ctx.now) + timedelta(seconds=timeout),
        pickup_code=_free_pickup_code(ctx.conn, store.id),
        held_until=held,
        scheduled_prep_minutes=scheduled.placed_prep_minutes(store, menu, timing, body.lines),
        delivery_code=_four_digits() if body.type is OrderType.DELIVERY else None,
    )
    ctx.conn.execute(
        _INSERT,
        {
            "id": order.id,
            "store_id": order.store_id,
            "customer_id": caller.user_id,
            "status": order.status.value,
            "number": order.number,
            "version": order.version,
            "created_at": db.iso(ctx.now),
            "updated_at": db.iso(ctx.now),
            "accept_deadline": db.iso(order.accept_deadline) if order.accept_deadline else None,
            "pickup_code": order.pickup_code,
            "ended_at": None,
            "doc": _encode(order),
        },
    )
    ctx.record("order", order.id, "create")
    ctx.emit("order.created", EntityKind.ORDER, order.id, 1, store_id=store.id, customer_id=caller.user_id)
    if held is not None:
        scheduled.nudge()  # the release job wakes at its prep start
    return StoredOrder(order, caller.user_id), True


# --- merchant actions --------------------------------------------------------------------------------------------


def confirm(
    ctx: Ctx, order_id: str, preparation_minutes: int, auto: bool = False, key: str | None = None
) -> StoredOrder:
    """Accept the order. `key`: the request's Idempotency-Key, recorded as the accept that stood
    (`Order.accept_key`); a later accept of the same minutes changes nothing and answers the first one's key."""
    stored = visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT,))
    if not PREP_MINUTES_MIN <= preparation_minutes <= PREP_MINUTES_MAX:
        raise validation("preparation_minutes", f"between {PREP_MINUTES_MIN} and {PREP_MINUTES_MAX} minutes")
    _refuse_past_deadline(ctx, stored)
    store = stores.load(ctx.conn, stored.order.store_id)
    _refuse_second_accept(stored.order, preparation_minutes, store.timezone if store is not None else None)
    if auto and stored.order.status is OrderStatus.CREATED:  # the printing station's auto-accept: the daily cap
        from o2o_tui.platform import auto_accept

        auto_accept.admit(ctx, stored.order)
    status = store.status if store is not None else None
    # accepted at the tap (X-Occurred-At): the kitchen starts then, and the ticket printed on it says tap + minutes,
    # so the promise the customer and courier see counts from it too, bounded: never before the order was placed
    # nor after this request arrived (a clock running fast), and the promise never earlier than now
    tapped = max(min(ctx.occurred_at or ctx.now, ctx.now), as_utc(stored.order.created_at))
    promised = max(promised_on_accept(stored.order, status, preparation_minutes, tapped), ctx.now)
    return transition(
        ctx,
        stored,
        OrderAction.CONFIRM,
        confirmed_at=tapped,
        preparation_minutes=preparation_minutes,
        promised_ready_at=promised,
        **scheduled.on_confirm(stored.order, tapped),
        **({"number": number_in_queue(ctx, stored.order)} if is_held(stored.order) else {}),  # accepted early
        **({"auto_accepted": True} if auto else {}),
        accept_key=key,
    )


def delay(ctx: Ctx, order_id: str, minutes: int) -> StoredOrder:
    """The kitchen needs `minutes` more: the promise moves later (`o2o_tui.domain.delay`), the courier's delivery
    follows it. No state changes, so it is no row of the transition table."""
    stored = visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT,))
    order = stored.order
    check = check_delay(order, minutes)
    if check is DelayCheck.BAD_MINUTES:
        raise validation("minutes", f"between {DELAY_MINUTES_MIN} and {DELAY_MINUTES_MAX} minutes")
    if check is DelayCheck.NOT_NOW:
        message = f"only an accepted order that is not ready yet can be delayed (it is {order.status.value})"
        raise conflict(message, code="not_delayable")
    if check is DelayCheck.OVER_LIMIT:
        message = f"an order can be delayed by {DELAY_TOTAL_MAX} minutes in all ({order.delayed_minutes} already)"
        raise conflict(message, code="delay_limit")
    tapped = ctx.occurred_at or ctx.now
    ctx.record("order", order.id, "delay")
    later = msgspec.structs.replace(
        order,
        promised_ready_at=delayed_promise(order, minutes, tapped),
        delayed_minutes=order.delayed_minutes + minutes,
    )
    after = save(ctx, stored, later)
    if after.order.delivery_id is not None:
        from o2o_tui.platform import fleet  # fleet builds on orders

        fleet.follow_ready_time(ctx, after.order)  # the courier is told to come later
    return after


_ACCEPTED = frozenset(
    {OrderStatus.CONFIRMED, OrderStatus.PREPARING, OrderStatus.READY_FOR_PICKUP, OrderStatus.DISPATCHED}
)


def _refuse_second_accept(order: Order, preparation_minutes: int, timezone: str | None) -> None:
    """An accept (under a new key) that finds the order accepted already, by another counter, a script or the
    station: the first accept stands and this one is refused with its minutes and promise (409
    `already_accepted`), so the device that sent it tells its user the real ready time, not its own. The same
    minutes on an order still CONFIRMED is the same accept: a success that changes nothing."""
    if order.status not in _ACCEPTED:
        return
    if order.status is OrderStatus.CONFIRMED and order.preparation_minutes == preparation_minutes:
        return
    detail = ErrorDetail(
        code="already_accepted",
        message=f"the order was already accepted with {order.preparation_minutes} minutes",
        from_=order.status.value,
        to=OrderStatus.CONFIRMED.value,
        preparation_minutes=order.preparation_minutes,
        promised_ready_at=order.promised_ready_at,
        timezone=timezone,
    )
    raise ApiError(409, detail)


def _refuse_past_deadline(ctx: Ctx, stored: StoredOrder) -> None:
    """A confirm that arrives after the accept deadline finds the order cancelled, whether or not the deadline job
    has run yet: the order is cancelled now (by the platform, as the job would) and the confirm refused with it,
    so the answer never depends on the job's timing."""
    deadline = stored.order.accept_deadline
    if stored.order.status is not OrderStatus.CREATED or deadline is None or as_utc(deadline) > ctx.now:
        return
    # the platform's cancel at the deadline, as the job's would be: the action log names the platform and the
    # deadline, not the caller whose accept (tapped before it, sent after it) found the order cancelled
    platform = dataclasses.replace(ctx, caller=scheduled.SYSTEM, occurred_at=as_utc(deadline))
    cancelled = cancel_stored(platform, stored, ACCEPT_TIMEOUT_REASON, Party.PLATFORM)
    ctx.wrote_events = ctx.wrote_events or platform.wrote_events
    ctx.scopes.update(platform.scopes)
    refusal = illegal_transition(cancelled.order.status.value, OrderStatus.CONFIRMED.value)
    refusal.keep_changes = True  # the cancellation commits with the refusal
    raise refusal


def _reason_code(body: ReasonBody) -> str:
    code = body.reason_code.strip()
    if not code or len(code) > 64:
        raise validation("reason_code", "a reason code of 1 to 64 characters")
    return code


def _store_reason(body: ReasonBody) -> str:
    """A store's reason for rejecting or cancelling an order: one of the codes its console and `o2o orders
    reject/cancel --reason` offer (any case, `-` for `_`), as the reports and the other devices name them."""
    code = reject_reason(_reason_code(body))
    if code is None:
        raise validation("reason_code", "one of " + ", ".join(REJECT_REASONS))
    return code.value


def _reason_of(body: ReasonBody, allowed: tuple[str, ...]) -> str:
    """A reason code of its own list (`o2o_tui/domain/cancel_reasons.py`: the customer's, a deny's, an admin's;
    any case, `-` for `_`), stored as the list spells it; another is a 422 naming `reason_code` and the list."""
    code = reason_in(_reason_code(body), allowed)
    if code is None:
        raise validation("reason_code", "one of " + ", ".join(allowed))
    return code


def _cancel_reason(ctx: Ctx, body: ReasonBody) -> str:
    """The reason of a cancel or a cancellation request, from the list of who gives it: a store's (as its reject),
    a customer's, an admin's (either side's and the platform's own)."""
    if ctx.caller.role is Role.MERCHANT:
        return _store_reason(body)
    return _reason_of(body, CUSTOMER_REASONS if ctx.caller.role is Role.CUSTOMER else ADMIN_REASONS)


def reject(ctx: Ctx, order_id: str, body: ReasonBody) -> StoredOrder:
    stored = visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT,))
    code = _store_reason(body)
    return transition(ctx, stored, OrderAction.REJECT, cancel_reason_code=code, cancelled_by=Party.MERCHANT)


def simple(ctx: Ctx, order_id: str, action: OrderAction) -> StoredOrder:
    """preparing, ready, dispatch, delivered: no body, only the transition (and its time stamps)."""
    allowed = (
        (Role.MERCHANT, Role.DISPATCHER)
        if action in (OrderAction.DISPATCH, OrderAction.DELIVERED)
        else (Role.MERCHANT,)
    )
    stored = visible(ctx.conn, ctx.caller, order_id, allowed)
    changes: dict[str, object] = {"ready_at": ctx.now} if action is OrderAction.READY else {}
    after = transition(ctx, stored, action, **changes)
    if after is not stored and action is OrderAction.DELIVERED:
        from o2o_tui.platform import fleet  # fleet builds on orders

        fleet.settle_for_order(ctx, after.order)
        after = load(ctx.conn, after.order.id) or after  # settling may have noted the courier's last step
    return after


def handoff(ctx: Ctx, order_id: str, code: str) -> StoredOrder:
    stored = visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT,))
    check_code(ctx, stored, CodeSubject.PICKUP, code)  # before "already done": a done order is no oracle
    return transition(ctx, stored, OrderAction.HANDOFF)


# --- codes: wrong tries lock them (o2o_tui/platform/code_attempts.py) -----------------------------------------


def check_code(ctx: Ctx, stored: StoredOrder, subject: CodeSubject, given: str | None) -> None:
    """The order's pickup or delivery code: 423 while locked, 409 `wrong_code` (counted) when wrong; the try that
    locks it writes the lock onto the order (`order.code_locked`), so the store's devices show it."""
    if given is None or not given.strip():  # a slip (an unset variable, a stray Enter), not a guess: not counted
        raise validation("code", "the code the customer or courier shows, not empty")
    order = stored.order
    expected = order.pickup_code if subject is CodeSubject.PICKUP else order.delivery_code

    def show_lock(until: datetime) -> None:
        kept = [lock for lock in order.code_locks if lock.kind != subject.value and lock.until > ctx.now]
        locks = [*kept, CodeLock(kind=subject.value, until=until)]
        ctx.record("order", order.id, f"code-locked:{subject.value}")
        save(ctx, stored, msgspec.structs.replace(order, code_locks=locks), "order.code_locked")

    code_attempts.check(ctx, subject, order.id, given, expected, on_lock=show_lock, store_id=order.store_id)


_ORDER_CODES = (CodeSubject.PICKUP, CodeSubject.DELIVERY)


def lift_code_lock(ctx: Ctx, order_id: str) -> StoredOrder:
    """Staff of the order's store take its codes again at once: the wrong tries are forgotten and the locks go.
    Nothing locked is a success that changes nothing (as every repeated action)."""
    stored = visible(ctx.conn, ctx.caller, order_id, _STAFF)
    for subject in _ORDER_CODES:
        code_attempts.clear(ctx, subject, order_id)
    if not stored.order.code_locks:
        return stored
    ctx.record("order", order_id, "code-lock-lift")
    return save(ctx, stored, msgspec.structs.replace(stored.order, code_locks=[]))


def cancel(ctx: Ctx, order_id: str, body: ReasonBody) -> StoredOrder:
    stored = visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT, Role.CUSTOMER))
    status = stored.order.status
    if ctx.caller.role is Role.CUSTOMER and status not in (OrderStatus.CREATED, OrderStatus.CANCELLED):
        raise illegal_transition(status.value, OrderStatus.CANCELLED.value)
    code = _cancel_reason(ctx, body)  # a store's code is one of its list, a customer's and an admin's of theirs
    return cancel_stored(ctx, stored, code, _party_of(ctx))


def _party_of(ctx: Ctx) -> Party:
    return {Role.CUSTOMER: Party.CUSTOMER, Role.MERCHANT: Party.MERCHANT}.get(ctx.caller.role, Party.PLATFORM)


def cancel_stored(ctx: Ctx, stored: StoredOrder, reason_code: str, by: Party) -> StoredOrder:
    after = transition(
        ctx, stored, OrderAction.CANCEL, cancel_reason_code=reason_code, cancellation=None, cancelled_by=by
    )
    if after is not stored:
        from o2o_tui.platform import fleet  # fleet builds on orders

        fleet.settle_for_order(ctx, after.order)
        after = load(ctx.conn, after.order.id) or after  # settling may have noted the courier's last step
    return after


def request_cancellation(ctx: Ctx, order_id: str, body: ReasonBody) -> StoredOrder:
    stored = visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT, Role.CUSTOMER))
    order = stored.order
    reason_code = _cancel_reason(ctx, body)
    if order.status is OrderStatus.CANCELLED:
        return stored
    if order.status in ENDED_STATUSES:
        raise illegal_transition(order.status.value, OrderStatus.CANCELLED.value)
    if order.cancellation is not None:
        return stored
    # who asks: an admin's request is the platform's (as an admin's cancel is), not the store's
    party = {Role.CUSTOMER: Party.CUSTOMER, Role.ADMIN: Party.PLATFORM}.get(ctx.caller.role, Party.MERCHANT)
    flag = Cancellation(requested_by=party, reason_code=reason_code, reason=body.reason, requested_at=ctx.now)
    ctx.record("order", order.id, "cancellation")
    return save(ctx, stored, msgspec.structs.replace(order, cancellation=flag))


def accept_cancellation(ctx: Ctx, order_id: str) -> StoredOrder:
    stored = visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT,))
    order = stored.order
    if order.status is OrderStatus.CANCELLED:
        return stored
    if order.cancellation is None:
        raise conflict("there is no cancellation request to accept", code="no_cancellation_request")
    return cancel_stored(ctx, stored, order.cancellation.reason_code, order.cancellation.requested_by)


def deny_cancellation(ctx: Ctx, order_id: str, body: ReasonBody) -> StoredOrder:
    stored = visible(ctx.conn, ctx.caller, order_id, (Role.MERCHANT,))
    _reason_of(body, DENY_REASONS)  # why the store keeps the order: checked, not stored (the flag is cleared)
    if stored.order.cancellation is None:
        return stored
    ctx.record("order", order_id, "cancellation-deny")
    return save(ctx, stored, msgspec.structs.replace(stored.order, cancellation=None))


def validate_code(ctx: Ctx, store_id: str, code: str) -> CodeValidation:
    """A code scanned at the store names an open order, or nothing. The code names the order, so a wrong one
    belongs to no order: wrong tries are counted against the store (`store_code_attempts` lock validate-code
    there); a right code whose order's pickup code is locked is refused too (no oracle around the lock). An empty
    code (or only spaces) is a slip, not a guess: 422 on `code`, counted nowhere (as handoff's)."""
    stores.visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT,))
    if not code.strip():
        raise validation("code", "the code the customer shows, not empty")
    code_attempts.ensure_unlocked(ctx, CodeSubject.STORE, store_id, store_id=store_id)
    row = None
    if code.strip().isdigit():
        row = ctx.conn.execute(
            select(db.orders.c.id)
            .where(
                db.orders.c.store_id == store_id,
                db.orders.c.pickup_code == code.strip(),
                db.orders.c.status.not_in(_ENDED),
            )
            .limit(1)
        ).first()
    if row is None:
        code_attempts.record_failure(ctx, CodeSubject.STORE, store_id)  # committed with the answer
        return CodeValidation(valid=False)
    code_attempts.ensure_unlocked(ctx, CodeSubject.PICKUP, row.id, store_id=store_id)
    return CodeValidation(valid=True, order_id=row.id, kind="pickup")


# --- listing -----------------------------------------------------------------------------------------------------


def _encode_cursor(updated_at: str, order_id: str) -> str:
    return base64.urlsafe_b64encode(f"{updated_at}|{order_id}".encode()).decode().rstrip("=")


_CURSOR_TIME = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")  # db.iso's form
_CURSOR_ID = re.compile(ID_PATTERN)


def _decode_cursor(cursor: str) -> tuple[str, str]:
    """Only the shape `_encode_cursor` makes: anything else (a NUL hidden in the base64, say, that the database
    driver would fail on) is a 422, on every database alike."""
    refused = validation("cursor", "not a cursor this server handed out")
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        updated_at, order_id = raw.split("|", 1)
    except (ValueError, UnicodeDecodeError) as error:
        raise refused from error
    if not _CURSOR_TIME.fullmatch(updated_at) or not _CURSOR_ID.match(order_id):
        raise refused
    return updated_at, order_id


def list_orders(
    ctx: Ctx,
    *,
    store_id: str | None,
    statuses: list[OrderStatus],
    updated_after: datetime | None,
    limit: int,
    cursor: str | None,
) -> tuple[list[StoredOrder], str | None]:
    """Orders the caller may see, oldest change first; `next_cursor` continues the listing."""
    caller = ctx.caller
    require_role(caller, (*_STAFF, Role.CUSTOMER, Role.ADMIN))
    if not 1 <= limit <= MAX_PAGE:
        raise validation("limit", f"between 1 and {MAX_PAGE}")
    table = db.orders
    query = select(table.c.doc, table.c.customer_id, table.c.updated_at, table.c.id)
    if caller.role in _STAFF:
        if store_id is not None and store_id != caller.store_id:
            raise not_found("store")
        query = query.where(table.c.store_id == caller.store_id)
    elif caller.role is Role.CUSTOMER:
        query = query.where(table.c.customer_id == caller.user_id)
        if store_id is not None:
            query = query.where(table.c.store_id == store_id)
    elif store_id is not None:
        query = query.where(table.c.store_id == store_id)
    if statuses:
        query = query.where(table.c.status.in_([s.value for s in statuses]))
    if updated_after is not None:
        query = query.where(table.c.updated_at > db.iso(updated_after))
    if cursor:
        after_time, after_id = _decode_cursor(cursor)
        query = query.where(
            or_(
                table.c.updated_at > after_time, and_(table.c.updated_at == after_time, table.c.id > after_id)
            )
        )
    rows = ctx.conn.execute(query.order_by(table.c.updated_at, table.c.id).limit(limit + 1)).all()
    more = len(rows) > limit
    rows = rows[:limit]
    found = [StoredOrder(_decode(row.doc), row.customer_id) for row in rows]
    next_cursor = _encode_cursor(rows[-1].updated_at, rows[-1].id) if more else None
    return found, next_cursor
