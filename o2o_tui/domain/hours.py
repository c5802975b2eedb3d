"""Opening hours: weekly ranges (one may run past midnight: 18:00-02:00) and dated exceptions (holidays).

Rules, stated once for the server (which refuses orders outside the hours) and the console (which shows "closed
until 14:30"):
- a weekly range `OpeningHours(weekday, opens, closes)` starts on `weekday` at `opens`; when `closes <= opens` it
  runs past midnight and ends at `closes` the next day (`18:00-02:00`); `00:00-00:00` is the whole day;
- several ranges may share a weekday; once any weekly range is set, a weekday without one is closed; no weekly
  ranges at all means open all day, every day (hours not set), dated exceptions still apply;
- an exception for a date replaces the ranges that *start* on that date: no ranges is closed all day, other ranges
  are that day's hours; a range that started the evening before still runs into it.
- ranges that start on the same day (a weekday's, or one exception's) may touch (10:00-14:00, 14:00-17:00) but not
  overlap (10:00-14:00, 13:00-20:00): a change that has them is refused (`overlapping`), as Meituan's and Uber
  Eats' hours forms do; a new exception may not be for a day before the store's yesterday (whose range past
  midnight may still run today).
Times are the store's local wall clock (its `timezone`); callers convert.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Sequence
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Protocol


class WeeklyRange(Protocol):
    @property
    def weekday(self) -> int: ...  # 0 = Monday
    @property
    def opens(self) -> str: ...  # "HH:MM"
    @property
    def closes(self) -> str: ...


class DayRange(Protocol):
    @property
    def opens(self) -> str: ...
    @property
    def closes(self) -> str: ...


class DatedHours(Protocol):
    @property
    def date(self) -> str: ...  # "YYYY-MM-DD"
    @property
    def hours(self) -> Sequence[DayRange]: ...


class NotedDay(DatedHours, Protocol):
    @property
    def note(self) -> str: ...


def hours_version(weekly: Sequence[WeeklyRange], exceptions: Sequence[NotedDay]) -> int:
    """The version of a set of hours (weekly ranges and dated exceptions): a digest of the hours themselves, in one
    order, so a device and the platform work it out alike from what they hold. The If-Match of `PUT .../hours`;
    a store's answer carries it as `hours_tag` (`o2o_tui.store_hours.hours_tag`)."""
    ranges = sorted((h.weekday, h.opens, h.closes) for h in weekly)
    dated = sorted((e.date, sorted((r.opens, r.closes) for r in e.hours), e.note) for e in exceptions)
    digest = hashlib.sha256(json.dumps([ranges, dated], ensure_ascii=False).encode()).hexdigest()
    return int(digest[:15], 16)  # 60 bits: an outbox entry's base version is a JSON integer


def clock_minutes(text: str) -> int | None:
    """Minutes after midnight of "HH:MM" (00:00-24:00), or None when it is not such a time."""
    hours, sep, minutes = text.partition(":")
    if not sep or len(hours) != 2 or len(minutes) != 2 or not (hours + minutes).isdigit():
        return None
    value = int(hours) * 60 + int(minutes)
    return value if int(minutes) < 60 and value <= 24 * 60 else None


def overlapping(ranges: Sequence[DayRange]) -> tuple[int, int] | None:
    """Two of `ranges` (all starting on one day) that overlap, as indexes into `ranges`: the one that opens first,
    then the other; None when none do. Ranges that only touch do not overlap; an overnight range runs to its close
    the next day, 00:00-00:00 is the whole day."""
    spans = []
    for index, span in enumerate(ranges):
        start, end = clock_minutes(span.opens), clock_minutes(span.closes)
        if start is None or end is None:
            continue
        spans.append((start, end + 24 * 60 if end <= start else end, index))
    spans.sort()
    furthest: tuple[int, int] | None = None  # (end, index) of the range reaching latest so far
    for start, end, index in spans:
        if furthest is not None and start < furthest[0]:
            return furthest[1], index
        if furthest is None or end > furthest[0]:
            furthest = (end, index)
    return None


def _span(day: date, opens: str, closes: str) -> tuple[datetime, datetime] | None:
    start, end = clock_minutes(opens), clock_minutes(closes)
    if start is None or end is None:
        return None
    midnight = datetime.combine(day, time())
    if end <= start:  # past midnight (or 00:00-00:00: the whole day)
        end += 24 * 60
    return midnight + timedelta(minutes=start), midnight + timedelta(minutes=end)


def _ranges_starting(
    day: date, weekly: Sequence[WeeklyRange], exceptions: Sequence[DatedHours]
) -> Iterator[tuple[datetime, datetime]]:
    wanted = day.isoformat()
    for exception in exceptions:
        if exception.date == wanted:
            for hours in exception.hours:
                span = _span(day, hours.opens, hours.closes)
                if span is not None:
                    yield span
            return
    if not weekly:  # no weekly hours: the whole day (a holiday on its own must not close every other day)
        whole = _span(day, "00:00", "00:00")
        if whole is not None:
            yield whole
        return
    for hours in weekly:
        if hours.weekday == day.weekday():
            span = _span(day, hours.opens, hours.closes)
            if span is not None:
                yield span


def _spans_around(
    local: datetime, weekly: Sequence[WeeklyRange], exceptions: Sequence[DatedHours], days: int
) -> list[tuple[datetime, datetime]]:
    first = local.date() - timedelta(days=1)  # yesterday's overnight range may still run
    spans = [
        span
        for offset in range(days + 1)
        for span in _ranges_starting(first + timedelta(days=offset), weekly, exceptions)
    ]
    return sorted(spans)


def hours_set(weekly: Sequence[WeeklyRange], exceptions: Sequence[DatedHours]) -> bool:
    return bool(weekly) or bool(exceptions)


def is_open(local: datetime, weekly: Sequence[WeeklyRange], exceptions: Sequence[DatedHours] = ()) -> bool:
    """Whether the hours have the store open at `local` (a naive local wall-clock time)."""
    if not hours_set(weekly, exceptions):
        return True
    moment = local.replace(tzinfo=None)
    return any(start <= moment < end for start, end in _spans_around(moment, weekly, exceptions, 2))


def next_change(
    local: datetime, weekly: Sequence[WeeklyRange], exceptions: Sequence[DatedHours] = (), days: int = 14
) -> datetime | None:
    """When the hours next open (if closed at `local`) or close (if open); None if not within `days`."""
    if not hours_set(weekly, exceptions):
        return None
    moment = local.replace(tzinfo=None)
    spans = _spans_around(moment, weekly, exceptions, days)
    open_now = [end for start, end in spans if start <= moment < end]
    if open_now:  # ranges that touch or overlap are one stretch of opening
        end = max(open_now)
        for start, later_end in spans:
            if start <= end < later_end:
                end = later_end
        # a stretch that reaches past the days looked at may run on into the next: when it closes is not known
        looked_until = datetime.combine(moment.date() + timedelta(days=days), time())
        return None if end >= looked_until else end
    later = [start for start, _end in spans if start > moment]
    return min(later) if later else None


# a stretch of opening that runs on past the store's day (a range the next morning touching or overlapping its last
# one) ends the day when it closes if that is within this long after the day's midnight
_LATE_CLOSE = timedelta(hours=6)


def day_end(
    now: datetime, zone: tzinfo, weekly: Sequence[WeeklyRange], exceptions: Sequence[DatedHours] = ()
) -> datetime:
    """When the store's day ends (the default end of a sell-out, the usual "86"), as an aware time: the last close
    of the ranges that start on the store's day, when one of them is still to close: split hours (07:00-14:00,
    17:00-23:30) end at 23:30 at lunch, between the two and at dinner alike; an overnight range (18:00-02:00) at
    02:00 the next morning, also when it is 01:00 already (the day it started is still the store's day). Else
    (no hours set, no range left today, a day closed by an exception) the next local midnight. A store open around
    the clock has its day end at midnight, not days later."""
    local = now.astimezone(zone).replace(tzinfo=None)
    midnight = datetime.combine(local.date() + timedelta(days=1), time())
    end = midnight
    if hours_set(weekly, exceptions):
        spans = _spans_around(local, weekly, exceptions, 2)  # yesterday's, today's and tomorrow's ranges
        running = [start for start, close in spans if start <= local < close]
        # in a range that started yesterday (past midnight): that day is still the store's day
        day = min(running).date() if running else local.date()
        closes = [close for start, close in spans if start.date() == day]
        if closes and max(closes) > local:
            end = max(closes)
            latest = datetime.combine(day, time()) + timedelta(days=1) + _LATE_CLOSE
            for start, close in spans:  # the next morning's range running on from it (18:00-02:00, 01:00-05:00)
                if start <= end < close <= latest:
                    end = close
    return end.replace(tzinfo=zone)


def trading_day_end(day: date, weekly: Sequence[WeeklyRange], exceptions: Sequence[DatedHours] = ()) -> datetime:
    """When the store's trading `day` ends on its wall clock (naive): the rule `day_end` uses for a sell-out,
    stated by the day rather than by the moment, so that each moment falls in exactly one trading day. The last
    close of the ranges that start on `day` when it is past midnight (18:00-02:00: 02:00 the next morning), run on
    by a next morning's range touching or overlapping it (within `_LATE_CLOSE` of midnight); else (no hours set, the
    last range closes by midnight, a day closed by an exception) the next midnight: a calendar day. It always lies
    in the day after `day`, so the days follow one another with no gap or overlap: the next trading day starts
    where this one ends (an order placed at 02:30 after a close at 02:00 is the next day's)."""
    midnight = datetime.combine(day + timedelta(days=1), time())
    if not hours_set(weekly, exceptions):
        return midnight
    spans = _spans_around(datetime.combine(day, time()), weekly, exceptions, 2)  # the day before, `day`, the next
    closes = [close for start, close in spans if start.date() == day]
    end = max(closes, default=midnight)
    if end <= midnight:
        return midnight
    latest = midnight + _LATE_CLOSE
    for start, close in spans:
        if start <= end < close <= latest:
            end = close
    return end


def trading_day(local: datetime, weekly: Sequence[WeeklyRange], exceptions: Sequence[DatedHours] = ()) -> date:
    """The trading day `local` (the store's wall clock) falls in: the day before while that day's hours still run
    past midnight (01:40 on Monday after Sunday's 13:30-03:00 is Sunday's), else its own date."""
    moment = local.replace(tzinfo=None)
    yesterday = moment.date() - timedelta(days=1)
    return yesterday if moment < trading_day_end(yesterday, weekly, exceptions) else moment.date()
