"""Scheduled orders on the real server: held until the prep start, not cancelled meanwhile, released with an event
and the accept deadline counted from then; the window checked; cancelled freely, accepted early; roles."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from o2o_tui.domain.geo import Address
from o2o_tui.domain.menu import Category, Item, Menu
from o2o_tui.domain.money import Money
from o2o_tui.domain.order import Timing, TimingType
from o2o_tui.domain.requests import NewOrderLine
from o2o_tui.domain.schedule import WindowProblem, prep_minutes_for, window_problem
from o2o_tui.domain.store import Store, StoreStatus
from o2o_tui.platform import scheduled
from tests.support.platform import RunningPlatform, api, order_body, start_platform

PREP = 15  # the seeded store's default prep minutes (no seeded item has its own)


def _when(text: str | None) -> datetime | None:
    return None if text is None else datetime.fromisoformat(text.replace("Z", "+00:00"))


def _later(store_id: str, start: datetime, **overrides: object) -> dict:
    timing = {
        "type": "SCHEDULED",
        "window_start": start.isoformat(),
        "window_end": (start + timedelta(minutes=15)).isoformat(),
    }
    return order_body(store_id, "TAKEOUT", timing=timing, **overrides)


def _eventually(probe: Callable[[], object], timeout: float = 15.0) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


def test_held_until_prep_start_then_released_with_deadline_from_then(tmp_path: Path) -> None:
    """A 1 s accept timeout: an instant order placed beside it is cancelled, the held one is not; at its prep start
    it is released (event `order.released`) and only then does its own 1 s start."""
    running = start_platform(
        tmp_path, env={"O2O_ACCEPT_TIMEOUT_SECONDS": "1", "O2O_JOB_INTERVAL_SECONDS": "0.2"}
    )
    try:
        assert running.seed is not None
        store_id = running.seed.store_id
        customer, merchant = api(running, "customer"), api(running, "merchant")
        cursor = merchant.get("/v1/events", after="latest").json()["cursor"]
        start = datetime.now(UTC) + timedelta(minutes=PREP, seconds=3)
        held = customer.post("/v1/orders", _later(store_id, start)).json()
        instant = customer.post("/v1/orders", order_body(store_id)).json()
        held_until = _when(held["held_until"])
        assert (
            held_until is not None
            and abs((held_until - (start - timedelta(minutes=PREP))).total_seconds()) < 0.01
        )
        assert _when(held["accept_deadline"]) == held_until + timedelta(seconds=1)
        assert held["released_at"] is None

        def status(order: dict) -> dict:
            return merchant.get(f"/v1/orders/{order['id']}").json()

        assert _eventually(lambda: status(instant)["status"] == "CANCELLED")
        waiting = status(held)
        assert waiting["status"] == "CREATED" and waiting["held_until"] is not None  # past 1 s, not cancelled
        assert _eventually(lambda: status(held)["held_until"] is None)
        released = status(held)
        released_at = _when(released["released_at"])
        assert released["status"] == "CREATED" and released_at is not None
        assert (
            0 <= (released_at - held_until).total_seconds() < 1.0
        )  # woken at the prep start, not a job later
        events = merchant.get("/v1/events", after=cursor).json()["events"]
        mine = [e["type"] for e in events if e["entity_id"] == held["id"]]
        assert mine == ["order.created", "order.released"]
        assert _eventually(
            lambda: status(held)["status"] == "CANCELLED"
        )  # its own deadline, counted from then
        assert status(held)["cancel_reason_code"] == "ACCEPT_TIMEOUT"
    finally:
        running.stop()


def test_window_must_be_future_near_and_open(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer = api(shared_platform, "customer")
    now = datetime.now(UTC)

    def refusal(body: dict) -> dict:
        answer = customer.post("/v1/orders", body)
        assert answer.status_code == 422, answer.text
        return answer.json()["error"]

    past = refusal(_later(seed.store_id, now - timedelta(minutes=1)))
    assert past["field"] == "timing.window_start" and "future" in past["message"]
    assert "7 days" in refusal(_later(seed.store_id, now + timedelta(days=8)))["message"]
    bare = order_body(seed.store_id, "TAKEOUT", timing={"type": "SCHEDULED"})
    assert refusal(bare)["field"] == "timing.window_start"
    # closed all day in three days' time (a holiday): refused then, taken the day before
    zone = ZoneInfo("Asia/Shanghai")
    holiday = (now.astimezone(zone) + timedelta(days=3)).date()
    merchant = api(shared_platform, "merchant")
    put = merchant.put(f"/v1/stores/{seed.store_id}/hours", {"exceptions": [{"date": holiday.isoformat()}]})
    assert put.status_code == 200, put.text
    try:
        noon = datetime(holiday.year, holiday.month, holiday.day, 12, tzinfo=zone)
        assert "closed" in refusal(_later(seed.store_id, noon))["message"]
        taken = customer.post("/v1/orders", _later(seed.store_id, noon - timedelta(days=1)))
        assert taken.status_code == 201 and taken.json()["held_until"] is not None
    finally:
        merchant.put(f"/v1/stores/{seed.store_id}/hours", {})


def test_cancelled_freely_accepted_early_and_roles(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer, merchant = api(shared_platform, "customer"), api(shared_platform, "merchant")
    start = datetime.now(UTC) + timedelta(hours=2)
    gone = customer.post("/v1/orders", _later(seed.store_id, start)).json()
    cancel = customer.post(f"/v1/orders/{gone['id']}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
    assert cancel.status_code == 200 and cancel.json()["status"] == "CANCELLED"
    early = customer.post("/v1/orders", _later(seed.store_id, start)).json()
    path = f"/v1/orders/{early['id']}/confirm"
    assert customer.post(path, {"preparation_minutes": 10}).status_code == 403
    assert api(shared_platform, "dispatcher").post(path, {"preparation_minutes": 10}).status_code == 403
    assert api(shared_platform, "courier").get(f"/v1/orders/{early['id']}").status_code in (403, 404)
    accepted = merchant.post(path, {"preparation_minutes": 10}).json()
    assert accepted["status"] == "CONFIRMED" and accepted["held_until"] is None
    # promised for the time asked, not 10 minutes from now
    assert _when(accepted["promised_ready_at"]) == start


def test_prep_start_already_past_holds_nothing(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    soon = datetime.now(UTC) + timedelta(minutes=5)  # sooner than the 15 minutes the kitchen needs
    order = api(shared_platform, "customer").post("/v1/orders", _later(seed.store_id, soon)).json()
    assert order["held_until"] is None and order["status"] == "CREATED"
    created = _when(order["created_at"])
    assert created is not None and _when(order["accept_deadline"]) == created + timedelta(seconds=300)


def test_prep_time_is_the_largest_items_own_or_the_store_default() -> None:
    assert prep_minutes_for([None, 25, 5], 15) == 25
    assert prep_minutes_for([5, None], 15) == 15
    assert prep_minutes_for([], 15) == 15
    price = Money(100, "CNY")
    menu = Menu(
        store_id="s",
        version=1,
        currency="CNY",
        categories=[
            Category(
                id="c",
                name="c",
                items=[
                    Item(id="slow", name="slow", price=price, prep_minutes=40),
                    Item(id="x", name="x", price=price),
                ],
            )
        ],
    )
    store = Store(
        id="s",
        name="s",
        address=Address(text=""),
        currency="CNY",
        timezone="UTC",
        status=StoreStatus(),
        version=1,
    )
    now = datetime(2030, 1, 1, 9, tzinfo=UTC)
    start = now + timedelta(hours=2)
    timing = Timing(type=TimingType.SCHEDULED, window_start=start)
    lines = [NewOrderLine(item_id="x", quantity=1), NewOrderLine(item_id="slow", quantity=1)]
    assert scheduled.held_until(store, menu, timing, lines, now) == start - timedelta(minutes=40)
    assert scheduled.held_until(store, menu, timing, lines[:1], now) == start - timedelta(minutes=15)
    assert window_problem(start, now, UTC) is None
    assert window_problem(now, now, UTC) is WindowProblem.PAST


def test_released_at_its_prep_start_not_a_job_round_later(shared_platform: RunningPlatform) -> None:
    """The jobs run every 5 s here: the release loop wakes at the prep start itself (poked by the new order)."""
    seed = shared_platform.seed
    assert seed is not None
    customer = api(shared_platform, "customer")
    start = datetime.now(UTC) + timedelta(minutes=PREP, seconds=1.5)
    order = customer.post("/v1/orders", _later(seed.store_id, start)).json()
    assert _eventually(lambda: customer.get(f"/v1/orders/{order['id']}").json()["released_at"], timeout=10)
    released = customer.get(f"/v1/orders/{order['id']}").json()
    late = (_when(released["released_at"]) - _when(order["held_until"])).total_seconds()  # type: ignore[operator]
    assert 0 <= late < 1.0, late
