"""Who may send the server a body, how big, how many at once, and how slowly (defect 7 of issue 9).

Two layers, because uvicorn alone leaves gaps (measured on uvicorn 0.55 with httptools, the protocol it picks):

- `Admission`, an ASGI middleware, runs before any body byte is read. A request that declares a body must carry
  a known bearer token (401 at once, `Connection: close`), must come from a role the route names (403 at once, as
  the app's role guard says it: roles.py; before the size, so a role that may never call the route hears that,
  not that its body is too large), must not declare more than `max_body_bytes` (413 at once), and a chunked body
  is counted as it streams (413 once it passes the limit). A declared body up to
  `DRAIN_MAX_BYTES` gets its 413 without `Connection: close`: uvicorn then reads the rest of it and drops it
  (never held in memory; the deadlines below still apply), so a client that writes its whole body before reading
  (httpx does) gets the 413. Closing with its body unread resets the connection, and the reset throws away the
  413 the client had not read yet: it saw only a dropped connection and retried the same body forever. At most
  `max_concurrent_bodies` bodies are received at a time; a request that finds them all taken waits up to
  `body_queue_seconds`, then gets 503 with `Retry-After`. So memory held by bodies stays below
  max_concurrent_bodies x max_body_bytes, and only a caller with a valid token can hold one of the slots.
- `guarded_protocol(settings)`, a subclass of uvicorn's httptools protocol, closes connections that are slow or
  silent. uvicorn arms its keep-alive timer only after a response: a connection that sends nothing, half a
  request line or header, or half a body stays open forever (each holds a socket, and a half body holds an ASGI
  task waiting on `receive()`). Here the headers of every request must be complete `header_timeout_seconds`
  after its first byte (or after the connect, for the first request); a body may pause at most
  `body_timeout_seconds` between two pieces, and after that grace it must keep up an average of
  `body_min_bytes_per_second` (at time t after its headers it must hold (t - body_timeout_seconds) x that rate
  bytes), so a body sent a byte at a time is closed within seconds; an idle keep-alive connection is closed
  after `keep_alive_seconds`, longer than
  the longest long-poll wait (`events.MAX_WAIT_SECONDS`), so a client that polls again at once keeps its
  connection. A request being answered (a long-poll of the full wait) is never cut.
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Awaitable, Callable
from typing import Any, ClassVar

import msgspec
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from o2o_tui.domain.errors import ErrorDetail
from o2o_tui.platform.auth import Caller, TokenCache, authenticate, cached_caller
from o2o_tui.platform.errors import (
    STORAGE_RETRY_AFTER_SECONDS,
    ApiError,
    forbidden,
    internal,
    storage_unavailable,
)
from o2o_tui.platform.roles import route_roles
from o2o_tui.platform.settings import Settings
from o2o_tui.platform.write_failures import SaidOnce, kind_of, refused_write, unreachable

Scope = dict[str, Any]
Message = dict[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[..., Awaitable[None]]
CallerOf = Callable[[str | None], Caller]

_encode = msgspec.json.Encoder().encode
log = logging.getLogger("o2o.platform")  # the app's logger: its 500s and these read alike
_said = SaidOnce(log)
TOKEN_CHECK = "the token check before a body"


class _OutOfReach:
    """The token check only reads: a database out of reach (PostgreSQL stopped, restarting) is said as that, once
    per outage, in one line, and once when the check reads it again; not as a write it never tried (`SaidOnce`
    says "cannot write"). The database's other refusals of the read (SQLite locked past its timeout) stay
    `SaidOnce`'s."""

    def __init__(self) -> None:
        self._out = False
        self._lock = threading.Lock()

    def failed(self, error: BaseException) -> None:
        with self._lock:
            if self._out:
                return
            self._out = True
        log.warning("%s cannot reach the database: %s (said once until it can again)", TOKEN_CHECK, kind_of(error))

    def read(self) -> None:
        with self._lock:
            if not self._out:
                return
            self._out = False
        log.warning("%s reaches the database again", TOKEN_CHECK)


_out_of_reach = _OutOfReach()
_DISCONNECT: Message = {"type": "http.disconnect"}
# a declared body over the limit but at most this long is read and dropped after its 413 (see the docstring);
# a longer one is refused with `Connection: close`, unread
DRAIN_MAX_BYTES = 64 * 1024 * 1024


def too_large(limit: int) -> ApiError:
    return ApiError(
        413,
        ErrorDetail(code="too_large", message=f"a request body may hold at most {limit} bytes", field="body"),
    )


def busy(retry_after: int) -> ApiError:
    return ApiError(
        503,
        ErrorDetail(code="busy", message=f"too many requests are sending a body; retry in {retry_after} s"),
    )


def token_lookup(engine: Any, tokens: TokenCache) -> CallerOf:
    """The caller a raw Authorization header names (ApiError 401 if none), through the process's token cache."""

    def caller_of(authorization: str | None) -> Caller:
        known = cached_caller(authorization, tokens)
        if known is not None:
            return known
        with engine.connect() as conn:
            return authenticate(conn, authorization, tokens)

    return caller_of


def declared_body(headers: list[tuple[bytes, bytes]]) -> tuple[bool, int | None]:
    """(whether a body follows, its declared length or None when it is chunked)."""
    length: int | None = None
    chunked = False
    for name, value in headers:
        if name == b"content-length":
            try:
                length = int(value)
            except ValueError:
                length = None
                chunked = True  # the parser refuses it before us; if not, count what comes
        elif name == b"transfer-encoding":
            chunked = True
    if chunked:
        return True, None
    return bool(length), length


class Admission:
    """The ASGI middleware; one instance per process (it owns the semaphore that bounds bodies in flight)."""

    def __init__(self, app: ASGIApp, settings: Settings, caller_of: CallerOf) -> None:
        self.app = app
        self.max_body = settings.max_body_bytes
        self.queue_seconds = settings.body_queue_seconds
        self.caller_of = caller_of
        self.slots = asyncio.Semaphore(settings.max_concurrent_bodies)
        self.retry_after = max(1, round(settings.body_queue_seconds))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        has_body, length = declared_body(scope["headers"])
        if not has_body:
            await self.app(scope, receive, send)
            return
        try:
            caller = self.caller_of(_header(scope, b"authorization"))
        except ApiError as error:
            await _refuse(send, error)
            return
        except Exception as error:
            if refused_write(error):  # the database locked or out of reach: 503 as the app says it, in one line, once
                if unreachable(error):
                    _out_of_reach.failed(error)
                else:
                    _said.failed(TOKEN_CHECK, error)
                retry = [(b"retry-after", str(STORAGE_RETRY_AFTER_SECONDS).encode())]
                await _refuse(send, storage_unavailable(), retry)
                return
            # any other failure of the token lookup (the database is down): the documented JSON 500
            log.error("unhandled error on %s %s", scope.get("method"), scope.get("path"), exc_info=error)
            await _refuse(send, internal())
            return
        _said.wrote(TOKEN_CHECK)
        _out_of_reach.read()
        roles = route_roles(self.app, scope.get("method", ""), scope.get("path", ""))
        if roles is not None and caller.role not in roles:  # the role guard's 403, before the size or a slot
            await _refuse(send, forbidden(), close=length is not None and length > DRAIN_MAX_BYTES)
            return
        if length is not None and length > self.max_body:
            await _refuse(send, too_large(self.max_body), close=length > DRAIN_MAX_BYTES)
            return
        try:
            async with asyncio.timeout(self.queue_seconds):
                await self.slots.acquire()
        except TimeoutError:
            await _refuse(send, busy(self.retry_after), [(b"retry-after", str(self.retry_after).encode())])
            return
        await self._admitted(scope, receive, send)

    async def _admitted(self, scope: Scope, receive: Receive, send: Send) -> None:
        held = True
        received = 0
        refused = False

        def release() -> None:
            nonlocal held
            if held:
                held = False
                self.slots.release()

        async def counting_receive() -> Message:
            nonlocal received, refused
            if refused:
                return _DISCONNECT
            message: Message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > self.max_body:
                    refused = True
                    release()
                    await _refuse(send, too_large(self.max_body))
                    return _DISCONNECT
                if not message.get("more_body", False):
                    release()
            else:
                release()
            return message

        async def guarded_send(message: Message) -> None:
            if not refused:  # after our 413 the app's own answer to the disconnect goes nowhere
                await send(message)

        try:
            await self.app(scope, counting_receive, guarded_send)
        finally:
            release()


def middleware(settings: Settings, caller_of: CallerOf) -> Callable[[ASGIApp], ASGIApp]:
    """For Litestar's `middleware=[...]`: every route handler's stack shares one `Admission` (one semaphore)."""
    shared: list[Admission] = []

    def wrap(app: ASGIApp) -> ASGIApp:
        admission = Admission(app, settings, caller_of)
        if shared:
            admission.slots = shared[0].slots
        else:
            shared.append(admission)
        return admission

    return wrap


def _header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return bytes(value).decode("latin-1")
    return None


async def _refuse(
    send: Send, error: ApiError, extra: list[tuple[bytes, bytes]] | None = None, *, close: bool = True
) -> None:
    """Answer and close: the rest of the body is never read (uvicorn closes after `Connection: close`). With
    `close=False` the connection stays open: uvicorn reads the rest of the body and drops it."""
    body = _encode(error.body)
    headers = [
        (b"content-type", b"application/json"),
        (b"content-length", str(len(body)).encode()),
        *([(b"connection", b"close")] if close else []),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": error.status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


# --- slow and silent connections -----------------------------------------------------------------------------------


class GuardedProtocol(HttpToolsProtocol):
    """uvicorn's httptools protocol with deadlines for headers and bodies (see the module's docstring)."""

    settings: ClassVar[Settings]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.timeout_keep_alive = self.settings.keep_alive_seconds  # type: ignore[assignment]
        self._phase: str | None = None  # "headers", "body" or None (idle between requests, or being answered)
        self._phase_started = 0.0
        self._last_piece = 0.0
        self._body_bytes = 0
        self._guard: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._start_headers()

    def connection_lost(self, exc: Exception | None) -> None:
        self._phase = None
        if self._guard is not None:
            self._guard.cancel()
            self._guard = None
        super().connection_lost(exc)

    def data_received(self, data: bytes) -> None:
        if self._phase is None and (self.cycle is None or self.cycle.response_complete):
            self._start_headers()  # the first byte of the next request (even a stray CRLF) starts its clock
        super().data_received(data)

    def on_message_begin(self) -> None:
        super().on_message_begin()
        if self._phase is None:
            self._start_headers()

    def on_headers_complete(self) -> None:
        super().on_headers_complete()
        has_body, _length = declared_body(self.headers)
        if not has_body:
            self._phase = None
            return
        self._phase = "body"
        self._phase_started = self._last_piece = self.loop.time()
        self._body_bytes = 0
        self._arm()

    def on_body(self, body: bytes) -> None:
        self._last_piece = self.loop.time()
        self._body_bytes += len(body)
        super().on_body(body)

    def on_message_complete(self) -> None:
        self._phase = None
        super().on_message_complete()

    def _start_headers(self) -> None:
        self._phase = "headers"
        self._phase_started = self.loop.time()
        self._arm()

    def _due(self) -> float:
        if self._phase == "headers":
            return self._phase_started + self.settings.header_timeout_seconds
        grace = self.settings.body_timeout_seconds
        keeping_up = self._phase_started + grace + self._body_bytes / self.settings.body_min_bytes_per_second
        return min(keeping_up, self._last_piece + grace)

    def _arm(self) -> None:
        due = self._due()
        if self._guard is not None and self._guard.when() > due:
            self._guard.cancel()
            self._guard = None
        if self._guard is None:
            self._guard = self.loop.call_at(due, self._check)

    def _check(self) -> None:
        self._guard = None
        if self._phase is None or self.transport.is_closing():
            return
        if self.loop.time() >= self._due():
            self.transport.close()  # too slow: the app's receive() sees a disconnect
            return
        self._arm()


def guarded_protocol(settings: Settings) -> type[GuardedProtocol]:
    """The protocol class for `uvicorn.Config(http=...)` with these settings' deadlines."""
    return type("GuardedProtocol", (GuardedProtocol,), {"settings": settings})
