"""An accept tapped offline before the order's accept deadline and sent after it finds the order cancelled by the
platform: the action log's cancel row is the platform's, at the deadline, not the merchant's at the tap time."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime
from pathlib import Path

from tests.support.platform import api, order_body, start_platform


def test_late_accept_logs_the_platforms_cancel_at_the_deadline(tmp_path: Path) -> None:
    # the deadline job runs once an hour: only the late accept sees the deadline has passed
    running = start_platform(
        tmp_path, env={"O2O_ACCEPT_TIMEOUT_SECONDS": "2", "O2O_JOB_INTERVAL_SECONDS": "3600"}
    )
    try:
        assert running.seed is not None
        customer, merchant = api(running, "customer"), api(running, "merchant")
        order = customer.post("/v1/orders", order_body(running.seed.store_id)).json()
        tapped = datetime.now(UTC).isoformat()  # the merchant accepts offline, inside the deadline
        deadline = datetime.fromisoformat(order["accept_deadline"])
        time.sleep(max(0.0, (deadline - datetime.now(UTC)).total_seconds()) + 0.5)
        late = merchant.post(
            f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}, headers={"X-Occurred-At": tapped}
        )
        assert late.status_code == 409
        after = customer.get(f"/v1/orders/{order['id']}").json()
        assert (after["status"], after["cancel_reason_code"], after["cancelled_by"]) == (
            "CANCELLED", "ACCEPT_TIMEOUT", "PLATFORM"
        )
        merchant_id = merchant.get("/v1/me").json()["user_id"]
        db_path = running.db_url.removeprefix("sqlite:///")
        with sqlite3.connect(db_path) as conn:
            rows = conn.execute(
                "SELECT action, user_id, occurred_at FROM action_log WHERE entity_id = ? ORDER BY id", (order["id"],)
            ).fetchall()
        cancels = [row for row in rows if row[0] == "cancel"]
        assert len(cancels) == 1
        _, user_id, occurred_at = cancels[0]
        assert user_id == "system" and user_id != merchant_id  # the platform's, not the merchant's
        assert datetime.fromisoformat(occurred_at) == deadline  # at the deadline, not at the merchant's tap
        assert not [row for row in rows if row[1] == merchant_id]  # the refused accept changed nothing of theirs
    finally:
        running.stop()
