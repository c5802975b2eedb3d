"""The Litestar app: the controllers of `routes/`, the request pipeline, error envelopes, background jobs.

Database calls run on the event loop thread: with SQLite each is a fraction of a millisecond, and running them in
order keeps one writer and lets a commit wake the long-polls directly.
"""

from __future__ import annotations

import asyncio
import logging
from contextlib import suppress
from typing import Any

import msgspec
from litestar import Litestar, Request, Response, Router
from litestar.exceptions import HTTPException, NotFoundException, ValidationException
from litestar.openapi import OpenAPIConfig
from litestar.routes import HTTPRoute

from o2o_tui.domain.errors import ErrorBody, ErrorDetail
from o2o_tui.platform import client_versions, db, jobs, pg_notify, scheduled, server_secret
from o2o_tui.platform.errors import STORAGE_RETRY_AFTER_SECONDS, ApiError, internal, storage_unavailable
from o2o_tui.platform.pipeline import StrictRequest, answer, error_response, refuse_nul
from o2o_tui.platform.roles import role_guard
from o2o_tui.platform.routes import CONTROLLERS
from o2o_tui.platform.settings import Settings, settings_from_env
from o2o_tui.platform.state import Platform
from o2o_tui.platform.write_failures import SaidOnce, refused_write

__all__ = ["Platform", "create_app"]

log = logging.getLogger("o2o.platform")
_said = SaidOnce(log)
REQUESTS = "the API"
_CHANGES = frozenset({"POST", "PUT", "PATCH", "DELETE"})


class _NoPages(Router):
    """Where Litestar would serve its own copy of the contract (/schema: the document, openapi.yaml, swagger,
    redoc, elements, rapidoc, the viewers loading scripts from a CDN): nothing, a 404 like any unknown path.
    Litestar still builds the document that /openapi.json (routes/system.py, openapi.py) starts from; that
    stricter document (the change headers, `additionalProperties: false`) is the one contract served."""

    def register(self, value: Any) -> list[Any]:
        return []


def _on_api_error(_request: Request[Any, Any, Any], error: ApiError) -> Response[Any]:
    return error_response(error)


def _on_validation(_request: Request[Any, Any, Any], error: ValidationException) -> Response[Any]:
    field = "query"
    message = str(error.detail)
    if isinstance(error.extra, list) and error.extra and isinstance(error.extra[0], dict):
        field = str(error.extra[0].get("key") or field)
        message = str(error.extra[0].get("message") or message)
    return answer(ErrorBody(ErrorDetail(code="validation", message=message, field=field)), 422)


def _on_http(_request: Request[Any, Any, Any], error: HTTPException) -> Response[Any]:
    codes = {401: "unauthorized", 403: "forbidden", 404: "not_found", 405: "method_not_allowed"}
    code = codes.get(error.status_code, "http_error")
    return answer(ErrorBody(ErrorDetail(code=code, message=str(error.detail))), error.status_code, _headers(error))


def _headers(error: HTTPException) -> dict[str, str] | None:
    """The error's own headers: a 405's Allow (the methods the path takes, RFC 9110), HEAD wherever GET is.
    (Kept out of `_on_http`, whose strings tests/test_sync_explain_codes.py reads as the codes it answers.)"""
    headers = dict(error.headers or {})
    if error.status_code == 405:
        headers = {name: value for name, value in headers.items() if name.lower() != "allow"}
        headers["Allow"] = ", ".join(_allowed(error.headers or {}))
    return headers or None


def _allowed(headers: dict[str, str]) -> list[str]:
    listed = next((value for name, value in headers.items() if name.lower() == "allow"), "")
    methods = {method.strip().upper() for method in listed.split(",") if method.strip()}
    if "GET" in methods:
        methods.add("HEAD")
    return sorted(methods)


def _with_allow(headers: list[tuple[bytes, bytes]], methods: set[str] | None) -> list[tuple[bytes, bytes]]:
    """ASGI response headers whose Allow names `methods` (the path's, when known; else the Allow given), with HEAD
    beside GET."""
    shown = []
    for name, value in headers:
        if name.lower() == b"allow":
            listed = ", ".join(sorted(methods)) if methods else value.decode("latin-1")
            value = ", ".join(_allowed({"allow": listed})).encode("latin-1")
        shown.append((name, value))
    return shown


class _App(Litestar):
    """Litestar, answering HEAD wherever GET is: the request is routed and run as the GET (the same checks, the
    same status and headers, Content-Length included) and its body is not sent. OPTIONS (Litestar's own 204,
    answered without a token) names in its Allow what a 405 on that path names: every method of the path, HEAD
    beside GET, and OPTIONS itself. (Litestar's answer names only the methods of one of the path's controllers:
    OPTIONS /v1/orders said `OPTIONS, POST`, the 405 `GET, HEAD, OPTIONS, POST`.) Neither depends on the caller:
    the roles that may call each method are the contract's, and a role that may not hears 403."""

    _path_methods: dict[str, set[str]] | None = None

    def _methods_at(self, template: object) -> set[str] | None:
        """Every method the path with this template (the router's `path_template`) takes, OPTIONS included."""
        if self._path_methods is None:
            found: dict[str, set[str]] = {}
            for route in self.routes:
                if isinstance(route, HTTPRoute):
                    found.setdefault(route.path_format, set()).update(route.methods)
            self._path_methods = found
        return self._path_methods.get(template) if isinstance(template, str) else None

    async def __call__(self, scope: Any, receive: Any, send: Any) -> None:
        method = scope.get("method") if scope.get("type") == "http" else None
        if method == "OPTIONS":

            async def allow_all(message: Any) -> None:
                if message.get("type") == "http.response.start":
                    methods = self._methods_at(scope.get("path_template"))
                    message = {**message, "headers": _with_allow(message.get("headers") or [], methods)}
                await send(message)

            await super().__call__(scope, receive, allow_all)
            return
        if method != "HEAD":
            await super().__call__(scope, receive, send)
            return

        async def headers_only(message: Any) -> None:
            if message.get("type") == "http.response.body":
                message = {**message, "body": b""}
            await send(message)

        as_get: Any = {**scope, "method": "GET"}
        await super().__call__(as_get, receive, headers_only)


def _on_crash(request: Request[Any, Any, Any], error: Exception) -> Response[Any]:
    if refused_write(error):  # the disk full, read-only, the database unreachable: said once per kind, retried later
        _said.failed(REQUESTS, error)
        refusal = storage_unavailable()
        return answer(refusal.body, refusal.status, {"Retry-After": str(STORAGE_RETRY_AFTER_SECONDS)})
    log.error("unhandled error on %s %s", request.method, request.url.path, exc_info=error)
    return error_response(internal())


def _wrote_again(message: Any, scope: Any) -> None:
    """A change answered 2xx (not a replay) after the database refused writes: said once, in one line."""
    if message.get("type") != "http.response.start" or not 200 <= message.get("status", 0) < 300:
        return
    if scope.get("method") not in _CHANGES or not _said.failing(REQUESTS):
        return
    if any(name.lower() == b"idempotent-replayed" for name, _ in message.get("headers") or ()):
        return
    _said.wrote(REQUESTS)


def create_app(
    db_url: str, *, settings: Settings | None = None, run_jobs: bool = True, **overrides: Any
) -> Litestar:
    """The ASGI app on the database at `db_url` (created or upgraded as needed).

    `overrides` replace single settings, e.g. `create_app(url, heartbeat_minutes=0.1)`.
    """
    chosen = msgspec.structs.replace(settings or settings_from_env(), **overrides)
    engine = db.open_database(db_url, say=log.warning)  # "database upgraded from schema 5 to 8 (...)": in the log
    try:
        server_secret.open_checked(engine, chosen)  # made on the first start; refused if not this database's
    except server_secret.SecretFileError:
        engine.dispose()
        raise
    platform = Platform(engine, chosen)
    jobs.file_stored_answers(platform)  # once after the upgrade to schema 7
    background: list[asyncio.Task[None]] = []
    listeners: list[pg_notify.Listener] = []

    async def start() -> None:
        if run_jobs:
            background.append(asyncio.create_task(jobs.run_forever(platform)))
            background.append(asyncio.create_task(scheduled.run_forever(platform)))  # held orders' prep starts
        if engine.dialect.name == "postgresql" and chosen.pg_notify:
            pg_notify.enable(engine)
            loop = asyncio.get_running_loop()

            def wake() -> None:  # on the listener's thread: hand the wake-up to the event loop
                loop.call_soon_threadsafe(platform.notifier.notify)

            def wake_scoped(scopes: frozenset[pg_notify.Scope] | None) -> None:  # only the polls they are for
                loop.call_soon_threadsafe(platform.notifier.notify, scopes)

            listener = pg_notify.Listener(engine, wake, wake_scoped)
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

    app = _App(
        route_handlers=CONTROLLERS,
        request_class=StrictRequest,
        guards=[role_guard],  # first: a role that may never call a route is refused before its body is read
        before_request=refuse_nul,
        before_send=[_wrote_again],
        middleware=[client_versions.ClientVersions()],  # "client o2o/0.1.0 first seen" in the log
        on_startup=[start],
        on_shutdown=[stop],
        exception_handlers={
            ApiError: _on_api_error,
            ValidationException: _on_validation,
            NotFoundException: _on_http,
            HTTPException: _on_http,
            Exception: _on_crash,
        },
        openapi_config=OpenAPIConfig(
            title="o2o platform", version="1", openapi_router=_NoPages("/schema", route_handlers=[])
        ),
        debug=False,
        logging_config=None,
    )
    app.state.platform = platform
    return app
