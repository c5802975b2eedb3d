"""The Litestar app: routes of docs/api.md, one short transaction per request, idempotent mutations.

Database calls run on the event loop thread: with SQLite each is a fraction of a millisecond, and running them in
order keeps one writer and lets a commit wake the long-polls directly.
"""

from __future__ import annotations

import asyncio
import logging
import math
import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from datetime import datetime
from typing import Any, TypeVar

import msgspec
from litestar import Litestar, Request, Response, get, patch, post, put
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.openapi import OpenAPIConfig
from sqlalchemy import Engine
from sqlalchemy.exc import IntegrityError

from o2o_tui.domain.errors import ErrorBody, ErrorDetail
from o2o_tui.domain.events import EventPage
from o2o_tui.domain.fleet import Courier, CourierList, Delivery, DeliveryList
from o2o_tui.domain.identity import Me, Role
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order, OrderPage, OrderStatus
from o2o_tui.domain.requests import (
    AssignBody,
    CodeBody,
    CodeValidation,
    ConfirmBody,
    CourierStateBody,
    CreateOrderBody,
    EmptyBody,
    ItemPatchBody,
    ProblemBody,
    ReasonBody,
    StoreStatusBody,
)
from o2o_tui.domain.store import Store
from o2o_tui.domain.transitions import DeliveryAction, OrderAction
from o2o_tui.platform import db, events, fleet, idempotency, jobs, menus, orders, pg_notify, stores, views
from o2o_tui.platform.auth import Caller, TokenCache, authenticate, cached_caller
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import ApiError, not_found, validation
from o2o_tui.platform.settings import Settings, settings_from_env

log = logging.getLogger("o2o.platform")

JSON = "application/json"
_encode = msgspec.json.Encoder().encode
_B = TypeVar("_B")
_AT_PATH = re.compile(r"- at `\$\.?(.*)`$")
_NAMED = re.compile(r"field `([^`]+)`")


class Platform:
    """The state one server process holds: the engine, settings, the long-poll notifier and small caches."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.notifier = events.Notifier()
        self.tokens = TokenCache()
        self.started_at = db.utcnow()
        self._heartbeat_written: dict[str, float] = {}

    def caller(self, request: Request) -> Caller:
        authorization = request.headers.get("authorization")
        known = cached_caller(authorization, self.tokens)
        if known is not None:
            return known
        with self.engine.connect() as conn:
            return authenticate(conn, authorization, self.tokens)

    @contextmanager
    def reading(self, request: Request) -> Iterator[Ctx]:
        caller = self.caller(request)
        with self.engine.connect() as conn:
            yield Ctx(conn=conn, caller=caller, now=db.utcnow(), settings=self.settings)

    def heartbeat_due(self, store_id: str) -> bool:
        interval = min(10.0, self.settings.heartbeat_minutes * 60 / 4)
        last = self._heartbeat_written.get(store_id, 0.0)
        if time.monotonic() - last < interval:
            return False
        self._heartbeat_written[store_id] = time.monotonic()
        return True


def _platform(request: Request) -> Platform:
    return request.app.state.platform


def answer(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(content=_encode(payload), status_code=status, media_type=JSON, headers=headers)


def _error_response(error: ApiError) -> Response:
    return answer(error.body, error.status)


# --- body decoding: strict, with the field at fault ---------------------------------------------------------------


def _field_of(message: str) -> str:
    at = _AT_PATH.search(message)
    path = at.group(1) if at else ""
    named = _NAMED.search(message)
    if named and ("unknown field" in message or "missing required field" in message):
        return f"{path}.{named.group(1)}" if path else named.group(1)
    return path or "body"


def decode_body(raw: bytes, body_type: type[_B]) -> _B:
    if not raw.strip():
        raw = b"{}"
    try:
        return msgspec.json.decode(raw, type=body_type)
    except msgspec.ValidationError as error:
        message = str(error)
        raise validation(_field_of(message), message.split(" - at ")[0]) from error
    except msgspec.DecodeError as error:
        raise validation("body", f"not valid JSON: {error}") from error


# PostgreSQL text cannot hold NUL: an id or filter with one would fail in the driver (a 500). No stored id holds
# one, so a path id with NUL is simply not found and a query or body string with NUL is refused, on every database.
_NUL = "\x00"


def _holds_nul(value: object) -> bool:
    if isinstance(value, str):
        return _NUL in value
    if isinstance(value, dict):
        return any(_holds_nul(key) or _holds_nul(item) for key, item in value.items())
    if isinstance(value, list):
        return any(_holds_nul(item) for item in value)
    return False


def _check_no_nul(raw: bytes, body: object) -> None:
    if b"u0000" in raw and _holds_nul(msgspec.to_builtins(body)):  # the cheap test first: nearly never true
        raise validation("body", "text may not contain NUL characters")


def _refuse_nul(request: Request) -> Response | None:
    """Before every route: a NUL in a path id is a 404 (after authentication, as for any unknown id)."""
    names = [name for name, value in request.path_params.items() if _holds_nul(value)]
    queried = [name for name, value in request.query_params.multi_items() if _NUL in name + value]
    if not names and not queried:
        return None
    _platform(request).caller(request)
    if names:
        return _error_response(not_found(names[0].removesuffix("_id").replace("_", " ")))
    return _error_response(validation(queried[0], "may not contain NUL characters"))


def _occurred_at(request: Request) -> datetime | None:
    value = request.headers.get("x-occurred-at")
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise validation("X-Occurred-At", "an ISO-8601 time") from error
    if moment.tzinfo is None:
        raise validation("X-Occurred-At", "a time with its UTC offset")
    return moment


async def mutate(
    request: Request,
    body_type: type[_B],
    action: Callable[[Ctx, _B], tuple[Any, int]],
) -> Response:
    """Run one change in one transaction; store and replay its answer under the caller's Idempotency-Key."""
    platform = _platform(request)
    raw = await request.body()
    try:
        caller = platform.caller(request)
        key = idempotency.check_key(request.headers.get("idempotency-key"))
        occurred_at = _occurred_at(request)
        body = decode_body(raw, body_type)
        _check_no_nul(raw, body)
    except ApiError as error:
        return _error_response(error)
    fingerprint = idempotency.fingerprint(request.method, request.url.path, raw)
    for _attempt in range(3):
        try:
            return _run_once(platform, caller, key, fingerprint, occurred_at, body, action)
        except IntegrityError:  # another process stored this key between our lookup and insert: replay it
            continue
    return _error_response(ApiError(409, ErrorDetail(code="conflict", message="retry")))


def _replay(stored: idempotency.StoredAnswer, fingerprint: str) -> Response:
    if stored.fingerprint != fingerprint:
        error = validation(
            "Idempotency-Key", "this key was used for a different request", "idempotency_key_reused"
        )
        return _error_response(error)
    return Response(
        content=stored.body,
        status_code=stored.status,
        media_type=JSON,
        headers={"Idempotent-Replayed": "true"},
    )


def _run_once(
    platform: Platform,
    caller: Caller,
    key: str,
    fingerprint: str,
    occurred_at: datetime | None,
    body: Any,
    action: Callable[[Ctx, Any], tuple[Any, int]],
) -> Response:
    now = db.utcnow()
    failure: ApiError | None = None
    with db.writing(platform.engine) as conn:
        stored = idempotency.lookup(conn, caller.user_id, key)
        if stored is not None:
            return _replay(stored, fingerprint)
        ctx = Ctx(conn=conn, caller=caller, now=now, settings=platform.settings, occurred_at=occurred_at)
        try:
            payload, status = action(ctx, body)
            content = _encode(payload)
            idempotency.remember(
                conn, caller.user_id, key, idempotency.StoredAnswer(fingerprint, status, content), now
            )
        except ApiError as error:
            failure = error
            if error.keep_changes:
                content = _encode(error.body)
                refusal = idempotency.StoredAnswer(fingerprint, error.status, content)
                idempotency.remember(conn, caller.user_id, key, refusal, now)
            else:
                conn.rollback()
    if failure is not None and failure.keep_changes:
        if ctx.wrote_events:
            platform.notifier.notify()
        return Response(content=content, status_code=failure.status, media_type=JSON)
    if failure is not None:  # the refusal is the first answer too: a retry gets the same one
        content = _encode(failure.body)
        with db.writing(platform.engine) as conn:
            stored = idempotency.lookup(conn, caller.user_id, key)
            if stored is not None:
                return _replay(stored, fingerprint)
            idempotency.remember(
                conn, caller.user_id, key, idempotency.StoredAnswer(fingerprint, failure.status, content), now
            )
        return Response(content=content, status_code=failure.status, media_type=JSON)
    if ctx.wrote_events:
        platform.notifier.notify()
    return Response(content=content, status_code=status, media_type=JSON)


def _order_answer(ctx: Ctx, stored: orders.StoredOrder, status: int = 200) -> tuple[Order, int]:
    return views.order_view(stored.order, ctx.caller, stored.customer_id), status


# --- identity and events -----------------------------------------------------------------------------------------


@get("/healthz", include_in_schema=False)
async def healthz() -> Response:
    return answer({"ok": True, "schema_version": db.SCHEMA_VERSION})


# request bodies are decoded by `mutate` (strictly, with msgspec), so Litestar cannot see them: document them here
REQUEST_BODIES: dict[tuple[str, str], type] = {
    ("put", "/v1/stores/{store_id}/status"): StoreStatusBody,
    ("put", "/v1/stores/{store_id}/menu"): Menu,
    ("patch", "/v1/stores/{store_id}/menu/items/{item_id}"): ItemPatchBody,
    ("post", "/v1/stores/{store_id}/validate-code"): CodeBody,
    ("post", "/v1/orders"): CreateOrderBody,
    ("post", "/v1/orders/{order_id}/confirm"): ConfirmBody,
    ("post", "/v1/orders/{order_id}/reject"): ReasonBody,
    ("post", "/v1/orders/{order_id}/handoff"): CodeBody,
    ("post", "/v1/orders/{order_id}/cancel"): ReasonBody,
    ("post", "/v1/orders/{order_id}/cancellation"): ReasonBody,
    ("post", "/v1/orders/{order_id}/cancellation/deny"): ReasonBody,
    ("post", "/v1/orders/{order_id}/assign"): AssignBody,
    ("put", "/v1/couriers/{courier_id}/state"): CourierStateBody,
    ("post", "/v1/deliveries/{delivery_id}/problem"): ProblemBody,
    ("post", "/v1/deliveries/{delivery_id}/{action}"): CodeBody,
}


def _openapi_document(app: Litestar) -> dict[str, Any]:
    document = app.openapi_schema.to_schema()
    types = sorted(set(REQUEST_BODIES.values()), key=lambda kind: kind.__name__)
    refs, components = msgspec.json.schema_components(types, ref_template="#/components/schemas/{name}")
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    for name, schema in components.items():
        schemas.setdefault(name, schema)
    by_type = dict(zip(types, refs, strict=True))
    for (method, path), kind in REQUEST_BODIES.items():
        operation = document.get("paths", {}).get(path, {}).get(method)
        if operation is not None:
            operation["requestBody"] = {"required": True, "content": {JSON: {"schema": by_type[kind]}}}
    return document


@get("/openapi.json", include_in_schema=False)
async def openapi_json(request: Request) -> Response:
    return answer(_openapi_document(request.app))


@get("/v1/me")
async def me(request: Request) -> Response[Me]:
    return answer(_platform(request).caller(request).me())


@get("/v1/events")
async def get_events(
    request: Request, after: str | None = None, wait: float = 0.0, limit: int = events.DEFAULT_LIMIT
) -> Response[EventPage]:
    platform = _platform(request)
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
        with db.writing(platform.engine) as conn:
            ctx = Ctx(conn=conn, caller=caller, now=db.utcnow(), settings=platform.settings)
            stores.record_poll(ctx, caller.store_id)
        if ctx.wrote_events:
            platform.notifier.notify()
    loop = asyncio.get_running_loop()
    deadline = loop.time() + min(wait, events.MAX_WAIT_SECONDS)
    while True:
        with platform.engine.connect() as conn:
            page = events.read_page(conn, caller, cursor, limit)
        remaining = deadline - loop.time()
        if page.events or page.resync or cursor is None or remaining <= 0:
            return answer(page)
        await platform.notifier.wait(min(remaining, platform.settings.event_recheck_seconds))


# --- stores and menus --------------------------------------------------------------------------------------------


@get("/v1/stores/{store_id:str}")
async def get_store(request: Request, store_id: str) -> Response[Store]:
    with _platform(request).reading(request) as ctx:
        return answer(stores.get(ctx.conn, ctx.caller, store_id))


@put("/v1/stores/{store_id:str}/status")
async def put_store_status(request: Request, store_id: str) -> Response[Store]:
    return await mutate(
        request, StoreStatusBody, lambda ctx, body: (stores.set_status(ctx, store_id, body), 200)
    )


@get("/v1/stores/{store_id:str}/menu")
async def get_menu(request: Request, store_id: str) -> Response[Menu]:
    with _platform(request).reading(request) as ctx:
        menu = menus.get(ctx, store_id)
    return answer(menu, headers={"ETag": f'"{menu.version}"'})


@put("/v1/stores/{store_id:str}/menu")
async def put_menu(request: Request, store_id: str) -> Response[Menu]:
    if_match = request.headers.get("if-match")
    return await mutate(request, Menu, lambda ctx, body: (menus.publish(ctx, store_id, body, if_match), 200))


@patch("/v1/stores/{store_id:str}/menu/items/{item_id:str}")
async def patch_item(request: Request, store_id: str, item_id: str) -> Response[Menu]:
    return await mutate(
        request, ItemPatchBody, lambda ctx, body: (menus.patch_item(ctx, store_id, item_id, body), 200)
    )


@post("/v1/stores/{store_id:str}/validate-code")
async def validate_code(request: Request, store_id: str) -> Response[CodeValidation]:
    return await mutate(
        request, CodeBody, lambda ctx, body: (orders.validate_code(ctx, store_id, body.code), 200)
    )


# --- orders ------------------------------------------------------------------------------------------------------


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


@get("/v1/orders")
async def list_orders(
    request: Request,
    store_id: str | None = None,
    status: list[str] | None = None,
    updated_after: datetime | None = None,
    limit: int = orders.DEFAULT_PAGE,
    cursor: str | None = None,
) -> Response[OrderPage]:
    with _platform(request).reading(request) as ctx:
        found, next_cursor = orders.list_orders(
            ctx,
            store_id=store_id,
            statuses=_statuses(status or []),
            updated_after=updated_after,
            limit=limit,
            cursor=cursor,
        )
        shown = [views.order_view(s.order, ctx.caller, s.customer_id) for s in found]
    return answer(OrderPage(orders=shown, next_cursor=next_cursor))


@post("/v1/orders")
async def create_order(request: Request) -> Response[Order]:
    def action(ctx: Ctx, body: CreateOrderBody) -> tuple[Order, int]:
        stored, created = orders.create(ctx, body)
        return _order_answer(ctx, stored, 201 if created else 200)

    return await mutate(request, CreateOrderBody, action)


@get("/v1/orders/{order_id:str}")
async def get_order(request: Request, order_id: str) -> Response[Order]:
    with _platform(request).reading(request) as ctx:
        stored = orders.get(ctx, order_id)
        return answer(views.order_view(stored.order, ctx.caller, stored.customer_id))


@post("/v1/orders/{order_id:str}/confirm")
async def confirm_order(request: Request, order_id: str) -> Response[Order]:
    return await mutate(
        request,
        ConfirmBody,
        lambda ctx, body: _order_answer(ctx, orders.confirm(ctx, order_id, body.preparation_minutes)),
    )


@post("/v1/orders/{order_id:str}/reject")
async def reject_order(request: Request, order_id: str) -> Response[Order]:
    return await mutate(
        request, ReasonBody, lambda ctx, body: _order_answer(ctx, orders.reject(ctx, order_id, body))
    )


def _simple_order_action(action: OrderAction) -> Callable[..., Any]:
    async def handler(request: Request, order_id: str) -> Response[Order]:
        return await mutate(
            request, EmptyBody, lambda ctx, _body: _order_answer(ctx, orders.simple(ctx, order_id, action))
        )

    handler.__name__ = f"order_{action.value}"
    return post(f"/v1/orders/{{order_id:str}}/{action.value}", name=f"order_{action.value}")(handler)


preparing_order = _simple_order_action(OrderAction.PREPARING)
ready_order = _simple_order_action(OrderAction.READY)
dispatch_order = _simple_order_action(OrderAction.DISPATCH)
delivered_order = _simple_order_action(OrderAction.DELIVERED)


@post("/v1/orders/{order_id:str}/handoff")
async def handoff_order(request: Request, order_id: str) -> Response[Order]:
    return await mutate(
        request, CodeBody, lambda ctx, body: _order_answer(ctx, orders.handoff(ctx, order_id, body.code))
    )


@post("/v1/orders/{order_id:str}/code-lock/lift")
async def lift_code_lock(request: Request, order_id: str) -> Response[Order]:
    return await mutate(
        request, EmptyBody, lambda ctx, _body: _order_answer(ctx, orders.lift_code_lock(ctx, order_id))
    )


@post("/v1/orders/{order_id:str}/cancel")
async def cancel_order(request: Request, order_id: str) -> Response[Order]:
    return await mutate(
        request, ReasonBody, lambda ctx, body: _order_answer(ctx, orders.cancel(ctx, order_id, body))
    )


@post("/v1/orders/{order_id:str}/cancellation")
async def request_cancellation(request: Request, order_id: str) -> Response[Order]:
    return await mutate(
        request,
        ReasonBody,
        lambda ctx, body: _order_answer(ctx, orders.request_cancellation(ctx, order_id, body)),
    )


@post("/v1/orders/{order_id:str}/cancellation/accept")
async def accept_cancellation(request: Request, order_id: str) -> Response[Order]:
    return await mutate(
        request, EmptyBody, lambda ctx, _body: _order_answer(ctx, orders.accept_cancellation(ctx, order_id))
    )


@post("/v1/orders/{order_id:str}/cancellation/deny")
async def deny_cancellation(request: Request, order_id: str) -> Response[Order]:
    return await mutate(
        request,
        ReasonBody,
        lambda ctx, body: _order_answer(ctx, orders.deny_cancellation(ctx, order_id, body)),
    )


@post("/v1/orders/{order_id:str}/assign")
async def assign_order(request: Request, order_id: str) -> Response[Delivery]:
    return await mutate(
        request,
        AssignBody,
        lambda ctx, body: (
            views.delivery_view(fleet.assign(ctx, order_id, body.courier_id), ctx.caller),
            200,
        ),
    )


@post("/v1/orders/{order_id:str}/unassign")
async def unassign_order(request: Request, order_id: str) -> Response[Order]:
    def action(ctx: Ctx, _body: EmptyBody) -> tuple[Order, int]:
        order = fleet.unassign(ctx, order_id)
        stored = orders.load(ctx.conn, order_id)
        assert stored is not None
        return _order_answer(ctx, orders.StoredOrder(order, stored.customer_id))

    return await mutate(request, EmptyBody, action)


# --- couriers and deliveries -------------------------------------------------------------------------------------


@get("/v1/couriers")
async def list_couriers(request: Request, store_id: str | None = None) -> Response[CourierList]:
    with _platform(request).reading(request) as ctx:
        return answer(CourierList(couriers=fleet.list_couriers(ctx, store_id)))


@get("/v1/couriers/{courier_id:str}")
async def get_courier(request: Request, courier_id: str) -> Response[Courier]:
    with _platform(request).reading(request) as ctx:
        return answer(fleet.get_courier(ctx, courier_id))


@put("/v1/couriers/{courier_id:str}/state")
async def put_courier_state(request: Request, courier_id: str) -> Response[Courier]:
    return await mutate(
        request, CourierStateBody, lambda ctx, body: (fleet.set_courier_state(ctx, courier_id, body), 200)
    )


@get("/v1/deliveries")
async def list_deliveries(
    request: Request, courier_id: str | None = None, active: bool = False
) -> Response[DeliveryList]:
    with _platform(request).reading(request) as ctx:
        found = fleet.list_deliveries(ctx, courier_id, active)
        return answer(DeliveryList(deliveries=[views.delivery_view(d, ctx.caller) for d in found]))


@get("/v1/deliveries/{delivery_id:str}")
async def get_delivery(request: Request, delivery_id: str) -> Response[Delivery]:
    with _platform(request).reading(request) as ctx:
        return answer(views.delivery_view(fleet.get_delivery(ctx, delivery_id), ctx.caller))


@post("/v1/deliveries/{delivery_id:str}/problem")
async def report_problem(request: Request, delivery_id: str) -> Response[Delivery]:
    return await mutate(
        request,
        ProblemBody,
        lambda ctx, body: (
            views.delivery_view(fleet.report_problem(ctx, delivery_id, body), ctx.caller),
            200,
        ),
    )


@post("/v1/deliveries/{delivery_id:str}/{action:str}")
async def delivery_action(request: Request, delivery_id: str, action: str) -> Response[Delivery]:
    try:
        chosen = DeliveryAction(action)
    except ValueError:
        chosen = None
    if chosen is None or chosen not in fleet.COURIER_ACTIONS:
        return _error_response(not_found("delivery action"))
    if chosen in (DeliveryAction.PICKED_UP, DeliveryAction.DELIVERED):
        return await mutate(
            request,
            CodeBody,
            lambda ctx, body: (
                views.delivery_view(fleet.delivery_action(ctx, delivery_id, chosen, body.code), ctx.caller),
                200,
            ),
        )
    return await mutate(
        request,
        EmptyBody,
        lambda ctx, _body: (
            views.delivery_view(fleet.delivery_action(ctx, delivery_id, chosen, None), ctx.caller),
            200,
        ),
    )


# --- errors ------------------------------------------------------------------------------------------------------


def _on_api_error(_request: Request, error: ApiError) -> Response:
    return _error_response(error)


def _on_validation(_request: Request, error: ValidationException) -> Response:
    field = "query"
    message = str(error.detail)
    if isinstance(error.extra, list) and error.extra and isinstance(error.extra[0], dict):
        field = str(error.extra[0].get("key") or field)
        message = str(error.extra[0].get("message") or message)
    return answer(ErrorBody(ErrorDetail(code="validation", message=message, field=field)), 422)


def _on_http(_request: Request, error: HTTPException) -> Response:
    codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    code = codes.get(error.status_code, "http_error")
    return answer(ErrorBody(ErrorDetail(code=code, message=str(error.detail))), error.status_code)


def _on_crash(request: Request, error: Exception) -> Response:
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return answer(ErrorBody(ErrorDetail(code="internal", message="internal server error")), 500)


ROUTES = [
    healthz,
    openapi_json,
    me,
    get_events,
    get_store,
    put_store_status,
    get_menu,
    put_menu,
    patch_item,
    validate_code,
    list_orders,
    create_order,
    get_order,
    confirm_order,
    reject_order,
    preparing_order,
    ready_order,
    dispatch_order,
    delivered_order,
    handoff_order,
    lift_code_lock,
    cancel_order,
    request_cancellation,
    accept_cancellation,
    deny_cancellation,
    assign_order,
    unassign_order,
    list_couriers,
    get_courier,
    put_courier_state,
    list_deliveries,
    get_delivery,
    report_problem,
    delivery_action,
]


def create_app(
    db_url: str, *, settings: Settings | None = None, run_jobs: bool = True, **overrides: Any
) -> Litestar:
    """The ASGI app on the database at `db_url` (created or upgraded as needed).

    `overrides` replace single settings, e.g. `create_app(url, heartbeat_minutes=0.1)`.
    """
    chosen = msgspec.structs.replace(settings or settings_from_env(), **overrides)
    engine = db.open_database(db_url)
    platform = Platform(engine, chosen)
    background: list[asyncio.Task[None]] = []

    listeners: list[pg_notify.Listener] = []

    async def start() -> None:
        if run_jobs:
            background.append(asyncio.create_task(jobs.run_forever(platform)))
        if engine.dialect.name == "postgresql" and chosen.pg_notify:
            pg_notify.enable(engine)
            loop = asyncio.get_running_loop()
            listener = pg_notify.Listener(engine, lambda: loop.call_soon_threadsafe(platform.notifier.notify))
            listener.start()
            listeners.append(listener)

    async def stop() -> None:
        for listener in listeners:
            await asyncio.to_thread(listener.stop)
        for task in background:
            task.cancel()
            with suppress(asyncio.CancelledError):
                await task
        engine.dispose()

    app = Litestar(
        route_handlers=ROUTES,
        before_request=_refuse_nul,
        on_startup=[start],
        on_shutdown=[stop],
        exception_handlers={
            ApiError: _on_api_error,
            ValidationException: _on_validation,
            NotFoundException: _on_http,
            HTTPException: _on_http,
            Exception: _on_crash,
        },
        openapi_config=OpenAPIConfig(title="o2o platform", version="1", path="/schema"),
        debug=False,
        logging_config=None,
    )
    app.state.platform = platform
    return app
