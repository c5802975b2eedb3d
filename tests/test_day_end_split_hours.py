"""A sell-out without a time ("sold out today", the usual 86) lasts to the store's day's last close, not to the
next close: a dumpling shop open 07:00-14:00 and 17:00-23:30 sold an item out at lunch and had it back at 14:00.
`hours.day_end` is the one rule of the CLI (`o2o menu item status ... sold-out`) and the menu editor's `o`."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

from o2o_tui.cli.menu import sold_out_until
from o2o_tui.domain.hours import day_end
from o2o_tui.domain.store import HoursException, OpeningHours, TimeRange

SHANGHAI = ZoneInfo("Asia/Shanghai")
SPLIT = [
    OpeningHours(weekday=d, opens=o, closes=c)
    for d in range(7)
    for o, c in (("07:00", "14:00"), ("17:00", "23:30"))
]


def at(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI)  # 2026-12-07 is a Monday


def end(now: datetime, weekly: list[Any], exceptions: list[Any] | None = None) -> datetime:
    return day_end(now, SHANGHAI, weekly, exceptions or [])


def test_split_hours_end_at_the_dinner_close_at_lunch_between_and_at_dinner() -> None:
    assert end(at(7, 12), SPLIT) == at(7, 23, 30)  # at lunch: not 14:00
    assert end(at(7, 7), SPLIT) == at(7, 23, 30)  # the minute it opens
    assert end(at(7, 15), SPLIT) == at(7, 23, 30)  # between lunch and dinner
    assert end(at(7, 6), SPLIT) == at(7, 23, 30)  # before it opens, with the day still ahead
    assert end(at(7, 20), SPLIT) == at(7, 23, 30)
    assert end(at(7, 23, 45), SPLIT) == at(8, 0)  # nothing left of the day: midnight


def test_split_hours_with_an_overnight_dinner() -> None:
    late = [
        OpeningHours(weekday=d, opens=o, closes=c)
        for d in range(7)
        for o, c in (("11:00", "14:00"), ("17:00", "02:00"))
    ]
    assert end(at(7, 12), late) == at(8, 2)
    assert end(at(8, 1), late) == at(8, 2)  # 01:00 is still Monday's day: its dinner closes at 02:00
    assert end(at(8, 3), late) == at(9, 2)  # Tuesday's day has begun: its dinner
    # a range the next morning running on from the overnight one (it may overlap: it starts on another day)
    morning = [*late, OpeningHours(weekday=1, opens="01:00", closes="05:00")]
    assert end(at(7, 12), morning) == at(8, 5)


def test_exceptions_holidays_and_around_the_clock() -> None:
    lunch_only = [HoursException(date="2026-12-07", hours=[TimeRange("07:00", "14:00")])]
    assert end(at(7, 12), SPLIT, lunch_only) == at(7, 14)  # the day's hours are the exception's
    closed = [HoursException(date="2026-12-07")]
    assert end(at(7, 12), SPLIT, closed) == at(8, 0)  # closed all day: midnight
    every_hour = [OpeningHours(weekday=d, opens="00:00", closes="00:00") for d in range(7)]
    assert end(at(7, 12), every_hour) == at(8, 0)  # not a week later
    assert end(at(7, 12), []) == at(8, 0)  # no hours set


class _Store:
    timezone = "Asia/Shanghai"
    opening_hours = SPLIT
    hours_exceptions: list[Any] = []


def test_the_cli_rule_is_the_same() -> None:
    assert sold_out_until(None, at(7, 12), _Store()) == at(7, 23, 30).astimezone(UTC)
