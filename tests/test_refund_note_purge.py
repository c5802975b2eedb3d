"""A refund's free-text note is the staff's words about a customer: the personal-data purge blanks it like the
chase texts and the problem notes, on the server (its jobs, a window of seconds) and in a merchant console's cache
(its own retention, the same rule). The refund's reason code, amounts, lines, author and time stay."""

from __future__ import annotations

import asyncio
import sqlite3
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.domain.identity import Role
from o2o_tui.sync import tables
from o2o_tui.sync.engine import SyncEngine, SyncSettings
from o2o_tui.sync.retention import RetentionPolicy, apply_retention
from o2o_tui.sync.scope import Scope
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform, api, order_body, start_platform

WINDOW_SECONDS = 8
NOTE = "Wang Wei 13812345678 at 88 Secret Rd said tofu cold"
Json = dict[str, Any]


def _ok(response: httpx.Response) -> Json:
    assert response.status_code in (200, 201), response.text
    answer: Json = response.json()
    return answer


def _wait_until(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def _sync(running: RunningPlatform, profile: Path, token: str, scope: Scope) -> None:
    async def once() -> None:
        settings = SyncSettings(poll_wait=0.5, backoff_base=0.01, backoff_cap=0.05)
        async with AsyncPlatformClient(running.url, token, timeout=10.0) as client:
            report = await SyncEngine(client, cache, scope=scope, settings=settings).sync_once()
        assert report.error is None, report.error

    with open_profile_cache(profile) as cache:
        asyncio.run(once())


def _database_text(db_url: str) -> str:
    with sqlite3.connect(db_url.removeprefix("sqlite:///")) as conn:
        names = [row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        return "\n".join(
            value.decode("utf-8", errors="replace") if isinstance(value, bytes) else str(value)
            for name in names
            for row in conn.execute(f'SELECT * FROM "{name}"')
            for value in row
        )


def _kept(refund: Json) -> Json:
    return {
        key: refund[key] for key in ("id", "amount", "reason_code", "whole", "lines", "by", "by_role", "at")
    }


def test_the_purge_blanks_a_refund_note_on_the_server_and_in_the_merchant_cache(tmp_path: Path) -> None:
    env = {"O2O_JOB_INTERVAL_SECONDS": "0.2", "O2O_PURGE_PERSONAL_HOURS": str(WINDOW_SECONDS / 3600)}
    running = start_platform(tmp_path / "platform", env=env)
    try:
        seeded = running.seed
        assert seeded is not None
        customer, merchant = api(running, "customer"), api(running, "merchant")
        order = _ok(customer.post("/v1/orders", order_body(seeded.store_id)))
        path = f"/v1/orders/{order['id']}"
        _ok(merchant.post(path + "/confirm", {"preparation_minutes": 5}))
        refund = {"id": str(uuid.uuid4()), "reason_code": "OTHER", "whole": True, "note": NOTE}
        refunded = _ok(merchant.post(path + "/refund", refund))
        assert refunded["refunds"][0]["note"] == NOTE
        _ok(merchant.post(path + "/cancel", {"reason_code": "CLOSING_SOON"}))
        before = _ok(merchant.get(path))
        counter = (
            tmp_path / "counter",
            seeded.tokens["merchant"],
            Scope(Role.MERCHANT, store_id=seeded.store_id),
        )
        _sync(running, *counter)  # the console holds the order, the note with it
        with open_profile_cache(counter[0]) as cache:
            assert (cache.table(tables.ORDERS).get(order["id"]) or {})["refunds"][0]["note"] == NOTE

        assert _wait_until(lambda: _ok(merchant.get(path))["customer"]["name"] == "", WINDOW_SECONDS + 20), (
            "the server did not purge the order"
        )
        after = _ok(merchant.get(path))
        [kept] = after["refunds"]
        assert kept["note"] == "", "the refund's note outlived the purge"
        assert _kept(kept) == _kept(before["refunds"][0])  # reason code, amounts, lines, who and when stay
        assert after["totals"] == before["totals"] and after["payment"] == before["payment"]
        leaked = [
            word
            for word in ("Wang Wei", "13812345678", "Secret Rd")
            if word in _database_text(running.db_url)
        ]
        assert not leaked, leaked

        # the device blanks its copy by itself, at its own clock
        with open_profile_cache(counter[0]) as cache:
            apply_retention(cache, RetentionPolicy(), datetime.now(UTC) + timedelta(hours=7))
            cached = cache.table(tables.ORDERS).get(order["id"]) or {}
            assert cached["refunds"][0]["note"] == ""
            assert _kept(cached["refunds"][0]) == _kept(before["refunds"][0])
        text = "\n".join(
            f.read_text("utf-8", errors="replace") for f in sorted(counter[0].rglob("*")) if f.is_file()
        )
        assert NOTE not in text and "Secret Rd" not in text
        for client in (customer, merchant):
            client.close()
    finally:
        running.stop()
