"""Day numbers of orders for later, on the real server: a held order is numbered on the day it is due, so the
counter of that day goes on after it; an order left in the queue from the day before keeps its number and the new
day's counter steps over it; a held order whose number the queue holds already when it is released takes a free
one. Across a real midnight of the store's clock: the server runs under libfaketime, started at 23:59:40 in
Shanghai. And `o2o orders` refuses a number two open orders share (exit 2, the candidates with their ids)."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli, cli, running  # noqa: F401  (fixtures)
from tests.test_server_scheduled import PREP, _later, _when

LIBFAKETIME = Path("/usr/lib/x86_64-linux-gnu/faketime/libfaketimeMT.so.1")
SHANGHAI = ZoneInfo("Asia/Shanghai")


def _eventually(probe: object, timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()  # type: ignore[operator]
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.2)


@pytest.mark.skipif(not LIBFAKETIME.exists(), reason="libfaketime is not installed")
def test_numbers_stay_unique_in_the_queue_across_midnight(tmp_path: Path) -> None:
    tomorrow = datetime.now(SHANGHAI).date() + timedelta(days=2)  # a day later than any real clock here
    # 12 s before midnight: the server's start and the first orders fit in before it, on a loaded machine too
    start = datetime(tomorrow.year, tomorrow.month, tomorrow.day, 23, 59, 48, tzinfo=SHANGHAI)
    env = {
        "LD_PRELOAD": str(LIBFAKETIME),
        "FAKETIME": "@" + start.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S"),
        "FAKETIME_DONT_FAKE_MONOTONIC": "1",
        "TZ": "UTC",
        "O2O_JOB_INTERVAL_SECONDS": "0.5",
    }
    server = start_platform(tmp_path, env=env)
    try:
        assert server.seed is not None
        store_id = server.seed.store_id
        customer, merchant = api(server, "customer"), api(server, "merchant")
        today = [customer.post("/v1/orders", order_body(store_id)).json() for _ in range(4)]
        created = _when(today[0]["created_at"])
        assert created is not None and created.astimezone(SHANGHAI).hour == 23, created  # the faked clock
        assert [order["number"] for order in today] == [1, 2, 3, 4]
        for gone in (today[0], today[2]):  # #2 and #4 stay in the queue past midnight
            cancel = merchant.post(f"/v1/orders/{gone['id']}/cancel", {"reason_code": "OUT_OF_STOCK"})
            assert cancel.status_code == 200, cancel.text
        left = [today[1], today[3]]
        # two orders for 00:15:03, prep start 00:00:03 the next day, placed before midnight
        midnight = datetime.combine(start.date() + timedelta(days=1), datetime.min.time(), tzinfo=SHANGHAI)
        window = midnight + timedelta(minutes=PREP, seconds=3)
        later = [customer.post("/v1/orders", _later(store_id, window)).json() for _ in range(2)]
        assert all(order["held_until"] is not None for order in later), later
        assert [order["number"] for order in later] == [1, 2]  # numbered on the day they are due

        def released() -> bool:
            return all(merchant.get(f"/v1/orders/{o['id']}").json()["released_at"] for o in later)

        assert _eventually(released, timeout=60)
        after = [customer.post("/v1/orders", order_body(store_id)).json() for _ in range(2)]
        assert all(_when(o["created_at"]).astimezone(SHANGHAI).date() == midnight.date() for o in after)  # type: ignore[union-attr]
        queue = [merchant.get(f"/v1/orders/{o['id']}").json() for o in [*left, *later, *after]]
        numbers = [order["number"] for order in queue]
        assert len(set(numbers)) == len(numbers), numbers  # no two live orders share a number
        # the first order for later keeps its #1; the second's #2 is a left-over order's: it took a free one (#3);
        # the new day's counter steps over the other left-over order's #4
        assert numbers == [2, 4, 1, 3, 5, 6], numbers
    finally:
        server.stop()


def test_cli_refuses_a_number_two_open_orders_share(running: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    assert running.seed is not None
    store_id = running.seed.store_id
    customer = api(running, "customer")
    noon = datetime.now(SHANGHAI).replace(hour=12, minute=0, second=0, microsecond=0) + timedelta(days=2)
    held = customer.post("/v1/orders", _later(store_id, noon)).json()  # #1 of the day after tomorrow
    today = customer.post("/v1/orders", order_body(store_id)).json()  # #1 of today
    assert held["number"] == today["number"] == 1
    cli("sync", "--once")

    # the one held for another day does not compete for today's number: `1` names today's order
    assert cli.json("orders", "show", "#0001")["id"] == today["id"]
    assert cli.json("orders", "show", held["id"])["id"] == held["id"]  # the held one by its id

    cancel = customer.post(f"/v1/orders/{held['id']}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
    assert cancel.status_code == 200, cancel.text
    cli("sync", "--once")
    assert cli.json("orders", "show", "1")["id"] == today["id"]  # the other one ended: the number names one
