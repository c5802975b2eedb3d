"""Scheduled orders (placed for later): when one is due in the kitchen, and which windows may be ordered.

Rules, stated once for the server (which holds, releases and refuses) and the clients (which list held orders
apart from the live queue):
- prep start = the promised time (the window's start) minus the prep time; the prep time is the largest over
  the order's items of the item's own `prep_minutes` (the menu's), an item without one counting the store's
  `default_prep_minutes`;
- until its prep start a scheduled order is *held* (`Order.held_until`): out of the merchant's live queue and
  silent, its accept deadline counted from the prep start (prep start + the store's accept timeout); at the prep
  start the platform *releases* it (clears `held_until`, sets `released_at`, event `order.released`) and every
  console rings for it as for a new order. Staff may accept a held order early (that releases it too:
  `released_at`); a customer may cancel it freely;
- a scheduled order never rings while the store's hours have it closed: one whose prep start falls outside
  them is held until they next open, and its accept deadline counts from then (`release_time`); a prep start
  already past when the order is placed holds nothing (the order is live at once) if the store is open then;
  the hours are looked at again when it comes due and whenever staff change them (`platform/scheduled.py`):
  a pause does not hold it (it rings as a live order keeps ringing through a pause);
- a held order whose promised time itself the hours come to have closed (a holiday set after it was placed) cannot
  be made on time: it is not held to the next opening (after the time promised) but rings at once, flagged
  (`Order.closed_at_promise`, `closed_at_promise`) for staff to call the customer or cancel; the hours changed
  back (the holiday taken away) while it is still new, its promised time open again, the flag goes; its prep
  start is counted with the prep minutes it was placed with (`Order.scheduled_prep_minutes`), not the menu's since;
- a held order takes its day number from the day it is due (the window's start, the store's clock), as Meituan
  numbers 预订单, so the counter of that day goes on after it (`o2o_tui/platform/orders.py`);
- a window is refused unless it starts in the future, within `SCHEDULE_DAYS_MAX` days, at a time the store's
  opening hours have it open (`o2o_tui/domain/hours.py`, in the store's time zone).
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo

from o2o_tui.domain.hours import DatedHours, WeeklyRange, is_open, next_change
from o2o_tui.domain.limits import SCHEDULE_DAYS_MAX, as_utc
from o2o_tui.domain.order import ClosedAtPromise, Order, OrderStatus, TimingType
from o2o_tui.domain.store import StoreState, StoreStatus


def is_held(order: Order) -> bool:
    """Whether the order waits for its prep start, out of the live queue (only a new order is ever held)."""
    return order.status is OrderStatus.CREATED and order.held_until is not None


def is_scheduled(order: Order) -> bool:
    return order.timing.type is TimingType.SCHEDULED


def promised_time(order: Order) -> datetime | None:
    """The time the customer asked for: the window's start (None for an instant order)."""
    return order.timing.window_start if is_scheduled(order) else None


def promised_on_accept(order: Order, status: StoreStatus | None, prep_minutes: int, now: datetime) -> datetime:
    """The ready time an accept at `now` promises: the minutes asked plus a busy store's extra minutes, and for an
    order for later no sooner than the time the customer asked for. The platform's accept and the kitchen ticket
    printed on it both read this, so the ticket says what the order says."""
    extra = status.extra_minutes if status is not None and status.state is StoreState.BUSY else 0
    promised = now + timedelta(minutes=prep_minutes + extra)
    asked = promised_time(order)
    return max(promised, as_utc(asked)) if asked is not None else promised


def prep_minutes_for(item_minutes: Iterable[int | None], default: int) -> int:
    """The order's prep time: the largest of its items' own prep minutes, the store's default for an item
    without one (and for an order without items)."""
    return max((default if minutes is None else minutes for minutes in item_minutes), default=default)


def prep_start(promised: datetime, prep_minutes: int) -> datetime:
    return promised - timedelta(minutes=prep_minutes)


def release_time(
    prep: datetime,
    now: datetime,
    zone: tzinfo,
    weekly: Sequence[WeeklyRange] = (),
    exceptions: Sequence[DatedHours] = (),
) -> datetime | None:
    """When a scheduled order whose prep start is `prep` (aware) rings: its prep start, or the next opening when
    the hours have the store closed then (nobody is at the counter to accept it, so it would time out); None when
    that is now or past (the order is live at once)."""
    at = max(prep, now)
    local = at.astimezone(zone).replace(tzinfo=None)
    if not is_open(local, weekly, exceptions):
        opens = next_change(local, weekly, exceptions)
        if opens is not None:
            at = opens.replace(tzinfo=zone).astimezone(UTC)
    return at if at > now else None


def closed_at_promise(
    promised: datetime, zone: tzinfo, weekly: Sequence[WeeklyRange] = (), exceptions: Sequence[DatedHours] = ()
) -> ClosedAtPromise | None:
    """None when the hours have the store open at the promised time `promised` (aware); else why it is closed
    then: a dated exception (`holiday`: its date, the day before's when that one's hours reach past midnight, and
    that date's own hours, none when closed all day) or the weekly hours."""
    local = promised.astimezone(zone).replace(tzinfo=None)
    if is_open(local, weekly, exceptions):
        return None
    day = local.date()
    if not is_open(local, weekly, ()):  # the weekly hours alone have it closed
        return ClosedAtPromise(date=day.isoformat())
    dated = {exception.date: exception for exception in exceptions}
    holiday = day if day.isoformat() in dated else day - timedelta(days=1)
    found = dated.get(holiday.isoformat())
    hours = [f"{hours.opens}-{hours.closes}" for hours in found.hours] if found is not None else []
    return ClosedAtPromise(date=holiday.isoformat(), holiday=True, hours=hours)


def closed_at_promise_words(order: Order, zone: tzinfo | None, now: datetime | None = None) -> str | None:
    """The line telling staff a new order cannot be made on time (`Order.closed_at_promise`): "Promised for
    tomorrow 10:00: the store is closed then (special hours 11:00-14:00 on 8 Dec)", "(closed on 25 Dec)", "(opening
    hours, 2026-12-08)"; None for any other order, and once it was accepted or ended. `now` (this moment when
    None) says whether the promised time is today."""
    closed, promised = order.closed_at_promise, promised_time(order)
    if closed is None or promised is None or order.status is not OrderStatus.CREATED:
        return None
    from o2o_tui.domain.clock import day_clock, month_day
    from o2o_tui.i18n import t

    # the store's clock (UTC when not known), with the day when it is not today
    when = day_clock(promised, zone, now if now is not None else datetime.now(UTC))
    if not closed.holiday:
        return t("scheduled.closed_at_promise.hours", when=when, date=closed.date)
    try:  # "8 Dec" (12月8日), the month in words: the promise is days away at most
        day = month_day(date.fromisoformat(closed.date))
    except ValueError:
        day = closed.date
    if closed.hours is None:  # an older platform does not say whether the date is closed or has other hours
        return t("scheduled.closed_at_promise.dated", when=when, date=day)
    if not closed.hours:
        return t("scheduled.closed_at_promise.closed_day", when=when, date=day)
    return t("scheduled.closed_at_promise.special_hours", when=when, date=day, hours=", ".join(closed.hours))


class WindowProblem(enum.StrEnum):
    """Why a scheduled window is refused."""

    NO_START = "NO_START"  # scheduled without a window start
    PAST = "PAST"  # starts now or earlier
    TOO_FAR = "TOO_FAR"  # more than SCHEDULE_DAYS_MAX days ahead
    CLOSED = "CLOSED"  # the store's hours have it closed at the window's start


WINDOW_MESSAGES: dict[WindowProblem, str] = {
    WindowProblem.NO_START: "a scheduled order needs timing.window_start",
    WindowProblem.PAST: "a scheduled order's window must start in the future",
    WindowProblem.TOO_FAR: f"a scheduled order's window must start within {SCHEDULE_DAYS_MAX} days",
    WindowProblem.CLOSED: "the store is closed at the window's start (its opening hours)",
}


def window_problem(
    start: datetime | None,
    now: datetime,
    zone: tzinfo,
    weekly: Sequence[WeeklyRange] = (),
    exceptions: Sequence[DatedHours] = (),
) -> WindowProblem | None:
    """None when a scheduled order may be promised for `start` (aware), else why not."""
    if start is None:
        return WindowProblem.NO_START
    if start <= now:
        return WindowProblem.PAST
    if start > now + timedelta(days=SCHEDULE_DAYS_MAX):
        return WindowProblem.TOO_FAR
    if not is_open(start.astimezone(zone).replace(tzinfo=None), weekly, exceptions):
        return WindowProblem.CLOSED
    return None


def held_by_time(orders: Iterable[Order]) -> list[Order]:
    """The held orders, soonest promised time first (the scheduled view's and `o2o orders list --scheduled`'s
    order)."""
    held = [order for order in orders if is_held(order)]
    held.sort(key=lambda order: (promised_time(order) or order.held_until or order.created_at, order.number))
    return held
