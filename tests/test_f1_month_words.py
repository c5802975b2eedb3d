"""A date with a month and a day reads one way only, in every language (a UK reader took "12-09 12:00" for 12
September): the month in words from the catalog, "9 Dec 12:00" / "12月9日 12:00", with its year in another year
("2 Jan 2027 12:00" / "2027年1月2日 12:00"); a handheld's row says the day alone ("9 Dec", "12月9日"), never wider
than the "12-09 12:00" it replaces; today and tomorrow keep their words."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from rich.cells import cell_len

from o2o_tui.domain.clock import date_clock, day_clock, month_day
from o2o_tui.i18n import set_language
from screens.scheduled_screen import when_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOW = datetime(2026, 12, 7, 9, 40, tzinfo=SHANGHAI).astimezone(UTC)  # Monday 7 Dec, 09:40 in Shanghai

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # the English catalog's


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


# (moment, long form, short form) per language: today, tomorrow, later this year, another year
WAYS = {
    "en": [
        (at(2026, 12, 7), "12:00", "12:00"),
        (at(2026, 12, 8), "tomorrow 12:00", "tmrw 12:00"),
        (at(2026, 12, 9), "9 Dec 12:00", "9 Dec"),
        (at(2026, 12, 19), "19 Dec 12:00", "19 Dec"),
        (at(2027, 1, 2), "2 Jan 2027 12:00", "2 Jan"),
        (at(2025, 11, 30), "30 Nov 2025 12:00", "30 Nov"),
    ],
    "zh": [
        (at(2026, 12, 7), "12:00", "12:00"),
        (at(2026, 12, 8), "明天 12:00", "明天 12:00"),
        (at(2026, 12, 9), "12月9日 12:00", "12月9日"),
        (at(2026, 12, 19), "12月19日 12:00", "12月19日"),
        (at(2027, 1, 2), "2027年1月2日 12:00", "1月2日"),
        (at(2025, 11, 30), "2025年11月30日 12:00", "11月30日"),
    ],
}


def test_the_rule_today_tomorrow_later_and_another_year(lang: str) -> None:
    for moment, long, short in WAYS[lang]:
        assert day_clock(moment, SHANGHAI, NOW) == long
        assert day_clock(moment, SHANGHAI, NOW, form="short") == short
    # a printed ticket or a CLI line never says "tomorrow": the date, with its year only in another year
    tomorrow = date_clock(at(2026, 12, 8).astimezone(SHANGHAI), now=NOW)
    assert tomorrow == ("8 Dec 12:00" if lang == "en" else "12月8日 12:00")
    assert date_clock(at(2027, 1, 2).astimezone(SHANGHAI), now=NOW) == WAYS[lang][4][1]
    # `full_date` (a store's "closed until") always says the year
    full = day_clock(at(2026, 12, 9, 14), SHANGHAI, NOW, full_date=True)
    assert full == ("9 Dec 2026 14:00" if lang == "en" else "2026年12月9日 14:00")
    # the orders-for-later list: today's time alone, another day's date
    assert when_text(at(2026, 12, 7, 13), SHANGHAI, NOW) == "13:00"
    assert when_text(at(2026, 12, 9), SHANGHAI, NOW) == WAYS[lang][2][1]


def test_no_month_day_in_digits_and_the_row_no_wider_than_before(lang: str) -> None:
    day = date(2026, 1, 1)
    while day.year == 2026:
        words = month_day(day)
        assert "-" not in words and "/" not in words and str(day.day) in words
        if lang == "en":
            assert words == f"{day.day} {MONTHS[day.month - 1]}"
        else:
            assert words == f"{day.month}月{day.day}日"
        moment = at(day.year, day.month, day.day)
        assert cell_len(day_clock(moment, SHANGHAI, NOW, form="short")) <= cell_len("12-09 12:00")
        day += timedelta(days=1)

