"""Hand-made stores, orders and couriers in local metres around a store, for the live dispatch and board tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from o2o_tui.domain.fleet import Courier, CourierStatus
from o2o_tui.domain.geo import Address, Position, from_local_metres
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
from o2o_tui.domain.store import Store, StoreStatus
from o2o_tui.live_dispatch import FleetSnapshot

NOW = datetime(2026, 11, 25, 4, 30, 0, tzinfo=UTC)  # 12:30 in Shanghai
CENTER = Position(lat=31.2304, lon=121.4737)


def at(x: float, y: float) -> Position:
    return from_local_metres(x, y, CENTER)


def store() -> Store:
    return Store(
        id="store-1",
        name="老王川菜馆 Lao Wang",
        address=Address("南京东路 100 号", CENTER),
        currency="CNY",
        timezone="Asia/Shanghai",
        status=StoreStatus(),
        version=1,
    )


def order(
    number: int,
    *,
    dropoff: tuple[float, float] | None = (1000.0, 0.0),
    status: OrderStatus = OrderStatus.READY_FOR_PICKUP,
    ready_in: float = 0.0,
    placed_ago: float = 15.0,
    courier_id: str | None = None,
    name: str = "王小明",
    order_type: OrderType = OrderType.DELIVERY,
) -> Order:
    created = NOW - timedelta(minutes=placed_ago)
    ready = NOW + timedelta(minutes=ready_in)
    money = Money(4000, "CNY")
    return Order(
        id=f"ord-{number:04d}",
        store_id="store-1",
        number=number,
        type=order_type,
        status=status,
        timing=Timing(),
        lines=[OrderLine(item_id="rice", name="米饭", quantity=1, unit_price=money, total=money)],
        totals=Totals(money, Money(0, "CNY"), Money(0, "CNY"), money),
        payment=Payment(),
        customer=CustomerContact(
            name=name,
            phone="138****5678",
            address=Address(f"人民路 {number} 号", at(*dropoff) if dropoff else None),
        ),
        created_at=created,
        updated_at=created,
        version=1,
        confirmed_at=created,
        preparation_minutes=15,
        promised_ready_at=ready,
        ready_at=ready if status is OrderStatus.READY_FOR_PICKUP else None,
        courier_id=courier_id,
        delivery_id=f"dl-{number}" if courier_id else None,
    )


def courier(
    name: str,
    x: float,
    y: float,
    *,
    status: CourierStatus = CourierStatus.IDLE,
    capacity: int = 3,
    delivery_ids: list[str] | None = None,
) -> Courier:
    return Courier(
        id=f"cr-{name.split()[-1].lower()}",
        name=name,
        status=status,
        capacity=capacity,
        version=1,
        position=at(x, y),
        delivery_ids=delivery_ids or [],
        store_id="store-1",
    )


def snapshot(orders: list[Order], couriers: list[Courier]) -> FleetSnapshot:
    return FleetSnapshot(store=store(), orders=orders, couriers=couriers)


def board_snapshot() -> FleetSnapshot:
    """A lunchtime board: two ready orders, one cooking, one far in the future, one assigned; five couriers."""
    return snapshot(
        [
            order(41, dropoff=(1500.0, 800.0), placed_ago=22, name="张三 [bold]Zhang[/]"),
            order(42, dropoff=(-900.0, 1200.0), placed_ago=18, name="李娜 Li Na"),
            order(43, dropoff=(600.0, -1400.0), status=OrderStatus.PREPARING, ready_in=9, placed_ago=8),
            order(44, dropoff=(-1800.0, -600.0), status=OrderStatus.CONFIRMED, ready_in=45, placed_ago=2),
            order(40, dropoff=(2200.0, -300.0), courier_id="cr-wei", placed_ago=25, name="赵六"),
        ],
        [
            courier("张伟 Zhang Wei", 300.0, 200.0, status=CourierStatus.TO_MERCHANT, delivery_ids=["dl-40"]),
            courier("王芳 Wang Fang", -400.0, 300.0),
            courier("李强 Li Qiang", 1800.0, 1500.0),
            courier("刘洋 Liu Yang", -2500.0, -2000.0),
            courier("陈静 Chen Jing", 0.0, 0.0, status=CourierStatus.OFFLINE),
        ],
    )
