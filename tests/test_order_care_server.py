"""Chases and refunds against the real server: limits, answers, amounts recomputed, who did it, what each side
sees. One server for the module (`shared_platform`); each test places its own orders."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import msgspec
import pytest
from sqlalchemy import select, update

from o2o_tui.domain.order import Order
from o2o_tui.platform import db
from tests.support.platform import Api, RunningPlatform, api, order_body


@pytest.fixture(scope="module")
def parties(shared_platform: RunningPlatform) -> dict[str, Api]:
    return {role: api(shared_platform, role) for role in ("customer", "merchant", "admin", "dispatcher")}


def _placed(parties: dict[str, Api], store: str, *, accept: bool = True, **overrides: object) -> dict:
    order = parties["customer"].post("/v1/orders", order_body(store, **overrides)).json()
    if accept:
        confirmed = parties["merchant"].post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 20})
        assert confirmed.status_code == 200, confirmed.text
        return confirmed.json()
    return order


def _store(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    return platform.seed.store_id


def _age_chases(platform: RunningPlatform, order_id: str, minutes: int) -> None:
    """Move the order's chases `minutes` into the past (the interval between chases is minutes long)."""
    engine = db.open_database(platform.db_url)
    with engine.begin() as conn:
        doc = conn.execute(select(db.orders.c.doc).where(db.orders.c.id == order_id)).scalar_one()
        data = msgspec.json.decode(doc)
        for chase in data["chases"]:
            asked = datetime.fromisoformat(chase["asked_at"]) - timedelta(minutes=minutes)
            chase["asked_at"] = asked.isoformat()
        conn.execute(update(db.orders).where(db.orders.c.id == order_id).values(doc=msgspec.json.encode(data)))
    engine.dispose()


def test_chase_is_bounded_answered_and_seen_by_the_customer(
    shared_platform: RunningPlatform, parties: dict[str, Api]
) -> None:
    order = _placed(parties, _store(shared_platform))
    path = f"/v1/orders/{order['id']}"
    customer, merchant = parties["customer"], parties["merchant"]
    assert merchant.post(path + "/chase/reply", {"template": "ON_THE_WAY"}).json()["error"]["code"] == "no_chase"
    first = customer.post(path + "/chase", {"note": "还要多久? [/]"})
    assert first.status_code == 200, first.text
    assert first.json()["chases"][0]["answered_at"] is None
    again = customer.post(path + "/chase", {})
    assert (again.status_code, again.json()["error"]["code"]) == (409, "chase_too_soon")
    # the store's staff see it, the merchant answers with a template and minutes
    assert merchant.get(path).json()["chases"][0]["note"] == "还要多久? [/]"
    assert merchant.post(path + "/chase/reply", {"template": "PREPARING"}).status_code == 422  # minutes
    for untrue in ("ON_THE_WAY", "READY"):  # not what an order being cooked is doing: the customer would come
        refused = merchant.post(path + "/chase/reply", {"template": untrue})
        assert (refused.status_code, refused.json()["error"]["code"]) == (409, "reply_not_true"), untrue
    answered = merchant.post(path + "/chase/reply", {"template": "PREPARING", "minutes": 8})
    assert answered.status_code == 200, answered.text
    seen = customer.get(path).json()["chases"][-1]
    assert (seen["reply"], seen["minutes"], seen["answered_by"]) == ("PREPARING", 8, None)  # who: staff only
    assert merchant.get(path).json()["chases"][-1]["answered_by"] is not None
    assert seen["answered_at"] is not None
    # free text, bounded; the cap on chases in all
    assert merchant.post(path + "/chase/reply", {"template": "TEXT", "text": "x" * 201}).status_code == 422
    for _ in range(4):
        _age_chases(shared_platform, order["id"], 6)
        assert customer.post(path + "/chase", {}).status_code == 200
    _age_chases(shared_platform, order["id"], 6)
    capped = customer.post(path + "/chase", {})
    assert (capped.status_code, capped.json()["error"]["code"]) == (409, "too_many_chases")
    text = merchant.post(path + "/chase/reply", {"template": "TEXT", "text": "马上好 almost"}).json()
    assert (text["chases"][-1]["reply"], text["chases"][-1]["text"]) == ("TEXT", "马上好 almost")
    assert len(text["chases"]) == 5


def test_partial_then_whole_refund_recomputes_totals_and_records_who(
    shared_platform: RunningPlatform, parties: dict[str, Api]
) -> None:
    order = _placed(parties, _store(shared_platform))
    path = f"/v1/orders/{order['id']}"
    merchant = parties["merchant"]
    line = order["lines"][0]  # two Kung Pao Chicken with options
    unit = line["total"]["amount"] // line["quantity"]
    body = {"id": str(uuid.uuid4()), "reason_code": "ITEM_UNAVAILABLE", "lines": [{"line": 0, "quantity": 1}]}
    partial = merchant.post(path + "/refund", body)
    assert partial.status_code == 200, partial.text
    after = partial.json()
    assert after["totals"]["refunded"]["amount"] == unit
    assert after["totals"]["total"] == order["totals"]["total"]  # what was charged stays; refunded says the rest
    assert after["payment"]["status"] == "PAID"
    assert after["refunds"][0]["lines"] == [{"line": 0, "quantity": 1, "amount": {"amount": unit, "currency": "CNY"}}]
    assert after["refunds"][0]["by_role"] == "merchant"
    # the same refund id again is the same refund (a replay after the key expired)
    assert merchant.post(path + "/refund", body).json()["totals"]["refunded"]["amount"] == unit
    # more of the line than is left is refused, nothing changes
    over = merchant.post(path + "/refund", {**body, "id": str(uuid.uuid4()), "lines": [{"line": 0, "quantity": 2}]})
    assert (over.status_code, over.json()["error"]["code"]) == (409, "refund_too_large")
    # a stale view (the person saw no refund yet) is refused
    stale = {"id": str(uuid.uuid4()), "reason_code": "LATE", "whole": True, "seen_refunds": 0}
    assert merchant.post(path + "/refund", stale).json()["error"]["code"] == "stale_refund"
    # OTHER needs a note; a reason is required
    other = {"id": str(uuid.uuid4()), "reason_code": "OTHER", "whole": True}
    assert merchant.post(path + "/refund", other).status_code == 422
    assert merchant.post(path + "/refund", {"id": str(uuid.uuid4()), "whole": True}).status_code == 422
    whole = merchant.post(path + "/refund", {**stale, "seen_refunds": 1, "note": "厨房停电 power cut"}).json()
    assert whole["totals"]["refunded"] == order["totals"]["total"]
    assert whole["payment"]["status"] == "REFUNDED"
    assert whole["refunds"][1]["amount"]["amount"] == order["totals"]["total"]["amount"] - unit
    nothing_left = merchant.post(path + "/refund", {"id": str(uuid.uuid4()), "reason_code": "LATE", "whole": True})
    assert nothing_left.json()["error"]["code"] == "refund_too_large"
    # the customer sees it; the event log has an order.refunded per refund, the action log who did it
    assert parties["customer"].get(path).json()["payment"]["status"] == "REFUNDED"
    events = merchant.get("/v1/events", after="0", limit=1000).json()["events"]
    refunded = [e for e in events if e["entity_id"] == order["id"] and e["type"] == "order.refunded"]
    assert len(refunded) == 2
    engine = db.open_database(shared_platform.db_url)
    with engine.connect() as conn:
        rows = conn.execute(
            select(db.action_log.c.action, db.action_log.c.user_id).where(db.action_log.c.entity_id == order["id"])
        ).all()
    engine.dispose()
    merchant_id = merchant.get("/v1/me").json()["user_id"]
    assert (f"refund:{unit}", merchant_id) in [(r.action, r.user_id) for r in rows]
    msgspec.convert(whole, Order)  # the answer decodes as the clients' type


def test_refund_only_before_handoff_and_only_by_the_store(
    shared_platform: RunningPlatform, parties: dict[str, Api]
) -> None:
    store = _store(shared_platform)
    new = _placed(parties, store, accept=False)
    body = {"id": str(uuid.uuid4()), "reason_code": "QUALITY", "whole": True}
    not_yet = parties["merchant"].post(f"/v1/orders/{new['id']}/refund", body)
    assert (not_yet.status_code, not_yet.json()["error"]["code"]) == (409, "illegal_transition")
    takeout = _placed(parties, store, order_type="TAKEOUT")
    path = f"/v1/orders/{takeout['id']}"
    assert parties["customer"].post(path + "/refund", body).status_code == 403
    assert parties["dispatcher"].post(path + "/refund", body).status_code == 403
    parties["merchant"].post(path + "/ready")
    handed = parties["merchant"].post(path + "/handoff", {"code": takeout["pickup_code"]})
    assert handed.json()["status"] == "DELIVERED"
    # handed off: refunded within the window (tests/test_refund_after_handoff.py), for what went wrong only
    wish = parties["merchant"].post(path + "/refund", {**body, "reason_code": "CUSTOMER_REQUEST"})
    assert (wish.status_code, wish.json()["error"]["field"]) == (422, "reason_code")
    assert parties["merchant"].post(path + "/refund", body).status_code == 200
    assert parties["customer"].post(path + "/chase", {}).status_code == 409  # an ended order takes no chase


def test_simulated_customers_chase_late_orders_and_the_backlog_opens_with_one(
    shared_platform: RunningPlatform, parties: dict[str, Api]
) -> None:
    from o2o_tui.client import PlatformClient
    from o2o_tui.platform.simulator import chasing
    from o2o_tui.platform.simulator.state import CustomerPlan, SimContext, SimStats

    assert shared_platform.seed is not None
    store = _store(shared_platform)
    with (
        PlatformClient(shared_platform.url, shared_platform.seed.tokens["admin"]) as admin,
        PlatformClient(shared_platform.url, shared_platform.seed.tokens["customer"]) as customer,
    ):
        ctx = SimContext(
            client=admin,
            customer_client=customer,
            store=admin.get_store(store),
            menu=admin.get_menu(store),
            seed=7,
            log=lambda _message: None,
            stats=SimStats(seed=7),
        )
        placed = _placed(parties, store)
        now = datetime.now(UTC)
        tracked = ctx.track(customer.get_order(placed["id"]), now)
        planned = CustomerPlan(chase_after_minutes=1.0)
        assert not chasing.wants_to_chase(ctx, tracked, planned, 0.5)  # neither planned yet nor late
        assert chasing.wants_to_chase(ctx, tracked, planned, 1.5)
        chasing.chase(ctx, tracked, now)
        assert not chasing.wants_to_chase(ctx, tracked, planned, 5.0)  # once
        assert len(parties["merchant"].get(f"/v1/orders/{placed['id']}").json()["chases"]) == 1
        assert ctx.stats.chases == 1 and ctx.stats.errors == 0

        cooking = _placed(parties, store)
        parties["merchant"].post(f"/v1/orders/{cooking['id']}/preparing")
        opened = chasing.chase_backlog(admin, [admin.get_order(cooking["id"])])
        assert len(opened[0].chases) == 1 and opened[0].chases[0].answered_at is None
