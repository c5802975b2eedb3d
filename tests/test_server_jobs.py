"""Background jobs with short timers: accept deadline, auto-conclude, heartbeat pause and resume."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.domain.order import OrderStatus, OrderType
from tests.support.platform import api, order_body, start_platform
from tests.test_server_transitions import check_every_action, order_in


def _eventually(probe: Callable[[], object], timeout: float = 30.0) -> object:
    deadline = time.monotonic() + timeout
    while True:
        value = probe()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(0.1)


@pytest.mark.parametrize("job_runs", [True, False], ids=["job-first", "confirm-first"])
def test_unconfirmed_order_is_cancelled_at_its_deadline(tmp_path: Path, job_runs: bool) -> None:
    """The deadline job runs every 0.2 s (it cancels the order first) or once an hour (only the late confirm can
    see the deadline has passed): either way the order ends cancelled by the platform and the confirm is refused,
    so the answer never depends on whether the job got there first."""
    interval = "0.2" if job_runs else "3600"
    running = start_platform(
        tmp_path, env={"O2O_ACCEPT_TIMEOUT_SECONDS": "1", "O2O_JOB_INTERVAL_SECONDS": interval}
    )
    try:
        assert running.seed is not None
        customer, merchant = api(running, "customer"), api(running, "merchant")
        waiting = customer.post("/v1/orders", order_body(running.seed.store_id)).json()
        taken = customer.post("/v1/orders", order_body(running.seed.store_id)).json()
        assert merchant.post(f"/v1/orders/{taken['id']}/confirm", {"preparation_minutes": 10}).status_code == 200
        if job_runs:
            assert _eventually(lambda: customer.get(f"/v1/orders/{waiting['id']}").json()["status"] == "CANCELLED")
        else:
            time.sleep(1.2)
            assert customer.get(f"/v1/orders/{waiting['id']}").json()["status"] == "CREATED"
        late = merchant.post(f"/v1/orders/{waiting['id']}/confirm", {"preparation_minutes": 10})
        assert late.status_code == 409
        assert (late.json()["error"]["from"], late.json()["error"]["to"]) == ("CANCELLED", "CONFIRMED")
        order = customer.get(f"/v1/orders/{waiting['id']}").json()
        assert (order["status"], order["cancel_reason_code"], order["cancelled_by"]) == (
            "CANCELLED", "ACCEPT_TIMEOUT", "PLATFORM"
        )
        assert customer.get(f"/v1/orders/{taken['id']}").json()["status"] == "CONFIRMED"
    finally:
        running.stop()


def test_delivered_order_is_concluded_and_then_final(tmp_path: Path) -> None:
    running = start_platform(
        tmp_path, env={"O2O_CONCLUDE_AFTER_MINUTES": "0.005", "O2O_JOB_INTERVAL_SECONDS": "0.2"}
    )
    try:
        assert running.seed is not None
        customer, merchant = api(running, "customer"), api(running, "merchant")
        order = order_in(merchant, customer, running.seed.store_id, OrderType.TAKEOUT, OrderStatus.DELIVERED)
        concluded = _eventually(
            lambda: merchant.get(f"/v1/orders/{order['id']}").json()["status"] == "CONCLUDED"
        )
        assert concluded
        current = merchant.get(f"/v1/orders/{order['id']}").json()
        assert check_every_action(merchant, current, OrderType.TAKEOUT, OrderStatus.CONCLUDED) >= 5
    finally:
        running.stop()


def test_store_nobody_watches_is_paused_and_resumes_on_poll(tmp_path: Path) -> None:
    running = start_platform(
        tmp_path, env={"O2O_HEARTBEAT_MINUTES": "0.02", "O2O_JOB_INTERVAL_SECONDS": "0.2"}
    )
    try:
        assert running.seed is not None
        store_path = f"/v1/stores/{running.seed.store_id}"
        admin, merchant = api(running, "admin"), api(running, "merchant")
        merchant.get("/v1/events", after="latest")
        paused = _eventually(lambda: admin.get(store_path).json()["status"]["auto"])
        assert paused
        status = admin.get(store_path).json()["status"]
        assert status["state"] == "PAUSED" and status["auto"] is True
        refused = api(running, "customer").post("/v1/orders", order_body(running.seed.store_id))
        assert refused.json()["error"]["code"] == "store_unavailable"
        merchant.get("/v1/events", after="latest")  # a device is back
        status = admin.get(store_path).json()["status"]
        assert status == {"state": "ONLINE", "until": None, "reason": "", "extra_minutes": 0, "auto": False}
        # a pause the staff chose is not lifted by polling
        merchant.put(f"{store_path}/status", {"state": "PAUSED", "reason": "午休 lunch break"})
        time.sleep(0.5)
        merchant.get("/v1/events", after="latest")
        assert admin.get(store_path).json()["status"]["auto"] is False
        assert admin.get(store_path).json()["status"]["state"] == "PAUSED"
        # a busy store nobody watches is paused, and comes back busy with its extra minutes
        merchant.put(f"{store_path}/status", {"state": "BUSY", "extra_minutes": 15})
        paused = _eventually(lambda: admin.get(store_path).json()["status"]["auto"])
        assert paused and admin.get(store_path).json()["status"]["state"] == "PAUSED"
        merchant.get("/v1/events", after="latest")
        back = admin.get(store_path).json()["status"]
        assert (back["state"], back["extra_minutes"], back["auto"]) == ("BUSY", 15, False)
        # a timed pause that ran out while nobody watched takes no orders nobody would answer
        until = (datetime.now(UTC) + timedelta(seconds=1)).isoformat()
        merchant.put(f"{store_path}/status", {"state": "PAUSED", "until": until, "reason": "10 minutes"})
        paused = _eventually(lambda: admin.get(store_path).json()["status"]["auto"])
        assert paused, admin.get(store_path).json()["status"]
        refused = api(running, "customer").post("/v1/orders", order_body(running.seed.store_id))
        assert refused.json()["error"]["code"] == "store_unavailable"
    finally:
        running.stop()


def test_stored_answers_expire_after_the_retention(tmp_path: Path) -> None:
    """The retention is never under 7 days (O2O_IDEMPOTENCY_RETENTION_DAYS), so the answer is made 9 days old."""
    running = start_platform(tmp_path, env={"O2O_JOB_INTERVAL_SECONDS": "0.2"})
    try:
        assert running.seed is not None
        customer = api(running, "customer")
        first = order_body(running.seed.store_id)
        assert customer.post("/v1/orders", first, key="k-1").status_code == 201
        second = order_body(running.seed.store_id)
        assert customer.post("/v1/orders", second, key="k-1").status_code == 422  # key still remembered
        old = (datetime.now(UTC) - timedelta(days=9)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with sqlite3.connect(running.db_url.removeprefix("sqlite:///")) as conn:
            conn.execute("UPDATE idempotency SET created_at = ? WHERE key = 'k-1'", (old,))

        def forgotten() -> bool:
            return customer.post("/v1/orders", second, key="k-1").status_code == 201

        assert _eventually(forgotten)
        again = customer.post("/v1/orders", first, key="k-2")  # the order id still deduplicates
        assert again.status_code == 200 and again.json()["id"] == first["id"]
    finally:
        running.stop()
