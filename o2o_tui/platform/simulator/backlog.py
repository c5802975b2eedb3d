"""The demo's opening scene: a lunch rush already under way when the console opens.

A few orders in the kitchen (one just accepted, the others cooking), two ready at the counter (a takeout waiting
for its customer, a delivery waiting for a courier), two out with couriers. Made through the platform's API
like any other orders (the customer places, the store accepts, a courier picks up with the pickup code), before
the console starts, so its first paint already shows a working shop. The simulator then carries them on:
couriers ride, the dispatcher assigns the ready delivery, the person at the counter does the rest.
"""

from __future__ import annotations

import enum
import math
import random
from collections.abc import Callable, Collection
from datetime import UTC, datetime

from o2o_tui.client import PlatformClient
from o2o_tui.domain.fleet import Courier, CourierStatus
from o2o_tui.domain.geo import Position, from_local_metres
from o2o_tui.domain.order import Order, OrderType
from o2o_tui.domain.requests import AssignBody, CodeBody, ConfirmBody, CourierStateBody, EmptyBody
from o2o_tui.platform.simulator import chasing
from o2o_tui.platform.simulator.customers import order_body
from o2o_tui.platform.simulator.state import SimContext, SimStats


class Stage(enum.Enum):
    ACCEPTED = "accepted"  # confirmed, not started
    COOKING = "cooking"  # preparing
    READY = "ready"  # at the counter
    OUT = "out"  # picked up by a courier, on the way to the customer


LUNCH_RUSH: tuple[tuple[Stage, OrderType], ...] = (
    (Stage.OUT, OrderType.DELIVERY),
    (Stage.OUT, OrderType.DELIVERY),
    (Stage.READY, OrderType.TAKEOUT),
    (Stage.READY, OrderType.DELIVERY),
    (Stage.COOKING, OrderType.DELIVERY),
    (Stage.COOKING, OrderType.TAKEOUT),
    (Stage.ACCEPTED, OrderType.DELIVERY),
)


def create_backlog(
    client: PlatformClient,
    store_id: str,
    *,
    seed: int,
    plan: tuple[tuple[Stage, OrderType], ...] = LUNCH_RUSH,
    leave_couriers: Collection[str] = (),
    log: Callable[[str], None] | None = None,
) -> list[Order]:
    """Place and advance the orders of `plan` (an admin client: it acts for the customers, the store and the
    couriers). Couriers needed for orders out are put on duty at the store first; `leave_couriers` (driven by a
    person) are never used. Returns the orders as they ended up. Platform errors are raised."""
    store = client.get_store(store_id)
    ctx = SimContext(
        client=client,
        customer_client=client,
        store=store,
        menu=client.get_menu(store_id),
        seed=seed,
        log=log or (lambda _message: None),
        stats=SimStats(seed=seed),
    )
    rng = random.Random(f"{seed}:backlog")
    free = [c for c in client.list_couriers(store_id) if c.id not in leave_couriers and not c.delivery_ids]
    orders = []
    for stage, kind in plan:
        body = order_body(ctx, rng, datetime.now(UTC), kind)
        if body is None:
            continue  # nothing orderable on the menu
        order = client.create_order(body)
        orders.append(_advance(ctx, order, stage, rng, free))
    return chasing.chase_backlog(client, orders)  # one chased order in the kitchen (chasing.py)


def _advance(ctx: SimContext, order: Order, stage: Stage, rng: random.Random, free: list[Courier]) -> Order:
    client = ctx.client
    order = client.act("order.confirm", order.id, ConfirmBody(preparation_minutes=rng.randint(10, 18)))
    if stage is Stage.ACCEPTED:
        return order
    order = client.act("order.preparing", order.id, EmptyBody())
    if stage is Stage.COOKING:
        return order
    order = client.act("order.ready", order.id, EmptyBody())
    if stage is Stage.READY or not free or not order.pickup_code:
        return order
    courier = free.pop(0)
    at_store = _near(ctx.store.address.position, rng)
    client.act("courier.state", courier.id, CourierStateBody(status=CourierStatus.IDLE, position=at_store))
    delivery = client.act("order.assign", order.id, AssignBody(courier_id=courier.id))
    for action in ("delivery.accept", "delivery.arrived_at_merchant"):
        client.act(action, delivery.id, EmptyBody())
    client.act("delivery.picked_up", delivery.id, CodeBody(code=order.pickup_code))
    ctx.log(f"backlog: #{order.number:04d} out with {courier.name}")
    updated: Order = client.get_order(order.id)
    return updated


def _near(origin: Position | None, rng: random.Random) -> Position:
    """A spot within a few metres of the store (where a courier stands when it picks up)."""
    origin = origin or Position(lat=39.9087, lon=116.3975)
    angle = rng.uniform(0, 2 * math.pi)
    return from_local_metres(10 * math.cos(angle), 10 * math.sin(angle), origin)
