"""An order's or a delivery's time on another day says the day (a tester of time: a SCHEDULED order for the day
after tomorrow read "OFFER 12:00", and a courier went at noon today), on a fixed clock in Shanghai (UTC+8):

- `day_clock`, the one rule: "12:00" today, "tomorrow 12:00" / "tmrw 12:00" / "tmrw", "9 Dec 12:00" / "9 Dec" / "+2d",
  across the store's midnight (23:39 for 01:00 is tomorrow's) whatever UTC's date is; the sold-out badge's
  `at_text` keeps its words;
- the console's order detail, the dispatch board's rows (five cells, column widths kept at 40 columns), the
  handheld's rows (20 columns: the day, never the time alone) and its task detail, in English and Chinese;
- special hours on a date are not called a holiday; `dispatch suggest` names the store's missing location.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec
import pytest
from rich.cells import cell_len

from o2o_tui.domain.clock import day_clock
from o2o_tui.domain.fleet import Delivery
from o2o_tui.domain.order import ClosedAtPromise, Order, OrderStatus, Timing, TimingType
from o2o_tui.domain.schedule import closed_at_promise, closed_at_promise_words
from o2o_tui.domain.store import HoursException, OpeningHours, TimeRange
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language
from o2o_tui.live_dispatch import FleetSnapshot, OrderState, plan_live
from o2o_tui.store_effect import at_text
from screens.courier_format import UNICODE, day_only, detail_fields, row_parts
from screens.source import QueueEntry
from screens.widgets.dispatch_rows import order_columns, order_line, order_view
from screens.widgets.order_detail import detail_content
from tests.test_ui_courier_snapshots import delivery
from tests.test_ui_samples import sample_order

SHANGHAI = ZoneInfo("Asia/Shanghai")
# 09:40 on 12-07 in Shanghai (01:40 UTC)
MORNING = datetime(2026, 12, 7, 9, 40, tzinfo=SHANGHAI).astimezone(UTC)
# 23:39 on 12-07 in Shanghai: 15:39 UTC, the same UTC date as the store's tomorrow 01:00 (17:00 UTC)
LATE = datetime(2026, 12, 7, 23, 39, tzinfo=SHANGHAI).astimezone(UTC)


def local(day: int, hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 12, day, hour, minute, tzinfo=SHANGHAI).astimezone(UTC)


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language(None)


def test_the_rule_today_tomorrow_later_and_across_midnight(english: None) -> None:
    assert day_clock(local(7, 12), SHANGHAI, MORNING) == "12:00"
    assert day_clock(local(8, 12), SHANGHAI, MORNING) == "tomorrow 12:00"
    assert day_clock(local(9, 12), SHANGHAI, MORNING) == "9 Dec 12:00"
    assert day_clock(local(6, 23, 50), SHANGHAI, MORNING) == "yesterday 23:50"
    # across the store's midnight: UTC says the same date (15:39 and 17:00 UTC), the store's clock does not
    assert LATE.date() == local(8, 1).date()
    assert day_clock(local(8, 1), SHANGHAI, LATE) == "tomorrow 01:00"
    assert day_clock(local(7, 23, 55), SHANGHAI, LATE) == "23:55"
    assert day_clock(local(8, 12), SHANGHAI, MORNING, form="short") == "tmrw 12:00"
    assert day_clock(local(9, 12), SHANGHAI, MORNING, form="short") == "9 Dec"
    assert [day_clock(local(d, 12), SHANGHAI, MORNING, form="narrow") for d in (7, 8, 9, 6, 5)] == [
        "12:00", "tmrw", "+2d", "yest", "-2d",
    ]  # fmt: skip
    assert day_clock(datetime(2027, 1, 2, 4, tzinfo=UTC), SHANGHAI, MORNING) == "2 Jan 2027 12:00"
    # the sold-out badge's words, the year always said
    assert at_text(local(8, 14), SHANGHAI, MORNING) == "tomorrow 14:00"
    assert at_text(local(9, 14), SHANGHAI, MORNING) == "9 Dec 2026 14:00"
    assert at_text(local(7, 14), SHANGHAI, MORNING) == "14:00"


def test_the_rule_in_chinese(chinese: None) -> None:
    assert day_clock(local(8, 12), SHANGHAI, MORNING) == "明天 12:00"
    assert day_clock(local(8, 12), SHANGHAI, MORNING, form="short") == "明天 12:00"
    assert day_clock(local(9, 12), SHANGHAI, MORNING, form="narrow") == "+2天"
    assert day_clock(local(8, 1), SHANGHAI, LATE, form="narrow") == "明天"
    assert all(cell_len(day_clock(local(d, 12), SHANGHAI, MORNING, form="narrow")) <= 5 for d in range(1, 31))


def _later_order(promised: datetime, now: datetime) -> Order:
    """#0003, placed at `now`, for the customer's time `promised`, accepted: ready then."""
    order = sample_order(3, OrderStatus.CONFIRMED, minutes_ago=0)
    return msgspec.structs.replace(
        order,
        created_at=now,
        updated_at=now,
        confirmed_at=now,
        timing=Timing(
            type=TimingType.SCHEDULED, window_start=promised, window_end=promised + timedelta(minutes=30)
        ),
        promised_ready_at=promised,
        accept_deadline=now + timedelta(minutes=5),
    )


def test_the_order_detail_says_the_day(english: None) -> None:
    text = detail_content(QueueEntry(order=_later_order(local(9, 12), MORNING)), MORNING, SHANGHAI).plain
    assert "For: 9 Dec 12:00" in text and "Promised ready: 9 Dec 12:00" in text, text
    assert "Placed: 09:40" in text  # today's as it always was
    text = detail_content(QueueEntry(order=_later_order(local(8, 1), LATE)), LATE, SHANGHAI).plain
    assert "For: tomorrow 01:00" in text and "Promised ready: tomorrow 01:00" in text, text
    today = detail_content(QueueEntry(order=_later_order(local(7, 12), MORNING)), MORNING, SHANGHAI).plain
    assert "For: 12:00" in today and "Promised ready: 12:00" in today, today


def test_the_order_detail_in_chinese(chinese: None) -> None:
    text = detail_content(QueueEntry(order=_later_order(local(8, 1), LATE)), LATE, SHANGHAI).plain
    assert "明天 01:00" in text and " 01:00\n" not in text.replace("明天 01:00", ""), text


def _state(ready: datetime) -> OrderState:
    return OrderState(
        order_id="o3", order_number=3, status=OrderStatus.CONFIRMED, ready_at=ready, customer_name="Li Na",
        address="People's Square", dropoff=None, courier_id=None, why="later",
    )  # fmt: skip


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_board_row_says_the_day_in_its_five_cells(lang: str) -> None:
    set_language(lang)
    try:
        today = order_view(_state(local(7, 12)), None, {}, SHANGHAI, MORNING)
        later = order_view(_state(local(9, 12)), None, {}, SHANGHAI, MORNING)
        tomorrow = order_view(_state(local(8, 1)), None, {}, SHANGHAI, LATE)
        assert today.ready == "12:00"
        assert later.ready == ("+2d" if lang == "en" else "+2天")
        assert tomorrow.ready == ("tmrw" if lang == "en" else "明天")
        for width in (40, 44, 80):  # the columns as they were: the day fits the ready column
            assert order_columns(width)["ready"].width == 5
            lines = [order_line(view, width).plain for view in (today, later, tomorrow)]
            assert len({cell_len(line) for line in lines}) == 1 and cell_len(lines[0]) <= width, lines
            for line, view in zip(
                lines, (today, later, tomorrow), strict=True
            ):  # " #0003 " then the ready column
                assert line.startswith(f" #0003 {view.ready}"), line
    finally:
        set_language(None)


def _task(ready: datetime) -> Delivery:
    return msgspec.structs.replace(delivery(3, DeliveryStatus.PENDING), ready_at=ready)


def test_the_handheld_row_and_detail_say_the_day(english: None) -> None:
    head, _store = row_parts(1, _task(local(9, 12)), queued=False, refused=False, glyphs=UNICODE, now=MORNING)
    assert head == "1 #0003 OFFER 9 Dec"
    head, _store = row_parts(1, _task(local(8, 1)), queued=False, refused=False, glyphs=UNICODE, now=LATE)
    assert head == "1 #0003 OFFER tmrw 01:00"
    assert day_only(head) == "1 #0003 OFFER tmrw"  # 20 columns: the day, never the time alone
    today, _store = row_parts(
        1, _task(local(7, 12)), queued=False, refused=False, glyphs=UNICODE, now=MORNING
    )
    assert today == "1 #0003 OFFER 12:00" and day_only(today) == today
    fields = detail_fields(_task(local(9, 12)), ended=False, glyphs=UNICODE, now=MORNING)
    assert fields["ready"] == "Ready: 9 Dec 12:00"
    fields = detail_fields(_task(local(8, 1)), ended=False, glyphs=UNICODE, now=LATE)
    assert fields["ready"] == "Ready: tomorrow 01:00"


def test_the_handheld_row_in_chinese(chinese: None) -> None:
    head, _store = row_parts(1, _task(local(8, 12)), queued=False, refused=False, glyphs=UNICODE, now=MORNING)
    assert head.endswith("明天 12:00") and day_only(head).endswith("明天"), head
    assert cell_len(day_only(head)) <= 20


def test_special_hours_on_a_date_are_not_a_holiday(english: None) -> None:
    special = HoursException(date="2026-12-08", hours=[TimeRange("11:00", "14:00")], note="")
    closed = HoursException(date="2026-12-08", hours=[], note="")
    weekly = [OpeningHours(weekday, "09:00", "21:00") for weekday in range(7)]
    promised = local(8, 10)
    found = closed_at_promise(promised, SHANGHAI, weekly, [special])
    assert found == ClosedAtPromise(date="2026-12-08", holiday=True, hours=["11:00-14:00"])
    assert closed_at_promise(promised, SHANGHAI, weekly, [closed]) == ClosedAtPromise(
        date="2026-12-08", holiday=True, hours=[]
    )
    order = msgspec.structs.replace(
        _later_order(promised, MORNING), status=OrderStatus.CREATED, closed_at_promise=found
    )
    words = closed_at_promise_words(order, SHANGHAI, MORNING)
    assert words is not None and "holiday" not in words
    assert words.startswith(
        "Promised for tomorrow 10:00: the store is closed then (special hours 11:00-14:00 on 8 Dec)"
    )
    shut = msgspec.structs.replace(
        order, closed_at_promise=ClosedAtPromise(date="2026-12-08", holiday=True, hours=[])
    )
    assert "(closed on 8 Dec)" in (closed_at_promise_words(shut, SHANGHAI, MORNING) or "")
    # an older platform sends no hours: neither "holiday" nor a guess
    old = msgspec.json.decode(b'{"date": "2026-12-08", "holiday": true}', type=ClosedAtPromise)
    assert old.hours is None
    said = (
        closed_at_promise_words(msgspec.structs.replace(order, closed_at_promise=old), SHANGHAI, MORNING)
        or ""
    )
    assert "(hours set for 8 Dec)" in said and "holiday" not in said


def test_a_store_without_a_location_is_named_as_the_stores() -> None:
    from o2o_tui.domain.geo import Address
    from o2o_tui.i18n import t
    from tests.test_dispatch_live_samples import NOW, courier, order, store

    nowhere = msgspec.structs.replace(store(), address=Address("南京东路 100 号"))  # no position at all
    plan = plan_live(
        FleetSnapshot(store=nowhere, orders=[order(1)], couriers=[courier("A B", 0.0, 0.0)]), NOW
    )
    assert [o.why for o in plan.orders] == ["no_store_location"]
    set_language("en")
    try:
        assert "store" in t("dispatch.why.no_store_location") and "drop-off" not in t(
            "dispatch.why.no_store_location"
        )
        assert cell_len(t("dispatch.board.tag.no_store_location")) <= 8
    finally:
        set_language(None)
