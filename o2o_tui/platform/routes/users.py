"""Users, for an administrator only: disable one (offboarding) and enable it again (offboarding.py)."""

from __future__ import annotations

from typing import Any

from litestar import Controller, Request, Response, post
from litestar.params import FromPath, JSONBody

from o2o_tui.domain.requests import EmptyBody
from o2o_tui.platform import offboarding
from o2o_tui.platform.offboarding import UserState
from o2o_tui.platform.pipeline import MUTATION_GUARDS, idempotent
from o2o_tui.platform.roles import may
from o2o_tui.platform.routes.errors import CHANGE_ERRORS


class UserController(Controller):
    path = "/v1/users"

    @post(
        "/{user_id:str}/disable",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(),
    )
    async def disable(
        self, request: Request[Any, Any, Any], user_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[UserState]:
        return await idempotent(request, lambda ctx: (offboarding.set_user_disabled(ctx, user_id, True), 200))

    @post(
        "/{user_id:str}/enable",
        status_code=200,
        guards=MUTATION_GUARDS,
        responses=CHANGE_ERRORS,
        opt=may(),
    )
    async def enable(
        self, request: Request[Any, Any, Any], user_id: FromPath[str], data: JSONBody[EmptyBody]
    ) -> Response[UserState]:
        return await idempotent(request, lambda ctx: (offboarding.set_user_disabled(ctx, user_id, False), 200))
