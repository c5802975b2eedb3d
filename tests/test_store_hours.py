"""Opening hours as typed (`o2o_tui.store_hours`) and the store's effect in words and its sold-out list
(`o2o_tui.store_effect`): pure, no server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest

from o2o_tui import store_hours as sh
from o2o_tui.domain.geo import Address
from o2o_tui.domain.menu import Availability, Category, Item, Menu, Names, Option, OptionGroup
from o2o_tui.domain.money import Money
from o2o_tui.domain.requests import HoursBody, OpeningHoursIn
from o2o_tui.domain.store import HoursException, OpeningHours, Store, StoreState, StoreStatus, TimeRange
from o2o_tui.i18n import set_language
from o2o_tui.store_effect import describe, effect, sold_out, sold_out_text

SHANGHAI = ZoneInfo("Asia/Shanghai")
# Wednesday 2026-11-25 12:30 in Shanghai
NOW = datetime(2026, 11, 25, 4, 30, tzinfo=UTC)


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _store(**changes: object) -> Store:
    store = Store(
        id="s1",
        name="Lao Wang",
        address=Address("x"),
        currency="CNY",
        timezone="Asia/Shanghai",
        status=StoreStatus(),
        version=1,
    )
    return msgspec.structs.replace(store, **changes)


def _local(day: int, hour: int, minute: int = 0) -> datetime:
    """2026-11-<day> hour:minute in Shanghai, as UTC."""
    return datetime(2026, 11, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


def test_days_dates_and_ranges_as_people_type_them() -> None:
    assert [sh.parse_day(d) for d in ("mon", "Tuesday", "6", "周日", "SAT")] == [0, 1, 6, 6, 5]
    assert sh.parse_ranges("17:00-02:00, 9:00-12:00") == [
        TimeRange("09:00", "12:00"),
        TimeRange("17:00", "02:00"),
    ]
    assert sh.parse_ranges("closed") == [] and sh.parse_ranges("") == []
    whole_day = [TimeRange("00:00", "00:00")]
    for all_day in ("all day", "All Day", "全天", "24h", sh.ranges_text(whole_day)):
        assert sh.parse_ranges(all_day) == whole_day  # what a day shows reads back (the store screen's prompt)
    assert sh.parse_date("2026-10-01") == "2026-10-01"
    for bad_day in ("7", "mo", "someday"):
        with pytest.raises(sh.HoursError, match="Not a day"):
            sh.parse_day(bad_day)
    for bad_range in ("10-12", "25:00-26:00", "10:00", "10:00-12:00,", "10:61-11:00"):
        with pytest.raises(sh.HoursError, match="Not a time range"):
            sh.parse_ranges(bad_range)
    with pytest.raises(sh.HoursError, match="At most 4"):
        sh.parse_ranges("01:00-02:00,03:00-04:00,05:00-06:00,07:00-08:00,09:00-10:00")
    for bad_date in ("2026-02-30", "2026-1-1", "tomorrow"):
        with pytest.raises(sh.HoursError, match="Not a date"):
            sh.parse_date(bad_date)


def test_edits_replace_one_day_or_date_and_keep_the_rest() -> None:
    body = HoursBody()
    body = sh.set_day(body, 4, sh.parse_ranges("10:00-14:00,17:00-02:00"))
    body = sh.set_day(body, 0, sh.parse_ranges("09:00-21:00"))
    body = sh.set_exception(body, "2026-12-25", [], "Christmas")
    body = sh.set_exception(body, "2026-10-01", sh.parse_ranges("12:00-20:00"))
    assert sh.week(_store()) == [[TimeRange("00:00", "00:00")]] * 7  # no weekly hours: every day all day
    store = sh.applied(_store(), body)
    week = sh.week(store)
    assert week[0] == [TimeRange("09:00", "21:00")]
    assert week[4] == [TimeRange("10:00", "14:00"), TimeRange("17:00", "02:00")]
    assert [e.date for e in store.hours_exceptions] == ["2026-10-01", "2026-12-25"]  # in date order
    assert sh.hours_body(store) == body  # a store's hours read back as the body that sets them
    body = sh.set_day(body, 4, [])  # a day with no ranges: closed that day
    body = sh.set_exception(body, "2026-12-25", sh.parse_ranges("10:00-15:00"), "short day")  # replaced
    body = sh.clear_exception(body, "2026-10-01")
    store = sh.applied(store, body)
    assert sh.week(store)[4] == [] and sh.week(store)[0] == [TimeRange("09:00", "21:00")]
    assert store.hours_exceptions == [
        HoursException("2026-12-25", [TimeRange("10:00", "15:00")], "short day")
    ]
    with pytest.raises(sh.HoursError, match="no exception for 2026-10-01"):
        sh.clear_exception(body, "2026-10-01")


def test_pause_for_minutes_or_until_a_store_time() -> None:
    assert sh.pause_until("", NOW, SHANGHAI) is None
    assert sh.pause_until("30", NOW, SHANGHAI) == NOW + timedelta(minutes=30)
    assert sh.pause_until("14:30", NOW, SHANGHAI) == _local(25, 14, 30)
    assert sh.pause_until("9:00", NOW, SHANGHAI) == _local(26, 9)  # past today: tomorrow's
    for bad in ("0", "1441", "25:00", "soon"):
        with pytest.raises(sh.HoursError):
            sh.pause_until(bad, NOW, SHANGHAI)


def test_the_effect_in_words() -> None:
    lunch_and_night = [OpeningHours(2, "10:00", "14:00"), OpeningHours(2, "17:00", "02:00")]
    hours = _store(opening_hours=lunch_and_night)
    assert describe(_store(), NOW) == "Open, taking orders"
    assert describe(hours, NOW) == "Open until 14:00"
    assert describe(hours, _local(25, 15)) == "Closed until 17:00 (opening hours), orders refused"
    assert describe(hours, _local(25, 23)) == "Open until tomorrow 02:00"  # overnight range
    assert describe(hours, _local(26, 3)) == "Closed until 2 Dec 2026 10:00 (opening hours), orders refused"
    paused = StoreStatus(StoreState.PAUSED, until=_local(25, 14, 30), reason="gas [b]off")
    assert describe(_store(status=paused), NOW) == "Closed until 14:30 (paused), orders refused (gas [b]off)"
    assert effect(_store(status=paused), _local(25, 14, 31)).takes_orders  # the pause has ended by itself
    assert describe(_store(status=StoreStatus(StoreState.PAUSED)), NOW).startswith("Closed until resumed")
    busy = StoreStatus(StoreState.BUSY, extra_minutes=15)
    assert describe(_store(status=busy), NOW) == "Busy: +15 min on every order"
    assert describe(_store(status=busy, opening_hours=lunch_and_night), NOW) == (
        "Busy: +15 min on every order, open until 14:00"
    )
    holiday = _store(opening_hours=lunch_and_night, hours_exceptions=[HoursException("2026-11-25", [])])
    assert not effect(holiday, NOW).takes_orders and effect(holiday, NOW).by_hours
    set_language("zh")
    assert describe(hours, _local(25, 15)) == "非营业时间，17:00 开门，不接新单"


def test_sold_out_lists_unavailable_and_snoozed_not_hidden() -> None:
    later = NOW + timedelta(hours=2)
    menu = Menu(
        "s1",
        1,
        "CNY",
        [
            Category(
                "c",
                "Hot",
                [
                    Item(
                        "a",
                        "宫保鸡丁",
                        Money(1, "CNY"),
                        names=Names("宫保鸡丁", "Kung Pao"),
                        snooze_until=later,
                    ),
                    Item("b", "Tofu", Money(1, "CNY"), status=Availability.UNAVAILABLE),
                    Item("c", "Secret", Money(1, "CNY"), status=Availability.UNAVAILABLE, hidden=True),
                    Item("d", "Old snooze", Money(1, "CNY"), snooze_until=NOW - timedelta(minutes=1)),
                    Item("e", "Fine", Money(1, "CNY")),
                ],
            )
        ],
        [OptionGroup("g", "Rice", 0, 1, [Option("r", "Rice", Money(1, "CNY"), snooze_until=later)])],
    )
    found = sold_out(menu, NOW)
    assert [(f.kind, f.id, f.name, f.until) for f in found] == [
        ("item", "a", "Kung Pao", later),
        ("item", "b", "Tofu", None),
        ("option", "r", "Rice", later),
    ]
    assert (
        sold_out_text(found, SHANGHAI, NOW) == "Sold out (3): Kung Pao until 14:30 · Tofu · Rice until 14:30"
    )
    assert sold_out(menu, NOW, "zh")[0].name == "宫保鸡丁"
    assert sold_out(menu, later) == [found[1]] and sold_out(None, NOW) == []


def test_a_queued_hours_change_shows_at_once(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """Offline, `store.hours` waits in the outbox; the view (cache + outbox) already has the new hours."""
    from o2o_tui.client.actions import encode_body
    from o2o_tui.sync import tables
    from o2o_tui.sync.read_model import ReadModel
    from offline_cache import open_profile_cache

    with open_profile_cache(tmp_path / "profile") as cache:
        cache.table(tables.STORES).upsert("s1", msgspec.to_builtins(_store()))
        wednesdays = HoursBody(opening_hours=[OpeningHoursIn(weekday=2, opens="10:00", closes="14:00")])
        body = sh.set_exception(wednesdays, "2026-12-25", [])
        payload = encode_body("store.hours", body).decode()
        cache.outbox.append("store.hours", "s1", payload, occurred_at=NOW.isoformat())
        shown = ReadModel(cache).store("s1")
        assert shown is not None
        assert shown.opening_hours == [OpeningHours(2, "10:00", "14:00")]
        assert shown.hours_exceptions == [HoursException("2026-12-25", [])]
        assert (
            describe(shown, _local(25, 15)) == "Closed until 2 Dec 2026 10:00 (opening hours), orders refused"
        )
