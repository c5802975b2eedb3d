"""Delay an order ("need more time"): the rule, the platform, the offline overlay and `o2o orders delay`.

The platform moves the promised ready time from the promise (or from the tap when the promise has passed), the
courier's delivery follows it, the roles and states are enforced, the total is capped; the command checks the
cached order before queueing, queues offline and sends exactly once; the queue shows the moved time meanwhile."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.domain.delay import DelayCheck, check_delay, delay_left, delayed_promise
from o2o_tui.domain.limits import DELAY_TOTAL_MAX
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.sync.overlay import apply_to_order
from tests.support.platform import Api, RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli

NOW = datetime(2026, 12, 5, 12, 0, tzinfo=UTC)


def _when(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


def _order(status: OrderStatus, promised: datetime | None, delayed: int = 0) -> Order:
    raw = {
        "id": "o1", "store_id": "s1", "number": 1, "type": "TAKEOUT", "status": status.value,
        "timing": {"kind": "ASAP"}, "lines": [],
        "totals": {k: {"amount": 0, "currency": "CNY"} for k in ("subtotal", "delivery_fee", "discount", "total")},
        "payment": {"status": "PAID"}, "customer": {"name": "x", "phone": "1"},
        "created_at": "2026-12-05T11:00:00Z", "updated_at": "2026-12-05T11:00:00Z", "version": 3,
        "promised_ready_at": promised.isoformat() if promised else None, "delayed_minutes": delayed,
    }  # fmt: skip
    return msgspec.convert(raw, Order, strict=False)


class _Entry(msgspec.Struct):
    action: str
    body: bytes
    occurred_at: datetime


def test_the_rule_moves_the_promise_from_the_promise_or_from_now() -> None:
    cooking = _order(OrderStatus.PREPARING, NOW + timedelta(minutes=5))
    assert delayed_promise(cooking, 10, NOW) == NOW + timedelta(minutes=15)  # from the promise
    late = _order(OrderStatus.PREPARING, NOW - timedelta(minutes=5))
    assert delayed_promise(late, 10, NOW) == NOW + timedelta(minutes=10)  # a passed promise: from now
    assert check_delay(cooking, 10) is DelayCheck.OK
    assert check_delay(_order(OrderStatus.CREATED, None), 10) is DelayCheck.NOT_NOW
    assert check_delay(_order(OrderStatus.READY_FOR_PICKUP, NOW), 10) is DelayCheck.NOT_NOW
    assert check_delay(cooking, 0) is DelayCheck.BAD_MINUTES
    assert check_delay(cooking, 61) is DelayCheck.BAD_MINUTES
    nearly = _order(OrderStatus.CONFIRMED, NOW, delayed=DELAY_TOTAL_MAX - 5)
    assert (check_delay(nearly, 5), check_delay(nearly, 6)) == (DelayCheck.OK, DelayCheck.OVER_LIMIT)
    assert (delay_left(nearly), delay_left(cooking)) == (5, 60)


def test_a_queued_delay_shows_the_moved_promise_at_once() -> None:
    cooking = _order(OrderStatus.CONFIRMED, NOW + timedelta(minutes=5))
    entry = _Entry("order.delay", b'{"minutes":10}', NOW)
    shown = apply_to_order(cooking, entry)
    assert (shown.promised_ready_at, shown.delayed_minutes) == (NOW + timedelta(minutes=15), 10)
    # one the platform will refuse changes nothing in the view
    ready = _order(OrderStatus.READY_FOR_PICKUP, NOW)
    assert apply_to_order(ready, entry) == ready
    full = _order(OrderStatus.CONFIRMED, NOW, delayed=DELAY_TOTAL_MAX)
    assert apply_to_order(full, entry) == full


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


def _accepted(running: RunningPlatform, order_type: str = "DELIVERY") -> dict:
    assert running.seed is not None
    customer, merchant = api(running, "customer"), api(running, "merchant")
    order = customer.post("/v1/orders", order_body(running.seed.store_id, order_type)).json()
    confirmed = merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 20})
    assert confirmed.status_code == 200, confirmed.text
    return confirmed.json()


def test_the_platform_moves_the_promise_and_the_couriers_ready_time(running: RunningPlatform) -> None:
    assert running.seed is not None
    merchant, customer = api(running, "merchant"), api(running, "customer")
    order = _accepted(running)
    path = f"/v1/orders/{order['id']}"
    courier_id = running.seed.courier_ids[0]
    courier = Api(running.url, running.seed.courier_tokens[courier_id])
    delivery = merchant.post(path + "/assign", {"courier_id": courier_id}).json()

    answer = merchant.post(path + "/delay", {"minutes": 10}, key="delay-1")
    assert answer.status_code == 200, answer.text
    delayed = answer.json()
    assert _when(delayed["promised_ready_at"]) == _when(order["promised_ready_at"]) + timedelta(minutes=10)
    assert delayed["delayed_minutes"] == 10 and delayed["version"] == order["version"] + 2  # confirm, assign... delay
    seen = courier.get(f"/v1/deliveries/{delivery['id']}").json()
    assert _when(seen["ready_at"]) == _when(delayed["promised_ready_at"])  # the courier comes later
    assert customer.get(path).json()["delayed_minutes"] == 10  # the customer sees the new time too

    # a retry of the same request is the same delay, not a second one
    again = merchant.post(path + "/delay", {"minutes": 10}, key="delay-1")
    assert again.status_code == 200 and again.json()["delayed_minutes"] == 10

    # roles: only the store's staff delay
    assert customer.post(path + "/delay", {"minutes": 5}).status_code == 403
    assert courier.post(path + "/delay", {"minutes": 5}).status_code in (403, 404)
    # bounds and the cap
    refused = merchant.post(path + "/delay", {"minutes": 61})
    assert refused.status_code == 422 and "minutes" in refused.text
    assert merchant.post(path + "/delay", {"minutes": 60}).status_code == 200
    capped = merchant.post(path + "/delay", {"minutes": 60})
    assert capped.status_code == 409 and capped.json()["error"]["code"] == "delay_limit"
    assert merchant.get(path).json()["delayed_minutes"] == 70

    # once ready, nothing waits on the kitchen
    merchant.post(path + "/ready")
    late = merchant.post(path + "/delay", {"minutes": 5})
    assert late.status_code == 409 and late.json()["error"]["code"] == "not_delayable"
    fresh = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    early = merchant.post(f"/v1/orders/{fresh['id']}/delay", {"minutes": 5})
    assert early.status_code == 409 and early.json()["error"]["code"] == "not_delayable"


def test_the_command_checks_queues_offline_and_sends_once(running: RunningPlatform, tmp_path: Path) -> None:
    assert running.seed is not None
    customer = api(running, "customer")
    order = _accepted(running, "TAKEOUT")
    fresh = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once")

    not_yet = cli("orders", "delay", fresh["id"], "--minutes", "5", code=Exit.REJECTED)
    assert "only an accepted order that is not ready yet" in not_yet.stderr
    cli("orders", "delay", order["id"], "--minutes", "0", code=Exit.USAGE)
    assert cli.json("sync", "status")["pending"] == 0 and cli.json("conflicts", "list") == []

    done = cli.json("orders", "delay", order["id"], "--minutes", "15")
    assert done["outcome"] == "done" and done["order"]["delayed_minutes"] == 15
    promised = _when(order["promised_ready_at"]) + timedelta(minutes=15)
    assert _when(done["order"]["promised_ready_at"]) == promised
    assert "(+15 min)" in cli("orders", "show", order["id"]).stdout

    # offline: queued, shown at once, sent exactly once
    running.stop()
    queued = cli("orders", "delay", order["id"], "--minutes", "60")
    assert "Queued" in queued.stdout
    assert "(+75 min)" in cli("orders", "show", order["id"]).stdout
    over = cli("orders", "delay", order["id"], "--minutes", "50", code=Exit.REJECTED)  # 75 + 50 > 120, queued counted
    assert "at most 45 more minutes" in over.stderr
    assert cli.json("sync", "status")["pending"] == 1
    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)
    assert cli.json("sync", "--once")["pushed"] == 1
    assert cli.json("sync", "--once")["pushed"] == 0
    seen = customer.get(f"/v1/orders/{order['id']}").json()
    assert seen["delayed_minutes"] == 75
    assert _when(seen["promised_ready_at"]) == promised + timedelta(minutes=60)
