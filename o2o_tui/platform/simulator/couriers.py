"""Simulated couriers of the store's fleet: go on shift, ride to the restaurant and the customer, and progress
the deliveries assigned to them (accept, arrived, picked up with the pickup code, arrived, delivered with the
customer's delivery code)."""

from __future__ import annotations

import math
import time
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from o2o_tui.client.errors import NotFound, PlatformError
from o2o_tui.domain.fleet import Courier, CourierStatus, Delivery
from o2o_tui.domain.geo import Position, distance_m, from_local_metres
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.domain.requests import CodeBody, CourierStateBody, EmptyBody
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import t
from o2o_tui.platform.simulator.movement import E_BIKE_METRES_PER_MINUTE, move_toward
from o2o_tui.platform.simulator.state import SimContext

REJECT_SHARE = 0.02
# A courier at the counter takes the bags marked ready. One nobody marked it takes only once the order's promised
# ready time has passed and it has waited this long (the kitchen handed it over and forgot the tap): never sooner,
# or a courier would ride off with food still cooking.
PICKUP_ANYWAY_AFTER_MINUTES = 15.0
_TO_PICK = (DeliveryStatus.ACCEPTED, DeliveryStatus.ARRIVED_AT_MERCHANT)
_CARRYING = (DeliveryStatus.PICKED_UP, DeliveryStatus.ARRIVED_AT_CUSTOMER)


POSITION_REFRESH_S = 300.0  # real seconds between reports of a courier standing still


@dataclass
class SimCourier:
    id: str
    name: str
    position: Position
    sent_position: Position | None = None
    sent_at: float = 0.0  # time.monotonic() of the last position report
    seen: dict[str, datetime] = field(default_factory=dict)  # delivery id + status -> sim time first seen


def _minutes(delta: timedelta) -> float:
    return delta / timedelta(minutes=1)


def platform_now() -> datetime:
    """The platform's time: it runs on the wall clock whatever `--speed` does to the simulator's."""
    return datetime.now(UTC)


class Fleet:
    def __init__(self, ctx: SimContext, skip: Collection[str] = ()) -> None:
        self.ctx = ctx
        self.skip = frozenset(skip)  # couriers people drive: never put on shift, moved or acted for
        self.couriers: dict[str, SimCourier] = {}
        self._last_step: datetime | None = None
        self.snapshot: list[Courier] = []

    def go_on_shift(self, now: datetime) -> None:
        """Every courier of the store's fleet (but those people drive) goes online near the store."""
        ctx = self.ctx
        origin = ctx.store.address.position or Position(lat=39.9087, lon=116.3975)
        try:
            couriers = ctx.client.list_couriers(ctx.store.id)
        except PlatformError as error:
            ctx.failed("couriers", t("simulate.log.action_failed", action="couriers"), error)
            return
        for courier in couriers:
            if courier.id in self.skip:
                continue
            rng = ctx.rng("courier", courier.id)
            position = courier.position
            if position is None:
                angle, radius = rng.uniform(0, 2 * math.pi), rng.uniform(100, 1500)
                position = from_local_metres(radius * math.cos(angle), radius * math.sin(angle), origin)
            sim = SimCourier(courier.id, courier.name, position)
            self.couriers[courier.id] = sim
            if courier.status is CourierStatus.OFFLINE:
                body = CourierStateBody(status=CourierStatus.IDLE, position=position)
                self._state(sim, body)
        ctx.stats.couriers_online = len(self.couriers)
        self._last_step = now

    def refresh(self) -> list[Courier]:
        try:
            self.snapshot = self.ctx.client.list_couriers(self.ctx.store.id)
        except PlatformError as error:
            self.ctx.failed("couriers", t("simulate.log.action_failed", action="couriers"), error)
        return self.snapshot

    def step(self, now: datetime) -> None:
        elapsed = _minutes(now - self._last_step) if self._last_step else 0.0
        self._last_step = now
        metres = max(0.0, elapsed) * E_BIKE_METRES_PER_MINUTE
        try:
            active = self.ctx.client.list_deliveries(active=True)
        except PlatformError as error:
            self.ctx.failed("deliveries", t("simulate.log.action_failed", action="deliveries"), error)
            return
        mine: dict[str, list[Delivery]] = {}
        for delivery in active:
            if delivery.courier_id in self.couriers:
                mine.setdefault(delivery.courier_id, []).append(delivery)
        self.ctx.stats.deliveries_active = sum(len(v) for v in mine.values())
        for courier_id, courier in self.couriers.items():
            deliveries = sorted(mine.get(courier_id, []), key=lambda d: (d.created_at, d.id))
            self._ride(courier, deliveries, metres, now)

    def _since(self, courier: SimCourier, delivery: Delivery, now: datetime) -> float:
        key = f"{delivery.id}:{delivery.status}"
        first = courier.seen.setdefault(key, now)
        return _minutes(now - first)

    def _ride(self, courier: SimCourier, deliveries: list[Delivery], metres: float, now: datetime) -> None:
        store_position = self.ctx.store.address.position or courier.position
        for delivery in deliveries:
            if delivery.status is DeliveryStatus.PENDING:
                rng = self.ctx.rng("courier-decision", delivery.id)
                think, rejects = rng.uniform(0.2, 1.0), rng.random() < REJECT_SHARE
                if self._since(courier, delivery, now) >= think:
                    self._act(
                        courier, delivery, "delivery.reject" if rejects else "delivery.accept", EmptyBody()
                    )
        to_pick = [d for d in deliveries if d.status in _TO_PICK]
        carrying = [d for d in deliveries if d.status in _CARRYING]
        # with a bag on board, a courier goes back to the counter only for bags marked ready: it never waits there
        if to_pick and (not carrying or any(self._marked_ready(d) for d in to_pick)):
            target = to_pick[0].pickup.position or store_position
            courier.position, arrived = move_toward(courier.position, target, metres)
            if arrived:
                for delivery in to_pick:
                    self._at_merchant(courier, delivery, now)
        elif carrying:
            delivery = carrying[0]
            if delivery.status is DeliveryStatus.ARRIVED_AT_CUSTOMER:
                if self._since(courier, delivery, now) >= self.ctx.rng("handover", delivery.id).uniform(
                    0.5, 2.0
                ):
                    order = self._order(delivery.order_id)
                    if order is not None and order.delivery_code:
                        self._act(courier, delivery, "delivery.delivered", CodeBody(code=order.delivery_code))
            else:
                target = delivery.dropoff.position or courier.position
                courier.position, arrived = move_toward(courier.position, target, metres)
                if arrived:
                    self._act(courier, delivery, "delivery.arrived_at_customer", EmptyBody())
        elif distance_m(courier.position, store_position) > 300:  # idle: drift back toward the restaurant
            courier.position, _ = move_toward(courier.position, store_position, metres * 0.5)
        self._report_position(courier)

    def _at_merchant(self, courier: SimCourier, delivery: Delivery, now: datetime) -> None:
        if delivery.status is DeliveryStatus.ACCEPTED:
            self._act(courier, delivery, "delivery.arrived_at_merchant", EmptyBody())
            return
        order = self._order(delivery.order_id)
        if order is None or order.status in (OrderStatus.CANCELLED,) or not order.pickup_code:
            return
        if order.status is OrderStatus.READY_FOR_PICKUP or self._forgot_ready(courier, delivery, order, now):
            self._act(courier, delivery, "delivery.picked_up", CodeBody(code=order.pickup_code))

    def _marked_ready(self, delivery: Delivery) -> bool:
        order = self._order(delivery.order_id)
        return order is not None and order.status is OrderStatus.READY_FOR_PICKUP

    def _forgot_ready(self, courier: SimCourier, delivery: Delivery, order: Order, now: datetime) -> bool:
        """The promised ready time (on the platform's clock: the one the counter reads) is past and the courier
        has waited `PICKUP_ANYWAY_AFTER_MINUTES` (simulated) at the counter."""
        waited = self._since(courier, delivery, now)  # counted from the first look at the counter
        promised = order.promised_ready_at
        return promised is not None and platform_now() >= promised and waited >= PICKUP_ANYWAY_AFTER_MINUTES

    def _order(self, order_id: str) -> Order | None:
        tracked = self.ctx.orders.get(order_id)
        if tracked is not None:
            return tracked.order
        try:
            return self.ctx.client.get_order(order_id)
        except NotFound:
            return None
        except PlatformError as error:
            self.ctx.failed(f"order:{order_id}", t("simulate.log.action_failed", action="order"), error)
            return None

    def _act(self, courier: SimCourier, delivery: Delivery, action: str, body: EmptyBody | CodeBody) -> None:
        try:
            self.ctx.client.act(action, delivery.id, body)
        except PlatformError as error:
            key = f"{action}:{delivery.id}"
            self.ctx.failed(key, t("simulate.log.action_failed", action=action), error)
            return
        self.ctx.log(
            t(
                "simulate.log.courier",
                courier=courier.name,
                action=action,
                number=f"#{delivery.order_number:04d}",
            )
        )

    def _report_position(self, courier: SimCourier) -> None:
        """When it moved, and every few minutes while it stands still (as a handheld's app does): dispatch treats a
        position 15 minutes old as unknown, and a courier waiting at the store is the one it should send."""
        still = courier.sent_position is not None and distance_m(courier.sent_position, courier.position) < 5
        if still and time.monotonic() - courier.sent_at < POSITION_REFRESH_S:
            return
        self._state(courier, CourierStateBody(position=courier.position))

    def _state(self, courier: SimCourier, body: CourierStateBody) -> None:
        try:
            self.ctx.client.act("courier.state", courier.id, body)
        except PlatformError as error:
            self.ctx.failed(
                f"state:{courier.id}", t("simulate.log.action_failed", action="courier.state"), error
            )
            return
        if body.position is not None:  # every report sends where the courier is now
            courier.sent_position = courier.position
            courier.sent_at = time.monotonic()
