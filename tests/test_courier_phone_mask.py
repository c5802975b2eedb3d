"""Phone numbers the customer wrote into the note, the address or the name reach the courier masked as the phone
field is (the last four digits stay), while house, unit, floor and order numbers, times and dates stay; the store
and the customer read their own text as written; the courier's cache never holds the number whole. The masking
on a table of cases (Chinese, English, full-width), then end to end: the real server on loopback, a courier token,
the real sync engine filling a real courier cache."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.domain.identity import Role
from o2o_tui.domain.phone_mask import mask_phone_runs
from o2o_tui.sync.engine import SyncEngine, SyncSettings
from o2o_tui.sync.scope import Scope
from offline_cache import open_profile_cache
from tests.support.platform import Api, RunningPlatform, api, order_body

MASKED = [
    ("到了打电话 13912345678", "到了打电话 *******5678"),
    ("电话13912345678", "电话*******5678"),
    ("call +86 139 1234 5678", "call +** *** **** 5678"),
    ("tel: +86-139-1234-5678.", "tel: +**-***-****-5678."),
    ("(010) 6234-5678", "(***) ****-5678"),
    ("ring 62345678 at the gate", "ring ****5678 at the gate"),
    ("139.1234.5678", "***.****.5678"),
    ("１３９１２３４５６７８", "*******５６７８"),  # full-width digits
    ("电话：＋８６　１３９　１２３４　５６７８", "电话：＋**　***　****　５６７８"),  # full-width +, ideographic spaces
    ("Apt 5 13912345678", "Apt 5 *******5678"),  # the unit number stays
    ("13912345678 1203室", "*******5678 1203室"),  # a room number after a whole mobile number stays
    ("Room 1203, call 13912345678", "Room 1203, call *******5678"),
    ("电话：139 1234 5678，3楼302室", "电话：*** **** 5678，3楼302室"),
    ("1391234 5678", "******* 5678"),  # a number typed in two groups is one number
    # a gate, room or house number right before a landline stays; only the landline is masked
    ("Gate 1203 62345678", "Gate 1203 ****5678"),
    ("门禁 1203 62345678", "门禁 1203 ****5678"),
    ("Gate 2203 62345678", "Gate 2203 ****5678"),
    ("Room 302 6234 5678", "Room 302 **** 5678"),
    ("１２０３　６２３４５６７８", "１２０３　****５６７８"),
    ("(010) 6234-5678 1203室", "(***) ****-5678 1203室"),
    ("010-62345678", "***-****5678"),
    ("0755 2345678", "**** ***5678"),  # 4-digit area code, 7-digit number
    ("02162345678", "*******5678"),  # area code and number in one group
    ("No. 86 13912345678", "No. 86 *******5678"),  # 86 without a + is a house number
    ("+8613912345678", "+*********5678"),
    ("+86 21 6234 5678", "+** ** **** 5678"),  # +86, the area code without its 0
    ("0086 139 1234 5678", "**** *** **** 5678"),
    ("+1 415 555 0100", "+* *** *** 0100"),  # another country's number after a +
    ("Gate code 4821, call 13912345678", "Gate code 4821, call *******5678"),
]

KEPT = [
    "88号",
    "Apt 5",
    "#0008",
    "#00081234567",  # an order number after "#", however long
    "12:30",
    "3楼",
    "人民广场 1 号 People's Square 1",
    "Lane 88 No. 12, Apt 5, 3F",
    "2026-12-06 12:30 到",
    "幸福路 417 号 gate 9",
    "123456",  # six digits: a code, not a phone
    "Gate 1203",
    "Room 1203 Gate 4821",
    "2026-12-06 1203",
    "楼 12 03 室",
    "",
]


@pytest.mark.parametrize(("text", "shown"), MASKED)
def test_a_phone_number_in_text_keeps_only_its_last_four_digits(text: str, shown: str) -> None:
    assert mask_phone_runs(text) == shown


@pytest.mark.parametrize("text", KEPT)
def test_house_unit_order_numbers_times_and_dates_stay(text: str) -> None:
    assert mask_phone_runs(text) == text


NOTE = "到了打电话 13912345678 / call +86 139 1234 5678, 3楼 #0008 12:30"
NOTE_SHOWN = "到了打电话 *******5678 / call +** *** **** 5678, 3楼 #0008 12:30"
ADDRESS = "幸福路 88号 Apt 5, 电话13987654321"
ADDRESS_SHOWN = "幸福路 88号 Apt 5, 电话*******4321"
NAME = "王 13711112222"
WHOLE = ("13912345678", "139 1234 5678", "13987654321", "13711112222")


def _ok(response: object) -> dict:
    assert response.status_code in (200, 201), response.text  # type: ignore[attr-defined]
    return response.json()  # type: ignore[attr-defined, no-any-return]


def _place(platform: RunningPlatform, courier_id: str) -> tuple[dict, dict]:
    assert platform.seed is not None
    body = order_body(platform.seed.store_id, note=NOTE, customer_name=NAME)
    body["address"] = {"text": ADDRESS, "position": {"lat": 31.2317, "lon": 121.4726}}
    body["lines"][0]["note"] = "少辣 call 13912345678"
    order = _ok(api(platform, "customer").post("/v1/orders", body))
    _ok(api(platform, "merchant").post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}))
    delivery = _ok(api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id}))
    return order, delivery


def _sync_courier_cache(platform: RunningPlatform, home: Path, token: str, courier_id: str) -> str:
    """A courier device's sync (the real engine into a real cache); answers every byte the cache holds."""
    settings = SyncSettings(poll_wait=0.5, backoff_base=0.01, backoff_cap=0.05)

    async def once() -> None:
        client = AsyncPlatformClient(platform.url, token, timeout=10.0)
        engine = SyncEngine(client, cache, scope=Scope(Role.COURIER, courier_id=courier_id), settings=settings)
        async with client:
            report = await engine.sync_once()
        assert report.error is None, report.error

    with open_profile_cache(home) as cache:
        asyncio.run(once())
    return "\n".join(f.read_text("utf-8", errors="replace") for f in sorted(home.rglob("*")) if f.is_file())


def test_the_courier_reads_the_customers_numbers_masked_and_its_cache_never_holds_them(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    token = platform.seed.courier_tokens[courier_id]
    courier = Api(platform.url, token)
    order, assigned = _place(platform, courier_id)
    _ok(courier.post(f"/v1/deliveries/{assigned['id']}/accept"))

    listed = _ok(courier.get("/v1/deliveries", courier_id=courier_id, active="true"))["deliveries"]
    (mine,) = [d for d in listed if d["id"] == assigned["id"]]
    one = _ok(courier.get(f"/v1/deliveries/{assigned['id']}"))
    for seen in (mine, one):
        assert seen["note"] == NOTE_SHOWN
        assert seen["dropoff"]["text"] == ADDRESS_SHOWN
        assert seen["customer_name"] == "王 *******2222"
        assert seen["customer_phone"].endswith("5678") and "1234" not in seen["customer_phone"]
    # a courier's action answers the delivery masked too (it is what its device caches from the answer)
    arrived = _ok(courier.post(f"/v1/deliveries/{assigned['id']}/arrived-at-merchant"))
    assert arrived["note"] == NOTE_SHOWN and arrived["dropoff"]["text"] == ADDRESS_SHOWN

    # the store's and the customer's own text, as written
    dispatcher_sees = _ok(api(platform, "dispatcher").get(f"/v1/deliveries/{assigned['id']}"))
    assert dispatcher_sees["note"] == NOTE and dispatcher_sees["dropoff"]["text"] == ADDRESS
    for role in ("merchant", "customer"):
        shown = _ok(api(platform, role).get(f"/v1/orders/{order['id']}"))
        assert shown["note"] == NOTE and shown["customer"]["address"]["text"] == ADDRESS, role
        assert shown["lines"][0]["note"] == "少辣 call 13912345678", role

    held = _sync_courier_cache(platform, tmp_path / "courier", token, courier_id)
    assert "*******5678" in held  # the delivery is there, masked
    assert not [number for number in WHOLE if number in held]
