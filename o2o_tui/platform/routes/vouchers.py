"""Vouchers: an admin issues them, a customer lists and buys them, the store's merchant redeems one by its code."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, get, post
from litestar.openapi.datastructures import ResponseSpec
from litestar.params import FromPath, FromQuery, JSONBody

from o2o_tui.domain.identity import Role
from o2o_tui.domain.requests import CodeBody
from o2o_tui.domain.voucher import Voucher, VoucherBuyBody, VoucherCreateBody, VoucherPage
from o2o_tui.platform import vouchers
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.pipeline import MUTATION_GUARDS, answer, idempotent
from o2o_tui.platform.roles import may
from o2o_tui.platform.routes.errors import CHANGE_ERRORS, LIST_ERRORS
from o2o_tui.platform.state import platform_of


class VoucherController(Controller):
    path = "/v1/vouchers"

    @get("/", responses=LIST_ERRORS, opt=may(Role.CUSTOMER, Role.MERCHANT))
    async def list_vouchers(
        self,
        request: Request[Any, Any, Any],
        store_id: FromQuery[str | None] = None,
        for_sale: FromQuery[bool] = False,
    ) -> Response[VoucherPage]:
        with platform_of(request).reading(request) as ctx:
            found = vouchers.list_vouchers(ctx, store_id=store_id, for_sale=for_sale)
        return answer(VoucherPage(vouchers=found))

    @post(
        "/",
        guards=MUTATION_GUARDS,
        responses={**CHANGE_ERRORS, 200: ResponseSpec(VoucherPage, description="this id was issued before")},
        opt=may(),
    )
    async def create_vouchers(
        self, request: Request[Any, Any, Any], data: JSONBody[VoucherCreateBody]
    ) -> Response[VoucherPage]:
        def change(ctx: Ctx) -> tuple[VoucherPage, int]:
            made, new = vouchers.create(ctx, data)
            return VoucherPage(vouchers=made), 201 if new else 200

        return await idempotent(request, change)

    @post(
        "/{voucher_id:str}/buy",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.CUSTOMER, admin=False),
    )
    async def buy(
        self, request: Request[Any, Any, Any], voucher_id: FromPath[str], data: JSONBody[VoucherBuyBody]
    ) -> Response[Voucher]:
        return await idempotent(request, lambda ctx: (vouchers.buy(ctx, voucher_id, data), 200))


class StoreVoucherController(Controller):
    path = "/v1/stores/{store_id:str}/vouchers"

    @post(
        "/redeem",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT, admin=False),
    )
    async def redeem(
        self, request: Request[Any, Any, Any], store_id: FromPath[str], data: JSONBody[CodeBody]
    ) -> Response[Voucher]:
        return await idempotent(request, lambda ctx: (vouchers.redeem(ctx, store_id, data.code), 200))
