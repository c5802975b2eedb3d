"""Chases and refunds on an order: the customer's chase, the store's answer, the store's refunds.

A second controller on `/v1/orders` (beside `OrderController`), so these routes live with their own services
(`o2o_tui/platform/chases.py`, `refunds.py`).
"""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.params import FromPath, JSONBody

from o2o_tui.domain.chases import ChaseBody, ChaseReplyBody
from o2o_tui.domain.identity import Role
from o2o_tui.domain.order import Order
from o2o_tui.domain.refunds import RefundBody
from o2o_tui.platform import chases, refunds
from o2o_tui.platform.pipeline import MUTATION_GUARDS, idempotent
from o2o_tui.platform.roles import may
from o2o_tui.platform.routes.errors import CHANGE_ERRORS
from o2o_tui.platform.routes.orders import order_answer

_ONE = "/{order_id:str}"


class OrderCareController(Controller):
    path = "/v1/orders"

    @post(
        _ONE + "/chase",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.CUSTOMER),
    )
    async def chase(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[ChaseBody]
    ) -> Response[Order]:
        return await idempotent(request, lambda ctx: order_answer(ctx, chases.chase(ctx, order_id, data)))

    @post(
        _ONE + "/chase/reply",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def chase_reply(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[ChaseReplyBody]
    ) -> Response[Order]:
        return await idempotent(request, lambda ctx: order_answer(ctx, chases.reply(ctx, order_id, data)))

    @post(
        _ONE + "/refund",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def refund(
        self, request: Request[Any, Any, Any], order_id: FromPath[str], data: JSONBody[RefundBody]
    ) -> Response[Order]:
        return await idempotent(request, lambda ctx: order_answer(ctx, refunds.refund(ctx, order_id, data)))
