"""An order for later never rings while the store's hours have it closed, on the real server:
- the staff change the hours (or close a date) after it was placed: its ring time moves to the new hours'
  opening, accept deadline counted from then, event `order.updated`; changed back, it moves back;
- the hours say closed at its ring time without anyone editing them through the API (written under the server):
  at its ring time it is held until they open, not released to time out;
- a day number typed in the CLI names today's order, not one for later held for another day."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli, cli, running  # noqa: F401  (fixtures)
from tests.test_server_scheduled import PREP, _later, _when

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _eventually(probe: Any, timeout: float = 15.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_hours_changed_after_placing_move_the_ring_time(tmp_path: Path) -> None:
    platform = start_platform(tmp_path, env={"O2O_ACCEPT_TIMEOUT_SECONDS": "60"})
    try:
        assert platform.seed is not None
        store_id = platform.seed.store_id
        customer, merchant = api(platform, "customer"), api(platform, "merchant")
        tomorrow = (datetime.now(SHANGHAI) + timedelta(days=1)).date()
        noon = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 12, tzinfo=SHANGHAI)
        order = customer.post("/v1/orders", _later(store_id, noon)).json()
        assert _when(order["held_until"]) == noon - timedelta(minutes=PREP)
        cursor = merchant.get("/v1/events", after="latest").json()["cursor"]

        hours = f"/v1/stores/{store_id}/hours"
        late = {"date": tomorrow.isoformat(), "hours": [{"opens": "11:50", "closes": "22:00"}]}
        assert merchant.put(hours, {"exceptions": [late]}).status_code == 200
        moved = merchant.get(f"/v1/orders/{order['id']}").json()
        opens = noon.replace(hour=11, minute=50)
        assert _when(moved["held_until"]) == opens  # rings when the store opens that day (before noon)
        assert _when(moved["accept_deadline"]) == opens + timedelta(seconds=60)
        assert moved["status"] == "CREATED"
        events = merchant.get("/v1/events", after=cursor).json()["events"]
        assert "order.updated" in [e["type"] for e in events if e["entity_id"] == order["id"]]  # consoles fetch it

        assert merchant.put(hours, {}).status_code == 200  # the hours as they were: the prep start again
        back = merchant.get(f"/v1/orders/{order['id']}").json()
        assert _when(back["held_until"]) == noon - timedelta(minutes=PREP)
    finally:
        platform.stop()


def test_a_held_order_due_while_closed_waits_for_the_opening(tmp_path: Path) -> None:
    platform = start_platform(
        tmp_path, env={"O2O_ACCEPT_TIMEOUT_SECONDS": "1", "O2O_JOB_INTERVAL_SECONDS": "0.2"}
    )
    try:
        assert platform.seed is not None
        store_id = platform.seed.store_id
        customer, merchant = api(platform, "customer"), api(platform, "merchant")
        start = datetime.now(UTC) + timedelta(minutes=PREP, seconds=3)  # rings in 3 s
        order = customer.post("/v1/orders", _later(store_id, start)).json()
        assert order["held_until"] is not None
        # the hours have the store closed until the minute of its promised time today (written beneath the API:
        # only the release itself can notice)
        opens = start.astimezone(SHANGHAI).replace(second=0, microsecond=0)
        today = opens.date()
        engine = sa.create_engine(platform.db_url)
        with engine.begin() as conn:
            doc = json.loads(conn.execute(sa.text("SELECT doc FROM stores WHERE id = :i"), {"i": store_id}).scalar())
            doc["hours_exceptions"] = [
                {"date": today.isoformat(), "hours": [{"opens": opens.strftime("%H:%M"), "closes": "23:59"}]}
            ]
            ringing_day = (start - timedelta(minutes=PREP)).astimezone(SHANGHAI).date()
            if ringing_day != today:  # run just before midnight in Shanghai: closed the evening it would ring too
                doc["hours_exceptions"].insert(0, {"date": ringing_day.isoformat(), "hours": []})
            conn.execute(sa.text("UPDATE stores SET doc = :d WHERE id = :i"), {"d": json.dumps(doc), "i": store_id})
        engine.dispose()

        def status() -> dict:
            return merchant.get(f"/v1/orders/{order['id']}").json()

        assert _eventually(lambda: _when(status()["held_until"]) == opens), status()
        time.sleep(2.0)  # past its old deadline (ring + 1 s): still waiting, not cancelled for a timeout
        waiting = status()
        assert waiting["status"] == "CREATED" and waiting["released_at"] is None
        assert _when(waiting["accept_deadline"]) == opens + timedelta(seconds=1)
    finally:
        platform.stop()


def test_a_day_number_names_todays_order_not_one_held_for_another_day(
    running: RunningPlatform,  # noqa: F811
    cli: Cli,  # noqa: F811
) -> None:
    assert running.seed is not None
    store_id = running.seed.store_id
    customer = api(running, "customer")
    noon = datetime.now(SHANGHAI).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=2)
    held = customer.post("/v1/orders", _later(store_id, noon)).json()  # #1 of the day after tomorrow
    today = customer.post("/v1/orders", order_body(store_id)).json()  # #1 of today
    assert held["number"] == today["number"] == 1
    cli("sync", "--once")
    assert cli.json("orders", "show", "1")["id"] == today["id"]
    assert cli.json("orders", "show", "#0001")["id"] == today["id"]
    assert cli.json("orders", "show", held["id"])["id"] == held["id"]  # still named by its id
    cli("orders", "accept", "1", "--prep", "10")
    cli("sync", "--once")
    assert cli.json("orders", "show", today["id"])["status"] == "CONFIRMED"
    assert cli.json("orders", "show", held["id"])["status"] == "CREATED"
