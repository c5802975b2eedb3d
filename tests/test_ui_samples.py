"""Deterministic orders for the UI tests (snapshot and Pilot tests import `sample_*` from here)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from o2o_tui.domain.geo import Address
from o2o_tui.domain.money import Money
from o2o_tui.domain.order import (
    Cancellation,
    CustomerContact,
    LineOption,
    Order,
    OrderLine,
    OrderStatus,
    OrderType,
    Party,
    Payment,
    Timing,
    Totals,
)
from o2o_tui.domain.store import Store, StoreStatus
from screens.source import LinkState, LinkStatus, QueueEntry

FROZEN_NOW = datetime(2026, 11, 25, 4, 30, 0, tzinfo=UTC)  # 12:30 in Shanghai


def cny(amount: int) -> Money:
    return Money(amount, "CNY")


def sample_order(
    number: int,
    status: OrderStatus,
    *,
    minutes_ago: int,
    order_type: OrderType = OrderType.DELIVERY,
    name: str = "王小明",
    note: str = "",
    lines: list[OrderLine] | None = None,
    cancellation: Cancellation | None = None,
) -> Order:
    created = FROZEN_NOW - timedelta(minutes=minutes_ago)
    lines = lines or [
        OrderLine(
            item_id="kungpao",
            name="宫保鸡丁 Kung Pao Chicken",
            quantity=2,
            unit_price=cny(3800),
            options=[
                LineOption(
                    option_id="mild", group_id="spice", name="微辣 Mild", quantity=1, unit_price=cny(0)
                )
            ],
            note="少辣",
            total=cny(7600),
        ),
        OrderLine(item_id="rice", name="米饭 Rice", quantity=2, unit_price=cny(200), total=cny(400)),
    ]
    subtotal = sum((line.total.amount if line.total else 0) for line in lines)
    fee = 500 if order_type is OrderType.DELIVERY else 0
    confirmed = status not in (OrderStatus.CREATED, OrderStatus.CANCELLED)
    return Order(
        id=f"ord-{number:04d}",
        store_id="store-1",
        number=number,
        type=order_type,
        status=status,
        timing=Timing(),
        lines=lines,
        totals=Totals(cny(subtotal), cny(fee), cny(0), cny(subtotal + fee)),
        payment=Payment(),
        customer=CustomerContact(
            name=name,
            phone="138****5678",
            address=Address("上海市黄浦区南京东路 100 号 5 楼") if order_type is OrderType.DELIVERY else None,
        ),
        created_at=created,
        updated_at=created,
        version=1,
        note=note,
        accept_deadline=created + timedelta(minutes=5),
        confirmed_at=created + timedelta(minutes=1) if confirmed else None,
        preparation_minutes=15 if confirmed else None,
        promised_ready_at=created + timedelta(minutes=16) if confirmed else None,
        pickup_code="4821",
        cancellation=cancellation,
    )


def sample_store() -> Store:
    return Store(
        id="store-1",
        name="老王川菜馆 Lao Wang Sichuan Kitchen",
        address=Address("上海市黄浦区"),
        currency="CNY",
        timezone="Asia/Shanghai",
        status=StoreStatus(),
        version=1,
        default_prep_minutes=15,
    )


def sample_entries() -> list[QueueEntry]:
    return [
        QueueEntry(sample_order(42, OrderStatus.CREATED, minutes_ago=1, note="不要香菜 no cilantro")),
        QueueEntry(
            sample_order(41, OrderStatus.CONFIRMED, minutes_ago=6, name="Alice Chen"),
            pending=("order.preparing",),
        ),
        QueueEntry(
            sample_order(40, OrderStatus.PREPARING, minutes_ago=12, order_type=OrderType.TAKEOUT, name="李雷")
        ),
        QueueEntry(
            sample_order(
                39,
                OrderStatus.CONFIRMED,
                minutes_ago=15,
                name="Bob",
                cancellation=Cancellation(
                    requested_by=Party.CUSTOMER, reason_code="CHANGED_MIND", reason="等太久了"
                ),
            )
        ),
        QueueEntry(
            sample_order(
                38, OrderStatus.READY_FOR_PICKUP, minutes_ago=25, order_type=OrderType.INDOOR, name="韩梅梅"
            )
        ),
        QueueEntry(sample_order(37, OrderStatus.DISPATCHED, minutes_ago=70, name="Zhang Wei")),
        QueueEntry(sample_order(36, OrderStatus.DELIVERED, minutes_ago=90)),
    ]


def sample_link(state: LinkState = LinkState.ONLINE) -> LinkStatus:
    return LinkStatus(state, pending=1, last_sync_at=FROZEN_NOW - timedelta(minutes=3))
