"""The simulator against the real server: seeded orders repeat, couriers deliver, customers cancel."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.geo import Address, distance_m, from_local_metres
from o2o_tui.domain.order import Order, OrderStatus, OrderType
from o2o_tui.domain.requests import (
    AssignBody,
    ConfirmBody,
    CourierStateBody,
    CreateOrderBody,
    EmptyBody,
    NewOrderLine,
)
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.platform.simulator import Simulator
from o2o_tui.platform.simulator.state import CustomerPlan
from tests.support.platform import RunningPlatform
from tests.support.signals import killed_on_exit

ROOT = Path(__file__).resolve().parent.parent


def _simulate(platform: RunningPlatform, *args: str, store: bool = True) -> dict:
    assert platform.seed is not None
    store_args = ["--store", platform.seed.store_id] if store else []
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    result = subprocess.run(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "simulate", "--url", platform.url,
         "--token", platform.seed.tokens["admin"], *store_args, "--json", *args],
        capture_output=True, text=True, cwd=ROOT, env={**env, "O2O_LANG": "en"}, timeout=120,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def _shape(order: Order) -> tuple:
    lines = tuple(
        (ln.item_id, ln.quantity, tuple(o.option_id for o in ln.options), ln.note) for ln in order.lines
    )
    return (order.type, order.customer.name, order.note, lines)


def test_count_places_orders_and_a_seed_repeats_them(shared_platform: RunningPlatform) -> None:
    assert shared_platform.seed is not None
    first = _simulate(shared_platform, "--count", "5", "--seed", "1", "--no-couriers")
    second = _simulate(shared_platform, "--count", "5", "--seed", "1", "--no-couriers")
    other = _simulate(shared_platform, "--count", "5", "--seed", "2", "--no-couriers")
    assert first["placed"] == second["placed"] == other["placed"] == 5
    assert first["seed"] == 1
    with PlatformClient(shared_platform.url, shared_platform.seed.tokens["admin"]) as admin:
        shapes = {
            run: [_shape(admin.get_order(order_id)) for order_id in result["order_ids"]]
            for run, result in (("first", first), ("second", second), ("other", other))
        }
    assert set(first["order_ids"]).isdisjoint(second["order_ids"])  # fresh ids: new orders, same content
    assert shapes["first"] == shapes["second"]
    assert shapes["first"] != shapes["other"]
    assert all(lines for _, _, _, lines in shapes["first"])


def test_auto_merchant_and_couriers_finish_orders(shared_platform: RunningPlatform) -> None:
    result = _simulate(
        shared_platform, "--count", "3", "--seed", "4", "--auto-merchant", "--finish", "--speed", "900",
        "--tick", "0.1", "--timeout", "90", store=False,  # the admin's only fleet store is found by itself
    )  # fmt: skip
    assert result["placed"] == 3
    assert result["delivered"] + result["cancelled"] == 3
    assert result["delivered"] >= 1


def _order(admin: PlatformClient, store_id: str, customer: PlatformClient) -> Order:
    menu = admin.get_menu(store_id)
    item = next(i for c in menu.categories for i in c.items if not i.option_group_ids)
    placed = customer.create_order(
        CreateOrderBody(
            id=str(uuid.uuid4()), store_id=store_id, type=OrderType.DELIVERY,
            lines=[NewOrderLine(item_id=item.id, quantity=1)], customer_name="周杰 Zhou Jie",
            customer_phone="13712345678", address=_far_address(admin, store_id),
        )
    )  # fmt: skip
    return placed


def _far_address(admin: PlatformClient, store_id: str) -> Address:
    origin = admin.get_store(store_id).address.position
    assert origin is not None
    return Address(text="光华路 88 号 88 Guanghua Rd", position=from_local_metres(1800, -900, origin))


def test_couriers_progress_an_assigned_delivery_to_delivered(
    platform: RunningPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A simulated courier turns down 2% of offers, drawn from the delivery's (random) id: not this one.
    monkeypatch.setattr("o2o_tui.platform.simulator.couriers.REJECT_SHARE", 0.0)
    seed = platform.seed
    assert seed is not None
    with (
        PlatformClient(platform.url, seed.tokens["admin"]) as admin,
        PlatformClient(platform.url, seed.tokens["customer"]) as customer,
        PlatformClient(platform.url, seed.tokens["merchant"]) as merchant,
    ):
        order = _order(admin, seed.store_id, customer)
        merchant.act("order.confirm", order.id, ConfirmBody(preparation_minutes=10))
        courier_id = seed.courier_ids[3]
        delivery = admin.act("order.assign", order.id, AssignBody(courier_id=courier_id))
        assert delivery.status is DeliveryStatus.PENDING

        simulator = Simulator(admin, store_id=seed.store_id, seed=9, max_orders=0)
        now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
        simulator.start(now)
        statuses: list[DeliveryStatus] = []
        courier_statuses: set[CourierStatus] = set()
        for minute in range(1, 120):
            now += timedelta(minutes=1)
            if minute == 12:
                merchant.act("order.ready", order.id, EmptyBody())
            simulator.step(now)
            current = admin.get_delivery(delivery.id)
            courier_statuses.add(admin.get_courier(courier_id).status)
            if not statuses or statuses[-1] is not current.status:
                statuses.append(current.status)
            if current.status is DeliveryStatus.DELIVERED:
                break
        assert statuses[-1] is DeliveryStatus.DELIVERED, statuses
        assert DeliveryStatus.ACCEPTED in statuses
        assert DeliveryStatus.ARRIVED_AT_MERCHANT in statuses and DeliveryStatus.PICKED_UP in statuses
        assert admin.get_order(order.id).status is OrderStatus.DELIVERED
        courier = admin.get_courier(courier_id)
        assert courier.position is not None and order.customer.address is not None
        assert order.customer.address.position is not None
        assert distance_m(courier.position, order.customer.address.position) < 50  # rode to the customer
        assert {CourierStatus.TO_MERCHANT, CourierStatus.TO_CUSTOMER} <= courier_statuses
        assert simulator.stats.errors == 0


def test_customer_cancels_an_unconfirmed_order(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    with PlatformClient(shared_platform.url, seed.tokens["admin"]) as admin:
        simulator = Simulator(admin, store_id=seed.store_id, seed=3, max_orders=1, burst=True, couriers=False)
        now = datetime(2026, 3, 2, 18, 30, tzinfo=UTC)
        simulator.start(now)
        simulator.step(now)
        assert simulator.stats.placed == 1
        assert simulator.ctx is not None
        order_id = simulator.stats.order_ids[0]
        simulator.ctx.orders[order_id].plan = CustomerPlan(cancel_while_created_after=2.0)
        simulator.step(now + timedelta(minutes=1))
        assert admin.get_order(order_id).status is OrderStatus.CREATED
        simulator.step(now + timedelta(minutes=3))
        simulator.step(now + timedelta(minutes=4))
        assert admin.get_order(order_id).status is OrderStatus.CANCELLED
        assert simulator.stats.cancelled == 1 and simulator.own_orders_ended()


def test_orders_can_be_placed_as_a_customer(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    result = _simulate(
        shared_platform,
        "--count",
        "2",
        "--seed",
        "8",
        "--no-couriers",
        "--customer-token",
        seed.tokens["customer"],
    )
    assert result["placed"] == 2
    with PlatformClient(shared_platform.url, seed.tokens["customer"]) as customer:
        own = {order.id for order in customer.iter_orders()}
    assert set(result["order_ids"]) <= own


def test_a_platform_outage_is_counted_not_raised(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    messages: list[str] = []
    with PlatformClient(platform.url, seed.tokens["admin"], timeout=2) as admin:
        simulator = Simulator(admin, store_id=seed.store_id, seed=1, orders_per_hour=600, log=messages.append)
        now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
        simulator.start(now)
        platform.stop()
        for minute in range(1, 4):
            simulator.step(now + timedelta(minutes=minute))
    assert simulator.stats.errors > 0
    assert any("cannot be reached" in message for message in messages)


def test_a_courier_left_to_a_person_is_never_driven_only_offered_one_order(
    platform: RunningPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`leave_couriers`: the simulator neither rides nor acts for that courier (its delivery stays as the test
    left it while another courier delivers), and offers it one order at a time, only on duty and free, never
    an order it rejected."""
    # simulated couriers turn down 2% of offers, drawn by the delivery's id (random per run): the driven delivery
    # below was rejected one run in fifty (CI, stop 21). Rejections are not what this test is about.
    monkeypatch.setattr("o2o_tui.platform.simulator.couriers.REJECT_SHARE", 0.0)
    seed = platform.seed
    assert seed is not None
    person, other = seed.courier_ids[5], seed.courier_ids[3]
    with (
        PlatformClient(platform.url, seed.tokens["admin"]) as admin,
        PlatformClient(platform.url, seed.tokens["customer"]) as customer,
        PlatformClient(platform.url, seed.tokens["merchant"]) as merchant,
        PlatformClient(platform.url, seed.courier_tokens[person]) as handheld,
    ):
        mine, theirs, spare = (_order(admin, seed.store_id, customer) for _ in range(3))
        for order in (mine, theirs, spare):
            merchant.act("order.confirm", order.id, ConfirmBody(preparation_minutes=10))
        # the merchant assigns the person's courier by hand, as from the dispatch board
        by_hand = merchant.act("order.assign", mine.id, AssignBody(courier_id=person))
        driven = admin.act("order.assign", theirs.id, AssignBody(courier_id=other))
        where = admin.get_courier(person).position

        simulator = Simulator(admin, store_id=seed.store_id, seed=9, max_orders=0, leave_couriers=[person])
        now = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
        simulator.start(now)
        for minute in range(1, 120):
            now += timedelta(minutes=1)
            if minute == 12:
                merchant.act("order.ready", theirs.id, EmptyBody())
            simulator.step(now)
            if admin.get_delivery(driven.id).status is DeliveryStatus.DELIVERED:
                break
        assert admin.get_delivery(driven.id).status is DeliveryStatus.DELIVERED  # the others progress
        assert admin.get_delivery(by_hand.id).status is DeliveryStatus.PENDING  # nobody accepted for it
        assert admin.get_courier(person).position == where  # nor rode for it
        assert simulator.stats.offered_to_people == 0  # it had work: no offer on top

        handheld.act("delivery.reject", by_hand.id, EmptyBody())
        handheld.act("courier.state", person, CourierStateBody(status=CourierStatus.OFFLINE))
        for _ in range(3):
            now += timedelta(minutes=1)
            simulator.step(now)
        assert handheld.list_deliveries(active=True) == []  # off duty: no offer
        assert admin.get_courier(person).status is CourierStatus.OFFLINE  # and not put on shift either

        handheld.act("courier.state", person, CourierStateBody(status=CourierStatus.IDLE))
        for _ in range(4):
            now += timedelta(minutes=1)
            simulator.step(now)
        (offer,) = handheld.list_deliveries(active=True)  # one at a time, though two orders wait
        assert offer.order_id == spare.id and offer.status is DeliveryStatus.PENDING  # not the rejected one
        assert simulator.stats.offered_to_people == 1 and simulator.stats.errors == 0


def test_sigterm_stops_a_running_simulation_with_its_stats(shared_platform: RunningPlatform) -> None:
    """As `o2o demo` stops it, or a service manager: like Ctrl-C, the run ends and says what it did."""
    assert shared_platform.seed is not None
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    started = datetime.now(UTC)
    with killed_on_exit(subprocess.Popen(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "simulate", "--url", shared_platform.url,
         "--token", shared_platform.seed.tokens["admin"], "--store", shared_platform.seed.store_id, "--json",
         "--no-couriers", "--first-order-after", "0", "--every", "0.2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT, env={**env, "O2O_LANG": "en"},
    )) as running:  # fmt: skip
        with PlatformClient(shared_platform.url, shared_platform.seed.tokens["admin"]) as admin:
            deadline = time.monotonic() + 60
            while len(admin.list_orders(store_id=shared_platform.seed.store_id, updated_after=started).orders) < 2:
                assert time.monotonic() < deadline and running.poll() is None, running.stderr
                time.sleep(0.1)
        running.send_signal(signal.SIGTERM)
        out, errors = running.communicate(timeout=30)
    assert running.returncode == 0, errors
    assert json.loads(out)["placed"] >= 2
