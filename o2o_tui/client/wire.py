"""What the sync and async clients share: building requests and turning answers into results or typed errors.

Neither client lets an httpx or msgspec exception escape: `interpret()` maps every answer, `transport_error()`
every transport failure.
"""

from __future__ import annotations

import errno
import sys
from datetime import UTC, datetime
from functools import cache
from typing import TYPE_CHECKING, Generic, NamedTuple, TypeVar
from urllib.parse import urlsplit

import msgspec

from o2o_tui.client import errors as e
from o2o_tui.domain.errors import ErrorBody

if TYPE_CHECKING:  # httpx is imported by the clients that use it: the sync engine's module need not load it
    import httpx

MAX_BODY_BYTES = 16 * 1024 * 1024


@cache
def user_agent() -> str:
    """`o2o/0.1.0 (Python 3.11; linux)`: sent on every request, so the platform's log says which versions of o2o
    reach it (platform/client_versions.py) and its operator can tell the consoles that are too old. Read once:
    importlib.metadata costs ~20 ms, paid when the first client is made, not by commands that make none."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        mine = version("o2o")
    except PackageNotFoundError:  # run from a source tree that was never installed
        mine = "unknown"
    python = f"{sys.version_info.major}.{sys.version_info.minor}"
    return f"o2o/{mine} (Python {python}; {sys.platform})"


R = TypeVar("R")
R_co = TypeVar("R_co", covariant=True)  # a Call[Order] is a Call[object]: the helpers below take any call


class Call(NamedTuple, Generic[R_co]):
    """One platform request, independent of sync or async; a 2xx answer decodes to `result_type`."""

    method: str
    path: str
    result_type: type[R_co]
    params: dict[str, str] | None = None
    content: bytes | None = None
    headers: dict[str, str] | None = None
    extra_timeout: float = 0.0  # long polls hold the answer for `wait` seconds

    def expecting(self, result_type: type[R]) -> Call[R]:
        """The same request, its answer decoded as `result_type` (e.g. a page whose items are decoded one by
        one). `_replace(result_type=...)` does the same at run time but keeps the old type for a checker."""
        return Call(
            self.method, self.path, result_type, self.params, self.content, self.headers, self.extra_timeout
        )


class UserInfoInURL(ValueError):
    """A platform URL with `user:password@` in it: httpx would send those as Basic auth instead of the token, and
    a stored profile would keep the password. Refused wherever a platform URL is taken: drop it."""


def without_user_info(url: str) -> str:
    """`url` with any `user:password@` left out, to quote it back to a person (the password never shows)."""
    parts = urlsplit(url.strip())
    if "@" not in parts.netloc:
        return url.strip()
    return parts._replace(netloc=parts.netloc.rpartition("@")[2]).geturl()


def normalize_base_url(url: str) -> str:
    """`http://host:8765/` and `http://host:8765/v1` both become `http://host:8765`; refuses non-HTTP URLs, and
    URLs with user info (`UserInfoInURL`)."""
    text = url.strip().rstrip("/")
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {without_user_info(url)!r}")
    if "@" in parts.netloc:
        raise UserInfoInURL(f"user info in a platform URL: {without_user_info(url)!r}")
    try:
        parts.port  # noqa: B018  (a port that is not a number raises here, not in the first request)
    except ValueError:
        raise ValueError(f"not an http(s) URL: {without_user_info(url)!r}") from None
    import httpx  # the client's own parser: what it refuses, say now (a traceback otherwise)

    try:
        httpx.URL(text)
    except httpx.InvalidURL:
        raise ValueError(f"not an http(s) URL: {without_user_info(url)!r}") from None
    if text.endswith("/v1"):
        text = text[: -len("/v1")]
    return text


def now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def clean_params(params: dict[str, object]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in params.items():
        if value is None:
            continue
        if isinstance(value, bool):
            out[name] = "true" if value else "false"
        elif isinstance(value, datetime):
            out[name] = value.isoformat()
        else:
            out[name] = str(value)
    return out


def mutation_headers(key: str, occurred_at: str | None, if_match: int | None) -> dict[str, str]:
    if not key:
        raise ValueError("every mutating request needs an idempotency key")
    headers = {
        "Idempotency-Key": key,
        "X-Occurred-At": occurred_at or now_iso(),
        "Content-Type": "application/json",
    }
    if if_match is not None:
        headers["If-Match"] = str(if_match)
    return headers


def declared_length(response: httpx.Response) -> int | None:
    value = response.headers.get("content-length")
    try:
        return int(value) if value is not None else None
    except ValueError:
        return None


def too_big(call: Call[object], status: int, limit: int) -> e.MalformedResponse:
    return e.MalformedResponse(
        f"{call.method} {call.path}: answer larger than {limit // (1024 * 1024)} MiB, refused",
        status=status,
        code="answer_too_big",  # with a 2xx status: the entity is bad, not the link (sync skips just it)
    )


class BodyCollector:
    """Collects chunks of an answer and stops at `limit` bytes (the server, or something in between, is broken)."""

    def __init__(self, call: Call[object], status: int, limit: int) -> None:
        self._call, self._status, self._limit = call, status, limit
        self._chunks: list[bytes] = []
        self._size = 0

    def add(self, chunk: bytes) -> None:
        self._size += len(chunk)
        if self._size > self._limit:
            raise too_big(self._call, self._status, self._limit)
        self._chunks.append(chunk)

    def body(self) -> bytes:
        return b"".join(self._chunks)


def transport_error(call: Call[object], exc: Exception) -> e.PlatformError:
    import httpx  # already loaded: `exc` came from it

    where = f"{call.method} {call.path}"
    if isinstance(exc, httpx.TimeoutException):
        reason = "connect_timeout" if isinstance(exc, httpx.ConnectTimeout) else "timeout"
        return e.Unreachable(f"{where}: timed out", code="timeout", reason=reason, host=_host_of(exc))
    if isinstance(exc, httpx.DecodingError):
        return e.MalformedResponse(f"{where}: the answer's content encoding is broken")
    if isinstance(exc, httpx.TransportError | OSError):
        reason, detail = _unreachable_reason(exc)
        return e.Unreachable(
            f"{where}: {type(exc).__name__}: {exc}", reason=reason, host=_host_of(exc), detail=detail
        )
    return e.RequestFailed(f"{where}: {type(exc).__name__}: {exc}")


def _host_of(exc: Exception) -> str:
    """The host (and port) the failed request went to, from the request httpx attached to its error; "" when
    none is attached."""
    try:
        url = exc.request.url  # type: ignore[attr-defined]  # httpx's RequestError; RuntimeError when unset
    except (AttributeError, RuntimeError):
        return ""
    host = str(url.host or "")
    if ":" in host:  # an IPv6 address
        host = f"[{host}]"
    return f"{host}:{url.port}" if url.port is not None else host


_ERRNO_REASONS = {
    errno.ECONNREFUSED: "refused",
    errno.ECONNRESET: "reset",
    errno.ECONNABORTED: "reset",
    errno.EPIPE: "reset",
    errno.ETIMEDOUT: "timeout",
    errno.ENETUNREACH: "network",
    errno.EHOSTUNREACH: "network",
    errno.ENETDOWN: "network",
}
_WORDS_REASONS = (  # what the error's text says, when no errno came with it (httpcore words some itself)
    ("connection refused", "refused"),
    ("connection reset", "reset"),
    ("server disconnected", "closed"),
    ("connection closed", "closed"),
    ("peer closed connection", "closed"),
    ("name or service not known", "dns"),
    ("nodename nor servname", "dns"),
    ("temporary failure in name resolution", "dns"),
    ("no address associated", "dns"),
    ("getaddrinfo", "dns"),
    ("network is unreachable", "network"),
    ("no route to host", "network"),
    ("certificate", "tls"),
    ("ssl", "tls"),
    ("tls", "tls"),
)


def _unreachable_reason(exc: BaseException) -> tuple[str, str]:
    """(reason, detail) for a transport fault: `errors.UNREACHABLE_REASONS`, from the errno or the words of the
    exception and the ones it came from; the detail is the innermost non-empty text (never empty for "other")."""
    import socket
    import ssl

    import httpx

    chain: list[BaseException] = []
    seen: BaseException | None = exc
    while seen is not None and seen not in chain and len(chain) < 8:
        chain.append(seen)
        seen = seen.__cause__ or seen.__context__
    detail = next((str(c) for c in reversed(chain) if str(c).strip()), "") or type(exc).__name__
    for link in chain:
        if isinstance(link, socket.gaierror):
            return "dns", detail
        if isinstance(link, ssl.SSLError):
            return "tls", detail
        number = getattr(link, "errno", None)
        if isinstance(number, int) and number in _ERRNO_REASONS:
            return _ERRNO_REASONS[number], detail
    words = " ".join(str(link) for link in chain).lower()
    for said, reason in _WORDS_REASONS:
        if said in words:
            return reason, detail
    if isinstance(exc, httpx.ReadError | httpx.WriteError) and not str(exc).strip():
        return "reset", detail  # the connection went away mid-request without a word (a dropped link)
    if isinstance(exc, httpx.RemoteProtocolError):
        return "closed", detail
    return "other", detail


def _describe_unreadable(body: bytes, content_type: str) -> str:
    if "html" in content_type.lower() or body.lstrip()[:1] == b"<":
        return "an HTML page instead of the platform API (a proxy, a captive portal or a wrong URL?)"
    if not body:
        return "an empty answer"
    return "an answer that is not the platform's JSON"


_BY_STATUS: dict[int, type[e.PlatformError]] = {
    401: e.Unauthorized,
    403: e.Forbidden,
    404: e.NotFound,
    412: e.StaleVersion,
    413: e.TooLarge,
    422: e.ValidationFailed,
    429: e.ServerError,
}
_CONFLICTS: dict[str, type[e.PlatformError]] = {
    "illegal_transition": e.IllegalTransition,
    "wrong_code": e.WrongCode,
}


def _refusal(call: Call[object], status: int, content_type: str, body: bytes) -> e.PlatformError:
    try:
        detail = msgspec.json.decode(body, type=ErrorBody).error
    except (msgspec.DecodeError, msgspec.ValidationError):
        what = _describe_unreadable(body, content_type)
        # a proxy's page (nginx's client_max_body_size): the same bytes are refused every time, so final
        if status == 413:
            return e.TooLarge(f"{call.method} {call.path}: HTTP 413 with {what}", status=status)
        return e.MalformedResponse(f"{call.method} {call.path}: HTTP {status} with {what}", status=status)
    if status == 409:
        cls = _CONFLICTS.get(detail.code, e.Conflict)
    elif status >= 500:
        cls = e.ServerError
    else:
        cls = _BY_STATUS.get(status, e.PlatformError)
    return cls(status=status, detail=detail)


def interpret(call: Call[R], status: int, content_type: str, body: bytes) -> R:
    """The decoded result of a 2xx answer, or the typed error for anything else."""
    if not 200 <= status < 300:
        raise _refusal(call, status, content_type, body)
    try:
        return msgspec.json.decode(body, type=call.result_type)
    except msgspec.ValidationError as exc:
        raise e.MalformedResponse(
            f"{call.method} {call.path}: unexpected answer: {exc}", status=status, code="unexpected_answer"
        ) from None
    except msgspec.DecodeError as exc:
        what = _describe_unreadable(body, content_type)
        raise e.MalformedResponse(f"{call.method} {call.path}: {what} ({exc})", status=status) from None
