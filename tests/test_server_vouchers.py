"""Vouchers on the real platform: issue, buy, list, redeem once at the counter; the refusals and the code limit."""

from __future__ import annotations

import time
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.domain.geo import Address
from o2o_tui.domain.identity import Role
from o2o_tui.platform import db, seed
from tests.support.platform import Api, RunningPlatform, api, start_platform

ATTEMPTS = 4  # wrong voucher codes at one store before it is locked there (O2O_STORE_CODE_ATTEMPTS)


@pytest.fixture(scope="module")
def voucher_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start_platform(
        tmp_path_factory.mktemp("vouchers"), env={"O2O_STORE_CODE_ATTEMPTS": str(ATTEMPTS)}
    )
    try:
        yield running
    finally:
        running.stop()


def issue(admin: Api, store_id: str, *, count: int = 1, expires: datetime | None = None) -> list[dict]:
    body = {
        "id": uuid.uuid4().hex[:12],
        "store_id": store_id,
        "title": "双人套餐 Set meal for 2",
        "value": {"amount": 3800, "currency": "CNY"},
        "expires_at": (expires or datetime.now(UTC) + timedelta(days=30)).isoformat(),
        "count": count,
    }
    answer = admin.post("/v1/vouchers", body)
    assert answer.status_code == 201, answer.text
    vouchers: list[dict] = answer.json()["vouchers"]
    return vouchers


def buy(customer: Api, voucher_id: str) -> dict:
    answer = customer.post(f"/v1/vouchers/{voucher_id}/buy", {"purchase_id": uuid.uuid4().hex})
    assert answer.status_code == 200, answer.text
    bought: dict = answer.json()
    return bought


def test_issue_buy_list_and_redeem_once(voucher_platform: RunningPlatform) -> None:
    seeded = voucher_platform.seed
    assert seeded is not None
    admin, customer, merchant = (api(voucher_platform, r) for r in ("admin", "customer", "merchant"))
    issued = issue(admin, seeded.store_id, count=3)
    assert [v["status"] for v in issued] == ["FOR_SALE"] * 3 and "code" not in issued[0]
    for_sale = customer.get("/v1/vouchers", for_sale="true", store_id=seeded.store_id).json()["vouchers"]
    assert {v["id"] for v in issued} <= {v["id"] for v in for_sale}

    bought = buy(customer, issued[0]["id"])
    code = bought["code"]
    assert len(code) == 12 and code.isdigit() and bought["code_tail"] == code[-4:]
    assert bought["status"] == "ACTIVE"
    mine = customer.get("/v1/vouchers").json()["vouchers"]
    assert [v["id"] for v in mine] == [issued[0]["id"]] and "code" not in mine[0]  # shown once, to the buyer
    again = customer.post(f"/v1/vouchers/{issued[0]['id']}/buy", {"purchase_id": uuid.uuid4().hex})
    assert again.status_code == 409 and again.json()["error"]["code"] == "voucher_sold"

    path = f"/v1/stores/{seeded.store_id}/vouchers/redeem"
    key = str(uuid.uuid4())
    redeemed = merchant.post(path, {"code": code[:4] + " " + code[4:]}, key=key)  # typed with a space
    assert redeemed.status_code == 200, redeemed.text
    assert redeemed.json()["status"] == "REDEEMED" and redeemed.json()["value"]["amount"] == 3800
    assert (
        merchant.post(path, {"code": code[:4] + " " + code[4:]}, key=key).content == redeemed.content
    )  # replay
    twice = merchant.post(path, {"code": code})
    assert twice.status_code == 409
    error = twice.json()["error"]
    assert error["code"] == "voucher_redeemed" and error["at"] == redeemed.json()["redeemed_at"]
    assert error["timezone"] == "Asia/Shanghai"  # the store's, to say that time on its clock

    seen = customer.get("/v1/vouchers").json()["vouchers"][0]
    assert seen["status"] == "REDEEMED" and seen["redeemed_at"] == redeemed.json()["redeemed_at"]
    assert [v["id"] for v in merchant.get("/v1/vouchers").json()["vouchers"]].count(issued[0]["id"]) == 1


def test_expired_and_other_store_are_refused(voucher_platform: RunningPlatform) -> None:
    seeded = voucher_platform.seed
    assert seeded is not None
    admin, customer, merchant = (api(voucher_platform, r) for r in ("admin", "customer", "merchant"))
    engine = db.open_database(voucher_platform.db_url)
    with engine.begin() as conn:
        other = seed.create_store(conn, name="隔壁面馆 Noodle shop", address=Address(text="南京东路 102 号"))
        token_b = seed.create_user(conn, role=Role.MERCHANT, name="merchant b", store_id=other.id).token
    engine.dispose()
    soon = issue(admin, seeded.store_id, expires=datetime.now(UTC) + timedelta(seconds=1.5))[0]
    expiring = buy(customer, soon["id"])
    theirs = buy(customer, issue(admin, other.id)[0]["id"])
    path = f"/v1/stores/{seeded.store_id}/vouchers/redeem"

    refused = merchant.post(path, {"code": theirs["code"]})
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "voucher_other_store"
    merchant_b = Api(voucher_platform.url, token_b)
    assert merchant_b.post(path, {"code": theirs["code"]}).status_code == 404  # not its store
    assert (
        merchant_b.post(f"/v1/stores/{other.id}/vouchers/redeem", {"code": theirs["code"]}).status_code == 200
    )

    time.sleep(
        max(0.0, (datetime.fromisoformat(soon["expires_at"]) - datetime.now(UTC)).total_seconds()) + 0.1
    )
    late = merchant.post(path, {"code": expiring["code"]})
    assert late.status_code == 409 and late.json()["error"]["code"] == "voucher_expired"
    assert customer.get("/v1/vouchers").json()["vouchers"][-1]["status"] in ("EXPIRED", "ACTIVE", "REDEEMED")
    statuses = {v["id"]: v["status"] for v in customer.get("/v1/vouchers").json()["vouchers"]}
    assert statuses[soon["id"]] == "EXPIRED"


def test_wrong_codes_lock_redemption_at_the_store(tmp_path: Path, voucher_platform: RunningPlatform) -> None:
    seeded = voucher_platform.seed
    assert seeded is not None
    admin, customer = api(voucher_platform, "admin"), api(voucher_platform, "customer")
    engine = db.open_database(voucher_platform.db_url)
    with engine.begin() as conn:  # a store of its own, so the lock does not reach the other tests
        store = seed.create_store(conn, name="Lock test", address=Address(text="1 Test Road"))
        token = seed.create_user(conn, role=Role.MERCHANT, name="m", store_id=store.id).token
    engine.dispose()
    good = buy(customer, issue(admin, store.id)[0]["id"])["code"]
    merchant = Api(voucher_platform.url, token)
    path = f"/v1/stores/{store.id}/vouchers/redeem"
    for n in range(ATTEMPTS):
        wrong = merchant.post(path, {"code": f"{n:012d}"})
        assert wrong.status_code == 409 and wrong.json()["error"]["code"] == "wrong_code"
        assert wrong.json()["error"]["tries_left"] == ATTEMPTS - 1 - n  # the last locks it, until when said
        assert ("locked_until" in wrong.json()["error"]) == (n == ATTEMPTS - 1)
    locked = merchant.post(path, {"code": good})  # the right code too, while locked
    assert locked.status_code == 423 and locked.json()["error"]["code"] == "code_locked"
