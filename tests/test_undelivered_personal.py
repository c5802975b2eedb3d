"""A courier keeps the customer's name, phone, address and note only for what it delivers: a delivery that ends
without it delivering it (reassigned to another courier, rejected, given back on going off duty) is blanked for
it at once, in the server's answers (the delivery, its list, a replayed answer) and in its device's cache, not
6 hours later. The courier who delivers keeps them until the purge window. Real server, real sync engine."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.domain.identity import Role
from o2o_tui.sync.engine import SyncEngine, SyncSettings
from o2o_tui.sync.scope import Scope
from offline_cache import open_profile_cache
from tests.support.platform import Api, RunningPlatform, api, order_body

NAME, PHONE_TAIL = "Canary Gone", "4417"
ADDRESS, NOTE = "CANARYADDR 幸福路 9 号", "CANARYNOTE leave at gate"


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _left(text: str) -> list[str]:
    return [canary for canary in (NAME, ADDRESS, NOTE, "139****" + PHONE_TAIL) if canary in text]


def _offered(platform: RunningPlatform, courier_id: str) -> tuple[dict, dict]:
    seed = platform.seed
    assert seed is not None
    customer, merchant, dispatcher = (api(platform, role) for role in ("customer", "merchant", "dispatcher"))
    body = order_body(seed.store_id, customer_name=NAME, customer_phone="1390000" + PHONE_TAIL, note=NOTE)
    body["address"] = {"text": ADDRESS, "position": {"lat": 31.2317, "lon": 121.4726}}
    order = _ok(customer.post("/v1/orders", body))
    _ok(merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5}))
    return order, _ok(dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id}))


def _sync(platform: RunningPlatform, profile: Path, token: str, courier_id: str) -> str:
    """One sync of the courier's device cache; answers the text of its files."""
    settings = SyncSettings(poll_wait=0.5, backoff_base=0.01, backoff_cap=0.05)

    async def once() -> None:
        async with AsyncPlatformClient(platform.url, token, timeout=10.0) as client:
            engine = SyncEngine(client, cache, scope=Scope(Role.COURIER, courier_id=courier_id), settings=settings)
            report = await engine.sync_once()
        assert report.error is None, report.error

    with open_profile_cache(profile) as cache:
        asyncio.run(once())
    return "\n".join(f.read_text("utf-8", errors="replace") for f in sorted(profile.rglob("*")) if f.is_file())


def test_a_courier_forgets_the_customer_of_what_it_did_not_deliver(platform: RunningPlatform, tmp_path: Path) -> None:
    seed = platform.seed
    assert seed is not None
    first_id, second_id = seed.courier_ids[0], seed.courier_ids[1]
    token = seed.courier_tokens[first_id]
    first, second = Api(platform.url, token), Api(platform.url, seed.courier_tokens[second_id])
    device = tmp_path / "handheld"

    # accepted, then reassigned to another courier
    order, delivery = _offered(platform, first_id)
    accept_key = str(uuid.uuid4())
    accepted = _ok(first.post(f"/v1/deliveries/{delivery['id']}/accept", key=accept_key))
    assert accepted["customer_name"] == NAME
    assert set(_left(_sync(platform, device, token, first_id))) >= {NAME, ADDRESS, NOTE}
    other = _ok(api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": second_id}))

    ended = _ok(first.get(f"/v1/deliveries/{delivery['id']}"))
    assert ended["status"] == "CANCELLED"
    assert ended["customer_name"] == "" and ended["customer_phone"] == "" and ended["note"] == ""
    assert ended["dropoff"] == {"text": "", "position": None}
    assert not _left(str(_ok(first.get("/v1/deliveries"))))
    replayed = _ok(first.post(f"/v1/deliveries/{delivery['id']}/accept", key=accept_key))  # the stored answer
    assert not _left(str(replayed)), replayed
    assert not _left(_sync(platform, device, token, first_id))
    # the courier now carrying it has all it needs, and the store keeps the order whole
    assert _ok(second.get(f"/v1/deliveries/{other['id']}"))["customer_name"] == NAME
    assert _ok(api(platform, "merchant").get(f"/v1/orders/{order['id']}"))["customer"]["name"] == NAME

    # rejected
    _, rejected = _offered(platform, first_id)
    _ok(first.post(f"/v1/deliveries/{rejected['id']}/reject"))
    assert not _left(str(_ok(first.get(f"/v1/deliveries/{rejected['id']}"))))

    # given back on going off duty
    _, offer = _offered(platform, first_id)
    _ok(first.put(f"/v1/couriers/{first_id}/state", {"status": "OFFLINE"}))
    given_back = _ok(first.get(f"/v1/deliveries/{offer['id']}"))
    assert given_back["status"] == "CANCELLED" and not _left(str(given_back))
    assert not _left(_sync(platform, device, token, first_id))

    # what the courier delivers stays whole (the purge window blanks it later)
    _ok(first.put(f"/v1/couriers/{first_id}/state", {"status": "IDLE"}))
    kept_order, kept = _offered(platform, first_id)
    at = f"/v1/deliveries/{kept['id']}"
    _ok(first.post(at + "/accept"))
    code = _ok(api(platform, "merchant").get(f"/v1/orders/{kept_order['id']}"))["pickup_code"]
    _ok(first.post(at + "/picked-up", {"code": code}))
    delivery_code = _ok(api(platform, "customer").get(f"/v1/orders/{kept_order['id']}"))["delivery_code"]
    done = _ok(first.post(at + "/delivered", {"code": delivery_code}))
    assert done["status"] == "DELIVERED" and done["customer_name"] == NAME
