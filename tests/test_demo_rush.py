"""The demo is a lunch rush: a backlog in every stage before the console opens, the first new order within 5 s
of the start and then about every 20 s, and the simulated fleet picks up what the person at the counter marks
ready (the simulator dispatches; it never acts for the counter). The real platform on loopback, the simulator
on its real clock."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest

from o2o_tui.cli.demo import RUSH_FIRST_ORDER_AFTER_S, RUSH_ORDER_EVERY_S, RUSH_SPEED, Pace, pace_arguments
from o2o_tui.client import PlatformClient
from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.requests import ConfirmBody, EmptyBody
from o2o_tui.platform.simulator import SimClock, Simulator, run_simulation
from o2o_tui.platform.simulator.backlog import create_backlog
from tests.support.platform import RunningPlatform, api, order_body

LUNCH = datetime(2026, 12, 3, 11, 15, tzinfo=UTC)


@pytest.fixture
def admin(platform: RunningPlatform) -> Iterator[PlatformClient]:
    assert platform.seed is not None
    with PlatformClient(platform.url, platform.seed.tokens["admin"]) as client:
        yield client


def _simulate(simulator: Simulator, speed: float) -> tuple[threading.Event, threading.Thread]:
    stop = threading.Event()
    thread = threading.Thread(
        target=run_simulation,
        args=(simulator, SimClock(LUNCH, speed)),
        kwargs={"stop": stop, "tick_seconds": 0.2},
    )
    thread.start()
    return stop, thread


def test_the_rush_starts_with_a_backlog_and_a_new_order_within_5_seconds(
    platform: RunningPlatform, admin: PlatformClient
) -> None:
    assert platform.seed is not None
    store_id = platform.seed.store_id
    backlog = create_backlog(admin, store_id, seed=7)
    stages = Counter((order.status, order.type) for order in backlog)
    assert stages[OrderStatus.DISPATCHED, OrderType.DELIVERY] == 2  # out with couriers
    assert stages[OrderStatus.READY_FOR_PICKUP, OrderType.TAKEOUT] == 1
    assert stages[OrderStatus.READY_FOR_PICKUP, OrderType.DELIVERY] == 1
    assert (
        stages[OrderStatus.PREPARING, OrderType.DELIVERY] + stages[OrderStatus.CONFIRMED, OrderType.DELIVERY]
        == 2
    )
    assert all(order.courier_id for order in backlog if order.status is OrderStatus.DISPATCHED)

    # the demo's own pace: the same arguments `o2o demo` gives `o2o simulate`
    assert pace_arguments(Pace.RUSH, None, None) == [
        "--speed", str(RUSH_SPEED), "--first-order-after", str(RUSH_FIRST_ORDER_AFTER_S),
        "--every", str(RUSH_ORDER_EVERY_S),
    ]  # fmt: skip
    simulator = Simulator(
        admin,
        store_id=store_id,
        seed=7,
        auto_dispatch=True,
        first_order_after=timedelta(seconds=RUSH_FIRST_ORDER_AFTER_S * RUSH_SPEED),
        order_every=timedelta(seconds=RUSH_ORDER_EVERY_S * RUSH_SPEED),
    )
    started = time.monotonic()
    stop, thread = _simulate(simulator, RUSH_SPEED)
    try:
        while (
            len(admin.list_orders(store_id=store_id).orders) == len(backlog)
            and time.monotonic() - started < 10
        ):
            time.sleep(0.05)
        first_new = time.monotonic() - started
    finally:
        stop.set()
        thread.join(timeout=30)
    assert len(admin.list_orders(store_id=store_id).orders) == len(backlog) + 1
    assert RUSH_FIRST_ORDER_AFTER_S - 0.5 < first_new < 5.0, first_new
    gap = simulator._after(LUNCH) - LUNCH  # the next ones: about 20 wall seconds apart
    assert 0.7 * RUSH_ORDER_EVERY_S <= gap.total_seconds() / RUSH_SPEED <= 1.3 * RUSH_ORDER_EVERY_S


def test_the_simulated_fleet_picks_up_what_the_counter_marks_ready(
    platform: RunningPlatform, admin: PlatformClient
) -> None:
    """The person accepts and marks a delivery ready; a simulated courier is assigned, rides over and picks it
    up with the pickup code. An order the person has not touched stays as it is: the counter is theirs."""
    assert platform.seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    ready = customer.post("/v1/orders", order_body(platform.seed.store_id)).json()
    untouched = customer.post("/v1/orders", order_body(platform.seed.store_id)).json()
    with PlatformClient(platform.url, platform.seed.tokens["merchant"]) as counter:
        counter.act("order.confirm", ready["id"], ConfirmBody(preparation_minutes=5))
        counter.act("order.ready", ready["id"], EmptyBody())
    simulator = Simulator(
        admin,
        store_id=platform.seed.store_id,
        seed=7,
        auto_dispatch=True,
        first_order_after=timedelta(days=1),
    )
    stop, thread = _simulate(simulator, 240.0)  # a courier 1.5 km away is at the store in 1.5 s
    try:
        deadline = time.monotonic() + 30
        while (
            admin.get_order(ready["id"]).status is not OrderStatus.DISPATCHED and time.monotonic() < deadline
        ):
            time.sleep(0.1)
    finally:
        stop.set()
        thread.join(timeout=30)
    picked = admin.get_order(ready["id"])
    assert picked.status is OrderStatus.DISPATCHED and picked.courier_id  # on its way to the customer
    assert merchant.get(f"/v1/orders/{untouched['id']}").json()["status"] == "CREATED"
