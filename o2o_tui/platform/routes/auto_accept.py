"""A store's auto-accept: the setting (merchant, admin) and its state, which is also the printing station's
check-in (`?device=`: see `o2o_tui/platform/auto_accept.py`)."""

from __future__ import annotations

import logging
from typing import Annotated, Any

from litestar import Controller, Request, Response, get, put
from litestar.params import FromPath, JSONBody, QueryParameter

from o2o_tui.domain.auto_accept import AutoAcceptBody, AutoAcceptState
from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import DEVICE_NAME_MAX
from o2o_tui.domain.store import Store
from o2o_tui.platform import auto_accept, db
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import validation
from o2o_tui.platform.pipeline import MUTATION_GUARDS, answer, idempotent
from o2o_tui.platform.roles import may
from o2o_tui.platform.routes.errors import CHANGE_ERRORS, READ_ERRORS
from o2o_tui.platform.state import platform_of
from o2o_tui.platform.write_failures import REFUSED_WRITES, SaidOnce, refused_write

_said = SaidOnce(logging.getLogger("o2o.platform.auto_accept"))
CHECK_IN = "the auto-accept check-in of store devices"


class AutoAcceptController(Controller):
    path = "/v1/stores/{store_id:str}/auto-accept"

    @get("/", responses=READ_ERRORS, opt=may(Role.MERCHANT, Role.DISPATCHER))
    async def get_state(
        self,
        request: Request[Any, Any, Any],
        store_id: FromPath[str],
        device: Annotated[
            str, QueryParameter(description="the asking console's device name: a check-in if it is the station")
        ] = "",
        printer_held: Annotated[
            bool,
            QueryParameter(description="the station's check-in: its printer cannot print, so it holds auto-accept"),
        ] = False,
    ) -> Response[AutoAcceptState]:
        if len(device) > DEVICE_NAME_MAX:
            raise validation("device", f"at most {DEVICE_NAME_MAX} characters")
        platform = platform_of(request)
        caller = platform.caller(request)
        try:
            with db.writing(platform.engine) as conn:
                ctx = Ctx(conn=conn, caller=caller, now=db.utcnow(), settings=platform.settings)
                result = auto_accept.state(ctx, store_id, device, printer_held)
        except REFUSED_WRITES as error:  # the disk full, the file read-only: the state without the check-in
            if not refused_write(error):  # a bug ("no such table"): the request's 500, with its traceback
                raise
            _said.failed(CHECK_IN, error)
            with platform.engine.connect() as conn:  # never committed: what it would have written is dropped
                ctx = Ctx(conn=conn, caller=caller, now=db.utcnow(), settings=platform.settings)
                return answer(auto_accept.state(ctx, store_id))
        _said.wrote(CHECK_IN)
        if ctx.wrote_events:
            platform.notifier.notify(ctx.scopes)
        return answer(result)

    @put("/", guards=MUTATION_GUARDS, responses=CHANGE_ERRORS, opt=may(Role.MERCHANT))
    async def put_setting(
        self, request: Request[Any, Any, Any], store_id: FromPath[str], data: JSONBody[AutoAcceptBody]
    ) -> Response[Store]:
        return await idempotent(request, lambda ctx: (auto_accept.change(ctx, store_id, data), 200))
