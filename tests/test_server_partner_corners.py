"""Platform API defects a partner developer found reading docs/api.md: an empty code is a slip, not a counted try
(validate-code, voucher redeem); a voucher's value is in its store's currency; a voucher batch id reused with
another body is a 409; reject on an accepted order says to cancel it; a snooze never goes with UNAVAILABLE; the
admin CLI's value example follows the currency's minor units."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from o2o_tui.domain.geo import Address
from o2o_tui.platform import db, seed
from tests.support.platform import Api, RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli

ATTEMPTS = 3  # wrong codes at one store before its validate-code (or voucher redeem) is locked there


@dataclass
class World:
    running: RunningPlatform
    store: str
    yen_store: str
    admin: Api
    merchant: Api
    customer: Api


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    running = start_platform(tmp_path_factory.mktemp("partner"), env={"O2O_STORE_CODE_ATTEMPTS": str(ATTEMPTS)})
    try:
        assert running.seed is not None
        engine = db.open_database(running.db_url)
        with engine.begin() as conn:
            yen = seed.create_store(
                conn, name="寿司 Sushi", address=Address(text="銀座 1"), currency="JPY", timezone="Asia/Tokyo"
            )
        engine.dispose()
        yield World(
            running=running,
            store=running.seed.store_id,
            yen_store=yen.id,
            admin=api(running, "admin"),
            merchant=api(running, "merchant"),
            customer=api(running, "customer"),
        )
    finally:
        running.stop()


def _batch(store_id: str, **overrides: object) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": uuid.uuid4().hex[:12],
        "store_id": store_id,
        "title": "双人套餐 Set meal for 2",
        "value": {"amount": 3800, "currency": "CNY"},
        "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(),
        "count": 2,
    }
    body.update(overrides)
    return body


def _field_refused(answer: httpx.Response, field: str) -> None:
    assert answer.status_code == 422, answer.text
    error = answer.json()["error"]
    assert error["code"] == "validation" and error["field"] == field, error


def test_blank_codes_at_validate_code_are_slips_not_counted_tries(world: World) -> None:
    w = world
    order = w.customer.post("/v1/orders", order_body(w.store, "TAKEOUT")).json()
    path = f"/v1/stores/{w.store}/validate-code"
    for blank in ["", " ", "   ", "", " ", "", " "]:  # more than the store's limit
        _field_refused(w.merchant.post(path, {"code": blank}), "code")
    right = w.merchant.post(path, {"code": order["pickup_code"]})  # not locked by the slips
    assert right.status_code == 200, right.text
    assert right.json() == {"valid": True, "order_id": order["id"], "kind": "pickup"}
    taken = {o["pickup_code"] for o in w.merchant.get("/v1/orders", limit=500).json()["orders"]}
    wrong = next(f"{n:04d}" for n in range(10_000) if f"{n:04d}" not in taken)
    for _ in range(ATTEMPTS):  # a real wrong code still counts, and locks at the limit
        assert w.merchant.post(path, {"code": wrong}).json()["valid"] is False
    locked = w.merchant.post(path, {"code": order["pickup_code"]})
    assert locked.status_code == 423 and locked.json()["error"]["code"] == "code_locked"


def test_blank_voucher_codes_are_slips_not_counted_tries(world: World) -> None:
    w = world
    issued = w.admin.post("/v1/vouchers", _batch(w.store)).json()["vouchers"]
    bought = w.customer.post(f"/v1/vouchers/{issued[0]['id']}/buy", {"purchase_id": uuid.uuid4().hex}).json()
    path = f"/v1/stores/{w.store}/vouchers/redeem"
    for blank in ["", " ", " - ", "", "--", "", " "]:
        _field_refused(w.merchant.post(path, {"code": blank}), "code")
    redeemed = w.merchant.post(path, {"code": bought["code"]})
    assert redeemed.status_code == 200 and redeemed.json()["status"] == "REDEEMED", redeemed.text


def test_a_voucher_value_is_in_its_stores_currency(world: World) -> None:
    w = world
    for currency in ("USD", "ZZZ", "JPY"):
        refused = w.admin.post("/v1/vouchers", _batch(w.store, value={"amount": 3800, "currency": currency}))
        _field_refused(refused, "value.currency")
        assert "CNY" in refused.json()["error"]["message"]
    at_yen = w.admin.post("/v1/vouchers", _batch(w.yen_store, value={"amount": 3800, "currency": "CNY"}))
    _field_refused(at_yen, "value.currency")
    made = w.admin.post("/v1/vouchers", _batch(w.yen_store, value={"amount": 3800, "currency": "JPY"}))
    assert made.status_code == 201 and made.json()["vouchers"][0]["value"] == {"amount": 3800, "currency": "JPY"}
    listed = w.admin.get("/v1/vouchers", store_id=w.store).json()["vouchers"]
    assert all(v["value"]["currency"] == "CNY" for v in listed)  # none of the refused was made


def test_a_batch_id_reused_with_another_body_is_a_conflict(world: World) -> None:
    w = world
    body = _batch(w.store)
    first = w.admin.post("/v1/vouchers", body)
    assert first.status_code == 201
    again = w.admin.post("/v1/vouchers", body)  # a retry after a lost answer: the same vouchers
    assert again.status_code == 200 and again.json() == first.json()
    changes: list[dict[str, Any]] = [
        {"store_id": w.yen_store, "value": {"amount": 3800, "currency": "JPY"}},
        {"title": "another title"},
        {"value": {"amount": 100, "currency": "CNY"}},
        {"expires_at": (datetime.now(UTC) + timedelta(days=9)).isoformat()},
        {"count": 1},
        {"count": 3},
    ]
    for change in changes:
        refused = w.admin.post("/v1/vouchers", {**body, **change})
        assert refused.status_code == 409, (change, refused.text)
        error = refused.json()["error"]
        assert error["code"] == "conflict" and error["field"] == "id" and body["id"] in error["message"]
    mine = [v for v in w.admin.get("/v1/vouchers").json()["vouchers"] if v["id"].startswith(body["id"] + "-")]
    assert sorted(v["id"] for v in mine) == [f"{body['id']}-1", f"{body['id']}-2"]  # nothing new made
    assert {v["title"] for v in mine} == {body["title"]}
    assert w.admin.post("/v1/vouchers", body).status_code == 200  # the same body still is a retry


def test_reject_on_an_accepted_order_says_to_cancel_it(world: World) -> None:
    w = world
    order = w.customer.post("/v1/orders", order_body(w.store, "TAKEOUT")).json()
    assert w.merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5}).status_code == 200
    refused = w.merchant.post(f"/v1/orders/{order['id']}/reject", {"reason_code": "OUT_OF_STOCK"})
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["code"] == "illegal_transition" and (error["from"], error["to"]) == ("CONFIRMED", "CANCELLED")
    assert "cancelled, not rejected" in error["message"] and "use cancel" in error["message"]
    cancelled = w.merchant.post(f"/v1/orders/{order['id']}/cancel", {"reason_code": "OUT_OF_STOCK"})
    assert cancelled.status_code == 200 and cancelled.json()["status"] == "CANCELLED"
    late = w.merchant.post(f"/v1/orders/{order['id']}/reject", {"reason_code": "OUT_OF_STOCK"})
    assert late.status_code == 200  # already cancelled: the target state, a success that changes nothing
    other = w.customer.post("/v1/orders", order_body(w.store, "TAKEOUT")).json()
    assert w.merchant.post(f"/v1/orders/{other['id']}/confirm", {"preparation_minutes": 5}).status_code == 200
    early = w.merchant.post(f"/v1/orders/{other['id']}/handoff", {"code": other["pickup_code"]})
    assert early.json()["error"]["message"] == "cannot go from CONFIRMED to DELIVERED"  # no hint where none fits


def test_a_snooze_never_goes_with_unavailable(world: World) -> None:
    w = world
    until = (datetime.now(UTC) + timedelta(hours=2)).isoformat()
    item = f"/v1/stores/{w.store}/menu/items/kung-pao-chicken"
    before = w.merchant.get(f"/v1/stores/{w.store}/menu").json()
    _field_refused(w.merchant.patch(item, {"status": "UNAVAILABLE", "snooze_until": until}), "snooze_until")
    option = f"/v1/stores/{w.store}/menu/options/spice-mild"
    _field_refused(w.merchant.patch(option, {"status": "UNAVAILABLE", "snooze_until": until}), "snooze_until")
    assert w.merchant.get(f"/v1/stores/{w.store}/menu").json()["version"] == before["version"]  # nothing changed
    for body in ({"status": "AVAILABLE", "snooze_until": until}, {"snooze_until": until}):  # a sell-out
        answer = w.merchant.patch(item, body)
        assert answer.status_code == 200, (body, answer.text)
    back = w.merchant.patch(item, {"status": "AVAILABLE", "clear_snooze": True})
    assert back.status_code == 200
    assert w.merchant.patch(item, {"status": "UNAVAILABLE", "clear_snooze": True}).status_code == 200
    assert w.merchant.patch(item, {"status": "AVAILABLE", "clear_snooze": True}).status_code == 200


@pytest.mark.parametrize(
    ("currency", "says"),
    [
        ("JPY", "--value must be a positive whole amount in JPY (it has no smaller unit), e.g. 38 (not 38.50)."),
        ("CNY", "--value must be a positive amount in CNY, e.g. 38 or 38.50 (not 38.505)."),
    ],
)
def test_admin_voucher_value_example_follows_the_currency(
    world: World, tmp_path: Path, currency: str, says: str
) -> None:
    store = world.yen_store if currency == "JPY" else world.store
    cli = Cli(tmp_path / "home", "unused")
    value = "38.50" if currency == "JPY" else "38.505"
    result = cli(
        *("admin", "voucher", "create", "--store", store, "--title", "x", "--value", value, "--expires", "3d"),
        *("--db", world.running.db_url),
        code=2,
    )
    assert says in " ".join((result.stdout + result.stderr).split()), (result.stdout, result.stderr)
