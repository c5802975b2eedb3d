"""An order's `offered_at` is its current offer's time: cleared when the order loses its courier (unassigned,
rejected, given back), and set anew by the next assignment, so a reassigned order counts from its new offer."""

from __future__ import annotations

import time
from datetime import datetime

from o2o_tui.client import PlatformClient
from tests.support.platform import RunningPlatform, api
from tests.test_cli_dispatch import place_ready_orders
from tests.test_dispatch_refusals_end_to_end import _courier, _ok, _two_on_duty


def _offered_at(platform: RunningPlatform, order_id: str) -> datetime | None:
    assert platform.seed is not None
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as client:
        return client.get_order(order_id).offered_at


def test_an_order_unassigned_and_assigned_again_counts_from_its_new_offer(platform: RunningPlatform) -> None:
    zhang, wang = _two_on_duty(platform)
    [placed] = place_ready_orders(platform, [(300.0, 200.0)])
    dispatcher = api(platform, "dispatcher")
    _ok(dispatcher.post(f"/v1/orders/{placed.id}/assign", {"courier_id": zhang}))
    first = _offered_at(platform, placed.id)
    assert first is not None
    time.sleep(1.2)  # the server's clock moves on: the second offer is later than the first
    _ok(dispatcher.post(f"/v1/orders/{placed.id}/unassign", {}))
    assert _offered_at(platform, placed.id) is None  # no offer open: nothing to count from
    time.sleep(1.2)
    _ok(dispatcher.post(f"/v1/orders/{placed.id}/assign", {"courier_id": wang}))
    second = _offered_at(platform, placed.id)
    assert second is not None and (second - first).total_seconds() >= 2, (first, second)


def test_an_order_its_courier_rejected_has_no_offer_time_until_offered_again(
    platform: RunningPlatform,
) -> None:
    zhang, wang = _two_on_duty(platform)
    [placed] = place_ready_orders(platform, [(300.0, 200.0)])
    dispatcher = api(platform, "dispatcher")
    delivery = _ok(dispatcher.post(f"/v1/orders/{placed.id}/assign", {"courier_id": zhang}))
    first = _offered_at(platform, placed.id)
    assert first is not None
    _ok(_courier(platform, zhang).post(f"/v1/deliveries/{delivery['id']}/reject", {}))
    assert _offered_at(platform, placed.id) is None
    time.sleep(1.2)
    _ok(dispatcher.post(f"/v1/orders/{placed.id}/assign", {"courier_id": wang}))
    second = _offered_at(platform, placed.id)
    assert second is not None and second > first


def test_an_offer_given_back_by_a_courier_going_off_duty_leaves_no_offer_time(
    platform: RunningPlatform,
) -> None:
    zhang, _ = _two_on_duty(platform)
    [placed] = place_ready_orders(platform, [(300.0, 200.0)])
    _ok(api(platform, "dispatcher").post(f"/v1/orders/{placed.id}/assign", {"courier_id": zhang}))
    assert _offered_at(platform, placed.id) is not None
    _ok(_courier(platform, zhang).put(f"/v1/couriers/{zhang}/state", {"status": "OFFLINE"}))
    assert _offered_at(platform, placed.id) is None
