"""A store's figures: `GET /v1/stores/{store_id}/reports/day?date=YYYY-MM-DD` (its merchant and admin)."""

from __future__ import annotations

from typing import Annotated, Any

from litestar import Controller, Request, Response, get
from litestar.openapi.spec import OpenAPIFormat
from litestar.params import FromPath, QueryParameter

from o2o_tui.domain.identity import Role
from o2o_tui.domain.report import DayReport
from o2o_tui.platform import reports
from o2o_tui.platform.pipeline import answer
from o2o_tui.platform.roles import may
from o2o_tui.platform.routes.errors import READ_ERRORS
from o2o_tui.platform.state import platform_of


class ReportController(Controller):
    path = "/v1/stores/{store_id:str}/reports"

    @get("/day", responses=READ_ERRORS, opt=may(Role.MERCHANT))
    async def day(
        self,
        request: Request[Any, Any, Any],
        store_id: FromPath[str],
        date: Annotated[
            str | None,
            QueryParameter(
                description="YYYY-MM-DD on the store's clock; today when left out",
                max_length=10,
                format=OpenAPIFormat.DATE,
            ),
        ] = None,
    ) -> Response[DayReport]:
        with platform_of(request).reading(request) as ctx:
            return answer(reports.day_report(ctx, store_id, date))
