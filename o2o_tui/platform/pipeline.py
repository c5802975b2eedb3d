"""The request pipeline every route shares: strict bodies, the caller before the body, idempotent mutations.

A mutating route declares its body as a typed `data` parameter and returns `await idempotent(request, change)`.
Before Litestar reads the body, two guards run: the caller's token is checked (a stranger's 10 MB body is never
read) and the Idempotency-Key is checked. The body is then decoded strictly by `StrictRequest` (unknown fields and
wrong types are a 422 naming the field; Litestar's own decoding would coerce "12" into 12). `idempotent` runs the
change in one transaction and stores its answer under the caller's key in the same transaction, so a replay returns
the first answer and changes nothing.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import msgspec
from litestar import Request, Response
from litestar.connection import ASGIConnection
from litestar.handlers.base import BaseRouteHandler
from sqlalchemy.exc import IntegrityError

from o2o_tui.domain.errors import ErrorDetail
from o2o_tui.platform import db, idempotency, server_secret
from o2o_tui.platform.auth import Caller
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import ApiError, not_found, validation
from o2o_tui.platform.state import Platform, platform_of
from o2o_tui.platform.write_failures import refusal_record

JSON = "application/json"
_encode = msgspec.json.Encoder().encode
_AT_PATH = re.compile(r"- at `\$\.?(.*)`$")
_NAMED = re.compile(r"field `([^`]+)`")

# a device may queue taps through the longest offline spell we support, and its clock may run a little fast
OCCURRED_AT_OLDEST = timedelta(days=7)
OCCURRED_AT_AHEAD = timedelta(minutes=5)

Change = Callable[[Ctx], tuple[Any, int]]


def answer(payload: Any, status: int = 200, headers: dict[str, str] | None = None) -> Response[Any]:
    return Response(content=_encode(payload), status_code=status, media_type=JSON, headers=headers)


def error_response(error: ApiError) -> Response[Any]:
    return answer(error.body, error.status)


# --- bodies: strict, with the field at fault ----------------------------------------------------------------------


def _field_of(message: str) -> str:
    at = _AT_PATH.search(message)
    path = at.group(1) if at else ""
    named = _NAMED.search(message)
    if named and ("unknown field" in message or "missing required field" in message):
        return f"{path}.{named.group(1)}" if path else named.group(1)
    return path or "body"


def decode_body(raw: bytes, body_type: Any) -> Any:
    """Decode a request body strictly, or raise a 422 naming the field at fault. An empty (or blank) body reads as
    `{}` where that is a whole body (the actions without fields); where fields are required it is a 422 on `body`,
    as JSON that does not parse is."""
    if not raw.strip():
        raw = b"{}"
        try:
            msgspec.json.decode(raw, type=body_type)
        except msgspec.ValidationError as error:
            raise validation("body", "the body is empty: a JSON object is required") from error
    try:
        body = msgspec.json.decode(raw, type=body_type)
    except msgspec.ValidationError as error:
        message = str(error)
        raise validation(_field_of(message), message.split(" - at ")[0]) from error
    except msgspec.DecodeError as error:
        raise validation("body", f"not valid JSON: {error}") from error
    _check_no_nul(raw, body)
    return body


# PostgreSQL text cannot hold NUL: an id or filter with one would fail in the driver (a 500). No stored id holds
# one, so a path id with NUL is simply not found and a query or body string with NUL is refused, on every database.
_NUL = "\x00"


def _holds_nul(value: object) -> bool:
    return _nul_at(value, "") is not None


def _nul_at(value: object, path: str) -> str | None:
    """The JSON path (as the 422s name fields: `reason`, `lines[0].note`) of the first string holding NUL."""
    if isinstance(value, str):
        return path if _NUL in value else None
    if isinstance(value, dict):
        for key, item in value.items():
            where = f"{path}.{key}" if path else str(key)
            found = where if _NUL in str(key) else _nul_at(item, where)
            if found is not None:
                return found
    if isinstance(value, list):
        for index, item in enumerate(value):
            found = _nul_at(item, f"{path}[{index}]")
            if found is not None:
                return found
    return None


def _check_no_nul(raw: bytes, body: object) -> None:
    if b"u0000" not in raw:  # the cheap test first: nearly always so
        return
    path = _nul_at(msgspec.to_builtins(body), "")
    if path is not None:
        raise validation(path or "body", "text may not contain NUL characters")


_BODY_TYPES: dict[int, Any] = {}


def body_type_of(handler: BaseRouteHandler) -> Any:
    """The type a route declared for its `data` parameter (what the OpenAPI documents too)."""
    known = _BODY_TYPES.get(id(handler))
    if known is None:
        field = handler.parsed_data_field
        known = field.annotation if field is not None else None
        _BODY_TYPES[id(handler)] = known
    return known


class StrictRequest(Request[Any, Any, Any]):
    """A request whose JSON body decodes straight into the route's declared `data` type, strictly."""

    async def body(self) -> bytes:
        raw = await super().body()
        return raw if raw.strip() else b"{}"  # an empty body is an empty object: `data` is then still decoded

    async def json(self) -> Any:
        body_type = body_type_of(self.route_handler)
        if body_type is None:
            return msgspec.json.decode(await self.body())
        return decode_body(await super().body(), body_type)  # as sent: `decode_body` says if an empty one will do


# --- guards: before the body is read ------------------------------------------------------------------------------


def caller_guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Authenticate first: a request without a valid token is refused before its body is read."""
    platform: Platform = connection.app.state.platform
    platform.caller_of(connection.headers.get("authorization"))


def idempotency_key_guard(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    idempotency.check_key(connection.headers.get("idempotency-key"))


MUTATION_GUARDS = [caller_guard, idempotency_key_guard]


def refuse_nul(request: Request[Any, Any, Any]) -> Response[Any] | None:
    """Before every route: a NUL in a path id is a 404 (after authentication, as for any unknown id)."""
    names = [name for name, value in request.path_params.items() if _holds_nul(value)]
    queried = [name for name, value in request.query_params.multi_items() if _NUL in name + value]
    if not names and not queried:
        return None
    platform_of(request).caller(request)
    if names:
        return error_response(not_found(names[0].removesuffix("_id").replace("_", " ")))
    return error_response(validation(queried[0], "may not contain NUL characters"))


# --- the idempotent change ------------------------------------------------------------------------------------------


def occurred_at(request: Request[Any, Any, Any], now: datetime) -> datetime | None:
    """The device's tap time (X-Occurred-At): aware, at most 7 days old. A time ahead of the server's clock is a
    device clock running fast: more than 5 minutes ahead, the tap is recorded at the server's time instead of
    refused (a refusal is final: a counter whose clock ran fast would lose every action)."""
    value = request.headers.get("x-occurred-at")
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError as error:
        raise validation("X-Occurred-At", "an ISO-8601 time") from error
    if moment.tzinfo is None:
        raise validation("X-Occurred-At", "a time with its UTC offset")
    try:
        too_old = moment < now - OCCURRED_AT_OLDEST
        ahead = moment > now + OCCURRED_AT_AHEAD
    except OverflowError:  # an offset that pushes the calendar's first or last day out of range
        too_old, ahead = moment.year < now.year, moment.year > now.year
    if too_old:
        raise validation("X-Occurred-At", "a tap time at most 7 days old (is the device's clock right?)")
    return now if ahead else moment


async def idempotent(request: Request[Any, Any, Any], change: Change) -> Response[Any]:
    """Run one change in one transaction; store and replay its answer under the caller's Idempotency-Key."""
    platform = platform_of(request)
    raw = await request.body()
    caller = platform.caller(request)
    key = idempotency.check_key(request.headers.get("idempotency-key"))
    tapped: datetime | ApiError | None
    try:
        tapped = occurred_at(request, db.utcnow())
    except ApiError as error:  # refused only when this is no replay: a replay keeps its tap time, however old
        tapped = error
    fingerprint = idempotency.fingerprint(request.method, request.url.path, raw)
    for _attempt in range(3):
        try:
            return _run_once(platform, caller, key, fingerprint, tapped, change)
        except IntegrityError:  # another process stored this key between our lookup and insert: replay it
            continue
    return error_response(ApiError(409, ErrorDetail(code="conflict", message="retry")))


def _replay(stored: idempotency.StoredAnswer, fingerprint: str) -> Response[Any]:
    if stored.fingerprint != fingerprint:
        error = validation(
            "Idempotency-Key", "this key was used for a different request", "idempotency_key_reused"
        )
        return error_response(error)
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
    tapped: datetime | ApiError | None,
    change: Change,
) -> Response[Any]:
    """`tapped`: the request's tap time, or why it was refused (answered, and not stored, unless a stored answer
    replays first)."""
    now = db.utcnow()
    failure: ApiError | None = None
    content, status = b"", 0
    secret = server_secret.of(platform.settings)  # seals a voucher's code in the stored answer to its purchase
    with db.writing(platform.engine) as conn:
        stored = idempotency.lookup(conn, caller.user_id, key, secret)
        if stored is not None:
            return _replay(stored, fingerprint)
        if isinstance(tapped, ApiError):
            return error_response(tapped)
        ctx = Ctx(conn=conn, caller=caller, now=now, settings=platform.settings, occurred_at=tapped)
        try:
            payload, status = change(ctx)
            content = _encode(payload)
            first = idempotency.StoredAnswer(fingerprint, status, content)
            idempotency.remember(conn, caller.user_id, key, first, now, payload=payload, secret=secret)
        except ApiError as error:
            failure = error
            if error.keep_changes:  # a wrong code: refused, and its counted try commits with the refusal
                content = _encode(error.body)
                refusal = idempotency.StoredAnswer(fingerprint, error.status, content)
                idempotency.remember(conn, caller.user_id, key, refusal, now)
            else:
                conn.rollback()
    if failure is not None and failure.keep_changes:
        if ctx.wrote_events:
            platform.notifier.notify(ctx.scopes)
        return Response(content=content, status_code=failure.status, media_type=JSON)
    if failure is not None:  # the refusal is the first answer too: a retry gets the same one
        content = _encode(failure.body)
        with refusal_record(), db.writing(platform.engine) as conn:  # not storable (disk full): answered anyway
            stored = idempotency.lookup(conn, caller.user_id, key, secret)
            if stored is not None:
                return _replay(stored, fingerprint)
            idempotency.remember(
                conn, caller.user_id, key, idempotency.StoredAnswer(fingerprint, failure.status, content), now
            )
        return Response(content=content, status_code=failure.status, media_type=JSON)
    if ctx.wrote_events:
        platform.notifier.notify(ctx.scopes)
    return Response(content=content, status_code=status, media_type=JSON)
