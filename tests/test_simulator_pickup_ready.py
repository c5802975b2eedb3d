"""A simulated courier at the counter takes what the kitchen marked ready, and waits for the rest: it never rides
off with a bag before the order's promised ready time (README: "the simulated fleet picks up what you mark
ready"); with a bag on board it does not wait for the next one. The real platform on loopback; the simulator
stepped through simulated minutes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.domain.order import OrderStatus
from o2o_tui.domain.requests import AssignBody, ConfirmBody, EmptyBody
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.platform.simulator import Simulator
from o2o_tui.platform.simulator import couriers as simulated_couriers
from tests.support.platform import RunningPlatform
from tests.test_simulator import _order

START = datetime(2026, 12, 3, 11, 15, tzinfo=UTC)


def test_a_courier_waits_at_the_counter_for_the_ready_tap(
    platform: RunningPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(simulated_couriers, "REJECT_SHARE", 0.0)
    seed = platform.seed
    assert seed is not None
    with (
        PlatformClient(platform.url, seed.tokens["admin"]) as admin,
        PlatformClient(platform.url, seed.tokens["customer"]) as customer,
        PlatformClient(platform.url, seed.tokens["merchant"]) as merchant,
    ):
        waiting, forgotten = (_order(admin, seed.store_id, customer) for _ in range(2))
        for order in (waiting, forgotten):
            merchant.act("order.confirm", order.id, ConfirmBody(preparation_minutes=30))
        # one courier for both (a bundle)
        deliveries = [
            admin.act("order.assign", order.id, AssignBody(courier_id=seed.courier_ids[3]))
            for order in (waiting, forgotten)
        ]
        simulator = Simulator(admin, store_id=seed.store_id, seed=9, max_orders=0)
        now = START
        simulator.start(now)
        for _ in range(60):  # an hour of simulated time, well before the promised ready time on the platform
            now += timedelta(minutes=1)
            simulator.step(now)
        for delivery, order in zip(deliveries, (waiting, forgotten), strict=True):
            assert admin.get_delivery(delivery.id).status is DeliveryStatus.ARRIVED_AT_MERCHANT  # waits there
            assert admin.get_order(order.id).status is OrderStatus.CONFIRMED  # nobody marked it ready

        merchant.act("order.ready", waiting.id, EmptyBody())
        now += timedelta(minutes=1)
        simulator.step(now)
        assert admin.get_delivery(deliveries[0].id).status is DeliveryStatus.PICKED_UP  # the tap: it goes
        assert admin.get_delivery(deliveries[1].id).status is DeliveryStatus.ARRIVED_AT_MERCHANT
        for _ in range(40):  # it delivers the bag it has, then comes back to the counter for the other one
            now += timedelta(minutes=1)
            simulator.step(now)
        assert admin.get_delivery(deliveries[0].id).status is DeliveryStatus.DELIVERED
        assert admin.get_delivery(deliveries[1].id).status is DeliveryStatus.ARRIVED_AT_MERCHANT
        assert admin.get_order(forgotten.id).status is OrderStatus.CONFIRMED

        # past the promised ready time a kitchen that forgot the tap hands the bag over all the same
        promised = admin.get_order(forgotten.id).promised_ready_at
        assert promised is not None
        monkeypatch.setattr(simulated_couriers, "platform_now", lambda: promised + timedelta(seconds=1))
        now += timedelta(minutes=1)
        simulator.step(now)
        assert admin.get_delivery(deliveries[1].id).status is DeliveryStatus.PICKED_UP
        assert simulator.stats.errors == 0


def test_with_a_bag_on_board_a_courier_still_takes_a_bag_marked_ready(
    platform: RunningPlatform, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The demo's backlog: a courier who just picked one order up is given a second one already at the counter;
    it takes that one before it leaves (it only never waits for a bag nobody marked ready)."""
    monkeypatch.setattr(simulated_couriers, "REJECT_SHARE", 0.0)
    seed = platform.seed
    assert seed is not None
    courier = seed.courier_ids[3]
    with (
        PlatformClient(platform.url, seed.tokens["admin"]) as admin,
        PlatformClient(platform.url, seed.tokens["customer"]) as customer,
        PlatformClient(platform.url, seed.tokens["merchant"]) as merchant,
    ):
        first, second = (_order(admin, seed.store_id, customer) for _ in range(2))
        for order in (first, second):
            merchant.act("order.confirm", order.id, ConfirmBody(preparation_minutes=30))
        merchant.act("order.ready", first.id, EmptyBody())
        carried = admin.act("order.assign", first.id, AssignBody(courier_id=courier))
        simulator = Simulator(admin, store_id=seed.store_id, seed=9, max_orders=0)
        now = START
        simulator.start(now)
        while admin.get_delivery(
            carried.id
        ).status is not DeliveryStatus.PICKED_UP and now < START + timedelta(hours=1):
            now += timedelta(seconds=20)
            simulator.step(now)
        assert (
            admin.get_delivery(carried.id).status is DeliveryStatus.PICKED_UP
        )  # at the counter, bag on board
        merchant.act("order.ready", second.id, EmptyBody())
        added = admin.act("order.assign", second.id, AssignBody(courier_id=courier))
        for _ in range(15):  # it accepts (within a minute), comes back to the counter and takes it
            now += timedelta(seconds=20)
            simulator.step(now)
            if admin.get_delivery(added.id).status is DeliveryStatus.PICKED_UP:
                break
        assert admin.get_delivery(added.id).status is DeliveryStatus.PICKED_UP
        assert admin.get_delivery(carried.id).status is DeliveryStatus.PICKED_UP  # not delivered in between
        assert simulator.stats.errors == 0
