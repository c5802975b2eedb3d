"""The opening-hours rules (o2o_tui/domain/hours.py), stated once for the server and the console."""

from __future__ import annotations

from datetime import datetime

from o2o_tui.domain.hours import is_open, next_change
from o2o_tui.domain.requests import HoursBody
from o2o_tui.domain.store import HoursException, OpeningHours, TimeRange
from o2o_tui.store_hours import set_day

FRIDAY_NIGHT = [OpeningHours(weekday=4, opens="18:00", closes="02:00")]


def test_an_overnight_range_runs_into_the_next_day() -> None:
    assert is_open(datetime(2026, 12, 4, 23, 0), FRIDAY_NIGHT)  # Friday 23:00
    assert is_open(datetime(2026, 12, 5, 1, 59), FRIDAY_NIGHT)  # Saturday 01:59, still Friday's range
    assert not is_open(datetime(2026, 12, 5, 2, 0), FRIDAY_NIGHT)
    assert next_change(datetime(2026, 12, 5, 1, 0), FRIDAY_NIGHT) == datetime(2026, 12, 5, 2, 0)
    assert next_change(datetime(2026, 12, 5, 3, 0), FRIDAY_NIGHT) == datetime(2026, 12, 11, 18, 0)


def test_an_exception_replaces_the_days_own_ranges_only() -> None:
    special = [HoursException(date="2026-12-04", hours=[TimeRange(opens="12:00", closes="15:00")])]
    assert is_open(datetime(2026, 12, 4, 13, 0), FRIDAY_NIGHT, special)
    assert not is_open(datetime(2026, 12, 4, 19, 0), FRIDAY_NIGHT, special)
    closed = [HoursException(date="2026-12-05")]  # Saturday closed: Friday's range still runs into it
    assert is_open(datetime(2026, 12, 5, 1, 0), FRIDAY_NIGHT, closed)


def test_a_holiday_alone_does_not_close_every_other_day() -> None:
    christmas = [HoursException(date="2026-12-25")]
    assert is_open(datetime(2026, 12, 24, 12, 0), [], christmas)
    assert not is_open(datetime(2026, 12, 25, 12, 0), [], christmas)
    assert is_open(datetime(2026, 12, 26, 0, 0), [], christmas)
    assert next_change(datetime(2026, 12, 24, 12, 0), [], christmas) == datetime(2026, 12, 25, 0, 0)
    assert next_change(datetime(2026, 12, 25, 12, 0), [], christmas) == datetime(2026, 12, 26, 0, 0)
    assert is_open(datetime(2026, 12, 24, 3, 0), [])  # no hours at all: always open


def test_setting_the_first_day_keeps_the_rest_of_the_week_open() -> None:
    body = set_day(HoursBody(), 0, [TimeRange(opens="10:00", closes="14:00")])
    weekly = [OpeningHours(weekday=h.weekday, opens=h.opens, closes=h.closes) for h in body.opening_hours]
    assert not is_open(datetime(2026, 12, 7, 15, 0), weekly)  # Monday after 14:00: its own hours now
    assert is_open(datetime(2026, 12, 8, 15, 0), weekly)  # Tuesday: still open all day, as before
    assert is_open(datetime(2026, 12, 6, 23, 59), weekly)  # Sunday


def test_a_closing_beyond_the_days_looked_at_is_not_named() -> None:
    # open all day but for a holiday three weeks away: the stretch runs past the 14 days looked at, so no closing
    # time is known within them (before: "open until" the last day looked at, a close that never happens)
    christmas = [HoursException(date="2026-12-25")]
    assert next_change(datetime(2026, 12, 5, 12, 0), [], christmas) is None
    assert next_change(datetime(2026, 12, 20, 12, 0), [], christmas) == datetime(2026, 12, 25, 0, 0)
    every_day = [OpeningHours(weekday=day, opens="00:00", closes="00:00") for day in range(7)]
    assert next_change(datetime(2026, 12, 5, 12, 0), every_day) is None
    assert next_change(datetime(2026, 12, 5, 12, 0), every_day, [HoursException(date="2026-12-08")]) == datetime(
        2026, 12, 8, 0, 0
    )
