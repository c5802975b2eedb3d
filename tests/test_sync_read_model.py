"""The read model: the cached snapshot with this device's pending outbox applied on top (real cache in tmp_path)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import msgspec
import pytest

from o2o_tui.client.actions import encode_body
from o2o_tui.domain.geo import Address
from o2o_tui.domain.money import Money
from o2o_tui.domain.order import (
    CustomerContact,
    Order,
    OrderLine,
    OrderStatus,
    OrderType,
    Payment,
    Timing,
    Totals,
)
from o2o_tui.domain.requests import ConfirmBody, EmptyBody, ReasonBody, StoreStatusBody
from o2o_tui.domain.store import Store, StoreState, StoreStatus
from o2o_tui.sync import tables
from o2o_tui.sync.read_model import AmbiguousReference, ReadModel
from o2o_tui.sync.retention import RetentionPolicy, apply_retention
from offline_cache import open_profile_cache

T0 = datetime(2026, 1, 5, 11, 0, tzinfo=UTC)


def make_order(
    order_id: str,
    number: int,
    status: OrderStatus = OrderStatus.CREATED,
    *,
    order_type: OrderType = OrderType.DELIVERY,
    created_at: datetime = T0,
    ended_at: datetime | None = None,
    version: int = 1,
) -> Order:
    cny = Money(2350, "CNY")
    return Order(
        id=order_id,
        store_id="st_1",
        number=number,
        type=order_type,
        status=status,
        timing=Timing(),
        lines=[OrderLine(item_id="it_1", name="Noodles", quantity=1, unit_price=cny)],
        totals=Totals(subtotal=cny, delivery_fee=Money(0, "CNY"), discount=Money(0, "CNY"), total=cny),
        payment=Payment(),
        customer=CustomerContact(name="Li Lei", phone="138****5678", address=Address(text="1 Road")),
        created_at=created_at,
        updated_at=ended_at or created_at,
        ended_at=ended_at,
        version=version,
    )


def put(cache, order: Order) -> None:
    cache.table(tables.ORDERS).upsert(order.id, msgspec.to_builtins(order))


def queue(cache, action: str, target: str, body: msgspec.Struct, occurred_at: datetime = T0):
    payload = encode_body(action, body).decode()
    return cache.outbox.append(action, target, payload, occurred_at=occurred_at.isoformat())


@pytest.fixture
def cache(tmp_path):
    with open_profile_cache(tmp_path / "profile") as opened:
        yield opened


def test_pending_actions_are_applied_on_top_of_the_snapshot(cache) -> None:
    put(cache, make_order("ord_a", 42))
    put(cache, make_order("ord_b", 43, created_at=T0 + timedelta(minutes=1)))
    queue(cache, "order.confirm", "ord_a", ConfirmBody(preparation_minutes=12))
    queue(cache, "order.preparing", "ord_a", EmptyBody())

    views = ReadModel(cache).orders()
    assert [v.order.id for v in views] == ["ord_a", "ord_b"]
    a, b = views
    assert a.order.status is OrderStatus.PREPARING
    assert a.order.preparation_minutes == 12
    assert a.order.promised_ready_at == T0 + timedelta(minutes=12)
    assert a.pending == ["order.confirm", "order.preparing"] and a.is_pending
    assert b.order.status is OrderStatus.CREATED and not b.is_pending
    # the cache itself still holds only the server's state
    assert cache.table(tables.ORDERS).get("ord_a")["status"] == "CREATED"
    assert [v.order.id for v in ReadModel(cache).orders("PREPARING")] == ["ord_a"]
    assert ReadModel(cache).orders(OrderStatus.CREATED)[0].order.id == "ord_b"


def test_an_action_the_state_machine_refuses_changes_nothing_but_stays_pending(cache) -> None:
    put(cache, make_order("ord_c", 7, OrderStatus.CANCELLED, ended_at=T0))
    queue(cache, "order.confirm", "ord_c", ConfirmBody(preparation_minutes=10))
    view = ReadModel(cache).order("ord_c")
    assert view.order.status is OrderStatus.CANCELLED
    assert view.pending == ["order.confirm"]


def test_a_queued_handoff_shows_the_order_handed_over_only_with_its_right_code(cache) -> None:
    from o2o_tui.domain.requests import CodeBody

    ready = make_order("ord_r", 9, OrderStatus.READY_FOR_PICKUP, order_type=OrderType.TAKEOUT)
    put(cache, msgspec.structs.replace(ready, pickup_code="4821"))
    queue(cache, "order.handoff", "ord_r", CodeBody(code="1111"))  # wrong: the platform will refuse it
    view = ReadModel(cache).order("ord_r")
    assert view.order.status is OrderStatus.READY_FOR_PICKUP and view.pending == ["order.handoff"]
    cache.outbox.append("order.handoff", "ord_r", encode_body("order.handoff", CodeBody(code=" 4821")).decode())
    assert ReadModel(cache).order("ord_r").order.status is OrderStatus.DELIVERED
    unknown = make_order("ord_u", 10, OrderStatus.READY_FOR_PICKUP, order_type=OrderType.TAKEOUT)
    put(cache, unknown)  # no code cached: nothing known to be right, the goods stay on the counter
    queue(cache, "order.handoff", "ord_u", CodeBody(code="4821"))
    assert ReadModel(cache).order("ord_u").order.status is OrderStatus.READY_FOR_PICKUP


def test_reject_and_cancellation_answers(cache) -> None:
    put(cache, make_order("ord_r", 1))
    queue(cache, "order.reject", "ord_r", ReasonBody(reason_code="OUT_OF_STOCK"))
    rejected = ReadModel(cache).order("ord_r").order
    assert rejected.status is OrderStatus.CANCELLED and rejected.cancel_reason_code == "OUT_OF_STOCK"

    from o2o_tui.domain.order import Cancellation, Party

    asked = msgspec.structs.replace(
        make_order("ord_q", 2, OrderStatus.PREPARING),
        cancellation=Cancellation(requested_by=Party.CUSTOMER, reason_code="CHANGED_MIND"),
    )
    put(cache, asked)
    queue(cache, "order.cancellation.deny", "ord_q", ReasonBody(reason_code="ALREADY_COOKING"))
    denied = ReadModel(cache).order("ord_q").order
    assert denied.status is OrderStatus.PREPARING and denied.cancellation is None


def test_lookup_by_day_number_and_id_prefix(cache) -> None:
    yesterday = T0 - timedelta(days=1)
    put(cache, make_order("ord_0001aaaa", 42, OrderStatus.DELIVERED, created_at=yesterday, ended_at=yesterday))
    put(cache, make_order("ord_0002bbbb", 42, created_at=T0))
    put(cache, make_order("ord_0003cccc", 5))
    model = ReadModel(cache)
    assert model.order("#0042").order.id == "ord_0002bbbb"  # the latest: the other one with it has ended
    assert model.order("42").order.id == "ord_0002bbbb"
    assert model.order("ord_0003").order.number == 5
    assert model.order("ord_0003cccc").order.number == 5
    assert model.order("#0099") is None
    assert model.order("nope-nope") is None
    with pytest.raises(AmbiguousReference):
        model.order("ord_000")


def test_store_status_overlay(cache) -> None:
    store = Store(
        id="st_1",
        name="Noodle Bar",
        address=Address(text="1 Road"),
        currency="CNY",
        timezone="Asia/Shanghai",
        status=StoreStatus(),
        version=3,
    )
    cache.table(tables.STORES).upsert("st_1", msgspec.to_builtins(store))
    assert ReadModel(cache).store().status.state is StoreState.ONLINE
    queue(cache, "store.status", "st_1", StoreStatusBody(state=StoreState.BUSY, extra_minutes=15))
    shown = ReadModel(cache).store("st_1")
    assert shown.status.state is StoreState.BUSY and shown.status.extra_minutes == 15
    assert ReadModel(cache).store("other") is None


def test_json_view_has_the_fields_scripts_need(cache) -> None:
    put(cache, make_order("ord_j", 9))
    queue(cache, "order.confirm", "ord_j", ConfirmBody(preparation_minutes=5))
    data = ReadModel(cache).order("ord_j").to_json()
    assert data["id"] == "ord_j" and data["number"] == 9 and data["display_number"] == "#0009"
    assert data["status"] == "CONFIRMED" and data["version"] == 1
    assert data["is_pending"] is True and data["pending_actions"] == ["order.confirm"]


def test_retention_purges_personal_data_then_prunes(cache) -> None:
    now = T0 + timedelta(days=10)
    put(cache, make_order("ord_old", 1, OrderStatus.CONCLUDED, ended_at=now - timedelta(days=4)))
    put(cache, make_order("ord_mid", 2, OrderStatus.DELIVERED, ended_at=now - timedelta(hours=7)))
    put(cache, make_order("ord_new", 3, OrderStatus.CANCELLED, ended_at=now - timedelta(hours=1)))
    # an open order keeps its data until O2O_PURGE_OPEN_HOURS (72) past its promise (tests/test_g6_open_purge.py)
    put(cache, make_order("ord_live", 4, OrderStatus.PREPARING, created_at=now - timedelta(days=2)))
    purged, pruned = apply_retention(cache, RetentionPolicy(), now)
    assert (purged, pruned) == (1, 1)
    orders = cache.table(tables.ORDERS)
    assert orders.get("ord_old") is None
    assert orders.get("ord_mid")["customer"] == {"name": "", "phone": "", "address": None}
    assert orders.get("ord_new")["customer"]["phone"] == "138****5678"
    assert orders.get("ord_live")["customer"]["name"] == "Li Lei"
    assert apply_retention(cache, RetentionPolicy(), now) == (0, 0)
    # a purged order still decodes for display
    assert ReadModel(cache).order("ord_mid").order.customer.name == ""


def test_json_rows_match_the_decoded_views(cache) -> None:
    put(cache, make_order("ord_x", 1))
    put(cache, make_order("ord_y", 2, created_at=T0 + timedelta(minutes=3)))
    put(cache, make_order("ord_z", 3, created_at=T0 - timedelta(minutes=3)))
    queue(cache, "order.confirm", "ord_y", ConfirmBody(preparation_minutes=5))
    model = ReadModel(cache)
    rows = model.order_rows()
    assert [r["id"] for r in rows] == ["ord_z", "ord_x", "ord_y"]
    assert rows == [msgspec.json.decode(msgspec.json.encode(v.to_json())) for v in model.orders()]
    assert [r["id"] for r in model.order_rows("CONFIRMED")] == ["ord_y"]
    assert [r["id"] for r in model.order_rows(OrderStatus.CREATED)] == ["ord_z", "ord_x"]


def test_retention_windows_come_from_the_environment() -> None:
    from o2o_tui.sync.session import retention_from_env

    assert retention_from_env({}) == RetentionPolicy()
    chosen = retention_from_env({"O2O_PURGE_PERSONAL_HOURS": "1.5", "O2O_PRUNE_ENDED_DAYS": "7"})
    assert chosen == RetentionPolicy(
        purge_personal_after=timedelta(minutes=90), prune_ended_after=timedelta(days=7)
    )
    assert retention_from_env({"O2O_PRUNE_ENDED_DAYS": "soon"}) == RetentionPolicy()


def test_a_queued_chase_reply_and_auto_accept_change_show_before_the_link_is_back(cache) -> None:
    from o2o_tui.domain.auto_accept import AutoAcceptBody
    from o2o_tui.domain.chases import Chase, ChaseReply, ChaseReplyBody

    chased = msgspec.structs.replace(make_order("ord_d", 9, OrderStatus.PREPARING), chases=[Chase(asked_at=T0)])
    put(cache, chased)
    queue(cache, "order.chase_reply", "ord_d", ChaseReplyBody(template=ChaseReply.PREPARING, minutes=8))
    shown = ReadModel(cache).order("ord_d").order.chases[-1]
    assert shown.answered_at == T0 and shown.reply == "PREPARING" and shown.minutes == 8  # the badge goes now

    store = Store(
        id="st_1", name="Noodle Bar", address=Address(text="1 Road"), currency="CNY",
        timezone="Asia/Shanghai", status=StoreStatus(), version=3,
    )  # fmt: skip
    cache.table(tables.STORES).upsert("st_1", msgspec.to_builtins(store))
    queue(cache, "store.auto_accept", "st_1", AutoAcceptBody(enabled=True, daily_cap=20))
    setting = ReadModel(cache).store("st_1").auto_accept
    assert setting.enabled and setting.daily_cap == 20 and setting.station == ""  # left out: unchanged
