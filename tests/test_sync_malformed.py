"""Malformed platform answers during sync change nothing in the cache: the engine reports a clear error, keeps its
cursor and its queue, and tries again later. The cache is filled from the real platform first; then the same
cache is pointed at a loopback server that answers garbage."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.domain.identity import Role
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.sync import tables
from o2o_tui.sync.engine import SyncEngine
from o2o_tui.sync.model import SyncState
from o2o_tui.sync.read_model import ReadModel
from o2o_tui.sync.scope import Scope
from offline_cache import open_profile_cache
from tests.support.badserver import BadServer, Canned, running_badserver
from tests.support.platform import start_platform
from tests.test_sync_engine import FAST, place_orders

SNAPSHOT_TABLES = (tables.ORDERS, tables.STORES, tables.MENUS, tables.COURIERS, tables.DELIVERIES)


@pytest.fixture(scope="module")
def filled(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    """A merchant cache synced from the real platform, with two orders; the platform is stopped afterwards."""
    root = tmp_path_factory.mktemp("malformed")
    running = start_platform(root / "platform")
    try:
        order_ids = place_orders(running.url, running.seed, 2)
        with open_profile_cache(root / "profile") as cache:
            import asyncio

            async def sync() -> None:
                async with AsyncPlatformClient(running.url, running.seed.tokens["merchant"]) as client:
                    engine = SyncEngine(
                        client, cache, scope=Scope(Role.MERCHANT, store_id=running.seed.store_id)
                    )
                    assert (await engine.sync_once()).state is SyncState.ONLINE

            asyncio.run(sync())
    finally:
        running.stop()
    yield {"root": root, "store_id": running.seed.store_id, "order_ids": order_ids}


@pytest.fixture
def bad() -> Iterator[BadServer]:
    yield from running_badserver()


def state_of(cache: Any) -> dict[str, Any]:
    snapshot = {name: sorted(cache.table(name).all(), key=lambda d: str(d)) for name in SNAPSHOT_TABLES}
    snapshot["cursor"] = cache.meta_get(tables.META_CURSOR)
    snapshot["last_sync_at"] = cache.meta_get(tables.META_LAST_SYNC_AT)
    return snapshot


def event_page(order_id: str, version: int = 99) -> bytes:
    event = {
        "id": 10_000,
        "type": "order.updated",
        "entity": "order",
        "entity_id": order_id,
        "version": version,
        "occurred_at": datetime.now(UTC).isoformat(),
    }
    return msgspec.json.encode({"events": [event], "cursor": "10000", "resync": False})


GARBAGE = {
    "wrong types": Canned(200, b'{"id": 5, "status": ["CONFIRMED"]}'),
    "missing fields": Canned(200, b'{"id": "x"}'),
    "html page": Canned(200, b"<html><body>Gateway login</body></html>", "text/html"),
    "truncated": Canned(200, b'{"id": "abc", "store', claimed_length=400),
    "huge": Canned(200, b"[" + b"1," * 1_000_000, repeat=20),
    "server html error": Canned(500, b"<html>oops</html>", "text/html"),
}


# A broken link (a proxy's HTML page, a cut answer, a 5xx) changes nothing. An entity answer that came whole but is
# too big or of the wrong shape ("wrong types", "missing fields", "huge") blames that entity alone: it is skipped
# and the rest syncs on (tests/test_sync_bad_entities.py).
LINK_FAULTS = ["html page", "truncated", "server html error"]


@pytest.mark.parametrize("answer", LINK_FAULTS, ids=LINK_FAULTS)
async def test_a_malformed_entity_answer_changes_nothing(filled, bad, answer: str) -> None:
    order_id = filled["order_ids"][0]
    bad.answer("/v1/events", Canned(200, event_page(order_id)))
    bad.answer(f"/v1/orders/{order_id}", GARBAGE[answer])
    with open_profile_cache(filled["root"] / "profile") as cache:
        before = state_of(cache)
        async with AsyncPlatformClient(bad.url, "merchant-token", timeout=5.0) as client:
            engine = SyncEngine(
                client, cache, scope=Scope(Role.MERCHANT, store_id=filled["store_id"]), settings=FAST
            )
            report = await engine.sync_once()
        assert report.state is SyncState.OFFLINE and report.error
        assert state_of(cache) == before
        assert engine.status().cursor == before["cursor"]
        assert ReadModel(cache).order(order_id) is not None


@pytest.mark.parametrize("answer", ["wrong types", "html page", "truncated"])
async def test_a_malformed_event_page_changes_nothing(filled, bad, answer: str) -> None:
    bad.answer("/v1/events", GARBAGE[answer])
    with open_profile_cache(filled["root"] / "profile") as cache:
        before = state_of(cache)
        async with AsyncPlatformClient(bad.url, "merchant-token", timeout=5.0) as client:
            engine = SyncEngine(
                client, cache, scope=Scope(Role.MERCHANT, store_id=filled["store_id"]), settings=FAST
            )
            report = await engine.sync_once()
        assert report.state is SyncState.OFFLINE and report.error
        assert state_of(cache) == before


async def test_a_malformed_answer_to_a_push_keeps_the_action_queued(filled, bad, tmp_path: Path) -> None:
    order_id = filled["order_ids"][1]
    bad.answer(f"/v1/orders/{order_id}/confirm", GARBAGE["html page"])
    bad.answer("/v1/events", GARBAGE["html page"])
    with open_profile_cache(filled["root"] / "profile") as cache:
        before = state_of(cache)
        async with AsyncPlatformClient(bad.url, "merchant-token", timeout=5.0) as client:
            engine = SyncEngine(
                client, cache, scope=Scope(Role.MERCHANT, store_id=filled["store_id"]), settings=FAST
            )
            entry = await engine.submit("order.confirm", order_id, ConfirmBody(preparation_minutes=5))
            report = await engine.sync_once()
        assert report.state is SyncState.OFFLINE and report.error
        assert report.pending == 1 and report.conflicts == 0
        [still] = cache.outbox.pending()
        assert still.key == entry.key and still.attempts == 1 and still.last_error
        assert state_of(cache) == before
        [sent] = [s for s in bad.seen if s.path.endswith("/confirm")]
        assert sent.headers["Idempotency-Key"] == entry.key and sent.body == entry.body.encode()
        assert sent.headers["X-Occurred-At"] == entry.occurred_at
        cache.outbox.mark_done(entry.key)  # leave the shared cache as it was
