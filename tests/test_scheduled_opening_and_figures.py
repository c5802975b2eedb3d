"""Orders for later and the store's hours, the day's figures and the simulated merchant, on the real server:
- an order whose prep start falls while the store is closed by its hours rings when it opens, and its accept
  deadline counts from then (it is not cancelled for a timeout the second the store opens);
- the day's accept time counts an order for later from when it rang (`released_at`), not from when it was placed;
- `--auto-merchant` leaves an order for later alone until the platform releases it, then accepts it."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from o2o_tui.client import PlatformClient
from o2o_tui.domain.order import OrderStatus
from o2o_tui.domain.schedule import release_time
from o2o_tui.domain.store import OpeningHours
from o2o_tui.platform.simulator.core import Simulator
from tests.support.platform import RunningPlatform, api, start_platform
from tests.test_server_scheduled import PREP, _later, _when

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _eventually(probe: object, timeout: float = 20.0) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()  # type: ignore[operator]
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_release_time_waits_for_the_hours() -> None:
    hours = [OpeningHours(weekday=day, opens="10:00", closes="22:00") for day in range(7)]
    day = datetime(2030, 1, 7, tzinfo=SHANGHAI)  # a Monday

    def at(hour: int, minute: int = 0) -> datetime:
        return day.replace(hour=hour, minute=minute).astimezone(UTC)

    # the prep start while open: the prep start
    assert release_time(at(11), at(9), SHANGHAI, hours) == at(11)
    # before opening: at opening
    assert release_time(at(9, 50), at(8), SHANGHAI, hours) == at(10)
    # placed while closed, the prep start already past: at opening, not at once
    assert release_time(at(9, 50), at(9, 55), SHANGHAI, hours) == at(10)
    # placed while open, the prep start already past: live at once
    assert release_time(at(10, 5), at(10, 10), SHANGHAI, hours) is None
    # no hours set: open all day
    assert release_time(at(3), at(2), SHANGHAI) == at(3)


def test_an_order_whose_prep_start_is_before_opening_rings_at_opening(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer, merchant = api(shared_platform, "customer"), api(shared_platform, "merchant")
    tomorrow = (datetime.now(SHANGHAI) + timedelta(days=1)).date()
    hours = f"/v1/stores/{seed.store_id}/hours"
    special = {"date": tomorrow.isoformat(), "hours": [{"opens": "10:00", "closes": "22:00"}]}
    assert merchant.put(hours, {"exceptions": [special]}).status_code == 200
    try:
        opens = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 10, tzinfo=SHANGHAI)
        window = opens + timedelta(minutes=5)  # prep start 09:50, while closed
        answer = customer.post("/v1/orders", _later(seed.store_id, window))
        assert answer.status_code == 201, answer.text
        order = answer.json()
        assert _when(order["held_until"]) == opens
        assert _when(order["accept_deadline"]) == opens + timedelta(seconds=300)
        listed = merchant.get(f"/v1/orders/{order['id']}").json()
        assert _when(listed["held_until"]) == opens
    finally:
        merchant.put(hours, {})


def test_accept_time_counts_from_the_ring(tmp_path: Path) -> None:
    running = start_platform(tmp_path, env={"O2O_JOB_INTERVAL_SECONDS": "0.2"})
    try:
        assert running.seed is not None
        store_id = running.seed.store_id
        customer, merchant = api(running, "customer"), api(running, "merchant")
        window = datetime.now(UTC) + timedelta(minutes=PREP, seconds=5)  # rings in 5 s
        later = customer.post("/v1/orders", _later(store_id, window)).json()
        early = customer.post("/v1/orders", _later(store_id, window + timedelta(hours=2))).json()
        assert _eventually(lambda: merchant.get(f"/v1/orders/{later['id']}").json()["released_at"])
        for order in (later, early):  # accepted as it rang; the other before it rang
            confirm = merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10})
            assert confirm.status_code == 200, confirm.text
        accepted = merchant.get(f"/v1/orders/{early['id']}").json()
        assert accepted["released_at"] == accepted["confirmed_at"]  # released by staff, as it was accepted
        today = datetime.now(SHANGHAI).date().isoformat()
        report = merchant.get(f"/v1/stores/{store_id}/reports/day", date=today).json()
        accept = report["accept_time"]
        assert accept["count"] == 2
        assert accept["p90_seconds"] < 3.0, accept  # not the 5 s it was held
    finally:
        running.stop()


def test_the_auto_merchant_waits_for_the_release(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer = api(shared_platform, "customer")
    order = customer.post("/v1/orders", _later(seed.store_id, datetime.now(UTC) + timedelta(hours=2))).json()
    with PlatformClient(shared_platform.url, seed.tokens["admin"]) as admin:
        simulator = Simulator(
            admin, store_id=seed.store_id, seed=3, max_orders=0, couriers=False, auto_merchant=True
        )
        now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
        simulator.start(now)
        for minute in range(0, 40, 2):  # 40 simulated minutes: long enough to accept, cook and hand off
            simulator.step(now + timedelta(minutes=minute))
        held = admin.get_order(order["id"])
        assert held.status is OrderStatus.CREATED and held.held_until is not None, held


def test_the_auto_merchant_accepts_it_once_it_rings(tmp_path: Path) -> None:
    running = start_platform(tmp_path, env={"O2O_JOB_INTERVAL_SECONDS": "0.2"})
    try:
        assert running.seed is not None
        seed = running.seed
        window = datetime.now(UTC) + timedelta(minutes=PREP, seconds=3)  # rings in 3 s
        order = api(running, "customer").post("/v1/orders", _later(seed.store_id, window)).json()
        with PlatformClient(running.url, seed.tokens["admin"]) as admin:
            simulator = Simulator(
                admin, store_id=seed.store_id, seed=3, max_orders=0, couriers=False, auto_merchant=True
            )
            now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
            simulator.start(now)
            for minute in range(0, 10, 2):
                simulator.step(now + timedelta(minutes=minute))
            assert admin.get_order(order["id"]).status is OrderStatus.CREATED
            assert _eventually(lambda: admin.get_order(order["id"]).released_at is not None)
            for minute in range(10, 20, 2):  # the merchant's think time counts from the ring
                simulator.step(now + timedelta(minutes=minute))
            assert admin.get_order(order["id"]).status is not OrderStatus.CREATED
    finally:
        running.stop()
