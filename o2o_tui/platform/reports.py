"""A store's day in figures, computed from the orders themselves (not from events, which are pruned sooner).

One query by store and time range on the existing columns: the index `(store_id, updated_at, id)` bounds the
scan to orders changed since the day began, and `created_at` / `ended_at` pick the day's orders and the day's
completions. Each document is decoded into `_Figured`, a struct of only the fields the figures read (a full
`Order` decode costs about twice as much at thousands of orders a day).

The day is the store's trading day (`day_bounds`): midnight to midnight, or, when its hours run past midnight, to
that day's last close (Sunday 13:30-03:00: until 03:00 on Monday, where a sell-out made that night ends too), the
next day starting there: one cutoff per day, so every order is in exactly one day (one placed at 02:30 after a
close at 02:00 is the next day's). With no date the day is the one the store is in now (Sunday's at 01:40 Monday).
Its hours are listed from its first (03 ... 23, 00 ... 02). Vouchers redeemed at the counter in it are counted
with their value (`_VOUCHERS`).

Which orders count (all times on the store's wall clock, `stores.local_time`):
- placed, accept and prep times, cancellations, refusals, revenue, top items: orders created that day (revenue
  and top items only those the store accepted and that were not cancelled: a new order may still time out);
  the accept time runs from when the order rang: its creation, or for an order for later its release
  (`released_at`, 0 s when staff accepted it before it rang), as its accept deadline does;
- completed (per hour too): orders delivered or handed off that day, whenever they were placed;
- the day's orders split whole: placed = done (delivered or handed off by now, on that day or after it: one placed
  at 23:52 and handed off at 00:05 is done) + cancelled + refused + open (not ended yet).
A refusal is a cancellation by the merchant of an order it never accepted (`reject`); any other cancellation
counts under cancellations with its reason code and who cancelled. Refunds are read from the order documents
when they carry them (`refunds: [{amount}]`, else `totals.refunded`); older documents simply have none.

Two refund figures, for two questions: `refunds` is the items given back on the day's sales (revenue is the items
less it: a delivery fee was never in the items, a cancelled order never in the sales); `refunded_today` is all
money given back that day by the clock of each refund (`at`), on any order (one cancelled later, one placed the day
before, one handed off days before within the refund window), delivery fees included, and what a paid order's
cancel gave back that day (its payment goes back with the cancel, `o2o_tui/domain/refunds.py`: what was left of
its total after its refunds, at its `ended_at`): what a care lead reconciles with the payments. The query takes,
besides the day's orders, every order a refund could be made on that day: any order placed before the day ended
and changed since it began (a refund changes the order: `updated_at` is at or after it), however long before the
day it ended. It does not look back by the refund window: the window may have been longer when the refund was
made than it is now (`O2O_REFUND_WINDOW_DAYS` shortened later), and a past day's report still counts it.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import msgspec
from sqlalchemy import bindparam, select

from o2o_tui.domain.hours import trading_day, trading_day_end
from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import EARLIEST, LATEST, as_utc
from o2o_tui.domain.money import Money
from o2o_tui.domain.order import OrderLine, OrderStatus, Party, PaymentStatus
from o2o_tui.domain.report import (
    HOURS_IN_DAY,
    TOP_ITEMS,
    CancelFigures,
    DayReport,
    Durations,
    HourFigures,
    ItemFigures,
    RefusalFigures,
)
from o2o_tui.domain.store import Store
from o2o_tui.domain.voucher import VoucherStatus
from o2o_tui.platform import db, stores
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import validation

_COMPLETED = (OrderStatus.DELIVERED, OrderStatus.CONCLUDED)


class _RefundLine(msgspec.Struct, frozen=True):
    line: int
    quantity: int = 0
    amount: Money | None = None


class _Refund(msgspec.Struct, frozen=True):
    amount: Money | None = None
    at: datetime | None = None  # when it was made (older documents: not said)
    lines: list[_RefundLine] = []  # per order line: what went back (a whole refund lists every line left)


class _Totals(msgspec.Struct, frozen=True):
    refunded: Money | None = None  # issue #12: given back so far
    total: Money | None = None


class _Payment(msgspec.Struct, frozen=True):
    status: str = "PAID"  # a PaymentStatus value (text: a newer status must not fail the day)


class _Figured(msgspec.Struct, frozen=True):
    """The fields of an order document the figures read (unknown fields are skipped while decoding)."""

    id: str
    status: OrderStatus
    created_at: datetime
    lines: list[OrderLine] = []
    confirmed_at: datetime | None = None
    released_at: datetime | None = None  # an order for later: when it rang (left the hold)
    ready_at: datetime | None = None
    ended_at: datetime | None = None
    cancel_reason_code: str | None = None
    cancelled_by: str | None = None  # a Party value (kept as text: a newer party must not fail the day)
    refunds: list[_Refund] = []  # issue #12 refunds (o2o_tui/domain/refunds.py), when the documents carry them
    totals: _Totals | None = None
    payment: _Payment | None = None


_decode_many = msgspec.json.Decoder(_Figured).decode
_QUERY = select(db.orders.c.doc).where(
    db.orders.c.store_id == bindparam("b_store"),
    db.orders.c.updated_at >= bindparam("b_start"),  # the index's range: nothing older changed that day
    # placed before the day's end: the day's orders, the day's completions, the orders open across the day, and
    # those handed off before it that took a refund that day (each one's refunds that day count in
    # refunded_today), whatever the refund window is now: it may have been longer then
    db.orders.c.created_at < bindparam("b_end"),
)

# the store's vouchers redeemed at the counter (o2o_tui/platform/vouchers.py `redeem`) since the day began: a
# redeem sets `updated_at` to its time and nothing sets it back, so the index `(store_id, status)` and this bound
# find every one redeemed that day (`redeemed_at` in the doc picks them)
_VOUCHERS = select(db.vouchers.c.doc).where(
    db.vouchers.c.store_id == bindparam("b_store"),
    db.vouchers.c.status == VoucherStatus.REDEEMED.value,
    db.vouchers.c.updated_at >= bindparam("b_start"),
)


class _Redeemed(msgspec.Struct, frozen=True):
    """The fields of a voucher document the figures read."""

    value: Money | None = None
    redeemed_at: datetime | None = None


_decode_voucher = msgspec.json.Decoder(_Redeemed).decode


def parse_day(text: str) -> date:
    """A report's day: years 2000-2999 (the calendar's first and last days have no next day or UTC instant)."""
    try:
        day = date.fromisoformat(text)
    except ValueError:
        raise validation("date", "a date as YYYY-MM-DD") from None
    if not 2000 <= day.year <= 2999:
        raise validation("date", "a date as YYYY-MM-DD in the years 2000 to 2999")
    return day


def day_bounds(zone: ZoneInfo, day: date, store: Store | None = None) -> tuple[datetime, datetime]:
    """The UTC instants where `day` starts and the next day starts on the zone's wall clock (23 or 25 hours
    apart on the days the clocks change). With `store`, its trading day: it starts where the day before ended
    and ends at its own last close past midnight (`hours.trading_day_end`, the rule a sell-out's default end
    uses): Sunday 13:30-03:00 runs to 03:00 on Monday, and Monday starts there; a store that closes by midnight
    (or has no hours) keeps the calendar day."""
    if store is None:
        start = datetime.combine(day, time(0))
        end = datetime.combine(day + timedelta(days=1), time(0))
    else:
        weekly, exceptions = store.opening_hours, store.hours_exceptions
        start = trading_day_end(day - timedelta(days=1), weekly, exceptions)
        end = trading_day_end(day, weekly, exceptions)
    return start.replace(tzinfo=zone).astimezone(UTC), end.replace(tzinfo=zone).astimezone(UTC)


def store_day(store: Store, now: datetime) -> date:
    """The store's trading day at `now` (Sunday's at 01:40 on Monday while Sunday's hours run to 03:00)."""
    return trading_day(stores.local_time(store, now), store.opening_hours, store.hours_exceptions)


def first_hour(zone: ZoneInfo, end: datetime) -> int:
    """The hour the day's hour figures start from: the hour its end falls in on the wall clock (the next one when
    it ends within an hour), so a day that ran to 03:00 lists 03..23 then 00..02; 0 on a calendar day."""
    local = end.astimezone(zone)
    return (local.hour + (1 if local.minute or local.second else 0)) % HOURS_IN_DAY


def _in_range(moment: datetime) -> datetime | None:
    return moment if EARLIEST <= moment < LATEST else None  # a report of a day in 2500 says no bounds


def _zone(store: Store) -> ZoneInfo:
    try:
        return ZoneInfo(store.timezone)
    except (ValueError, KeyError):
        return ZoneInfo("UTC")


def durations(seconds: list[float]) -> Durations:
    """Median (the mean of the middle two for an even count) and the 90th percentile by nearest rank."""
    if not seconds:
        return Durations()
    ordered = sorted(seconds)
    rank = max(1, math.ceil(0.9 * len(ordered)))
    return Durations(
        count=len(ordered), median_seconds=float(statistics.median(ordered)), p90_seconds=ordered[rank - 1]
    )


def _line_total(line: OrderLine) -> int:
    if line.total is not None:
        return line.total.amount
    options = sum(option.unit_price.amount * option.quantity for option in line.options)
    return (line.unit_price.amount + options) * line.quantity


def _refunded(order: _Figured) -> int:
    listed = sum(refund.amount.amount for refund in order.refunds if refund.amount is not None)
    refunded = order.totals.refunded if order.totals is not None else None
    return listed or (refunded.amount if refunded is not None else 0)


def _refunded_lines(order: _Figured) -> tuple[dict[int, int], dict[int, int]] | None:
    """Per order line: (units refunded, amount refunded), from refunds that say their lines; None for older
    documents whose refunds do not (their refunds then count whole, as before)."""
    if not order.refunds or any(not refund.lines for refund in order.refunds):
        return None
    units: dict[int, int] = {}
    amounts: dict[int, int] = {}
    for refund in order.refunds:
        for part in refund.lines:
            units[part.line] = units.get(part.line, 0) + part.quantity
            amounts[part.line] = amounts.get(part.line, 0) + (part.amount.amount if part.amount else 0)
    return units, amounts


def _refunded_within(order: _Figured, start: datetime, end: datetime, created_today: bool) -> int:
    """Money given back on `order` between `start` and `end`, delivery fee included: each refund by its time; one
    that does not say its time (an older document), and a bare `totals.refunded`, on the day the order was placed."""
    if not order.refunds:
        refunded = order.totals.refunded if order.totals is not None else None
        return refunded.amount if refunded is not None and created_today else 0
    total = 0
    for refund in order.refunds:
        if refund.amount is None:
            continue
        if refund.at is None:
            total += refund.amount.amount if created_today else 0
        elif start <= as_utc(refund.at) < end:
            total += refund.amount.amount
    return total


_PAID_WHEN_CANCELLED = frozenset({PaymentStatus.PAID.value, PaymentStatus.REFUNDED.value})


def _back_on_cancel(order: _Figured, start: datetime, end: datetime) -> int:
    """What a paid order's cancel gave back between `start` and `end`: what was left of its total after its
    refunds, at its end (a cancelled order's payment goes back with the cancel: the platform says REFUNDED since
    the cancel, PAID in documents of an older platform; REFUNDED also when the refunds had given all back before,
    and then nothing was left). An order never paid (PENDING) gave none."""
    if order.status is not OrderStatus.CANCELLED or order.ended_at is None:
        return 0
    if not start <= as_utc(order.ended_at) < end:
        return 0
    if order.payment is not None and order.payment.status not in _PAID_WHEN_CANCELLED:
        return 0
    total = order.totals.total if order.totals is not None else None
    if total is None:
        return 0
    return max(0, total.amount - _refunded(order))


def _is_refusal(order: _Figured) -> bool:
    return order.cancelled_by == Party.MERCHANT and order.confirmed_at is None


def compute(
    store: Store, day: date, docs: list[bytes], now: datetime, vouchers: list[bytes] | None = None
) -> DayReport:
    """The figures of `day` (the store's trading day) from the documents of the orders created or ended in it
    (`_QUERY`), and of its vouchers redeemed since it began (`_VOUCHERS`)."""
    zone = _zone(store)
    start, end = day_bounds(zone, day, store)
    placed_by_hour = [0] * HOURS_IN_DAY
    completed_by_hour = [0] * HOURS_IN_DAY
    accept: list[float] = []
    prep: list[float] = []
    cancels: Counter[tuple[str, str]] = Counter()
    refusals: Counter[str] = Counter()
    # per (item id, name as sold): a store's menu may have given one id to another dish since (an older import
    # reused the id of a deleted item), so two names under one id are two dishes, never one under the first name
    quantity: Counter[tuple[str, str]] = Counter()
    item_revenue: Counter[tuple[str, str]] = Counter()
    placed = completed = done = cancelled = refused = still_open = gross = refunds = refunded_today = 0
    for doc in docs:
        order = _decode_many(doc)
        ended = as_utc(order.ended_at) if order.ended_at is not None else None
        if order.status in _COMPLETED and ended is not None and start <= ended < end:
            completed += 1
            completed_by_hour[ended.astimezone(zone).hour] += 1
        created = as_utc(order.created_at)
        refunded_today += _refunded_within(order, start, end, start <= created < end)
        refunded_today += _back_on_cancel(order, start, end)
        if not start <= created < end:
            continue
        placed += 1
        placed_by_hour[created.astimezone(zone).hour] += 1
        if order.confirmed_at is not None:
            confirmed = as_utc(order.confirmed_at)
            rang = as_utc(order.released_at) if order.released_at is not None else created
            accept.append((confirmed - rang).total_seconds())
            if order.ready_at is not None:
                prep.append((as_utc(order.ready_at) - confirmed).total_seconds())
        if order.status is OrderStatus.CANCELLED:
            reason = order.cancel_reason_code or "UNKNOWN"
            if _is_refusal(order):
                refused += 1
                refusals[reason] += 1
            else:
                cancelled += 1
                cancels[(reason, order.cancelled_by or str(Party.PLATFORM))] += 1
            continue
        if order.status in _COMPLETED:  # done by now, that day or after it
            done += 1
        else:
            still_open += 1
        if order.confirmed_at is None:  # not accepted yet: it may still time out, so it is no sale (only open)
            continue
        by_line = _refunded_lines(order)  # items given back: not sold (the delivery fee was never in the items)
        for index, line in enumerate(order.lines):
            sold = (line.item_id, line.name)
            line_total = _line_total(line)
            units, amount = (by_line[0].get(index, 0), by_line[1].get(index, 0)) if by_line else (0, 0)
            quantity[sold] += max(0, line.quantity - units)
            item_revenue[sold] += line_total - amount
            gross += line_total
            refunds += amount
        if by_line is None:
            refunds += _refunded(order)
    redeemed = value = 0
    for voucher_doc in vouchers or ():
        voucher = _decode_voucher(voucher_doc)
        if voucher.redeemed_at is not None and start <= as_utc(voucher.redeemed_at) < end:
            redeemed += 1
            value += voucher.value.amount if voucher.value is not None else 0
    currency = store.currency
    first = first_hour(zone, end)
    items = sorted(
        (
            ItemFigures(item_id, name, quantity[(item_id, name)], Money(item_revenue[(item_id, name)], currency))
            for item_id, name in quantity
            if quantity[(item_id, name)] > 0  # an item refunded whole sold nothing
        ),
        key=lambda i: (-i.quantity, -i.revenue.amount, i.name, i.item_id),
    )
    return DayReport(
        store_id=store.id,
        date=day.isoformat(),
        timezone=str(zone),
        currency=currency,
        generated_at=now,
        placed=placed,
        completed=completed,
        done=done,
        cancelled=cancelled,
        refused=refused,
        open=still_open,
        hours=[
            HourFigures(hour, placed_by_hour[hour], completed_by_hour[hour])
            for hour in ((first + step) % HOURS_IN_DAY for step in range(HOURS_IN_DAY))
        ],
        accept_time=durations(accept),
        prep_time=durations(prep),
        cancellations=[
            CancelFigures(reason, by, count)
            for (reason, by), count in sorted(cancels.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        refusals=[
            RefusalFigures(reason, count) for reason, count in sorted(refusals.items(), key=lambda kv: (-kv[1], kv[0]))
        ],
        gross=Money(gross, currency),
        refunds=Money(refunds, currency),
        revenue=Money(gross - refunds, currency),
        refunded_today=Money(refunded_today, currency),
        top_items=items[:TOP_ITEMS],
        top_revenue=sorted(items, key=lambda i: (-i.revenue.amount, -i.quantity, i.name))[:TOP_ITEMS],
        items=items,
        starts_at=_in_range(start),
        ends_at=_in_range(end),
        today=store_day(store, now).isoformat(),
        vouchers_redeemed=redeemed,
        vouchers_value=Money(value, currency),
    )


def day_report(ctx: Ctx, store_id: str, day_text: str | None) -> DayReport:
    """The store's figures for `day_text` (YYYY-MM-DD on its clock; today when None): its merchant and admin."""
    store = stores.visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT,))
    day = parse_day(day_text) if day_text else store_day(store, ctx.now)
    start, end = day_bounds(_zone(store), day, store)
    rows = ctx.conn.execute(_QUERY, {"b_store": store.id, "b_start": db.iso(start), "b_end": db.iso(end)}).scalars()
    vouchers = ctx.conn.execute(_VOUCHERS, {"b_store": store.id, "b_start": db.iso(start)}).scalars()
    return compute(store, day, list(rows), ctx.now, list(vouchers))
