"""An order for later whose promised time the store's hours come to have closed, and a ring time worked out again,
on the real server:
- a closed date (a holiday) set over the promised time itself: the order cannot be made on time, so it is not held
  to the next opening (after the promised time) but rings now (event `order.released`), flagged
  `closed_at_promise` with the date, its accept deadline counted from now; weekly hours closing it say so too;
- the same hours written beneath the API: the release at its prep start flags it rather than holding it;
- a ring time worked out again on a change of hours counts the prep minutes the order was placed with, not the
  menu's minutes since;
- the console's order detail says it in a line of its own, in English and Chinese."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import sqlalchemy as sa

from o2o_tui import auto_accept
from o2o_tui.domain.order import ClosedAtPromise, Order, OrderStatus
from o2o_tui.domain.schedule import closed_at_promise
from o2o_tui.domain.store import HoursException, OpeningHours, TimeRange
from o2o_tui.i18n import set_language
from screens.source import QueueEntry
from screens.widgets.order_detail import detail_content
from tests.support.platform import api, start_platform
from tests.test_server_scheduled import PREP, _later, _when

SHANGHAI = ZoneInfo("Asia/Shanghai")

MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # the English catalog's


def _eventually(probe: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_a_closed_date_over_the_promised_time_rings_the_order_now(tmp_path: Path) -> None:
    platform = start_platform(tmp_path, env={"O2O_ACCEPT_TIMEOUT_SECONDS": "600"})
    try:
        assert platform.seed is not None
        store_id = platform.seed.store_id
        customer, merchant = api(platform, "customer"), api(platform, "merchant")
        day = (datetime.now(SHANGHAI) + timedelta(days=2)).date()
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI)
        order = customer.post("/v1/orders", _later(store_id, noon)).json()
        other = customer.post("/v1/orders", _later(store_id, noon + timedelta(days=1))).json()
        assert _when(order["held_until"]) == noon - timedelta(minutes=PREP)
        assert order["closed_at_promise"] is None
        cursor = merchant.get("/v1/events", after="latest").json()["cursor"]

        hours = f"/v1/stores/{store_id}/hours"
        holiday = {"date": day.isoformat(), "hours": [], "note": "holiday"}
        before = datetime.now(UTC)
        assert merchant.put(hours, {"exceptions": [holiday]}).status_code == 200
        rang = merchant.get(f"/v1/orders/{order['id']}").json()
        assert rang["status"] == "CREATED" and rang["held_until"] is None  # in the live queue, ringing
        assert rang["closed_at_promise"] == {"date": day.isoformat(), "holiday": True, "hours": []}
        released_at = _when(rang["released_at"])
        assert released_at is not None and released_at >= before
        deadline = _when(rang["accept_deadline"])
        assert deadline is not None and abs((deadline - released_at).total_seconds() - 600) < 1  # from now
        events = merchant.get("/v1/events", after=cursor).json()["events"]
        assert "order.released" in [e["type"] for e in events if e["entity_id"] == order["id"]]
        shown = msgspec.json.decode(json.dumps(rang), type=Order)  # as the console's cache holds it
        en = f"{day.day} {MONTHS[day.month - 1]}"  # "9 Dec"
        zh = f"{day.month}月{day.day}日"
        try:
            for lang, line in (
                ("en", f"Promised for {en} 12:00: the store is closed then (closed on {en})."),
                ("zh", f"预订 {zh} 12:00：届时门店休息（{zh} 全天休息）。"),
            ):
                set_language(lang)
                text = detail_content(QueueEntry(order=shown), datetime.now(UTC), SHANGHAI).plain
                assert line in text, text
            accepted = msgspec.structs.replace(shown, status=OrderStatus.CONFIRMED)  # handled: the line goes
            assert "全天休息" not in detail_content(QueueEntry(order=accepted), datetime.now(UTC), SHANGHAI).plain
        finally:
            set_language(None)
        assert not auto_accept.is_due(shown, datetime.now(UTC))  # the station leaves it to a person
        assert auto_accept.is_due(msgspec.structs.replace(shown, closed_at_promise=None), datetime.now(UTC))
        untouched = merchant.get(f"/v1/orders/{other['id']}").json()  # the next day is open: still held
        assert untouched["held_until"] is not None and untouched["closed_at_promise"] is None

        # weekly hours that no longer open at noon on that weekday: flagged as the hours', not a holiday
        evening = [{"weekday": w, "opens": "17:00", "closes": "22:00"} for w in range(7)]
        assert merchant.put(hours, {"opening_hours": evening}).status_code == 200
        weekly = merchant.get(f"/v1/orders/{other['id']}").json()
        assert weekly["held_until"] is None
        later = (day + timedelta(days=1)).isoformat()
        assert weekly["closed_at_promise"] == {"date": later, "holiday": False, "hours": None}
    finally:
        platform.stop()


def test_hours_closed_beneath_the_api_flag_it_at_its_prep_start(tmp_path: Path) -> None:
    platform = start_platform(
        tmp_path, env={"O2O_ACCEPT_TIMEOUT_SECONDS": "600", "O2O_JOB_INTERVAL_SECONDS": "0.2"}
    )
    try:
        assert platform.seed is not None
        store_id = platform.seed.store_id
        customer, merchant = api(platform, "customer"), api(platform, "merchant")
        start = datetime.now(UTC) + timedelta(minutes=PREP, seconds=3)  # rings in 3 s
        order = customer.post("/v1/orders", _later(store_id, start)).json()
        assert order["held_until"] is not None
        today = start.astimezone(SHANGHAI).date()
        engine = sa.create_engine(platform.db_url)
        with engine.begin() as conn:  # the promised day closed, written beneath the API: only the release sees it
            raw = conn.execute(sa.text("SELECT doc FROM stores WHERE id = :i"), {"i": store_id}).scalar()
            assert raw is not None
            doc = json.loads(raw)
            doc["hours_exceptions"] = [{"date": today.isoformat(), "hours": []}]
            conn.execute(sa.text("UPDATE stores SET doc = :d WHERE id = :i"), {"d": json.dumps(doc), "i": store_id})
        engine.dispose()

        def status() -> dict[str, Any]:
            found: dict[str, Any] = merchant.get(f"/v1/orders/{order['id']}").json()
            return found

        assert _eventually(lambda: status()["released_at"] is not None), status()
        rang = status()
        assert rang["held_until"] is None and rang["status"] == "CREATED"  # not held to tomorrow's opening
        assert rang["closed_at_promise"] == {"date": today.isoformat(), "holiday": True, "hours": []}
    finally:
        platform.stop()


def test_a_ring_time_worked_out_again_keeps_the_prep_minutes_placed_with(tmp_path: Path) -> None:
    platform = start_platform(tmp_path, env={"O2O_ACCEPT_TIMEOUT_SECONDS": "60"})
    try:
        assert platform.seed is not None
        store_id = platform.seed.store_id
        customer, merchant = api(platform, "customer"), api(platform, "merchant")
        day = (datetime.now(SHANGHAI) + timedelta(days=1)).date()
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI)
        order = customer.post("/v1/orders", _later(store_id, noon)).json()
        assert order["scheduled_prep_minutes"] == PREP
        assert _when(order["held_until"]) == noon - timedelta(minutes=PREP)

        path = f"/v1/stores/{store_id}/menu"
        menu = merchant.get(path).json()  # the kitchen now takes 40 minutes for everything
        for category in menu["categories"]:
            for item in category["items"]:
                item["prep_minutes"] = 40
        published = merchant.put(path, menu, headers={"If-Match": str(menu["version"])})
        assert published.status_code == 200, published.text

        # open earlier that day: nothing closes at either prep start, the ring time is worked out again
        early = {"date": day.isoformat(), "hours": [{"opens": "08:00", "closes": "22:00"}]}
        assert merchant.put(f"/v1/stores/{store_id}/hours", {"exceptions": [early]}).status_code == 200
        again = merchant.get(f"/v1/orders/{order['id']}").json()
        assert _when(again["held_until"]) == noon - timedelta(minutes=PREP)  # as placed, not noon less 40
        # a later opening moves it to the opening, from the prep start it was placed with
        late = {"date": day.isoformat(), "hours": [{"opens": "11:50", "closes": "22:00"}]}
        assert merchant.put(f"/v1/stores/{store_id}/hours", {"exceptions": [late]}).status_code == 200
        moved = merchant.get(f"/v1/orders/{order['id']}").json()
        assert _when(moved["held_until"]) == noon.replace(hour=11, minute=50)
    finally:
        platform.stop()


def test_closed_at_promise_names_the_holiday_or_the_weekly_hours() -> None:
    weekly = [OpeningHours(weekday=w, opens="10:00", closes="02:00") for w in range(7)]  # past midnight
    day = datetime(2026, 12, 25, 12, tzinfo=SHANGHAI)
    assert closed_at_promise(day, SHANGHAI, weekly, ()) is None
    holiday = [HoursException(date="2026-12-25", hours=[], note="Christmas")]
    assert closed_at_promise(day, SHANGHAI, weekly, holiday) == ClosedAtPromise(
        date="2026-12-25", holiday=True, hours=[]
    )
    # 01:00 on the 26th is the 25th's range running past midnight: the 25th is the closed date
    night = datetime(2026, 12, 26, 1, tzinfo=SHANGHAI)
    assert closed_at_promise(night, SHANGHAI, weekly, holiday) == ClosedAtPromise(
        date="2026-12-25", holiday=True, hours=[]
    )
    short = [HoursException(date="2026-12-25", hours=[TimeRange(opens="10:00", closes="11:00")])]
    assert closed_at_promise(day, SHANGHAI, weekly, short) == ClosedAtPromise(
        date="2026-12-25", holiday=True, hours=["10:00-11:00"]
    )
    morning = datetime(2026, 12, 25, 8, tzinfo=SHANGHAI)  # the weekly hours themselves have it closed
    assert closed_at_promise(morning, SHANGHAI, weekly, ()) == ClosedAtPromise(date="2026-12-25")
