"""Couriers (list, one, duty and position) and deliveries (list, one, the courier's actions, problems)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post, put
from litestar.params import FromPath, FromQuery, JSONBody

from o2o_tui.domain.fleet import Courier, CourierList, Delivery, DeliveryList
from o2o_tui.domain.identity import Role
from o2o_tui.domain.requests import CodeBody, CourierStateBody, EmptyBody, ProblemBody
from o2o_tui.domain.transitions import DeliveryAction
from o2o_tui.platform import fleet, views
from o2o_tui.platform.pipeline import MUTATION_GUARDS, answer, idempotent
from o2o_tui.platform.roles import may
from o2o_tui.platform.routes.errors import CHANGE_ERRORS, LIST_ERRORS, READ_ERRORS
from o2o_tui.platform.state import platform_of

_ONE = "/{delivery_id:str}"


class CourierController(Controller):
    path = "/v1/couriers"

    @get("/", responses=LIST_ERRORS, opt=may(Role.MERCHANT, Role.DISPATCHER))
    async def list_couriers(
        self, request: Request[Any, Any, Any], store_id: FromQuery[str | None] = None
    ) -> Response[CourierList]:
        with platform_of(request).reading(request) as ctx:
            return answer(CourierList(couriers=fleet.list_couriers(ctx, store_id)))

    @get("/{courier_id:str}", responses=READ_ERRORS, opt=may(Role.MERCHANT, Role.DISPATCHER, Role.COURIER))
    async def get_courier(
        self, request: Request[Any, Any, Any], courier_id: FromPath[str]
    ) -> Response[Courier]:
        with platform_of(request).reading(request) as ctx:
            return answer(fleet.get_courier(ctx, courier_id))

    @put("/{courier_id:str}/state", guards=MUTATION_GUARDS, responses=CHANGE_ERRORS, opt=may(Role.COURIER))
    async def put_state(
        self, request: Request[Any, Any, Any], courier_id: FromPath[str], data: JSONBody[CourierStateBody]
    ) -> Response[Courier]:
        return await idempotent(request, lambda ctx: (fleet.set_courier_state(ctx, courier_id, data), 200))


class DeliveryController(Controller):
    path = "/v1/deliveries"

    @get("/", responses=LIST_ERRORS, opt=may(Role.COURIER, Role.DISPATCHER))
    async def list_deliveries(
        self,
        request: Request[Any, Any, Any],
        courier_id: FromQuery[str | None] = None,
        active: FromQuery[bool] = False,
    ) -> Response[DeliveryList]:
        with platform_of(request).reading(request) as ctx:
            found = fleet.list_deliveries(ctx, courier_id, active)
            return answer(DeliveryList(deliveries=[views.delivery_view(d, ctx.caller) for d in found]))

    @get(_ONE, responses=READ_ERRORS, opt=may(Role.COURIER, Role.DISPATCHER))
    async def get_delivery(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[str]
    ) -> Response[Delivery]:
        with platform_of(request).reading(request) as ctx:
            return answer(views.delivery_view(fleet.get_delivery(ctx, delivery_id), ctx.caller))

    @post(
        _ONE + "/problem",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.COURIER),
    )
    async def report_problem(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[str], data: JSONBody[ProblemBody]
    ) -> Response[Delivery]:
        return await idempotent(
            request,
            lambda ctx: (views.delivery_view(fleet.report_problem(ctx, delivery_id, data), ctx.caller), 200),
        )

    async def _act(
        self,
        request: Request[Any, Any, Any],
        delivery_id: FromPath[str],
        action: DeliveryAction,
        code: str | None,
    ) -> Response[Delivery]:
        return await idempotent(
            request,
            lambda ctx: (
                views.delivery_view(fleet.delivery_action(ctx, delivery_id, action, code), ctx.caller),
                200,
            ),
        )

    @post(
        _ONE + "/accept",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.COURIER),
    )
    async def accept(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Delivery]:
        return await self._act(request, delivery_id, DeliveryAction.ACCEPT, None)

    @post(
        _ONE + "/reject",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.COURIER),
    )
    async def reject(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Delivery]:
        return await self._act(request, delivery_id, DeliveryAction.REJECT, None)

    @post(
        _ONE + "/arrived-at-merchant",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.COURIER),
    )
    async def arrived_at_merchant(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Delivery]:
        return await self._act(request, delivery_id, DeliveryAction.ARRIVED_AT_MERCHANT, None)

    @post(
        _ONE + "/picked-up",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.COURIER),
    )
    async def picked_up(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[str], data: JSONBody[CodeBody]
    ) -> Response[Delivery]:
        return await self._act(request, delivery_id, DeliveryAction.PICKED_UP, data.code)

    @post(
        _ONE + "/arrived-at-customer",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.COURIER),
    )
    async def arrived_at_customer(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Delivery]:
        return await self._act(request, delivery_id, DeliveryAction.ARRIVED_AT_CUSTOMER, None)

    @post(
        _ONE + "/delivered",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.COURIER),
    )
    async def delivered(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[str], data: JSONBody[CodeBody]
    ) -> Response[Delivery]:
        return await self._act(request, delivery_id, DeliveryAction.DELIVERED, data.code)

    @post(
        _ONE + "/return",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.COURIER),
    )
    async def return_(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Delivery]:
        return await self._act(request, delivery_id, DeliveryAction.RETURN, None)

    @post(
        _ONE + "/returned",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.COURIER),
    )
    async def returned(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Delivery]:
        return await self._act(request, delivery_id, DeliveryAction.RETURNED, None)

    @post(
        _ONE + "/food-back",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.COURIER, admin=False),
    )
    async def food_back(
        self, request: Request[Any, Any, Any], delivery_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[Delivery]:
        """The courier whose refused pickup left them with the order's food brought it back to the store."""
        return await idempotent(
            request, lambda ctx: (views.delivery_view(fleet.food_back(ctx, delivery_id), ctx.caller), 200)
        )
