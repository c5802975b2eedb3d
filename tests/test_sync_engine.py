"""The sync engine against the real reference platform on loopback, with a real cache in tmp_path.

Exactly once through a fault-injecting proxy (read from the platform's idempotency table and its replays), offline-then-online with a conflict, pull/resync and dedupe, and
malformed answers that must leave the cache untouched.
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.client.errors import PlatformError
from o2o_tui.domain.fleet import ProblemReason
from o2o_tui.domain.identity import Role
from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.requests import (
    CodeBody,
    ConfirmBody,
    CreateOrderBody,
    EmptyBody,
    NewOrderLine,
    ProblemBody,
    ReasonBody,
    StoreStatusBody,
)
from o2o_tui.domain.store import StoreState
from o2o_tui.platform import db as platform_db
from o2o_tui.sync import tables
from o2o_tui.sync.engine import SyncEngine, SyncSettings
from o2o_tui.sync.model import Change, ChangeKind, SyncState
from o2o_tui.sync.read_model import ReadModel
from o2o_tui.sync.scope import Scope
from offline_cache import open_profile_cache
from tests.support.deep import size
from tests.support.faultproxy import Fault, FaultProxy
from tests.support.platform import api, order_body, start_platform

FAST = SyncSettings(poll_wait=0.5, backoff_base=0.01, backoff_cap=0.05)


class TickClock:
    """A clock that moves 1 ms per reading, so every tap time is distinct and ordered."""

    def __init__(self) -> None:
        self._ticks = itertools.count()
        self._start = datetime.now(UTC).replace(microsecond=0)

    def __call__(self) -> datetime:
        return self._start + timedelta(milliseconds=next(self._ticks))


@pytest.fixture
def running(tmp_path: Path) -> Iterator[object]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def cache(tmp_path: Path) -> Iterator[object]:
    with open_profile_cache(tmp_path / "profile") as opened:
        yield opened


def simple_item_id(customer: PlatformClient, store_id: str) -> str:
    menu = customer.get_menu(store_id)
    groups = {g.id: g for g in menu.option_groups}
    return next(
        item.id
        for category in menu.categories
        for item in category.items
        if not item.hidden
        and str(item.status) == "AVAILABLE"
        and all(groups[g].min == 0 for g in item.option_group_ids)
    )


def place_orders(url: str, seed: object, count: int, order_type: OrderType = OrderType.TAKEOUT) -> list[str]:
    with PlatformClient(url, seed.tokens["customer"]) as customer:
        item_id = simple_item_id(customer, seed.store_id)
        ids = []
        for _ in range(count):
            body = CreateOrderBody(
                id=str(uuid.uuid4()),
                store_id=seed.store_id,
                type=order_type,
                lines=[NewOrderLine(item_id=item_id, quantity=1)],
                customer_name="Li Na",
                customer_phone="13800001111",
            )
            ids.append(customer.create_order(body).id)
    return ids


def merchant_engine(
    url: str, seed: object, cache: object, **kwargs: object
) -> tuple[AsyncPlatformClient, SyncEngine]:
    client = AsyncPlatformClient(url, seed.tokens["merchant"], timeout=kwargs.pop("timeout", 5.0))
    engine = SyncEngine(
        client,
        cache,
        scope=Scope(Role.MERCHANT, store_id=seed.store_id),
        settings=kwargs.pop("settings", FAST),
        **kwargs,
    )
    return client, engine


def action_log(db_url: str, user_id: str) -> list[tuple[str, str, str | None]]:
    """What the platform applied for `user_id`, in the order it applied it: (entity id, action, tap time)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            log = platform_db.action_log
            query = select(log.c.entity_id, log.c.action, log.c.occurred_at).where(log.c.user_id == user_id)
            rows = conn.execute(query.order_by(log.c.id)).all()
    finally:
        engine.dispose()
    return [(r.entity_id, r.action, r.occurred_at) for r in rows]


def same_instant(a: str | None, b: str) -> bool:
    assert a is not None
    return datetime.fromisoformat(a.replace("Z", "+00:00")) == datetime.fromisoformat(
        b.replace("Z", "+00:00")
    )


async def drain(engine: SyncEngine, *, attempts: int = 10_000) -> int:
    """Push until the outbox is empty, retrying after every non-final fault; returns the faults met."""
    faults = 0
    for _ in range(attempts):
        try:
            await engine.push_pending()
            return faults
        except PlatformError as error:
            assert not error.is_final
            faults += 1
            await asyncio.sleep(0.005)
    raise AssertionError("the outbox never drained")


class _ReplayTap:
    """The platform's side of a proxied connection, counting the answers it marks `Idempotent-Replayed`."""

    def __init__(self, reader: asyncio.StreamReader, proxy: ReplayCountingProxy) -> None:
        self._reader = reader
        self._proxy = proxy

    async def read(self, n: int = -1) -> bytes:
        data = await self._reader.read(n)
        self._proxy.replayed += data.lower().count(b"\r\nidempotent-replayed: true\r\n")
        return data


class ReplayCountingProxy(FaultProxy):
    """A FaultProxy that also counts the platform's replayed answers as they leave it, so a replay the proxy
    then cuts off (a reset) counts too: each reset after the request was forwarded must be followed by one."""

    replayed = 0

    async def _upstream_to_client(self, upstream_reader, *rest):  # type: ignore[no-untyped-def]
        return await super()._upstream_to_client(_ReplayTap(upstream_reader, self), *rest)


def idempotency_keys(db_url: str, user_id: str) -> set[str]:
    """The keys of the first answers the platform stored for `user_id` (its idempotency table)."""
    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            table = platform_db.idempotency
            rows = conn.execute(select(table.c.key).where(table.c.user_id == user_id)).all()
    finally:
        engine.dispose()
    return {row.key for row in rows}


def courier_deliveries(running: object, count: int) -> list[str]:
    """`count` delivery orders, confirmed by the merchant and assigned to the seeded courier: their delivery ids."""
    seed = running.seed
    customer, merchant, dispatcher = (api(running, role) for role in ("customer", "merchant", "dispatcher"))
    ids = []
    for _ in range(count):
        order = customer.post("/v1/orders", order_body(seed.store_id)).json()
        merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}).raise_for_status()
        assigned = dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": seed.courier_ids[0]})
        ids.append(assigned.raise_for_status().json()["id"])
    for client in (customer, merchant, dispatcher):
        client.close()
    return ids


async def test_a_thousand_actions_through_random_faults_apply_exactly_once_in_order(
    running, cache, tmp_path: Path
) -> None:
    """Exactly once, as the platform sees it: one stored answer per outbox entry under the entry's own key, a
    replayed answer after every reset of a forwarded request, and a courier's problem reports (each appends,
    so a retry under a fresh key would append twice) each appended once.

    The suite runs two rounds (400 store actions, 20 problem reports); `python -m bench deep` runs the thousand
    (five rounds) the name promises."""
    seed = running.seed
    rounds = size(2, 5)
    order_ids = place_orders(running.url, seed, 25 * rounds)
    delivery_ids = courier_deliveries(running, 3)  # the courier's capacity
    merchant_keys_before = idempotency_keys(running.db_url, seed.user_ids["merchant"])
    courier_keys_before = idempotency_keys(running.db_url, seed.user_ids["courier"])
    # the merchant's confirms just above are in the log already
    merchant_log_before = len(action_log(running.db_url, seed.user_ids["merchant"]))
    store_actions = 100 * rounds
    reasons = list(ProblemReason)
    with (
        ReplayCountingProxy(int(running.url.rsplit(":", 1)[1])) as proxy,
        open_profile_cache(tmp_path / "courier") as courier_cache,
    ):
        proxied = f"http://127.0.0.1:{proxy.port}"
        client, engine = merchant_engine(proxied, seed, cache, clock=TickClock(), timeout=2.0)
        courier_client = AsyncPlatformClient(proxied, seed.tokens["courier"], timeout=2.0)
        courier = SyncEngine(
            courier_client,
            courier_cache,
            scope=Scope(Role.COURIER, courier_id=seed.courier_ids[0]),
            settings=FAST,
            clock=TickClock(),
        )
        async with client, courier_client:
            report = await engine.sync_once()
            assert report.state is SyncState.ONLINE
            assert (await courier.sync_once()).state is SyncState.ONLINE
            model = ReadModel(cache)
            codes = {oid: model.order(oid).order.pickup_code for oid in order_ids}
            submitted: list[tuple[str, str, str]] = []  # (target, action, tap time)
            merchant_keys: list[str] = []
            reported: dict[str, list[tuple[str, str]]] = {d: [] for d in delivery_ids}  # (reason, note)
            courier_keys: list[str] = []
            store_steps = iter(range(store_actions))
            problem_steps = itertools.count()
            proxy.set_random(p=0.15, seed=7, faults=[Fault.DROP, Fault.RESET, Fault.HTTP_502, Fault.HTTP_503])
            faults = 0
            # rounds of 100 queued merchant actions (25 orders) and 10 problem reports, each drained through the
            # faults before the next
            for round_start in range(0, len(order_ids), 25):
                for oid in order_ids[round_start : round_start + 25]:
                    steps = [
                        ("order.confirm", ConfirmBody(preparation_minutes=10)),
                        ("order.preparing", EmptyBody()),
                        ("order.ready", EmptyBody()),
                        ("order.handoff", CodeBody(code=codes[oid])),
                    ]
                    for action, body in steps:
                        entry = await engine.submit(action, oid, body)
                        submitted.append((oid, action, entry.occurred_at))
                        merchant_keys.append(entry.key)
                        # interleaved store changes, each differing from the last: a replay would be a change
                        step = next(store_steps)
                        busy = StoreStatusBody(state=StoreState.BUSY, extra_minutes=1 + step % 239)
                        entry = await engine.submit("store.status", seed.store_id, busy)
                        submitted.append((seed.store_id, "store.status", entry.occurred_at))
                        merchant_keys.append(entry.key)
                for _ in range(10):
                    n = next(problem_steps)
                    delivery_id, reason = delivery_ids[n % len(delivery_ids)], reasons[n % len(reasons)]
                    problem = ProblemBody(reason=reason, note=f"report {n}")
                    courier_keys.append((await courier.submit("delivery.problem", delivery_id, problem)).key)
                    reported[delivery_id].append((reason.value, problem.note))
                faults += await drain(engine)
                faults += await drain(courier)
            proxy.pass_through()
            assert len(submitted) == 200 * rounds and len(courier_keys) == 10 * rounds
            resets = proxy.stats.faults.get("reset", 0)
            assert faults > 20 and resets > 0
            assert cache.outbox.pending() == [] and cache.outbox.conflicts() == []
            assert courier_cache.outbox.pending() == [] and courier_cache.outbox.conflicts() == []

    # one stored first answer per outbox entry, under the entry's own key: no retry was sent under another key
    merchant_stored = idempotency_keys(running.db_url, seed.user_ids["merchant"]) - merchant_keys_before
    assert merchant_stored == set(merchant_keys) and len(set(merchant_keys)) == len(submitted)
    courier_stored = idempotency_keys(running.db_url, seed.user_ids["courier"]) - courier_keys_before
    assert courier_stored == set(courier_keys) and len(set(courier_keys)) == len(courier_keys)
    # only pushes ran through the faults, so every reset cut the answer to an applied change: its retry (under
    # the same key) must have been answered from the stored first answer
    assert proxy.replayed >= resets, (proxy.replayed, resets)
    merchant_rows = action_log(running.db_url, seed.user_ids["merchant"])[merchant_log_before:]
    # every action exactly once, in the order it was taken, with the tap time the device reported
    assert len(merchant_rows) == len(submitted)
    for (entity_id, action, tapped), (target, sent_action, sent_at) in zip(
        merchant_rows, submitted, strict=True
    ):
        assert entity_id == target
        assert action.split(":")[0] == {"store.status": "status"}.get(sent_action, sent_action.split(".")[1])
        assert same_instant(tapped, sent_at)
    with PlatformClient(running.url, seed.tokens["merchant"]) as merchant:
        store = merchant.get_store(seed.store_id)
        assert store.status.extra_minutes == 1 + (store_actions - 1) % 239
        assert all(merchant.get_order(oid).status is OrderStatus.DELIVERED for oid in order_ids[:5])
    # each problem report appended once, in the order reported
    courier_api = api(running, "courier")
    for delivery_id, expected in reported.items():
        problems = courier_api.get(f"/v1/deliveries/{delivery_id}").json()["problems"]
        assert [(p["reason"], p["note"]) for p in problems] == expected
    courier_api.close()
    # and the local view agrees with the platform
    assert {v.order.status for v in ReadModel(cache).orders() if v.order.id in order_ids} == {
        OrderStatus.DELIVERED
    }


async def test_offline_actions_apply_in_order_and_a_refused_one_becomes_a_conflict(running, cache) -> None:
    seed = running.seed
    first, second, third = place_orders(running.url, seed, 3)
    client, engine = merchant_engine(running.url, seed, cache)
    changes: list[Change] = []
    engine.subscribe(changes.append)
    async with client:
        await engine.sync_once()
        running.stop()  # the shop's link is down
        await engine.submit("order.confirm", first, ConfirmBody(preparation_minutes=7))
        await engine.submit("order.preparing", first, EmptyBody())
        await engine.submit("order.confirm", third, ConfirmBody(preparation_minutes=9))
        offline = await engine.sync_once()
        assert offline.state is SyncState.OFFLINE and offline.pending == 3 and offline.error
        view = ReadModel(cache)
        assert view.order(first).order.status is OrderStatus.PREPARING and view.order(first).is_pending
        assert view.order(third).order.status is OrderStatus.CONFIRMED
        assert engine.status().state is SyncState.OFFLINE

        running.restart()
        with PlatformClient(
            running.url, seed.tokens["customer"]
        ) as customer:  # meanwhile the customer cancels
            customer.act("order.cancel", third, ReasonBody(reason_code="CUSTOMER_CHANGED_MIND"))
        online = await engine.sync_once()

    assert online.state is SyncState.ONLINE
    assert (online.pushed, online.rejected, online.pending, online.conflicts) == (2, 1, 0, 1)
    view = ReadModel(cache)
    assert view.order(first).order.status is OrderStatus.PREPARING and not view.order(first).is_pending
    assert view.order(second).order.status is OrderStatus.CREATED
    refused = view.order(third)
    assert refused.order.status is OrderStatus.CANCELLED and not refused.is_pending  # the server's truth
    [conflict] = cache.outbox.conflicts()
    assert conflict.action == "order.confirm" and conflict.target == third
    assert conflict.rejection["code"] == "illegal_transition"
    assert conflict.rejection["current_status"] == "CANCELLED"
    from o2o_tui.sync.explain import explain

    text = explain(conflict.rejection, action=conflict.action, target=conflict.target)
    number = refused.order.display_number
    assert text == f"order {number} was cancelled by the customer before your accept reached the platform"
    assert conflict.rejection["explanation"] == text
    assert any(c.kind == ChangeKind.CONFLICT and conflict.key in c.ids for c in changes)
    merchant_log = [(r[0], r[1]) for r in action_log(running.db_url, seed.user_ids["merchant"])]
    assert merchant_log == [(first, "confirm"), (first, "preparing")]
    customer_log = [(r[0], r[1]) for r in action_log(running.db_url, seed.user_ids["customer"])]
    assert (third, "cancel") in customer_log


async def test_pull_fetches_changes_once_and_resyncs_when_told(running, cache) -> None:
    seed = running.seed
    client, engine = merchant_engine(running.url, seed, cache)
    seen: list[Change] = []
    engine.subscribe(seen.append)
    async with client:
        first = await engine.sync_once()
        assert first.resynced and first.state is SyncState.ONLINE
        assert ReadModel(cache).store() is not None and ReadModel(cache).menu() is not None
        assert ReadModel(cache).orders() == []
        cursor = engine.status().cursor

        new_ids = place_orders(running.url, seed, 3)
        second = await engine.sync_once()
        assert not second.resynced and second.events >= 3 and second.fetched == 3
        assert {v.order.id for v in ReadModel(cache).orders()} == set(new_ids)
        assert any(c.kind == "order" and c.ids == frozenset(new_ids) for c in seen)
        assert engine.status().cursor != cursor

        # the same page delivered again (at least once) changes and fetches nothing
        again = await client.events(cursor, wait=0)
        applied, fetched = await engine._apply_page(again)
        assert (applied, fetched) == (0, 0)

        # a cursor the server does not know: full resync from the server's head
        cache.meta_set(tables.META_CURSOR, "999999999")
        stale_engine = SyncEngine(
            client, cache, scope=Scope(Role.MERCHANT, store_id=seed.store_id), settings=FAST
        )
        third = await stale_engine.sync_once()
        assert third.state is SyncState.ONLINE and third.fetched >= 3
        assert {v.order.id for v in ReadModel(cache).orders()} == set(new_ids)
        assert int(cache.meta_get(tables.META_CURSOR).split(".")[0]) < 999999999  # "<id>.<tag>"


async def test_run_loop_pushes_and_pulls_until_stopped(running, cache) -> None:
    seed = running.seed
    [order_id] = place_orders(running.url, seed, 1)
    # the real long-poll hold: stop() must not wait for a poll in flight
    settings = SyncSettings(poll_wait=25.0, backoff_base=0.01, backoff_cap=0.05)
    client, engine = merchant_engine(running.url, seed, cache, settings=settings)
    async with client:
        task = asyncio.create_task(engine.run())
        try:
            for _ in range(200):
                if ReadModel(cache).order(order_id) is not None:
                    break
                await asyncio.sleep(0.02)
            await engine.submit("order.confirm", order_id, ConfirmBody(preparation_minutes=5))
            for _ in range(200):
                if not cache.outbox.pending():
                    break
                await asyncio.sleep(0.02)
            assert ReadModel(cache).order(order_id).order.status is OrderStatus.CONFIRMED
            assert not ReadModel(cache).order(order_id).is_pending
            assert engine.status().state is SyncState.ONLINE
        finally:
            engine.stop()
            await asyncio.wait_for(task, 5)
    assert cache.meta_get(tables.META_STATE) == "ONLINE"


async def test_the_run_loop_rides_out_an_outage(running, cache) -> None:
    seed = running.seed
    [order_id] = place_orders(running.url, seed, 1)
    with FaultProxy(int(running.url.rsplit(":", 1)[1])) as proxy:
        client, engine = merchant_engine(f"http://127.0.0.1:{proxy.port}", seed, cache, timeout=2.0)
        states: list[SyncState] = []
        engine.subscribe(
            lambda change: states.append(engine.status().state) if change.kind == "status" else None
        )

        async def until(condition, what: str) -> None:
            for _ in range(500):
                if condition():
                    return
                await asyncio.sleep(0.02)
            raise AssertionError(f"timed out waiting for {what}: {engine.status()}")

        async with client:
            task = asyncio.create_task(engine.run())
            try:
                await until(lambda: ReadModel(cache).order(order_id) is not None, "the first sync")
                proxy.drop()  # the link goes down
                await engine.submit("order.confirm", order_id, ConfirmBody(preparation_minutes=5))
                await until(lambda: engine.status().state is SyncState.OFFLINE, "OFFLINE")
                assert engine.status().pending == 1 and engine.status().last_error
                assert ReadModel(cache).order(order_id).order.status is OrderStatus.CONFIRMED  # optimistic
                proxy.pass_through()  # and comes back: no one has to do anything
                await until(lambda: engine.status().pending == 0, "the queue to drain")
                await until(lambda: engine.status().state is SyncState.ONLINE, "ONLINE")
            finally:
                engine.stop()
                await asyncio.wait_for(task, 5)
    assert SyncState.OFFLINE in states and states[-1] is SyncState.ONLINE
    assert not ReadModel(cache).order(order_id).is_pending


async def test_a_long_outage_ends_with_a_full_resync(running, cache) -> None:
    seed = running.seed
    now = [datetime.now(UTC)]
    client, engine = merchant_engine(running.url, seed, cache, clock=lambda: now[0])
    async with client:
        assert (await engine.sync_once()).resynced
        assert not (await engine.sync_once()).resynced
        now[0] += timedelta(hours=2)  # longer than `resync_after`
        later = await engine.sync_once()
    assert later.resynced and later.state is SyncState.ONLINE
