"""After `O2O_PURGE_PERSONAL_HOURS` neither the server's database nor a merchant's nor a courier's cache holds the
customer's name, phone, address, the position of their door, the notes or the chase's words. The real server
(fast jobs, a window of seconds), real device caches filled by the sync engine, then the engine running as a
console runs it: the server's blanking sends nothing, so each device must blank its own copy, and the same fields."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.sync.engine import SyncEngine, SyncSettings
from o2o_tui.sync.scope import Scope
from o2o_tui.sync.session import retention_from_env
from offline_cache import open_profile_cache
from tests.support.platform import Api, RunningPlatform, api, order_body
from tests.support.purge import (
    Json,
    courier_device,
    database_text,
    merchant_device,
    ok,
    purge_hours,
    start_purging_platform,
    sync_once,
    wait_for,
)

WINDOW_SECONDS = 10  # long enough to fill the caches before the server purges, short enough to wait for
NAME, PHONE = "Canary Purgefix", "13900000417"
ADDRESS = "CANARYADDR 幸福路 417 号 gate 9"
LAT, LON = 31.246813, 121.513579  # the customer's door
NOTE, LINE_NOTE = "CANARYNOTE ring twice", "CANARYLINE no peanuts"
CHASE, REPLY = "CANARYCHASE where is it, tel 13900000417", "CANARYREPLY on its way, Ms Canary"
PROBLEM = "CANARYPROBLEM gate code 4711"
CANCELLED_NOTE, CANCELLED_CHASE = "CANARYNOTE2 call first", "CANARYCHASE2 hurry"


def _body(store_id: str, note: str, line_note: str) -> Json:
    body = order_body(store_id, customer_name=NAME, customer_phone=PHONE, note=note)
    body["address"] = {"text": ADDRESS, "position": {"lat": LAT, "lon": LON}}
    body["lines"][0]["note"] = line_note
    return body


def _day(running: RunningPlatform, courier_id: str, sync: Callable[[], None]) -> str:
    """A delivered order (notes, a chase answered in free text, a problem on the way) and a cancelled one (a note
    and a chase); the devices `sync()` on the way, as they hear of each step. Answers the delivery's id."""
    seeded = running.seed
    assert seeded is not None
    customer, merchant, dispatcher = (api(running, role) for role in ("customer", "merchant", "dispatcher"))
    courier = Api(running.url, seeded.courier_tokens[courier_id])
    order = ok(customer.post("/v1/orders", _body(seeded.store_id, NOTE, LINE_NOTE)))
    path = f"/v1/orders/{order['id']}"
    ok(customer.post(path + "/chase", {"note": CHASE}))
    ok(merchant.post(path + "/chase/reply", {"template": "TEXT", "text": REPLY}))
    ok(merchant.post(path + "/confirm", {"preparation_minutes": 5}))
    delivery = ok(dispatcher.post(path + "/assign", {"courier_id": courier_id}))
    at = f"/v1/deliveries/{delivery['id']}"
    ok(courier.post(at + "/accept", {}))
    ok(courier.post(at + "/picked-up", {"code": ok(merchant.get(path))["pickup_code"]}))
    ok(courier.post(at + "/problem", {"reason": "OTHER", "note": PROBLEM}))
    sync()  # a courier's device holds its deliveries from while they are active (a resync skips ended ones)
    ok(courier.post(at + "/delivered", {"code": ok(customer.get(path))["delivery_code"]}))
    # the hand-over puts the courier at the customer's door (a handheld has no GPS), and it reports nothing after:
    # its record on the server and in both caches says where the door is until the purge

    cancelled = ok(customer.post("/v1/orders", _body(seeded.store_id, CANCELLED_NOTE, LINE_NOTE)))
    ok(customer.post(f"/v1/orders/{cancelled['id']}/chase", {"note": CANCELLED_CHASE}))
    ok(customer.post(f"/v1/orders/{cancelled['id']}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"}))
    for client in (customer, merchant, dispatcher, courier):
        client.close()
    sync()
    delivery_id: str = delivery["id"]
    return delivery_id


def _canaries() -> list[str]:
    return [
        NAME, PHONE, PHONE[-4:] + '"', ADDRESS, str(LAT), str(LON), NOTE, LINE_NOTE, CHASE, REPLY, PROBLEM,
        CANCELLED_NOTE, CANCELLED_CHASE,
    ]  # fmt: skip


def _left(text: str) -> list[str]:
    return [canary for canary in _canaries() if canary in text]


def _cache_text(profile: Path) -> str:
    return "\n".join(
        f.read_text("utf-8", errors="replace") for f in sorted(profile.rglob("*")) if f.is_file()
    )


def _console_settings() -> SyncSettings:
    """As a console runs its engine: its own retention, from the environment as the server's, run often."""
    return SyncSettings(
        poll_wait=0.5,
        backoff_base=0.01,
        backoff_cap=0.05,
        retention=retention_from_env(),
        retention_every=0.3,
    )


def _engine(running: RunningPlatform, cache: Any, token: str, scope: Scope) -> tuple[Any, SyncEngine]:
    client = AsyncPlatformClient(running.url, token, timeout=10.0)
    return client, SyncEngine(client, cache, scope=scope, settings=_console_settings())


def _sync_once(running: RunningPlatform, profile: Path, token: str, scope: Scope) -> None:
    sync_once(running, profile, token, scope, settings=_console_settings())


def _run_until_clean(running: RunningPlatform, profile: Path, token: str, scope: Scope) -> None:
    """The engine's run loop (a console's), until its cache holds none of the customer's data or 15 s."""

    async def run() -> None:
        client, engine = _engine(running, cache, token, scope)
        async with client:
            task = asyncio.create_task(engine.run())
            try:
                for _ in range(75):
                    await asyncio.sleep(0.2)
                    if not _left(_cache_text(profile)):
                        break
            finally:
                engine.stop()
                await asyncio.wait_for(task, 10)

    with open_profile_cache(profile) as cache:
        asyncio.run(run())


def test_no_copy_keeps_the_customers_data_after_the_window(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # the devices read the window the server reads
    monkeypatch.setenv("O2O_PURGE_PERSONAL_HOURS", purge_hours(WINDOW_SECONDS))
    running = start_purging_platform(tmp_path, WINDOW_SECONDS)
    try:
        seeded = running.seed
        assert seeded is not None
        courier_id = seeded.courier_ids[0]
        merchant = merchant_device(seeded, tmp_path / "merchant")
        courier = courier_device(seeded, courier_id, tmp_path / "courier")

        def sync() -> None:
            for device in (merchant, courier):
                _sync_once(running, *device)

        delivery_id = _day(running, courier_id, sync)
        held = {profile.name: _left(_cache_text(profile)) for profile, _, _ in (merchant, courier)}
        assert {NOTE, LINE_NOTE, CHASE, REPLY, CANCELLED_NOTE, CANCELLED_CHASE, NAME} <= set(
            held["merchant"]
        ), held
        assert {str(LAT), str(LON), ADDRESS, NOTE, PROBLEM, NAME} <= set(held["courier"]), held
        assert _left(database_text(running.db_url))

        assert wait_for(lambda: not _left(database_text(running.db_url)), WINDOW_SECONDS + 20), (
            "the server kept: " + ", ".join(_left(database_text(running.db_url)))
        )
        for device in (merchant, courier):
            _run_until_clean(running, *device)
            assert not _left(_cache_text(device[0])), (
                f"{device[0].name}'s cache kept {_left(_cache_text(device[0]))}"
            )
        with open_profile_cache(courier[0]) as cache:  # what stays: the record
            kept = cache.table("deliveries").get(delivery_id)
        assert kept is not None and kept["status"] == "DELIVERED"
        assert kept["dropoff"] == {"text": "", "position": None} and kept["problems"][0]["reason"] == "OTHER"
    finally:
        running.stop()
