"""`--auto-merchant`: a store that confirms, prepares, readies, hands off and dispatches by itself."""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime, timedelta

import msgspec

from o2o_tui.client.errors import PlatformError
from o2o_tui.domain.fleet import Courier, CourierStatus
from o2o_tui.domain.geo import distance_m
from o2o_tui.domain.order import ENDED_STATUSES, OrderStatus, OrderType
from o2o_tui.domain.requests import (
    AssignBody,
    CodeBody,
    ConfirmBody,
    EmptyBody,
    ReasonBody,
    StoreStatusBody,
)
from o2o_tui.domain.schedule import is_held
from o2o_tui.domain.store import StoreState
from o2o_tui.i18n import t
from o2o_tui.platform.simulator.state import SimContext, Tracked

ASSIGN_BEFORE_READY_MINUTES = 8.0


def _minutes(delta: timedelta) -> float:
    return delta / timedelta(minutes=1)


class AutoMerchant:
    def __init__(self, ctx: SimContext, skip: Collection[str] = (), *, dispatch_only: bool = False) -> None:
        """`dispatch_only`: only the fleet's dispatcher (assign a courier to each delivery the store accepted,
        as its ready time nears): a person at the counter does the rest (the demo)."""
        self.ctx = ctx
        # couriers people drive get their offers one at a time, from `PeoplesCouriers`
        self.skip = frozenset(skip)
        self.dispatch_only = dispatch_only
        self._held_seen: dict[str, datetime] = {}  # order for later -> the sim time it was last seen held

    def act(self, now: datetime, couriers: list[Courier]) -> None:
        free = [
            c
            for c in couriers
            if c.id not in self.skip
            and c.status is not CourierStatus.OFFLINE
            and len(c.delivery_ids) < c.capacity
        ]
        for tracked in list(self.ctx.orders.values()):
            if tracked.order.status in ENDED_STATUSES:
                continue
            self._act_on(tracked, now, free)

    def _rng_key(self, tracked: Tracked) -> object:
        return tracked.index if tracked.index is not None else tracked.order.id

    def _act_on(self, tracked: Tracked, now: datetime, free: list[Courier]) -> None:
        order = tracked.order
        rng = self.ctx.rng("merchant", self._rng_key(tracked))
        think = rng.uniform(0.5, 2.5)
        prep = rng.randint(8, 20)
        accept_cancellation = rng.random() < 0.75
        in_status = _minutes(now - tracked.status_since)
        if self.dispatch_only:
            self._dispatch(tracked, now, free, prep)
            return
        if order.cancellation is not None and in_status >= 1.0:
            if accept_cancellation:
                self._do(tracked, "order.cancellation.accept", EmptyBody(), now)
            else:
                self._do(tracked, "order.cancellation.deny", ReasonBody(reason_code="ALREADY_COOKING"), now)
            return
        status = order.status
        if is_held(order):  # an order for later: accepted and cooked once the platform releases it, not now
            self._held_seen[order.id] = now
            return
        if status is not OrderStatus.CREATED:
            self._held_seen.pop(order.id, None)
        elif order.id in self._held_seen:  # released: think from the ring, not from the placing
            in_status = _minutes(now - self._held_seen[order.id])
        if status is OrderStatus.CREATED and in_status >= think:
            self._do(tracked, "order.confirm", ConfirmBody(preparation_minutes=prep), now)
        elif status is OrderStatus.CONFIRMED and in_status >= 1.0:
            self._do(tracked, "order.preparing", EmptyBody(), now)
        elif status in (OrderStatus.CONFIRMED, OrderStatus.PREPARING):
            started = tracked.confirmed_seen or tracked.status_since
            minutes_to_ready = (order.preparation_minutes or prep) - _minutes(now - started)
            if status is OrderStatus.PREPARING and minutes_to_ready <= 0:
                self._do(tracked, "order.ready", EmptyBody(), now)
            elif order.type is OrderType.DELIVERY and minutes_to_ready <= ASSIGN_BEFORE_READY_MINUTES:
                self._assign(tracked, free, now)
        elif status is OrderStatus.READY_FOR_PICKUP:
            if order.type is OrderType.DELIVERY:
                self._assign(tracked, free, now)
            elif (
                in_status >= (tracked.plan.pickup_after_ready if tracked.plan else 5.0) and order.pickup_code
            ):
                self._do(tracked, "order.handoff", CodeBody(code=order.pickup_code), now)

    def _dispatch(self, tracked: Tracked, now: datetime, free: list[Courier], prep: int) -> None:
        """A courier for a delivery that is ready, or will be within `ASSIGN_BEFORE_READY_MINUTES`."""
        order = tracked.order
        if order.type is not OrderType.DELIVERY or order.cancellation is not None:
            return
        if order.status is OrderStatus.READY_FOR_PICKUP:
            self._assign(tracked, free, now)
        elif order.status in (OrderStatus.CONFIRMED, OrderStatus.PREPARING):
            started = tracked.confirmed_seen or tracked.status_since
            if (order.preparation_minutes or prep) - _minutes(now - started) <= ASSIGN_BEFORE_READY_MINUTES:
                self._assign(tracked, free, now)

    def _assign(self, tracked: Tracked, free: list[Courier], now: datetime) -> None:
        if tracked.order.courier_id or not free:
            return
        origin = self.ctx.store.address.position
        nearest = min(
            free,
            key=lambda c: (
                distance_m(c.position, origin) if c.position and origin else 0.0,
                len(c.delivery_ids),
            ),
        )
        try:
            delivery = self.ctx.client.act(
                "order.assign", tracked.order.id, AssignBody(courier_id=nearest.id)
            )
        except PlatformError as error:
            self.ctx.failed(
                f"assign:{tracked.order.id}", t("simulate.log.action_failed", action="assign"), error
            )
            return
        free.remove(nearest)
        ids = [*nearest.delivery_ids, delivery.id]
        if len(ids) < nearest.capacity:
            free.append(msgspec.structs.replace(nearest, delivery_ids=ids))
        tracked.order = msgspec.structs.replace(tracked.order, courier_id=nearest.id, delivery_id=delivery.id)
        self.ctx.log(t("simulate.log.assigned", number=tracked.order.display_number, courier=nearest.name))

    def _do(self, tracked: Tracked, action: str, body: msgspec.Struct, now: datetime) -> None:
        try:
            updated = self.ctx.client.act(action, tracked.order.id, body)
        except PlatformError as error:
            self.ctx.failed(
                f"{action}:{tracked.order.id}", t("simulate.log.action_failed", action=action), error
            )
            return
        self.ctx.track(updated, now)
        self.ctx.log(t("simulate.log.merchant", number=tracked.order.display_number, action=action))

    def reopen_if_auto_paused(self) -> bool:
        """The platform pauses a store nobody polls for; a headless run reopens it (admin may)."""
        ctx = self.ctx
        try:
            store = ctx.client.get_store(ctx.store.id)
            if store.status.state is StoreState.PAUSED and store.status.auto:
                ctx.store = ctx.client.act("store.status", store.id, StoreStatusBody(state=StoreState.ONLINE))
                ctx.log(t("simulate.log.reopened"))
                return True
        except PlatformError as error:
            ctx.failed("reopen", t("simulate.log.action_failed", action="store.status"), error)
        return False
