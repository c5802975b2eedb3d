"""A refusal on a full disk: a change the platform refuses (409) answers that refusal, not 503 storage_unavailable,
though storing the refusal under the Idempotency-Key is a write the full disk refuses. The device gets the true
answer; only the record of it is lost (said once, in one line); once there is room the refusal is stored again, a
replay answers it, and that is said once too.

The full disk is a real one: a 3 MB tmpfs filled up (root or CAP_SYS_ADMIN; skipped where none can be mounted)."""

from __future__ import annotations

import uuid
from pathlib import Path

from o2o_tui.domain.order import OrderStatus
from tests.support.platform import api, start_platform
from tests.test_server_full_disk import _fill, _small_disk, _wait_until
from tests.test_sync_engine import place_orders

NOT_KEPT = "the record of refused changes cannot write: database or disk is full (said once until it can again)"
KEPT_AGAIN = "the record of refused changes writes again"


def test_a_refusal_on_a_full_disk_is_answered_and_only_its_record_lost(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk") as disk:
        running = start_platform(tmp_path / "platform", db_url=f"sqlite:///{disk / 'platform.sqlite3'}")
        try:
            assert running.seed is not None
            merchant = api(running, "merchant")
            [order_id] = place_orders(running.url, running.seed, 1)
            rejected = merchant.post(f"/v1/orders/{order_id}/reject", {"reason_code": "STORE_BUSY"})
            assert rejected.status_code == 200, rejected.text
            filler = _fill(disk)

            key = str(uuid.uuid4())
            for _ in range(3):  # the same late accept, retried: the true answer each time, said once in the log
                late = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10}, key=key)
                assert late.status_code == 409, late.text
                assert late.json()["error"]["code"] == "illegal_transition"
                assert "Idempotent-Replayed" not in late.headers  # not stored: each answered afresh
            other = merchant.post(f"/v1/orders/{order_id}/ready", {})
            assert other.status_code == 409, other.text
            full = running.log_text()
            assert full.count(NOT_KEPT) == 1, full
            assert "storage_unavailable" not in full and "Traceback" not in full, full
            assert merchant.get(f"/v1/orders/{order_id}").json()["status"] == OrderStatus.CANCELLED.value

            filler.unlink()  # room again: the refusal is stored as before, and replayed under its key
            stored = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10}, key=key)
            assert stored.status_code == 409 and "Idempotent-Replayed" not in stored.headers, stored.text
            replayed = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10}, key=key)
            assert replayed.status_code == 409 and replayed.headers["Idempotent-Replayed"] == "true"
            assert replayed.json() == stored.json()
            assert _wait_until(lambda: KEPT_AGAIN in running.log_text(), 3)
            after = running.log_text()
            assert after.count(NOT_KEPT) == 1 and after.count(KEPT_AGAIN) == 1, after
            merchant.http.close()
        finally:
            running.stop()
