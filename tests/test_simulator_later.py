"""Simulated customers ordering for later: with a person at the counter the third order of a run is for later,
held on the real platform with its prep start 2-4 wall minutes ahead; with `--auto-merchant` nobody orders for
later (those runs wait for their orders to end)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from o2o_tui.client import PlatformClient
from o2o_tui.domain.order import TimingType
from o2o_tui.platform.simulator.core import Simulator
from tests.support.platform import RunningPlatform


def test_the_third_customer_orders_for_later(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    with PlatformClient(shared_platform.url, seed.tokens["admin"]) as admin:
        simulator = Simulator(admin, store_id=seed.store_id, seed=5, max_orders=4, burst=True, couriers=False)
        now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
        placed_at = datetime.now(UTC)
        simulator.start(now)
        simulator.step(now)
        assert simulator.stats.placed == 4 and simulator.stats.refused == 0
        orders = [admin.get_order(order_id) for order_id in simulator.stats.order_ids]
        assert [order.timing.type for order in orders[:3]] == [TimingType.INSTANT] * 2 + [TimingType.SCHEDULED]
        held = orders[2]
        assert held.held_until is not None
        lead = held.held_until - placed_at
        assert timedelta(minutes=2) - timedelta(seconds=1) <= lead <= timedelta(minutes=4, seconds=5), lead

        auto = Simulator(admin, store_id=seed.store_id, seed=5, max_orders=4, burst=True, couriers=False,
                         auto_merchant=True)  # fmt: skip
        auto.start(now)
        auto.step(now)
        assert all(admin.get_order(i).timing.type is TimingType.INSTANT for i in auto.stats.order_ids)
