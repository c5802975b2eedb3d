"""A stream of events does not rewrite the cache file for every page (longhunt D6), against the real platform.

The cache is one JSON file, replaced whole on every write. Couriers moving make a `courier.updated` event each;
the merchant's engine must fetch what a burst names once (several couriers in one listing) and write the cache
about once a second while the burst lasts, and still show the last position of every courier within about a
second of the burst's end.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.client.wire import Call
from o2o_tui.domain.fleet import Courier
from o2o_tui.domain.geo import PositionIn
from o2o_tui.domain.identity import Role
from o2o_tui.domain.order import Order
from o2o_tui.domain.requests import CourierStateBody
from o2o_tui.sync import tables
from o2o_tui.sync.engine import SyncEngine, SyncSettings
from o2o_tui.sync.model import SyncState
from o2o_tui.sync.scope import Scope
from offline_cache import open_profile_cache, storage
from tests.support.platform import RunningPlatform
from tests.test_sync_engine import place_orders

COURIERS = 5
MOVES = 10  # per courier: 50 events over about 2.5 s
PAUSE = 0.25  # between two rounds of moves


class CountingClient(AsyncPlatformClient):
    """The real client, counting the courier and order requests it makes."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.requests: Counter[str] = Counter()

    async def get_courier(self, courier_id: str) -> Courier:
        self.requests["GET /v1/couriers/{id}"] += 1
        return await super().get_courier(courier_id)

    async def get_order(self, order_id: str) -> Order:
        self.requests["GET /v1/orders/{id}"] += 1
        return await super().get_order(order_id)

    async def call(self, call: Call[Any]) -> Any:
        if call.path in ("/v1/couriers", "/v1/orders"):
            self.requests[f"GET {call.path}"] += 1
        return await super().call(call)

    def count(self, path: str) -> int:
        """Requests under `path` (its listing and its entities)."""
        return sum(n for request, n in self.requests.items() if request.split(" ")[1].startswith(path))


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Any]:
    with open_profile_cache(tmp_path / "profile") as opened:
        yield opened


@pytest.fixture
def cache_writes(monkeypatch: pytest.MonkeyPatch) -> list[float]:
    """When the cache file was replaced, counted on the cache's own write path."""
    replaced: list[float] = []
    real = storage.atomic_write

    def counted(path: Path, payload: bytes) -> None:
        real(path, payload)
        if path.name.startswith("cache-v"):
            replaced.append(time.monotonic())

    monkeypatch.setattr(storage, "atomic_write", counted)
    return replaced


def move_couriers(url: str, seed: Any, count: int, rounds: int, pause: float) -> float:
    """Move the first `count` couriers `rounds` times, `pause` s between rounds; returns the last latitude."""
    couriers = seed.courier_ids[:count]
    clients = [PlatformClient(url, seed.courier_tokens[c]) for c in couriers]
    try:
        for step in range(rounds):
            for courier_id, client in zip(couriers, clients, strict=True):
                position = PositionIn(lat=31.2 + step / 1000, lon=121.4 + step / 1000)
                client.act("courier.state", courier_id, CourierStateBody(position=position))
            if step < rounds - 1:
                time.sleep(pause)
    finally:
        for client in clients:
            client.close()
    return 31.2 + (rounds - 1) / 1000


def lat_of(cache: Any, courier_id: str) -> float | None:
    """A cached courier's latitude."""
    doc = cache.table(tables.COURIERS).get(courier_id) or {}
    position = doc.get("position") or {}
    lat = position.get("lat")
    return lat if isinstance(lat, float) else None


async def test_a_burst_of_courier_moves_is_fetched_once_and_written_about_once_a_second(
    shared_platform: RunningPlatform, cache: Any, cache_writes: list[float]
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    settings = SyncSettings(poll_wait=0.5, backoff_base=0.05, backoff_cap=0.5)
    client = CountingClient(shared_platform.url, seed.tokens["merchant"], timeout=10.0)
    engine = SyncEngine(client, cache, scope=Scope(Role.MERCHANT, store_id=seed.store_id), settings=settings)
    couriers = seed.courier_ids[:COURIERS]
    async with client:
        task = asyncio.create_task(engine.run())
        try:
            for _ in range(250):
                if engine.status().state is SyncState.ONLINE and lat_of(cache, couriers[0]) is not None:
                    break
                await asyncio.sleep(0.02)
            await asyncio.sleep(1.5)  # the start's snapshot written, quiet polls only
            cache_writes.clear()
            client.requests.clear()

            started = time.monotonic()
            last = await asyncio.to_thread(move_couriers, shared_platform.url, seed, COURIERS, MOVES, PAUSE)
            moved = time.monotonic()
            for _ in range(300):
                if all(lat_of(cache, c) == pytest.approx(last) for c in couriers):
                    break
                await asyncio.sleep(0.02)
            shown = time.monotonic()
            assert all(lat_of(cache, c) == pytest.approx(last) for c in couriers), "the last moves never came"
        finally:
            engine.stop()
            await asyncio.wait_for(task, 5)

    burst = moved - started
    assert shown - moved < settings.coalesce_every + 1.5, f"the last move showed {shown - moved:.2f} s late"
    writes = [w for w in cache_writes if w <= shown]
    # a page that wrote makes the next poll wait `coalesce_every`: writes at least that far apart
    bound = int((shown - started) / settings.coalesce_every) + 1
    assert len(writes) <= bound, f"{len(writes)} cache writes for {COURIERS * MOVES} moves in {burst:.2f} s"
    requests = client.count("/v1/couriers")  # one listing per page, or one courier alone
    assert requests <= bound, f"{dict(client.requests)} for {COURIERS * MOVES} moves in {burst:.2f} s"


async def test_a_burst_of_new_orders_is_fetched_in_one_listing_per_write(
    shared_platform: RunningPlatform, cache: Any, cache_writes: list[float]
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    settings = SyncSettings(poll_wait=0.5, backoff_base=0.05, backoff_cap=0.5)
    client = CountingClient(shared_platform.url, seed.tokens["merchant"], timeout=10.0)
    engine = SyncEngine(client, cache, scope=Scope(Role.MERCHANT, store_id=seed.store_id), settings=settings)
    async with client:
        task = asyncio.create_task(engine.run())
        try:
            for _ in range(250):
                if engine.status().state is SyncState.ONLINE:
                    break
                await asyncio.sleep(0.02)
            await asyncio.sleep(1.5)
            cache_writes.clear()
            client.requests.clear()

            started = time.monotonic()
            placed = []
            for _ in range(MOVES):
                placed += await asyncio.to_thread(place_orders, shared_platform.url, seed, 2)
                await asyncio.sleep(PAUSE)
            moved = time.monotonic()
            for _ in range(300):
                if all(cache.table(tables.ORDERS).get(i) for i in placed):
                    break
                await asyncio.sleep(0.02)
            shown = time.monotonic()
            assert all(cache.table(tables.ORDERS).get(i) for i in placed), "not every order came"
        finally:
            engine.stop()
            await asyncio.wait_for(task, 5)

    burst = moved - started
    assert shown - moved < settings.coalesce_every + 1.5, f"the last order showed {shown - moved:.2f} s late"
    bound = int((shown - started) / settings.coalesce_every) + 1
    writes = [w for w in cache_writes if w <= shown]
    assert len(writes) <= bound, f"{len(writes)} cache writes for {len(placed)} new orders in {burst:.2f} s"
    requests = client.count("/v1/orders")
    assert requests <= bound, f"{dict(client.requests)} for {len(placed)} new orders in {burst:.2f} s"
