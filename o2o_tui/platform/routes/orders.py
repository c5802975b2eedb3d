"""Orders: the list and one order, the customer's placing and cancelling, the merchant's actions, assignment."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody, QueryParameter

from o2o_tui.domain.fleet import Delivery
from o2o_tui.domain.identity import Role
from o2o_tui.domain.order import Order, OrderPage, OrderStatus
from o2o_tui.domain.requests import (
    AssignBody,
    CodeBody,
    ConfirmBody,
    CreateOrderBody,
    DelayBody,
    EmptyBody,
    ReasonBody,
    UnassignBody,
)
from o2o_tui.domain.transitions import OrderAction
from o2o_tui.platform import fleet, orders, views
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import validation
from o2o_tui.platform.pipeline import MUTATION_GUARDS, answer, idempotent
from o2o_tui.platform.roles import may
from o2o_tui.platform.routes.errors import CHANGE_ERRORS, LIST_ERRORS, READ_ERRORS
from o2o_tui.platform.state import platform_of

_ONE = "/{order_id:str}"


def order_answer(ctx: Ctx, stored: orders.StoredOrder, status: int = 200) -> tuple[Order, int]:
    return views.order_view(stored.order, ctx.caller, stored.customer_id), status


def _statuses(values: list[str]) -> list[OrderStatus]:
    found = []
    for value in values:
        for part in value.split(","):
            if not part:
                continue
            try:
                found.append(OrderStatus(part.strip().upper()))
            except ValueError as error:
                raise validation("status", f"unknown status {part}") from error
    return found


def _as_utc(name: str, moment: datetime | None) -> datetime | None:
    """A query time as UTC; a time without an offset, or one the calendar cannot hold in UTC, is a 422."""
    if moment is None:
        return None
    if moment.tzinfo is None:
        raise validation(name, "a time with its UTC offset")
    try:
        return moment.astimezone(UTC)
    except OverflowError as error:
        raise validation(name, "a time within the calendar") from error


class OrderController(Controller):
    path = "/v1/orders"

    @get("/", responses=LIST_ERRORS, opt=may(Role.MERCHANT, Role.DISPATCHER, Role.CUSTOMER))
    async def list_orders(
        self,
        request: Request[Any, Any, Any],
        store_id: FromQuery[str | None] = None,
        status: FromQuery[list[str] | None] = None,
        updated_after: FromQuery[datetime | None] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=orders.MAX_PAGE)] = orders.DEFAULT_PAGE,
        cursor: FromQuery[str | None] = None,
    ) -> Response[OrderPage]:
        since = _as_utc("updated_after", updated_after)
        with platform_of(request).reading(request) as ctx:
            found, next_cursor = orders.list_orders(
                ctx,
                store_id=store_id,
                statuses=_statuses(status or []),
                updated_after=since,
                limit=limit,
                cursor=cursor,
            )
            shown = [views.order_view(s.order, ctx.caller, s.customer_id) for s in found]
        return answer(OrderPage(orders=shown, next_cursor=next_cursor))

    @post(
        "/",
        guards=MUTATION_GUARDS,
        responses={**CHANGE_ERRORS, 200: ResponseSpec(Order, description="this order id was placed before")},
        opt=may(Role.CUSTOMER),
    )
    async def create_order(
        self, request: Request[Any, Any, Any], data: JSONBody[CreateOrderBody]
    ) -> Response[Order]:
        def change(ctx: Ctx) -> tuple[Order, int]:
            stored, created = orders.create(ctx, data)
            return order_answer(ctx, stored, 201 if created else 200)

        return await idempotent(request, change)

    @get(_ONE, responses=READ_ERRORS, opt=may(Role.MERCHANT, Role.DISPATCHER, Role.CUSTOMER))
    async def get_order(self, request: Request[Any, Any, Any], order_id: FromPath[str]) -> Response[Order]:
        with platform_of(request).reading(request) as ctx:
            stored = orders.get(ctx, order_id)
            return answer(views.order_view(stored.order, ctx.caller, stored.customer_id))

    @post(
        _ONE + "/confirm",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def confirm(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[ConfirmBody]
    ) -> Response[Order]:
        key = request.headers.get("idempotency-key")  # checked by `idempotent` before the change runs

        def change(ctx: Ctx) -> tuple[Order, int]:
            return order_answer(ctx, orders.confirm(ctx, order_id, data.preparation_minutes, data.auto, key))

        return await idempotent(request, change)

    @post(
        _ONE + "/delay",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def delay(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[DelayBody]
    ) -> Response[Order]:
        return await idempotent(request, lambda ctx: order_answer(ctx, orders.delay(ctx, order_id, data.minutes)))

    @post(
        _ONE + "/reject",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def reject(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[ReasonBody]
    ) -> Response[Order]:
        return await idempotent(request, lambda ctx: order_answer(ctx, orders.reject(ctx, order_id, data)))

    @post(
        _ONE + "/preparing",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def preparing(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Order]:
        return await self._simple(request, order_id, OrderAction.PREPARING)

    @post(
        _ONE + "/ready",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def ready(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Order]:
        return await self._simple(request, order_id, OrderAction.READY)

    @post(
        _ONE + "/dispatch",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT, Role.DISPATCHER),
    )
    async def dispatch(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Order]:
        return await self._simple(request, order_id, OrderAction.DISPATCH)

    @post(
        _ONE + "/delivered",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT, Role.DISPATCHER),
    )
    async def delivered(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Order]:
        return await self._simple(request, order_id, OrderAction.DELIVERED)

    @staticmethod
    async def _simple(
        request: Request[Any, Any, Any], order_id: FromPath[str], action: OrderAction
    ) -> Response[Order]:
        return await idempotent(request, lambda ctx: order_answer(ctx, orders.simple(ctx, order_id, action)))

    @post(
        _ONE + "/handoff",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def handoff(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[CodeBody]
    ) -> Response[Order]:
        return await idempotent(
            request, lambda ctx: order_answer(ctx, orders.handoff(ctx, order_id, data.code))
        )

    @post(
        _ONE + "/code-lock/lift",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT, Role.DISPATCHER),
    )
    async def lift_code_lock(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Order]:
        return await idempotent(request, lambda ctx: order_answer(ctx, orders.lift_code_lock(ctx, order_id)))

    @post(
        _ONE + "/food-received",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT, admin=False),
    )
    async def food_received(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Order]:
        """The store has the food of a refused pickup back at the counter (the courier never said so)."""
        return await idempotent(request, lambda ctx: order_answer(ctx, fleet.food_received(ctx, order_id)))

    @post(
        _ONE + "/cancel",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT, Role.CUSTOMER),
    )
    async def cancel(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[ReasonBody]
    ) -> Response[Order]:
        return await idempotent(request, lambda ctx: order_answer(ctx, orders.cancel(ctx, order_id, data)))

    @post(
        _ONE + "/cancellation",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT, Role.CUSTOMER),
    )
    async def request_cancellation(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[ReasonBody]
    ) -> Response[Order]:
        return await idempotent(
            request, lambda ctx: order_answer(ctx, orders.request_cancellation(ctx, order_id, data))
        )

    @post(
        _ONE + "/cancellation/accept",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def accept_cancellation(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Order]:
        return await idempotent(
            request, lambda ctx: order_answer(ctx, orders.accept_cancellation(ctx, order_id))
        )

    @post(
        _ONE + "/cancellation/deny",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def deny_cancellation(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[ReasonBody]
    ) -> Response[Order]:
        return await idempotent(
            request, lambda ctx: order_answer(ctx, orders.deny_cancellation(ctx, order_id, data))
        )

    @post(
        _ONE + "/assign",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT, Role.DISPATCHER),
    )
    async def assign(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[AssignBody]
    ) -> Response[Delivery]:
        return await idempotent(
            request,
            lambda ctx: (
                views.delivery_view(fleet.assign(ctx, order_id, data.courier_id, data.expect_courier_id), ctx.caller),
                200,
            ),
        )

    @post(
        _ONE + "/unassign",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT, Role.DISPATCHER),
    )
    async def unassign(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[UnassignBody]
    ) -> Response[Order]:
        def change(ctx: Ctx) -> tuple[Order, int]:
            order = fleet.unassign(ctx, order_id, data.expect_courier_id)
            stored = orders.load(ctx.conn, order_id)
            assert stored is not None
            return order_answer(ctx, orders.StoredOrder(order, stored.customer_id))

        return await idempotent(request, change)
