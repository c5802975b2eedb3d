"""Simulated customers: place orders, sometimes chase a late one or cancel."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

from o2o_tui.client.errors import Conflict, PlatformError, ValidationFailed
from o2o_tui.domain.order import ENDED_STATUSES, Order, OrderStatus, OrderType
from o2o_tui.domain.requests import CreateOrderBody, ReasonBody
from o2o_tui.i18n import t
from o2o_tui.platform.simulator import chasing
from o2o_tui.platform.simulator.basket import build_lines
from o2o_tui.platform.simulator.later import Later
from o2o_tui.platform.simulator.people import ORDER_NOTES, new_customer
from o2o_tui.platform.simulator.state import CustomerPlan, SimContext, Tracked
from o2o_tui.safe_text import safe_text

DELIVERY_SHARE = 0.8


def plan_for(rng: random.Random, order_type: OrderType) -> CustomerPlan:
    plan = CustomerPlan(pickup_after_ready=rng.uniform(2, 10))
    roll = rng.random()
    if roll < 0.04:
        plan.cancel_while_created_after = rng.uniform(1, 4)
    elif roll < 0.07:
        plan.request_cancel_after_confirm = rng.uniform(2, 10)
    if rng.random() < 0.10:
        plan.chase_after_minutes = (
            rng.uniform(30, 45) if order_type is OrderType.DELIVERY else rng.uniform(20, 30)
        )
    return plan


def order_body(
    ctx: SimContext, rng: random.Random, now_real: datetime, kind: OrderType | None = None
) -> CreateOrderBody | None:
    """The next simulated order; consumes `rng` the same way for the same menu, so a seed repeats the orders.
    `kind` fixes the order's type (the demo's backlog), else 80% are deliveries."""
    store_position = ctx.store.address.position
    customer = new_customer(rng, store_position)
    order_type = OrderType.DELIVERY if rng.random() < DELIVERY_SHARE else OrderType.TAKEOUT
    order_type = kind or order_type
    note = rng.choice(ORDER_NOTES) if rng.random() < 0.25 else ""
    lines = build_lines(rng, ctx.menu, now_real)
    if not lines:
        return None
    return CreateOrderBody(
        id=str(uuid.uuid4()),
        store_id=ctx.store.id,
        type=order_type,
        lines=lines,
        customer_name=customer.name,
        customer_phone=customer.phone,
        address=customer.address if order_type is OrderType.DELIVERY else None,
        note=note,
    )


class Customers:
    def __init__(self, ctx: SimContext) -> None:
        self.ctx = ctx
        self._order_rng = ctx.rng("orders", "all")
        self._placed_index = 0
        self.later: Later | None = None  # some customers order for later (simulator/later.py)

    def place(self, now: datetime) -> Order | None:
        """Place one order (refused orders are counted and logged, not raised)."""
        ctx = self.ctx
        body = order_body(ctx, self._order_rng, datetime.now(UTC))
        index = self._placed_index
        self._placed_index += 1
        if body is not None and self.later is not None:
            body = self.later.apply(index, body, datetime.now(UTC))
        if body is None:
            ctx.stats.refused += 1
            ctx.log(t("simulate.log.nothing_orderable"))
            return None
        try:
            order = ctx.customer_client.create_order(body)
        except (Conflict, ValidationFailed) as error:
            ctx.stats.refused += 1
            ctx.log(t("simulate.log.refused", reason=error.i18n_message()))
            if error.code == "item_unavailable":
                self.refresh_menu()
            return None
        except PlatformError as error:
            ctx.failed("create", t("simulate.log.create_failed"), error)
            return None
        tracked = ctx.track(order, now)
        tracked.index = index
        tracked.plan = plan_for(ctx.rng("customer", index), order.type)
        ctx.stats.placed += 1
        ctx.stats.order_ids.append(order.id)
        ctx.log(
            t(
                "simulate.log.placed",
                number=order.display_number,
                kind=str(order.type),
                customer=safe_text(order.customer.name, one_line=True),
                lines=len(order.lines),
                count=len(order.lines),
            )
        )
        return order

    def refresh_menu(self) -> None:
        try:
            self.ctx.menu = self.ctx.client.get_menu(self.ctx.store.id)
        except PlatformError as error:
            self.ctx.failed("menu", t("simulate.log.menu_failed"), error)

    def act(self, now: datetime) -> None:
        for tracked in list(self.ctx.orders.values()):
            if tracked.plan is not None and tracked.order.status not in ENDED_STATUSES:
                self._act_on(tracked, tracked.plan, now)

    def _act_on(self, tracked: Tracked, plan: CustomerPlan, now: datetime) -> None:
        order = tracked.order
        ctx = self.ctx
        minutes_since_placed = (now - tracked.first_seen) / timedelta(minutes=1)
        if (
            plan.cancel_while_created_after is not None
            and order.status is OrderStatus.CREATED
            and minutes_since_placed >= plan.cancel_while_created_after
            and "cancel" not in tracked.done_actions
        ):
            tracked.done_actions.add("cancel")
            body = ReasonBody(reason_code="CUSTOMER_CHANGED_MIND", reason="不想要了 changed my mind")
            message = t("simulate.log.customer_cancels", number=order.display_number)
            self._send(tracked, "order.cancel", body, message, now)
        if (
            plan.request_cancel_after_confirm is not None
            and tracked.confirmed_seen is not None
            and order.status in (OrderStatus.CONFIRMED, OrderStatus.PREPARING)
            and order.cancellation is None
            and (now - tracked.confirmed_seen) / timedelta(minutes=1) >= plan.request_cancel_after_confirm
            and "cancel_request" not in tracked.done_actions
        ):
            tracked.done_actions.add("cancel_request")
            ctx.stats.cancel_requests += 1
            body = ReasonBody(reason_code="TAKING_TOO_LONG", reason="等太久了 it is taking too long")
            message = t("simulate.log.customer_requests_cancel", number=order.display_number)
            self._send(tracked, "order.cancellation.request", body, message, now)
        if chasing.wants_to_chase(ctx, tracked, plan, minutes_since_placed):  # the chase API (chasing.py)
            chasing.chase(ctx, tracked, now)

    def _send(self, tracked: Tracked, action: str, body: ReasonBody, message: str, now: datetime) -> None:
        try:
            updated = self.ctx.customer_client.act(action, tracked.order.id, body)
        except PlatformError as error:
            self.ctx.failed(
                f"{action}:{tracked.order.id}", t("simulate.log.action_failed", action=action), error
            )
            return
        self.ctx.log(message)
        if isinstance(updated, Order):
            self.ctx.track(updated, now)
