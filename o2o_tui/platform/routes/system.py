"""Health, the OpenAPI document, who am I, and the event feed (long-poll)."""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, Response, get
from litestar.params import FromQuery, QueryParameter

from o2o_tui.domain.events import EventPage
from o2o_tui.domain.identity import Me, Role
from o2o_tui.platform import db, events, fleet, server_secret, storage_health, stores
from o2o_tui.platform.auth import Caller
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import validation
from o2o_tui.platform.openapi import openapi_document
from o2o_tui.platform.pipeline import answer
from o2o_tui.platform.routes.errors import LIST_ERRORS
from o2o_tui.platform.state import Platform, platform_of
from o2o_tui.platform.write_failures import REFUSED_WRITES, SaidOnce, refused_write

log = logging.getLogger("o2o.platform.heartbeat")
_said = SaidOnce(log)
HEARTBEAT = "the store devices' heartbeat"
# a long poll checks its token again this often while it waits (docs/api.md: refused within 1 s on every process)
TOKEN_RECHECK_SECONDS = 1.0


def _record_poll(platform: Platform, caller: Caller, store_id: str) -> None:
    """Remember that a staff device polled (stores.record_poll). Bookkeeping beside the read: a database that
    refuses the write (its disk full, read-only) does not fail the read; said once per kind, in one line. The
    next try is at the next heartbeat_due."""
    try:
        with db.writing(platform.engine) as conn:
            ctx = Ctx(conn=conn, caller=caller, now=db.utcnow(), settings=platform.settings)
            stores.record_poll(ctx, store_id)
    except REFUSED_WRITES as error:
        if not refused_write(error):  # a bug ("no such table"): the request's 500, with its traceback
            raise
        storage_health.watch_of(platform).failed()  # the grace starts again when the storage is back
        _said.failed(HEARTBEAT, error)
        return
    _said.wrote(HEARTBEAT)
    if ctx.wrote_events:
        platform.notifier.notify(ctx.scopes)


class SystemController(Controller):
    @get("/healthz", include_in_schema=False)
    async def healthz(self, request: Request[Any, Any, Any]) -> Response[Any]:
        """No auth: 200 with the database's schema version, or 503 when the database cannot be read (a load
        balancer's signal); the database is read at most once a second (storage_health)."""
        platform = platform_of(request)
        health = await storage_health.watch_of(platform).health(platform.engine)
        headers = {"Retry-After": "1"} if health.status == 503 else None
        return answer(health.body, health.status, headers)

    @get("/openapi.json", include_in_schema=False)
    async def openapi_json(self, request: Request[Any, Any, Any]) -> Response[Any]:
        return answer(openapi_document(request.app))

    @get("/v1/me", responses=LIST_ERRORS)
    async def me(self, request: Request[Any, Any, Any]) -> Response[Me]:
        platform = platform_of(request)
        me = platform.caller(request).me()
        if me.role is Role.COURIER and me.store_id is None and me.courier_id:
            # a courier user carries no store of its own: a store's own fleet courier is that store's (the
            # courier record says which); a platform courier has none and stays null
            with platform.engine.connect() as conn:
                courier = fleet.load_courier(conn, me.courier_id)
            if courier is not None and courier.store_id:
                me = msgspec.structs.replace(me, store_id=courier.store_id)
        # which platform this is, the same from every server of it: a client moves a profile between them
        me = msgspec.structs.replace(me, platform_id=server_secret.of(platform.settings).platform_id())
        return answer(me)

    @get("/v1/events", responses=LIST_ERRORS)
    async def get_events(
        self,
        request: Request[Any, Any, Any],
        after: FromQuery[str | None] = None,
        # the bound is stated for the OpenAPI only: the handler checks it (and NaN, infinity) with its own message
        wait: Annotated[
            float,
            QueryParameter(
                description="seconds to hold the answer while nothing is newer; at most 60 (a longer wait is 60)",
                schema_extra={"minimum": 0},
            ),
        ] = 0.0,
        limit: Annotated[int, QueryParameter(ge=1, le=events.MAX_LIMIT)] = events.DEFAULT_LIMIT,
    ) -> Response[EventPage]:
        platform = platform_of(request)
        cursor = events.parse_cursor(after)
        if not 1 <= limit <= events.MAX_LIMIT:
            raise validation("limit", f"between 1 and {events.MAX_LIMIT}")
        if not math.isfinite(wait) or wait < 0:
            raise validation("wait", "seconds to wait, >= 0")
        caller = platform.caller(request)
        if (
            caller.role in (Role.MERCHANT, Role.DISPATCHER)
            and caller.store_id
            and platform.heartbeat_due(caller.store_id)
        ):
            _record_poll(platform, caller, caller.store_id)
        scope = events.scope_of(caller)  # woken only by events this caller reads
        loop = asyncio.get_running_loop()
        deadline = loop.time() + min(wait, events.MAX_WAIT_SECONDS)
        recheck = platform.settings.event_recheck_seconds
        read_due = loop.time()
        while True:
            if loop.time() >= read_due:
                with platform.engine.connect() as conn:
                    page = events.read_page(conn, caller, cursor, limit)
                read_due = loop.time() + recheck
                remaining = deadline - loop.time()
                if page.events or page.resync or cursor is None or remaining <= 0 or platform.notifier.closing:
                    return answer(page)
            remaining = deadline - loop.time()
            woken = await platform.notifier.wait(
                max(0.0, min(remaining, read_due - loop.time(), TOKEN_RECHECK_SECONDS)), scope
            )
            # after every wait, so before any page read after one: a token refused meanwhile (revoked, rotated,
            # disabled) ends the poll within about a second with the 401 a new request gets, never with events;
            # the token cache (auth.CACHE_SECONDS) keeps that to one users lookup per token per half second
            platform.caller(request)
            if woken or loop.time() >= deadline:
                read_due = loop.time()
