"""One bad entity must not stop sync, and one bad cached entity must not break a reader (issue 10, defects 3, 4).

- An answer over the 16 MiB cap for one order (a real platform whose SQLite row we bloat) or one that does not fit
  its type (a loopback server answering a wrong field): that entity is skipped, said once, the cursor moves on,
  the rest is written, and it is fetched again later (the list is kept in the cache meta).
- A cached order or delivery that no longer decodes: `o2o orders list --json` and `o2o deliveries list --json`
  (real processes) leave it out, exit 0 with valid JSON and say so once on stderr; the next sync fetches it again.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.domain.identity import Role
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.sync import skipped as skips
from o2o_tui.sync import tables
from o2o_tui.sync.engine import SyncEngine
from o2o_tui.sync.model import Change, SyncState
from o2o_tui.sync.scope import Scope
from offline_cache import open_profile_cache
from tests.support.badserver import BadServer, Canned, running_badserver
from tests.support.platform import RunningPlatform
from tests.test_sync_engine import FAST, courier_deliveries, merchant_engine, place_orders

RETRY_AT_ONCE = msgspec.structs.replace(FAST, skipped_retry_every=timedelta(0))
ROOT = Path(__file__).resolve().parent.parent


def _db(platform: RunningPlatform) -> str:
    return platform.db_url.removeprefix("sqlite:///")


def bloat(platform: RunningPlatform, order_id: str) -> bytes:
    """Give one order a 17 MiB note straight in the platform's database; returns the row's old document."""
    with sqlite3.connect(_db(platform)) as conn:
        [original] = conn.execute("SELECT doc FROM orders WHERE id = ?", (order_id,)).fetchone()
        doc = json.loads(original)
        doc["note"] = "x" * (17 * 1024 * 1024)
        conn.execute("UPDATE orders SET doc = ? WHERE id = ?", (json.dumps(doc).encode(), order_id))
    return bytes(original)


def restore(platform: RunningPlatform, order_id: str, doc: bytes) -> None:
    with sqlite3.connect(_db(platform)) as conn:
        conn.execute("UPDATE orders SET doc = ? WHERE id = ?", (doc, order_id))


def skipped_said(said: list[Change]) -> list[frozenset[str]]:
    return [change.ids for change in said if change.kind == skips.CHANGE_KIND]


async def test_an_oversized_order_is_skipped_said_once_the_rest_syncs_and_it_is_fetched_again(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    seed = platform.seed
    first, big, other = place_orders(platform.url, seed, 3)
    with open_profile_cache(tmp_path / "profile") as cache:
        client, engine = merchant_engine(platform.url, seed, cache, settings=RETRY_AT_ONCE)
        said: list[Change] = []
        engine.subscribe(said.append)
        async with client:
            assert (await engine.sync_once()).state is SyncState.ONLINE
            cursor_before = engine.status().cursor
            with PlatformClient(platform.url, seed.tokens["merchant"]) as merchant:
                for order_id in (big, other):
                    merchant.act("order.confirm", order_id, ConfirmBody(preparation_minutes=5))
            original = bloat(platform, big)

            report = await engine.sync_once()  # before the fix: OFFLINE, nothing written, the cursor stuck
            assert report.state is SyncState.ONLINE, report
            assert engine.status().cursor != cursor_before
            orders = cache.table(tables.ORDERS)
            assert orders.get(other)["status"] == "CONFIRMED"  # the rest synced
            assert orders.get(big)["status"] == "CREATED"  # the old copy stays
            [left_out] = engine.skipped()
            assert (left_out.table, left_out.id) == (tables.ORDERS, big)
            assert "larger than 16 MiB" in left_out.reason
            assert big in skips.describe(left_out)
            assert list(skips.load(cache)) == [left_out.key]  # remembered in the cache meta
            assert skipped_said(said) == [frozenset({left_out.key})]

            assert (await engine.sync_once()).state is SyncState.ONLINE  # asked again: still too big
            assert [s.id for s in engine.skipped()] == [big]
            assert skipped_said(said) == [frozenset({left_out.key})]  # said once, not at every round

            restore(platform, big, original)
            assert (await engine.sync_once()).state is SyncState.ONLINE
            assert orders.get(big)["status"] == "CONFIRMED"  # fetched again once it could be read
            assert engine.skipped() == [] and skips.load(cache) == {}
        assert orders.get(first) is not None


def raw(platform: RunningPlatform, path: str, **params: str) -> Any:
    headers = {"Authorization": f"Bearer {platform.seed.tokens['merchant']}"}
    return httpx.get(f"{platform.url}{path}", headers=headers, params=params).raise_for_status().json()


@pytest.fixture
def bad() -> Iterator[BadServer]:
    yield from running_badserver()


def _json(value: Any) -> Canned:
    return Canned(200, json.dumps(value).encode())


# a field of the wrong type; a time the store's zone cannot hold (year 9999 overflowed `o2o orders show` and the
# console's clock columns with a traceback)
BAD_FIELDS = {"number": "seven", "created_at": "9999-12-31T23:59:59Z"}


@pytest.mark.parametrize("field", list(BAD_FIELDS))
async def test_an_order_with_a_bad_field_is_skipped_in_a_snapshot_and_in_an_event_page(
    shared_platform: RunningPlatform, bad: BadServer, tmp_path: Path, field: str
) -> None:
    good_id, bad_id = place_orders(shared_platform.url, shared_platform.seed, 2)
    good, fine = raw(shared_platform, f"/v1/orders/{good_id}"), raw(shared_platform, f"/v1/orders/{bad_id}")
    broken = {**fine, field: BAD_FIELDS[field]}
    store_id = shared_platform.seed.store_id
    for path in (f"/v1/stores/{store_id}", f"/v1/stores/{store_id}/menu", "/v1/couriers"):
        bad.answer(path, _json(raw(shared_platform, path, store_id=store_id)))
    bad.answer("/v1/events", _json({"events": [], "cursor": "7", "resync": False}))
    bad.answer("/v1/orders", _json({"orders": [good, broken], "next_cursor": None}))
    scope = Scope(Role.MERCHANT, store_id=shared_platform.seed.store_id)
    with open_profile_cache(tmp_path / "profile") as cache:
        async with AsyncPlatformClient(bad.url, "merchant-token", timeout=5.0) as client:
            engine = SyncEngine(client, cache, scope=scope, settings=RETRY_AT_ONCE)
            said: list[Change] = []
            engine.subscribe(said.append)
            bad.answer(f"/v1/orders/{bad_id}", _json(broken))

            report = await engine.sync_once()  # the full resync: before the fix one bad order failed it all
            assert report.state is SyncState.ONLINE, report
            assert cache.table(tables.ORDERS).get(good_id) is not None
            assert cache.table(tables.ORDERS).get(bad_id) is None
            [left_out] = engine.skipped()
            assert left_out.id == bad_id and field in left_out.reason

            event = {
                "id": 10_000,
                "type": "order.updated",
                "entity": "order",
                "entity_id": bad_id,
                "version": 99,
                "occurred_at": datetime.now(UTC).isoformat(),
            }
            bad.answer("/v1/events", _json({"events": [event], "cursor": "10000", "resync": False}))
            report = await engine.sync_once()  # an event page: the cursor moves past the bad order
            assert report.state is SyncState.ONLINE and engine.status().cursor == "10000"
            assert [s.id for s in engine.skipped()] == [bad_id]
            assert skipped_said(said) == [frozenset({left_out.key})]

            bad.answer(f"/v1/orders/{bad_id}", _json(fine))  # readable again: the next round fetches it
            assert (await engine.sync_once()).state is SyncState.ONLINE
            assert cache.table(tables.ORDERS).get(bad_id)["number"] == fine["number"]
            assert engine.skipped() == []


# -- readers ----------------------------------------------------------------------------------------------------


def o2o(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200"}
    env.pop("O2O_PROFILE", None)
    env.pop("O2O_TOKEN", None)
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args]
    return subprocess.run(command, capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)


def corrupt_cached(home: Path, table: str, entity_id: str) -> None:
    """Write a document of the wrong shape straight into the profile's real cache file."""
    [profile_dir] = [p.parent for p in (home / "cache").rglob("cache-v*.json")]
    with open_profile_cache(profile_dir) as cache:
        doc = cache.table(table).get(entity_id)
        assert doc is not None
        doc["version"] = "not a number"
        doc["created_at"] = 12
        if table == tables.ORDERS:
            doc["number"] = "twelve"  # the old JSON list formatted it with :04d and crashed
        cache.table(table).upsert(entity_id, doc)


def listed(home: Path, *command: str) -> tuple[list[dict[str, Any]], list[str]]:
    result = o2o(home, *command, "--json")
    assert result.returncode == 0, (result.returncode, result.stdout, result.stderr)
    return json.loads(result.stdout), [line for line in result.stderr.splitlines() if line.strip()]


def test_a_bad_cached_order_or_delivery_is_left_out_said_once_and_fetched_again(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    running, seed = shared_platform, shared_platform.seed
    kept, broken = place_orders(running.url, seed, 2)
    merchant, courier = tmp_path / "merchant", tmp_path / "courier"
    assert o2o(merchant, "login", "--url", running.url, "--token", seed.tokens["merchant"]).returncode == 0
    assert o2o(merchant, "sync", "--once").returncode == 0
    corrupt_cached(merchant, tables.ORDERS, broken)

    rows, warnings = listed(merchant, "orders", "list")  # before the fix: a traceback, exit 1
    ids = {row["id"] for row in rows}
    assert kept in ids and broken not in ids
    assert len(warnings) == 1 and broken in warnings[0] and "order" in warnings[0]

    plain = o2o(merchant, "orders", "list")  # the plain list: the same rule, said the same way
    assert plain.returncode == 0 and broken not in plain.stdout
    said = json.loads(warnings[0])  # with --json the same sentence, as a JSON line a script can parse
    assert said["warning"] == "cache_entity_unreadable"
    assert [line for line in plain.stderr.splitlines() if broken in line] == [said["message"]]

    assert o2o(merchant, "sync", "--once").returncode == 0  # the engine finds it and fetches it again
    rows, warnings = listed(merchant, "orders", "list")
    assert broken in {row["id"] for row in rows} and warnings == []

    delivery_ids = courier_deliveries(running, 2)
    assert o2o(courier, "login", "--url", running.url, "--token", seed.tokens["courier"]).returncode == 0
    assert o2o(courier, "sync", "--once").returncode == 0
    corrupt_cached(courier, tables.DELIVERIES, delivery_ids[0])
    rows, warnings = listed(courier, "deliveries", "list")  # before the fix: left out without a word
    assert {row["id"] for row in rows} >= {delivery_ids[1]} and delivery_ids[0] not in {r["id"] for r in rows}
    assert len(warnings) == 1 and delivery_ids[0] in warnings[0] and "delivery" in warnings[0]


def test_a_cached_order_with_a_time_out_of_range_is_left_out_not_a_traceback(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    """`o2o orders show` put the order's time in the store's zone: year 9999 overflowed (OverflowError, exit 1)."""
    running, seed = shared_platform, shared_platform.seed
    [order_id] = place_orders(running.url, seed, 1)
    home = tmp_path / "merchant"
    assert o2o(home, "login", "--url", running.url, "--token", seed.tokens["merchant"]).returncode == 0
    assert o2o(home, "sync", "--once").returncode == 0
    [profile_dir] = [p.parent for p in (home / "cache").rglob("cache-v*.json")]
    with open_profile_cache(profile_dir) as cache:
        doc = cache.table(tables.ORDERS).get(order_id)
        assert doc is not None
        cache.table(tables.ORDERS).upsert(order_id, {**doc, "created_at": "9999-12-31T23:59:59Z"})

    shown = o2o(home, "orders", "show", order_id)
    assert "Traceback" not in shown.stderr, shown.stderr
    assert shown.returncode == Exit.NOT_FOUND
    assert [line for line in shown.stderr.splitlines() if order_id in line and "created_at" in line]


def test_a_cached_menu_snooze_the_zone_cannot_hold_is_shown_in_utc(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    """Menus keep the snooze time that was stored (the menu rules name a bad one): `o2o menu show` put it in the
    store's zone and died on year 9999 (OverflowError); now it shows the time in UTC."""
    running, seed = shared_platform, shared_platform.seed
    home = tmp_path / "merchant"
    assert o2o(home, "login", "--url", running.url, "--token", seed.tokens["merchant"]).returncode == 0
    assert o2o(home, "sync", "--once").returncode == 0
    [profile_dir] = [p.parent for p in (home / "cache").rglob("cache-v*.json")]
    with open_profile_cache(profile_dir) as cache:
        menu = cache.table(tables.MENUS).get(seed.store_id)
        assert menu is not None
        menu["categories"][0]["items"][0]["snooze_until"] = "9999-12-31T23:59:00Z"
        cache.table(tables.MENUS).upsert(seed.store_id, menu)

    shown = o2o(home, "menu", "show")
    assert "Traceback" not in shown.stderr, shown.stderr
    assert shown.returncode == 0 and "9999-12-31 23:59 UTC" in shown.stdout
