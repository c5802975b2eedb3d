"""A contract that can grow: this console against a newer platform whose answers carry fields it does not know.

Real answers of the real server, widened with unknown fields at every level (tests/support/newer_server.py), decode
with the client's own decoders to the same values as the plain answers; the sync engine takes them into the cache
(nothing skipped, the same documents as a sync from the plain server); a menu read from the newer server publishes
back. Request bodies stay strict: tests/test_server_bounds.py refuses unknown fields at every nested level.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import msgspec
import pytest

from o2o_tui.client import AsyncPlatformClient, PlatformClient, calls
from o2o_tui.client.actions import ACTIONS, decode_result
from o2o_tui.client.wire import Call, interpret
from o2o_tui.domain.identity import Role
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.sync import tables
from o2o_tui.sync.engine import SyncEngine
from o2o_tui.sync.model import SyncState
from o2o_tui.sync.scope import Scope
from o2o_tui.sync.skipped import META_SKIPPED
from offline_cache import open_profile_cache
from tests.support.newer_server import EXTRA_FIELDS, NewerServer, widen
from tests.support.platform import RunningPlatform, api, order_body, start_platform

SNAPSHOT_TABLES = (tables.ORDERS, tables.STORES, tables.MENUS, tables.COURIERS, tables.DELIVERIES)


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """A platform with an order in every kind of state a merchant and a courier read: new, accepted and
    assigned (a delivery with a problem), cancelled with a request; the store busy, an item snoozed."""
    platform = start_platform(tmp_path_factory.mktemp("contract"))
    try:
        seed = platform.seed
        assert seed is not None
        customer, merchant = api(platform, "customer"), api(platform, "merchant")
        courier_id = seed.courier_ids[0]
        courier = platform.client(seed.courier_tokens[courier_id])
        for _ in range(2):
            assert customer.post("/v1/orders", order_body(seed.store_id)).status_code == 201
        accepted = customer.post("/v1/orders", order_body(seed.store_id)).json()["id"]
        assert merchant.post(f"/v1/orders/{accepted}/confirm", {"preparation_minutes": 15}).status_code == 200
        delivery = merchant.post(f"/v1/orders/{accepted}/assign", {"courier_id": courier_id}).json()
        problem = {"reason": "OTHER", "note": "gate closed"}
        answer = courier.post(
            f"/v1/deliveries/{delivery['id']}/problem", json=problem, headers={"Idempotency-Key": "p1"}
        )
        assert answer.status_code == 200, answer.text
        asked = customer.post("/v1/orders", order_body(seed.store_id)).json()["id"]
        assert (
            customer.post(f"/v1/orders/{asked}/cancellation", {"reason_code": "CUSTOMER_CHANGED_MIND"}).status_code
            == 200
        )
        assert (
            merchant.put(
                f"/v1/stores/{seed.store_id}/status", {"state": "BUSY", "extra_minutes": 10}
            ).status_code
            == 200
        )
        snooze = {"snooze_until": "2099-01-01T00:00:00+08:00"}
        assert merchant.patch(f"/v1/stores/{seed.store_id}/menu/items/rice", snooze).status_code == 200
        courier.close()
        yield platform
    finally:
        platform.stop()


def _reads(running: RunningPlatform) -> list[tuple[str, Call[Any]]]:
    """(role, call) for every read of the API: each answer type with every optional part filled somewhere."""
    seed = running.seed
    assert seed is not None
    courier_id = seed.courier_ids[0]
    with PlatformClient(running.url, seed.tokens["admin"]) as admin:
        order_ids = [order.id for order in admin.list_orders(store_id=seed.store_id).orders]
        delivery_id = admin.list_deliveries(courier_id, active=False)[0].id
    reads: list[tuple[str, Call[Any]]] = [
        ("merchant", calls.me()),
        ("merchant", calls.events(None, 0, 500)),
        ("merchant", calls.get_store(seed.store_id)),
        ("merchant", calls.get_menu(seed.store_id)),
        ("merchant", calls.list_orders(seed.store_id, None, None, 100, None)),
        ("dispatcher", calls.list_couriers(seed.store_id)),
        ("dispatcher", calls.get_courier(courier_id)),
        ("dispatcher", calls.get_delivery(delivery_id)),
        ("courier", calls.list_deliveries(courier_id, False)),
        ("customer", calls.list_orders(None, None, None, 100, None)),
    ]
    reads += [("merchant", calls.get_order(order_id)) for order_id in order_ids]
    return reads


def _token(running: RunningPlatform, role: str) -> str:
    seed = running.seed
    assert seed is not None
    return seed.courier_tokens[seed.courier_ids[0]] if role == "courier" else seed.tokens[role]


def test_the_widen_helper_reaches_every_level() -> None:
    widened = widen({"a": [{"b": {"c": 1}}]})
    assert widened["a"][0]["b"]["added_in_v2"] == EXTRA_FIELDS["added_in_v2"]
    assert widened["a"][0]["v2_tags"] == EXTRA_FIELDS["v2_tags"] and widened["v2_details"]


def test_every_answer_with_unknown_fields_at_every_level_decodes_as_the_plain_one(
    running: RunningPlatform,
) -> None:
    """On today's main every one of these was a MalformedResponse ('Object contains unknown field')."""
    for role, call in _reads(running):
        headers = {"Authorization": f"Bearer {_token(running, role)}"}
        plain = httpx.request(call.method, running.url + call.path, params=call.params, headers=headers)
        assert plain.status_code == 200, (call.path, plain.text)
        newer = msgspec.json.encode(widen(plain.json()))
        assert b"v2_details" in newer
        decoded = interpret(call, 200, "application/json", newer)
        assert decoded == interpret(call, 200, "application/json", plain.content), call.path


def test_action_answers_with_unknown_fields_decode(running: RunningPlatform) -> None:
    """The outbox decodes an action's answer with `decode_result`: a newer server's answer to a confirm."""
    seed = running.seed
    assert seed is not None
    order_id = api(running, "customer").post("/v1/orders", order_body(seed.store_id)).json()["id"]
    answer = api(running, "merchant").post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 12})
    assert answer.status_code == 200
    newer = msgspec.json.encode(widen(answer.json()))
    assert decode_result("order.confirm", newer) == decode_result("order.confirm", answer.content)
    assert ACTIONS["order.confirm"].result_type.__name__ == "Order"


def _sync(url: str, token: str, scope: Scope, profile: Path) -> tuple[Any, dict[str, list[Any]]]:
    with open_profile_cache(profile) as cache:

        async def run() -> Any:
            async with AsyncPlatformClient(url, token, timeout=10.0) as client:
                return await SyncEngine(client, cache, scope=scope).sync_once()

        report = asyncio.run(run())
        stored = {name: sorted(cache.table(name).all(), key=str) for name in SNAPSHOT_TABLES}
        stored["skipped"] = [cache.meta_get(META_SKIPPED, None)]
    return report, stored


@pytest.mark.parametrize("role", ["merchant", "courier"])
def test_the_sync_engine_takes_a_newer_servers_answers_into_the_cache(
    running: RunningPlatform, tmp_path: Path, role: str
) -> None:
    seed = running.seed
    assert seed is not None
    if role == "merchant":
        scope = Scope(Role.MERCHANT, store_id=seed.store_id)
    else:
        scope = Scope(Role.COURIER, courier_id=seed.courier_ids[0])
    token = _token(running, role)
    plain_report, plain = _sync(running.url, token, scope, tmp_path / "plain")
    with NewerServer(running.url) as newer:
        report, widened = _sync(newer.url, token, scope, tmp_path / "newer")
        assert newer.widened >= 3
    assert plain_report.state is SyncState.ONLINE and not plain_report.error
    assert report.state is SyncState.ONLINE and not report.error, report
    assert widened == plain  # the same documents: the unknown fields are dropped, nothing is skipped
    assert any(widened[table] for table in SNAPSHOT_TABLES)
    if role == "merchant":
        assert widened[tables.ORDERS] and widened[tables.MENUS] and widened[tables.STORES]
    for docs in widened.values():
        assert "added_in_v2" not in str(docs)


def test_a_menu_read_from_a_newer_server_publishes_back(running: RunningPlatform) -> None:
    """The console drops what it does not know and publishes a body the (strict) server takes."""
    seed = running.seed
    assert seed is not None
    with NewerServer(running.url) as newer, PlatformClient(newer.url, seed.tokens["merchant"]) as merchant:
        menu = merchant.get_menu(seed.store_id)
        item = menu.categories[0].items[0]
        edited = msgspec.structs.replace(
            menu,
            categories=[
                msgspec.structs.replace(
                    menu.categories[0],
                    items=[
                        msgspec.structs.replace(item, description="新 new"),
                        *menu.categories[0].items[1:],
                    ],
                ),
                *menu.categories[1:],
            ],
        )
        published = merchant.act("menu.publish", seed.store_id, edited, if_match=menu.version)
    assert published.version == menu.version + 1
    assert published.categories[0].items[0].description == "新 new"


def test_an_accept_from_the_outbox_works_against_a_newer_server(
    running: RunningPlatform, tmp_path: Path
) -> None:
    seed = running.seed
    assert seed is not None
    order_id = api(running, "customer").post("/v1/orders", order_body(seed.store_id)).json()["id"]
    with NewerServer(running.url) as newer, open_profile_cache(tmp_path / "profile") as cache:

        async def run() -> Any:
            async with AsyncPlatformClient(newer.url, seed.tokens["merchant"], timeout=10.0) as client:
                engine = SyncEngine(client, cache, scope=Scope(Role.MERCHANT, store_id=seed.store_id))
                await engine.submit("order.confirm", order_id, ConfirmBody(preparation_minutes=7))
                return await engine.sync_once()

        report = asyncio.run(run())
        assert report.state is SyncState.ONLINE and report.conflicts == 0 and report.pending == 0, report
        assert cache.table(tables.ORDERS).get(order_id)["status"] == "CONFIRMED"
