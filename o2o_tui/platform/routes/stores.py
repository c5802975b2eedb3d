"""A store, its status, its opening hours and its menu; the store-wide pickup-code check."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get, patch, post, put
from litestar.params import FromPath, FromQuery, HeaderParameter, JSONBody, QueryParameter

from o2o_tui.domain.identity import Role
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.requests import (
    CodeBody,
    CodeValidation,
    HoursBody,
    ItemPatchBody,
    MenuIn,
    OptionPatchBody,
    PrepTimeBody,
    StoreStatusBody,
)
from o2o_tui.domain.store import Store
from o2o_tui.domain.store_page import StorePage
from o2o_tui.platform import menus, orders, stores
from o2o_tui.platform.pipeline import MUTATION_GUARDS, answer, idempotent
from o2o_tui.platform.roles import may
from o2o_tui.platform.routes.errors import CHANGE_ERRORS, LIST_ERRORS, MENU_ERRORS, READ_ERRORS
from o2o_tui.platform.state import platform_of
from o2o_tui.platform.views import PublicStore


class StoreListController(Controller):
    """Every store, for the platform operator (admin): a store nobody works at yet is found here too."""

    path = "/v1/stores"

    @get("/", responses=LIST_ERRORS, opt=may())
    async def list_stores(
        self,
        request: Request[Any, Any, Any],
        name: Annotated[
            str | None,
            QueryParameter(description="only stores whose name holds this (case, width and spaces ignored)"),
        ] = None,
        limit: Annotated[int, QueryParameter(ge=1, le=stores.MAX_PAGE)] = stores.DEFAULT_PAGE,
        cursor: FromQuery[str | None] = None,
    ) -> Response[StorePage]:
        with platform_of(request).reading(request) as ctx:
            found, next_cursor = stores.list_page(ctx.conn, ctx.caller, name=name, limit=limit, cursor=cursor)
        return answer(StorePage(stores=found, next_cursor=next_cursor))


class StoreController(Controller):
    path = "/v1/stores/{store_id:str}"

    @get("/", responses=READ_ERRORS, opt=may(Role.MERCHANT, Role.DISPATCHER, Role.CUSTOMER))
    async def get_store(
        self, request: Request[Any, Any, Any], store_id: FromPath[str]
    ) -> Response[Store | PublicStore]:  # a customer gets the public fields only
        with platform_of(request).reading(request) as ctx:
            return answer(stores.get(ctx.conn, ctx.caller, store_id))

    @put("/status", guards=MUTATION_GUARDS, responses=CHANGE_ERRORS, opt=may(Role.MERCHANT))
    async def put_status(
        self, request: Request[Any, Any, Any], store_id: FromPath[str], data: JSONBody[StoreStatusBody]
    ) -> Response[Store]:
        return await idempotent(request, lambda ctx: (stores.set_status(ctx, store_id, data), 200))

    @put("/prep-time", guards=MUTATION_GUARDS, responses=CHANGE_ERRORS, opt=may(Role.MERCHANT))
    async def put_prep_time(
        self, request: Request[Any, Any, Any], store_id: FromPath[str], data: JSONBody[PrepTimeBody]
    ) -> Response[Store]:
        return await idempotent(request, lambda ctx: (stores.set_prep_time(ctx, store_id, data), 200))

    @put("/hours", guards=MUTATION_GUARDS, responses=CHANGE_ERRORS, opt=may(Role.MERCHANT))
    async def put_hours(
        self,
        request: Request[Any, Any, Any],
        store_id: FromPath[str],
        data: JSONBody[HoursBody],
        if_match: Annotated[
            str | None,
            HeaderParameter(
                name="If-Match", description="the version of the hours this change was edited from (optional)"
            ),
        ] = None,
    ) -> Response[Store]:
        return await idempotent(request, lambda ctx: (stores.set_hours(ctx, store_id, data, if_match), 200))

    @get("/menu", responses=READ_ERRORS, opt=may(Role.MERCHANT, Role.DISPATCHER, Role.CUSTOMER))
    async def get_menu(self, request: Request[Any, Any, Any], store_id: FromPath[str]) -> Response[Menu]:
        with platform_of(request).reading(request) as ctx:
            menu = menus.get(ctx, store_id)
        return answer(menu, headers={"ETag": f'"{menu.version}"'})

    @put("/menu", guards=MUTATION_GUARDS, responses=MENU_ERRORS, opt=may(Role.MERCHANT))
    async def put_menu(
        self,
        request: Request[Any, Any, Any],
        store_id: FromPath[str],
        data: JSONBody[MenuIn],
        if_match: Annotated[
            str | None,
            HeaderParameter(name="If-Match", description="the menu version this edit started from"),
        ] = None,
    ) -> Response[Menu]:
        return await idempotent(request, lambda ctx: (menus.publish(ctx, store_id, data, if_match), 200))

    @patch(
        "/menu/items/{item_id:str}",
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def patch_item(
        self,
        request: Request[Any, Any, Any],
        store_id: FromPath[str],
        item_id: FromPath[str],
        data: JSONBody[ItemPatchBody],
    ) -> Response[Menu]:
        return await idempotent(request, lambda ctx: (menus.patch_item(ctx, store_id, item_id, data), 200))

    @patch(
        "/menu/options/{option_id:str}",
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def patch_option(
        self,
        request: Request[Any, Any, Any],
        store_id: FromPath[str],
        option_id: FromPath[str],
        data: JSONBody[OptionPatchBody],
    ) -> Response[Menu]:
        return await idempotent(
            request, lambda ctx: (menus.patch_option(ctx, store_id, option_id, data), 200)
        )

    @post(
        "/validate-code",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(Role.MERCHANT),
    )
    async def validate_code(
        self, request: Request[Any, Any, Any], store_id: FromPath[str], data: JSONBody[CodeBody]
    ) -> Response[CodeValidation]:
        return await idempotent(request, lambda ctx: (orders.validate_code(ctx, store_id, data.code), 200))
