"""What a Chinese input method types into a number, price, time or hours field reads as the ASCII it stands for:
the helper itself (`o2o_tui.typed_text`) and the parsers the CLI and the store screen share (`o2o_tui.store_hours`)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from o2o_tui import store_hours
from o2o_tui.domain.store import TimeRange
from o2o_tui.i18n import set_language
from o2o_tui.typed_text import ascii_hours, ascii_typed


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("１４：３０", "14:30"),  # full-width digits and colon
        ("３９．５", "39.5"),  # full-width full stop
        ("39。5", "39.5"),  # the period key in Chinese punctuation mode
        ("１０：００－２２：００", "10:00-22:00"),  # full-width hyphen-minus
        ("10:00～14:00", "10:00~14:00"),  # full-width tilde
        ("10:00〜14:00", "10:00~14:00"),  # wave dash
        ("10:00-14:00，17:00-21:00", "10:00-14:00,17:00-21:00"),
        ("10:00-14:00、17:00-21:00", "10:00-14:00,17:00-21:00"),
        ("\u3000３０\u3000", " 30 "),  # ideographic spaces
        ("ＡＢ１２", "AB12"),  # a code typed in full-width letters
        ("12:30", "12:30"),  # ASCII stays as it is
        ("休息", "休息"),  # words stay
    ],
)
def test_ascii_typed(typed: str, meant: str) -> None:
    assert ascii_typed(typed) == meant


@pytest.mark.parametrize(
    ("typed", "meant"),
    [
        ("11:00至14:00", "11:00-14:00"),
        ("11:00 到 14:00", "11:00-14:00"),
        ("１１：００～１４：００", "11:00-14:00"),
        ("10:00——14:00", "10:00-14:00"),  # Shift+- in Chinese mode: two em dashes
        ("10:00–14:00、17:00—21:00", "10:00-14:00,17:00-21:00"),
        ("10:00-14:00", "10:00-14:00"),
        ("至", "至"),  # only between two times
        ("全天", "全天"),
    ],
)
def test_ascii_hours_reads_a_separator_between_two_times_as_a_dash(typed: str, meant: str) -> None:
    assert ascii_hours(typed) == meant


@pytest.mark.parametrize(
    "typed",
    [
        "10：00-22：00",
        "１０：００－２２：００",
        "10:00～22:00",
        "10:00至22:00",
        "10:00 到 22:00",
        "10:00〜22:00",
        "10:00——22:00",
    ],
)
def test_parse_ranges_takes_what_an_ime_types(typed: str, lang: str) -> None:
    assert store_hours.parse_ranges(typed) == [TimeRange(opens="10:00", closes="22:00")]


def test_parse_ranges_takes_two_ranges_typed_with_an_ime(lang: str) -> None:
    assert store_hours.parse_ranges("１０：００至１４：００，１７：００～２１：００") == [
        TimeRange(opens="10:00", closes="14:00"),
        TimeRange(opens="17:00", closes="21:00"),
    ]


def test_pause_until_takes_full_width_minutes_and_a_full_width_colon(lang: str) -> None:
    zone = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 12, 6, 3, 0, tzinfo=UTC)  # 11:00 in Shanghai
    assert store_hours.pause_until("３０", now, zone) == now + timedelta(minutes=30)
    assert store_hours.pause_until("14：30", now, zone) == datetime(2026, 12, 6, 6, 30, tzinfo=UTC)


def test_a_date_and_a_day_typed_in_full_width(lang: str) -> None:
    assert store_hours.parse_date("２０２６－１０－０１") == "2026-10-01"
    assert store_hours.parse_day("４") == 4


def test_an_empty_day_or_date_is_asked_for_and_never_quoted_empty(lang: str) -> None:
    for parse in (store_hours.parse_day, store_hours.parse_date):
        for typed in ("", "  ", "\u3000"):
            with pytest.raises(store_hours.HoursError) as refused:
                parse(typed)
            message = refused.value.message
            assert message and not re.search(r"[“\"]\s*[”\"]", message), message
