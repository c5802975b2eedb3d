"""Couriers a person drives (from the handheld screen, say): the simulator never rides, accepts, picks up or
delivers for them; it only offers each one order at a time while the courier is on duty and has nothing to do,
so a person trying the demo gets work without anyone at the counter dispatching by hand."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

import msgspec

from o2o_tui.client.errors import PlatformError
from o2o_tui.domain.fleet import Courier, CourierStatus
from o2o_tui.domain.order import Order, OrderStatus, OrderType
from o2o_tui.domain.requests import AssignBody
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import t
from o2o_tui.platform.simulator.state import SimContext

OFFER_AFTER_IDLE_MINUTES = 1.0  # a breath between one delivery and the next offer
# the order furthest along goes first: its bag is (nearly) ready when the courier gets to the counter
_PROGRESS = {
    OrderStatus.READY_FOR_PICKUP: 0,
    OrderStatus.PREPARING: 1,
    OrderStatus.CONFIRMED: 2,  # not CREATED: the platform assigns a courier only once the merchant accepted
}


def _minutes(delta: timedelta) -> float:
    return delta / timedelta(minutes=1)


def offerable(order: Order) -> bool:
    """A delivery order nobody carries yet, still going, that the customer is not trying to cancel."""
    return (
        order.type is OrderType.DELIVERY
        and order.status in _PROGRESS
        and not order.courier_id
        and order.cancellation is None
    )


class PeoplesCouriers:
    def __init__(self, ctx: SimContext, courier_ids: Collection[str]) -> None:
        self.ctx = ctx
        self.ids = frozenset(courier_ids)
        self._offered: dict[str, set[str]] = {courier_id: set() for courier_id in self.ids}
        self._free_since: dict[str, datetime] = {}

    def act(self, now: datetime, couriers: list[Courier]) -> None:
        """Offer an order to each of the person's couriers that is on duty, free, and has been for a minute."""
        for courier in couriers:
            if courier.id not in self.ids:
                continue
            if courier.status is not CourierStatus.IDLE or courier.delivery_ids:
                self._free_since.pop(courier.id, None)
                continue
            since = self._free_since.setdefault(courier.id, now)
            if _minutes(now - since) >= OFFER_AFTER_IDLE_MINUTES:
                self._offer(courier, now)

    def _offer(self, courier: Courier, now: datetime) -> None:
        offered = self._offered[courier.id]
        try:  # each order is offered to a courier once: a rejected offer does not come back
            offered.update(
                delivery.order_id
                for delivery in self.ctx.client.list_deliveries(courier.id, active=False)
                if delivery.status is DeliveryStatus.REJECTED
            )
        except PlatformError as error:
            self.ctx.failed("deliveries", t("simulate.log.action_failed", action="deliveries"), error)
            return
        candidates = [
            tracked.order
            for tracked in self.ctx.orders.values()
            if offerable(tracked.order) and tracked.order.id not in offered
        ]
        if not candidates:
            return
        order = min(candidates, key=lambda o: (_PROGRESS[o.status], o.created_at, o.id))
        offered.add(order.id)
        try:
            delivery = self.ctx.client.act("order.assign", order.id, AssignBody(courier_id=courier.id))
        except PlatformError as error:
            self.ctx.failed(f"assign:{order.id}", t("simulate.log.action_failed", action="assign"), error)
            return
        self.ctx.stats.offered_to_people += 1
        self._free_since.pop(courier.id, None)
        tracked = self.ctx.orders.get(order.id)
        if tracked is not None:
            tracked.order = msgspec.structs.replace(order, courier_id=courier.id, delivery_id=delivery.id)
        self.ctx.log(t("simulate.log.offered", number=order.display_number, courier=courier.name))
