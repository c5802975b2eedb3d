"""An order rung because the store's hours came to close at its promised time (`closed_at_promise`), on the real
server: staff take the holiday back before anyone acted, the promised time open again, and the flag goes (so do
the detail's "call the customer or cancel" line and the row's mark); the order stays new in the live queue. Hours
that close it for another reason now say the new reason; an order already accepted keeps what it had."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec

from o2o_tui.domain.order import Order
from o2o_tui.domain.schedule import closed_at_promise_words
from tests.support.platform import api, start_platform
from tests.test_server_scheduled import _later

SHANGHAI = ZoneInfo("Asia/Shanghai")


def test_the_holiday_taken_back_drops_the_flag_while_the_order_is_new(tmp_path: Path) -> None:
    platform = start_platform(tmp_path, env={"O2O_ACCEPT_TIMEOUT_SECONDS": "600"})
    try:
        assert platform.seed is not None
        store_id = platform.seed.store_id
        customer, merchant = api(platform, "customer"), api(platform, "merchant")
        day = (datetime.now(SHANGHAI) + timedelta(days=2)).date()
        noon = datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI)
        order = customer.post("/v1/orders", _later(store_id, noon)).json()
        taken = customer.post("/v1/orders", _later(store_id, noon + timedelta(hours=1))).json()
        hours = f"/v1/stores/{store_id}/hours"
        holiday = {"date": day.isoformat(), "hours": [], "note": "holiday"}
        assert merchant.put(hours, {"exceptions": [holiday]}).status_code == 200
        rang = merchant.get(f"/v1/orders/{order['id']}").json()
        assert rang["closed_at_promise"] == {"date": day.isoformat(), "holiday": True, "hours": []}
        flagged = msgspec.json.decode(json.dumps(rang), type=Order)
        assert closed_at_promise_words(flagged, SHANGHAI) is not None
        accepted = merchant.post(f"/v1/orders/{taken['id']}/confirm", {"preparation_minutes": 10})
        assert accepted.status_code == 200, accepted.text
        cursor = merchant.get("/v1/events", after="latest").json()["cursor"]

        assert merchant.put(hours, {"exceptions": []}).status_code == 200  # the holiday taken back
        reopened = merchant.get(f"/v1/orders/{order['id']}").json()
        assert reopened["closed_at_promise"] is None, reopened
        assert reopened["status"] == "CREATED" and reopened["held_until"] is None  # still in the live queue
        assert reopened["released_at"] == rang["released_at"]
        shown = msgspec.json.decode(json.dumps(reopened), type=Order)
        assert closed_at_promise_words(shown, SHANGHAI) is None  # the detail's line goes (and the row's mark)
        events = merchant.get("/v1/events", after=cursor).json()["events"]
        assert "order.updated" in [e["type"] for e in events if e["entity_id"] == order["id"]]  # consoles refetch
        kept = merchant.get(f"/v1/orders/{taken['id']}").json()  # accepted: what it had stays
        assert kept["status"] == "CONFIRMED" and kept["closed_at_promise"] == rang["closed_at_promise"]

        # another order closed by a holiday, then by the weekly hours instead: the new reason; open again: unflagged
        later = day + timedelta(days=1)
        other = customer.post("/v1/orders", _later(store_id, noon + timedelta(days=1))).json()
        weekly = merchant.get(f"/v1/stores/{store_id}").json()["opening_hours"]
        closed = {"date": later.isoformat(), "hours": [], "note": "holiday"}
        assert merchant.put(hours, {"opening_hours": weekly, "exceptions": [closed]}).status_code == 200
        flag = merchant.get(f"/v1/orders/{other['id']}").json()["closed_at_promise"]
        assert flag == {"date": later.isoformat(), "holiday": True, "hours": []}
        evening = [{"weekday": w, "opens": "17:00", "closes": "22:00"} for w in range(7)]
        assert merchant.put(hours, {"opening_hours": evening, "exceptions": []}).status_code == 200
        flag = merchant.get(f"/v1/orders/{other['id']}").json()["closed_at_promise"]
        assert flag == {"date": later.isoformat(), "holiday": False, "hours": None}
        assert merchant.put(hours, {"opening_hours": weekly}).status_code == 200
        assert merchant.get(f"/v1/orders/{other['id']}").json()["closed_at_promise"] is None
        assert datetime.now(UTC) < noon  # it was all before the promised time
    finally:
        platform.stop()
