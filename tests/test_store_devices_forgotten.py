"""Device names a store's consoles asked under (the station candidates, `store_devices`) are dropped by the
platform's prune job once no console has used them for `DEVICES_KEPT` (before, they were only hidden, and kept
for ever). Against the real platform with its job on a short timer."""

from __future__ import annotations

import sqlite3
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from o2o_tui.platform.auto_accept import DEVICES_KEPT
from tests.support.platform import api, start_platform


def _rows(db_path: str) -> list[str]:
    with sqlite3.connect(db_path) as conn:
        return sorted(row[0] for row in conn.execute("SELECT device FROM store_devices"))


def test_devices_unheard_of_for_thirty_days_are_deleted_and_the_rest_kept(tmp_path: Path) -> None:
    running = start_platform(tmp_path, env={"O2O_JOB_INTERVAL_SECONDS": "0.2"})
    try:
        assert running.seed is not None
        merchant = api(running, "merchant")
        path = f"/v1/stores/{running.seed.store_id}/auto-accept"
        for device in ("counter-today", "old-till"):
            assert merchant.get(path, device=device).status_code == 200
        db_path = running.db_url.removeprefix("sqlite:///")
        assert _rows(db_path) == ["counter-today", "old-till"]
        old = (datetime.now(UTC) - DEVICES_KEPT - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        with sqlite3.connect(db_path) as conn:
            conn.execute("UPDATE store_devices SET seen_at = ? WHERE device = 'old-till'", (old,))
        deadline = time.monotonic() + 30
        while _rows(db_path) != ["counter-today"] and time.monotonic() < deadline:
            time.sleep(0.1)
        assert _rows(db_path) == ["counter-today"]
        assert merchant.get(path).json()["devices"] == ["counter-today"]
        merchant.close()
    finally:
        running.stop()
