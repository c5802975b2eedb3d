"""Consoles that meet other versions: a cursor the server refuses (another release's), a cache whose entities an
older version wrote (missing this version's fields), an older engine writing beside a newer one, and a queued
action this version does not know (queued by a newer one). Real server on loopback, real cache in tmp_path."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.client import AsyncPlatformClient, actions
from o2o_tui.client.errors import ValidationFailed
from o2o_tui.domain.identity import Role
from o2o_tui.i18n import t
from o2o_tui.sync import tables
from o2o_tui.sync.engine import SyncEngine, SyncSettings
from o2o_tui.sync.fetch import MODEL_VERSION
from o2o_tui.sync.model import SyncState
from o2o_tui.sync.read_model import ReadModel
from o2o_tui.sync.scope import Scope
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform, api, order_body, start_platform

FAST = SyncSettings(poll_wait=0.2, backoff_base=0.01, backoff_cap=0.05)
REFUSED_CURSOR = "18.zz"  # an id with a tag that is not hex: no server release handed it out


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[Any]:
    with open_profile_cache(tmp_path / "profile") as opened:
        yield opened


def engine_for(running: RunningPlatform, cache: Any, settings: SyncSettings = FAST) -> tuple[Any, SyncEngine]:
    assert running.seed is not None
    client = AsyncPlatformClient(running.url, running.seed.tokens["merchant"], timeout=5.0)
    scope = Scope(Role.MERCHANT, store_id=running.seed.store_id)
    return client, SyncEngine(client, cache, scope=scope, settings=settings)


def place_order(running: RunningPlatform) -> str:
    assert running.seed is not None
    customer = api(running, "customer")
    try:
        placed = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT"))
    finally:
        customer.close()
    assert placed.status_code == 201, placed.text
    return str(placed.json()["id"])


async def test_a_cursor_the_server_refuses_is_dropped_for_a_full_resync(running, cache) -> None:
    client, engine = engine_for(running, cache)
    async with client:
        first = await engine.sync_once()
        assert first.resynced and first.state is SyncState.ONLINE
        # the server answers 422 on `after` to a cursor it never handed out (an older release's refuses ours)
        with pytest.raises(ValidationFailed) as refused:
            await client.events(REFUSED_CURSOR, wait=0)
        assert refused.value.field == "after"

        cache.meta_set(tables.META_CURSOR, REFUSED_CURSOR)
        rolled_back = SyncEngine(
            client, cache, scope=Scope(Role.MERCHANT, store_id=running.seed.store_id), settings=FAST
        )
        assert rolled_back.status().cursor == REFUSED_CURSOR
        report = await rolled_back.sync_once()
        assert report.resynced and report.state is SyncState.ONLINE and report.error is None
        assert rolled_back.status().cursor != REFUSED_CURSOR
        assert cache.meta_get(tables.META_CURSOR) != REFUSED_CURSOR  # written: a restart does not meet it again

        # and the orders placed afterwards show
        order_id = place_order(running)
        second = await rolled_back.sync_once()
        assert not second.resynced and second.state is SyncState.ONLINE
        assert ReadModel(cache).order(order_id) is not None

        # the same from the run loop's poll (no sync_once): one pull resyncs and goes on
        cache.meta_set(tables.META_CURSOR, REFUSED_CURSOR)
        looped = SyncEngine(client, cache, scope=Scope(Role.MERCHANT, store_id=running.seed.store_id), settings=FAST)
        _, fetched = await looped.pull_once(0.0)
        assert fetched >= 1 and looped.status().state is SyncState.ONLINE
        later = place_order(running)
        await looped.pull_once(0.0)
        assert ReadModel(cache).order(later) is not None


async def test_a_cache_an_older_version_wrote_is_resynced_on_open_and_the_queue_kept(running, cache) -> None:
    order_id = place_order(running)
    client, engine = engine_for(running, cache)
    async with client:
        await engine.sync_once()
        assert cache.meta_get(tables.META_MODEL_VERSION) == MODEL_VERSION  # written by the full resync

        # as an older version left it: no marker, an entity without a field this version has
        doc = cache.table(tables.ORDERS).get(order_id)
        assert doc is not None and "accept_deadline" in doc
        del doc["accept_deadline"]
        cache.table(tables.ORDERS).upsert_many({order_id: doc})
        cache.meta_set(tables.META_MODEL_VERSION, None)
        queued = cache.outbox.append("order.confirm", order_id, json.dumps({"preparation_minutes": 15}))

        upgraded = SyncEngine(client, cache, scope=Scope(Role.MERCHANT, store_id=running.seed.store_id), settings=FAST)
        await upgraded.pull_once(0.0)  # a pull only: the queue is not sent
        assert "accept_deadline" in cache.table(tables.ORDERS).get(order_id)
        assert cache.meta_get(tables.META_MODEL_VERSION) == MODEL_VERSION
        assert [e.key for e in cache.outbox.pending()] == [queued.key]  # a resync never drops queued actions

        # once marked, a new engine does not resync again
        again = SyncEngine(client, cache, scope=Scope(Role.MERCHANT, store_id=running.seed.store_id), settings=FAST)
        report = await again.sync_once()
        assert not report.resynced and report.pushed == 1


async def test_an_older_writer_beside_a_newer_one(running, cache) -> None:
    settings = SyncSettings(poll_wait=0.2, backoff_base=0.01, backoff_cap=0.05, older_writer_every=timedelta(0))
    client, newer = engine_for(running, cache, settings)
    async with client:
        await newer.sync_once()
        # an older engine (its marker below ours) rewrote entities: the newer one notices at its next pull
        cache.meta_set(tables.META_MODEL_VERSION, MODEL_VERSION - 1)
        report = await newer.sync_once()
        assert report.resynced and cache.meta_get(tables.META_MODEL_VERSION) == MODEL_VERSION
        quiet = await newer.sync_once()
        assert not quiet.resynced

        # this engine as the older one, beside a newer version's marker: a write of entities lowers it to its own
        cache.meta_set(tables.META_MODEL_VERSION, MODEL_VERSION + 1)
        await newer.sync_once()  # nothing changed: nothing written, the marker stays
        assert cache.meta_get(tables.META_MODEL_VERSION) == MODEL_VERSION + 1
        order_id = place_order(running)
        await newer.sync_once()
        assert ReadModel(cache).order(order_id) is not None
        assert cache.meta_get(tables.META_MODEL_VERSION) == MODEL_VERSION

    # resyncing for an older writer is limited to once per `older_writer_every`
    cache.meta_set(tables.META_MODEL_VERSION, MODEL_VERSION - 1)
    client, limited = engine_for(running, cache, SyncSettings(poll_wait=0.2, older_writer_every=timedelta(hours=1)))
    async with client:
        assert (await limited.sync_once()).resynced  # on open
        cache.meta_set(tables.META_MODEL_VERSION, MODEL_VERSION - 1)
        assert (await limited.sync_once()).resynced  # the first time an older writer is seen
        cache.meta_set(tables.META_MODEL_VERSION, MODEL_VERSION - 1)
        assert not (await limited.sync_once()).resynced  # within the hour: not again


async def test_an_action_queued_by_a_newer_version_goes_to_the_conflicts_and_the_rest_is_sent(
    running, cache
) -> None:
    order_id = place_order(running)
    client, engine = engine_for(running, cache)
    async with client:
        await engine.sync_once()
        future = cache.outbox.append("order.future_step", order_id, json.dumps({"minutes": 5}))
        confirm = cache.outbox.append("order.confirm", order_id, json.dumps({"preparation_minutes": 15}))

        report = await engine.sync_once()
        assert report.error is None and report.pushed == 1 and report.rejected == 1
        assert report.pending == 0 and report.conflicts == 1
        assert ReadModel(cache).order(order_id).order.status == "CONFIRMED"
        assert cache.outbox.get(confirm.key) is None  # sent and done

        [refused] = cache.outbox.conflicts()
        assert refused.key == future.key and refused.rejection["code"] == "unknown_action"
        number = ReadModel(cache).order(order_id).order.number
        expected = t(
            "sync.explain.code.unknown_action", subject=t("sync.subject.order", number=f"#{number:04d}"),
            action="order.future_step",
        )
        assert refused.rejection["explanation"] == expected
        assert "newer version of o2o" in expected and "dismiss" in expected
        assert engine.status().conflicts == 1


async def test_after_an_update_the_action_an_older_version_could_not_send_is_sent(
    running, cache, monkeypatch
) -> None:
    order_id = place_order(running)
    client, engine = engine_for(running, cache)
    async with client:
        await engine.sync_once()
        confirm = cache.outbox.append("order.confirm", order_id, json.dumps({"preparation_minutes": 15}))
        await engine.sync_once()
        future = cache.outbox.append("order.future_step", order_id, "{}")
        other = cache.outbox.append("order.chase", order_id, "{}")  # refused by the platform, not unknown
        cache.outbox.mark_rejected(other.key, {"code": "no_chase"})
        report = await engine.sync_once()
        assert report.conflicts == 2 and cache.outbox.get(future.key).rejection["code"] == "unknown_action"
        assert cache.outbox.get(confirm.key) is None

        # o2o updated: this version knows the action (here: the kitchen's "preparing" under its future name)
        monkeypatch.setitem(actions.ACTIONS, "order.future_step", actions.ACTIONS["order.preparing"])
        updated = SyncEngine(client, cache, scope=Scope(Role.MERCHANT, store_id=running.seed.store_id), settings=FAST)
        report = await updated.sync_once()
        assert report.pushed == 1 and report.conflicts == 1 and report.pending == 0
        assert cache.outbox.get(future.key) is None  # sent, with its own key
        assert [e.key for e in cache.outbox.conflicts()] == [other.key]  # a refusal of the platform stays
        assert ReadModel(cache).order(order_id).order.status == "PREPARING"
