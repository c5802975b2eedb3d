"""Opening hours on the real server: `PUT .../hours` replaces the weekly ranges and the dated exceptions, new
orders follow them in the store's time zone (a range past midnight keeps the store open into the next day, an
exception replaces a day's ranges), and the customer's view says CLOSED and shows the exceptions."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from o2o_tui.client.sync import PlatformClient
from o2o_tui.domain.requests import HoursBody, HoursExceptionIn, OpeningHoursIn, TimeRangeIn
from o2o_tui.domain.store import Store
from tests.support.platform import RunningPlatform, api, order_body


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def test_hours_decide_whether_orders_are_taken(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    merchant, customer = api(platform, "merchant"), api(platform, "customer")
    hours = f"/v1/stores/{seed.store_id}/hours"
    local = datetime.now(ZoneInfo("Asia/Shanghai"))  # the seeded store's zone
    now = local.hour * 60 + local.minute
    if now >= 23 * 60 + 57:
        pytest.skip("the minute before local midnight: no overnight range can end later today")
    yesterday, today = local.date() - timedelta(days=1), local.date()
    closes = min(now + 60, 23 * 60 + 59)
    overnight = {
        "weekday": yesterday.weekday(),
        "opens": _clock(max(closes, 23 * 60)),
        "closes": _clock(closes),
    }

    def takes_orders() -> bool:
        answer = customer.post("/v1/orders", order_body(seed.store_id, "TAKEOUT"))
        assert answer.status_code in (201, 409), answer.text
        if answer.status_code == 409:
            assert answer.json()["error"]["code"] == "store_unavailable"
        return answer.status_code == 201

    def public_state() -> str:
        return str(customer.get(f"/v1/stores/{seed.store_id}").json()["state"])

    # only yesterday's overnight range: it runs past midnight into now
    put = merchant.put(hours, {"opening_hours": [overnight]})
    assert put.status_code == 200, put.text
    assert put.json()["opening_hours"] == [overnight]
    assert takes_orders() and public_state() == "ONLINE"
    # an exception for yesterday (closed all day) means the range never started
    closed_yesterday = {"date": yesterday.isoformat(), "hours": [], "note": "春节 Spring Festival"}
    put = merchant.put(hours, {"opening_hours": [overnight], "exceptions": [closed_yesterday]})
    assert put.status_code == 200
    assert not takes_orders() and public_state() == "CLOSED"
    shown = customer.get(f"/v1/stores/{seed.store_id}").json()
    assert shown["hours_exceptions"] == [closed_yesterday]
    # special hours today that cover now
    special = {"date": today.isoformat(), "hours": [{"opens": "00:00", "closes": "00:00"}], "note": ""}
    put = merchant.put(hours, {"opening_hours": [overnight], "exceptions": [special, closed_yesterday]})
    assert [e["date"] for e in put.json()["hours_exceptions"]] == sorted(
        [today.isoformat(), yesterday.isoformat()]
    )
    assert takes_orders()
    # the same hours again change nothing
    version = put.json()["version"]
    again = merchant.put(hours, {"opening_hours": [overnight], "exceptions": [closed_yesterday, special]})
    assert again.json()["version"] == version
    # a paused store stays closed whatever the hours say
    merchant.put(f"/v1/stores/{seed.store_id}/status", {"state": "PAUSED"})
    assert not takes_orders() and public_state() == "PAUSED"
    merchant.put(f"/v1/stores/{seed.store_id}/status", {"state": "ONLINE"})
    # no hours at all: always open
    assert merchant.put(hours, {}).json()["opening_hours"] == []
    assert takes_orders()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"opening_hours": [{"weekday": 7, "opens": "10:00", "closes": "22:00"}]},
            "opening_hours[0].weekday",
        ),
        ({"opening_hours": [{"weekday": 0, "opens": "7:00", "closes": "22:00"}]}, "opening_hours[0].opens"),
        ({"opening_hours": [{"weekday": 0, "opens": "24:00", "closes": "02:00"}]}, "opening_hours[0].opens"),
        (
            {"opening_hours": [{"weekday": 0, "opens": f"0{h}:00", "closes": f"0{h}:30"} for h in range(5)]},
            "opening_hours[4]",
        ),
        ({"exceptions": [{"date": "2026-02-30"}]}, "exceptions[0].date"),
        ({"exceptions": [{"date": "2099-10-01"}, {"date": "2099-10-01"}]}, "exceptions[1].date"),
        (
            {"exceptions": [{"date": "2099-10-01", "hours": [{"opens": "10:00", "closes": "25:00"}]}]},
            "exceptions[0].hours[0].closes",
        ),
        ({"exceptions": [{"date": "2099-10-01", "note": "x" * 201}]}, "exceptions[0].note"),
        ({"hours": []}, "hours"),
    ],
)
def test_bad_hours_name_the_field(shared_platform: RunningPlatform, body: dict, field: str) -> None:
    seed = shared_platform.seed
    assert seed is not None
    answer = api(shared_platform, "merchant").put(f"/v1/stores/{seed.store_id}/hours", body)
    assert answer.status_code == 422, answer.text
    assert answer.json()["error"]["field"] == field


def test_the_outbox_action_sets_hours(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    body = HoursBody(
        opening_hours=[OpeningHoursIn(weekday=4, opens="18:00", closes="02:00")],
        exceptions=[HoursExceptionIn(date="2099-12-25", hours=[TimeRangeIn(opens="12:00", closes="15:00")])],
    )
    with PlatformClient(shared_platform.url, seed.tokens["merchant"], timeout=15) as merchant:
        store = merchant.act("store.hours", seed.store_id, body)
        assert isinstance(store, Store)
        assert [(h.weekday, h.opens, h.closes) for h in store.opening_hours] == [(4, "18:00", "02:00")]
        assert store.hours_exceptions[0].hours[0].opens == "12:00"
        merchant.act("store.hours", seed.store_id, HoursBody())  # leave the shared store always open
