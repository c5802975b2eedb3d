"""Couriers a person drives (from the handheld screen, say): the simulator never rides, accepts, picks up or
delivers for them; it only offers each one order at a time while the courier is on duty and has nothing to do,
so a person trying the demo gets work without anyone at the counter dispatching by hand.

Nobody may be at that handheld (the demo prints how to open it, and the person may never do so): an offer still
unanswered after `OFFER_STANDS_MINUTES` is taken back and the fleet's dispatcher gives the order to a simulated
courier. Until the person answers an offer (accepts or turns it down), offers go only to orders still in the
kitchen, so an offer taken back never keeps a bag waiting at the counter; the next offer comes as before, so a
handheld opened later still gets work."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime, timedelta

import msgspec

from o2o_tui.client.errors import NotFound, PlatformError
from o2o_tui.domain.fleet import Courier, CourierStatus
from o2o_tui.domain.order import Order, OrderStatus, OrderType
from o2o_tui.domain.requests import AssignBody, UnassignBody
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import t
from o2o_tui.platform.simulator.state import SimContext

OFFER_AFTER_IDLE_MINUTES = 1.0  # a breath between one delivery and the next offer
OFFER_STANDS_MINUTES = 5.0  # an unanswered offer is taken back then (75 real seconds at the demo's 4x)
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


@dataclass(slots=True)
class _Offer:
    order_id: str
    delivery_id: str
    made_at: datetime  # sim time


class PeoplesCouriers:
    def __init__(self, ctx: SimContext, courier_ids: Collection[str]) -> None:
        self.ctx = ctx
        self.ids = frozenset(courier_ids)
        self._offered: dict[str, set[str]] = {courier_id: set() for courier_id in self.ids}
        self._free_since: dict[str, datetime] = {}
        self._open: dict[str, _Offer] = {}  # courier id -> the offer it has not been seen to answer yet
        self._answered: set[str] = set()  # couriers whose person answered their last offer (someone is there)

    def act(self, now: datetime, couriers: list[Courier]) -> None:
        """Take back offers nobody answered in time; offer an order to each of the person's couriers that is on
        duty, free, and has been for a minute."""
        for courier in couriers:
            if courier.id not in self.ids:
                continue
            if courier.id in self._open:
                self._follow(courier, now)
            if courier.status is not CourierStatus.IDLE or courier.delivery_ids:
                self._free_since.pop(courier.id, None)
                continue
            since = self._free_since.setdefault(courier.id, now)
            if _minutes(now - since) >= OFFER_AFTER_IDLE_MINUTES:
                self._offer(courier, now)

    def _follow(self, courier: Courier, now: datetime) -> None:
        """What became of the courier's open offer: answered (someone is at the handheld), ended by others (the
        customer cancelled), or still waiting past `OFFER_STANDS_MINUTES` (taken back)."""
        offer = self._open[courier.id]
        if offer.delivery_id in courier.delivery_ids and _minutes(now - offer.made_at) < OFFER_STANDS_MINUTES:
            return  # no call while the offer stands
        try:
            delivery = self.ctx.client.get_delivery(offer.delivery_id)
        except NotFound:
            del self._open[courier.id]
            return
        except PlatformError as error:
            self.ctx.failed("deliveries", t("simulate.log.action_failed", action="deliveries"), error)
            return  # asked again on the next step
        del self._open[courier.id]
        if delivery.status is DeliveryStatus.PENDING:
            self._answered.discard(courier.id)
            self._take_back(courier, offer, now)
        elif delivery.status is not DeliveryStatus.CANCELLED:  # accepted or turned down: someone is there
            self._answered.add(courier.id)

    def _take_back(self, courier: Courier, offer: _Offer, now: datetime) -> None:
        try:
            order: Order = self.ctx.client.act("order.unassign", offer.order_id, UnassignBody())
        except PlatformError as error:
            self.ctx.failed(
                f"unassign:{offer.order_id}", t("simulate.log.action_failed", action="unassign"), error
            )
            return
        self._free_since.pop(courier.id, None)
        self.ctx.track(order, now)  # no courier any more: the fleet's dispatcher may take it in this step
        self.ctx.log(t("simulate.log.taken_back", number=order.display_number, courier=courier.name))

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
        someone_there = courier.id in self._answered
        candidates = [
            tracked.order
            for tracked in self.ctx.orders.values()
            if offerable(tracked.order)
            and tracked.order.id not in offered
            and (someone_there or tracked.order.status is not OrderStatus.READY_FOR_PICKUP)
        ]
        if not candidates:
            return
        if someone_there:  # the bag nearest to ready: the courier waits least at the counter
            order = min(candidates, key=lambda o: (_PROGRESS[o.status], o.created_at, o.id))
        else:  # the order furthest from ready: taken back, it has lost the fleet nothing
            order = max(candidates, key=lambda o: (_PROGRESS[o.status], o.created_at, o.id))
        offered.add(order.id)
        try:
            delivery = self.ctx.client.act("order.assign", order.id, AssignBody(courier_id=courier.id))
        except PlatformError as error:
            self.ctx.failed(f"assign:{order.id}", t("simulate.log.action_failed", action="assign"), error)
            return
        self.ctx.stats.offered_to_people += 1
        self._free_since.pop(courier.id, None)
        self._open[courier.id] = _Offer(order.id, delivery.id, now)
        tracked = self.ctx.orders.get(order.id)
        if tracked is not None:
            tracked.order = msgspec.structs.replace(order, courier_id=courier.id, delivery_id=delivery.id)
        self.ctx.log(t("simulate.log.offered", number=order.display_number, courier=courier.name))
