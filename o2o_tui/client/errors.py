"""Typed errors of the platform client.

Every failure of a platform call is one of these, never an httpx or msgspec exception. `is_final` tells the
sync engine whether retrying the same request can ever succeed: a refusal (403, 404, 409, 412, 422 and other
4xx answers carrying the error envelope; a 413 even without it, as a proxy answers) is final; a network fault, a timeout, a 5xx, a 429, a bad token (401:
the person can log in again and the queued work is still good) or an answer we could not read is not.
"""

from __future__ import annotations

from o2o_tui.domain.clock import stored_clock
from o2o_tui.domain.errors import ErrorDetail
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text

_MAX_MESSAGE = 500


def _clean(message: str) -> str:
    text = safe_text(message, one_line=True)
    return text if len(text) <= _MAX_MESSAGE else text[: _MAX_MESSAGE - 1] + "…"


class PlatformError(Exception):
    """A platform call failed. `message` is safe to display (control characters replaced, one line)."""

    default_code = "error"
    is_final = True
    retry_after: str | None = None  # the answer's Retry-After header as sent, when it had one

    def __init__(
        self,
        message: str = "",
        *,
        status: int | None = None,
        code: str | None = None,
        detail: ErrorDetail | None = None,
    ) -> None:
        self.status = status
        self.code = safe_text(code or (detail.code if detail else None) or self.default_code, one_line=True)
        self.message = _clean(message or (detail.message if detail else ""))
        self.detail = detail
        super().__init__(self.message or self.code)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, code={self.code!r}, message={self.message!r})"

    def i18n_message(self) -> str:
        """The error for a person, in the current language."""
        if unknown_route(self.code, self.message):  # a 405: the platform is older than this o2o
            return t("client.error.unknown_route")
        return t("client.error.generic", status=self.status or "-", code=self.code, message=self.message)


# What went wrong on the way, as `Unreachable.reason` (`wire.transport_error` tells them apart); each is said in
# words (`client.error.unreachable.<reason>`), naming the host, never the request's path and ids
UNREACHABLE_REASONS = (
    "refused",  # nothing listens at the address (the platform is down, a wrong port)
    "connect_timeout",  # the connection could not be opened in time
    "timeout",  # connected, but no answer in time
    "reset",  # the connection was reset (a dropped link, a proxy giving up)
    "closed",  # the other end closed the connection without answering
    "dns",  # the host name could not be looked up
    "network",  # no route to the host: the network is down
    "tls",  # the secure connection could not be set up (certificate, protocol)
    "other",  # anything else: its own words follow (`detail`)
)


class Unreachable(PlatformError):
    """No answer: connection refused, DNS failure, TLS failure, timeout, connection dropped mid-answer.

    `message` keeps the technical line (method, path, exception) for logs and code that reads it; a person hears
    `i18n_message`: what failed and to which host (`reason`, `host`, `detail`, set by `wire.transport_error`)."""

    default_code = "unreachable"
    is_final = False

    def __init__(
        self,
        message: str = "",
        *,
        reason: str | None = None,
        host: str = "",
        detail: str = "",
        status: int | None = None,
        code: str | None = None,
    ) -> None:
        super().__init__(message, status=status, code=code)
        self.reason = reason if reason in UNREACHABLE_REASONS else None
        self.host = _clean(host)
        self.reason_detail = _clean(detail)

    def i18n_message(self) -> str:
        if self.reason is None:  # raised by hand with words of its own ("no figures kept for that day")
            return t("client.error.unreachable", message=self.message or t("client.error.unreachable.no_detail"))
        host = self.host or t("client.error.unreachable.the_platform")
        words = t(f"client.error.unreachable.{self.reason}", host=host, detail=self.reason_detail)
        return t("client.error.unreachable", message=words)


USER_DISABLED = "user_disabled"  # the 401's code for a user an admin disabled (`o2o admin disable-user`)


class Unauthorized(PlatformError):
    default_code = "unauthorized"
    is_final = False  # the token is bad or revoked; queued work stays good until the person logs in again

    @property
    def disabled(self) -> bool:
        """An admin disabled the account (`o2o admin disable-user`): it works again once enabled, by itself."""
        return self.code == USER_DISABLED

    def i18n_message(self) -> str:
        if self.code == USER_DISABLED:  # offboarded (`o2o admin disable-user`): logging in again cannot help
            return t("client.error.user_disabled")
        return t("client.error.unauthorized")


def says_disabled(link_error: str | None) -> bool:
    """Whether a refused link's error (the `Unauthorized.i18n_message` the sync engine keeps as its last error)
    says the account is disabled: then asking the store or the administrator helps, logging in again does not."""
    return link_error is not None and link_error == t("client.error.user_disabled")


class Forbidden(PlatformError):
    default_code = "forbidden"

    def i18n_message(self) -> str:
        return t("client.error.forbidden", message=self.message)


# How the platform's router answers a request for a route it does not have (Litestar's own 404 and 405, put in
# the error envelope by platform/app.py, this release and older ones alike); a route it has, for an entity it
# lacks, says which ("no such order": platform/errors.py's not_found)
_NO_ROUTE = ("not_found", "Not Found")
_NO_METHOD = "method_not_allowed"


def unknown_route(code: object, message: object) -> bool:
    """Whether a refusal (its `code` and `message` as the platform sent them) says the platform has no such route:
    it runs an older version than this o2o, which asked for something added since. A 405 too: a path the platform
    knows with another method, never asked by a console of the platform's own version."""
    return code == _NO_METHOD or (code, message) == _NO_ROUTE


class NotFound(PlatformError):
    """404: the entity is not (or no longer) on the platform, or the platform has no such route
    (`unknown_route`: the platform is older than this o2o)."""

    default_code = "not_found"

    @property
    def unknown_route(self) -> bool:
        return unknown_route(self.code, self.message)

    def i18n_message(self) -> str:
        if self.unknown_route:
            return t("client.error.unknown_route")
        return t("client.error.not_found", message=self.message)


class Conflict(PlatformError):
    """409 other than an illegal transition or a wrong code."""

    default_code = "conflict"

    def i18n_message(self) -> str:
        own = f"client.error.code.{self.code}"  # a refusal with a sentence of its own, in the user's language
        sentence = t(own)
        return sentence if sentence != own else t("client.error.conflict", message=self.message)


class IllegalTransition(Conflict):
    default_code = "illegal_transition"

    @property
    def from_status(self) -> str | None:
        return self.detail.from_ if self.detail else None

    @property
    def to_status(self) -> str | None:
        return self.detail.to if self.detail else None

    def i18n_message(self) -> str:
        return t(
            "client.error.illegal_transition",
            from_status=safe_text(self.from_status or "?", one_line=True),
            to_status=safe_text(self.to_status or "?", one_line=True),
        )


class WrongCode(Conflict):
    default_code = "wrong_code"

    def i18n_message(self) -> str:
        detail = self.detail
        if detail is not None and detail.locked_until is not None:  # this wrong code locked it
            return t("client.error.wrong_code.locked", until=stored_clock(detail.locked_until, detail.timezone))
        tries = detail.tries_left if detail is not None else None
        if tries is not None and tries > 0:
            key = "client.error.wrong_code.tries.one" if tries == 1 else "client.error.wrong_code.tries"
            return t(key, tries=str(tries))
        return t("client.error.wrong_code")


class StaleVersion(PlatformError):
    default_code = "stale_version"

    @property
    def current_version(self) -> int | None:
        return self.detail.current_version if self.detail else None

    def i18n_message(self) -> str:
        return t("client.error.stale_version", current_version=self.current_version or "?")


class ValidationFailed(PlatformError):
    """422: a bad body (`field` names it) or an idempotency key reused with a different body."""

    default_code = "validation"

    @property
    def field(self) -> str | None:
        return self.detail.field if self.detail else None

    def i18n_message(self) -> str:
        field = safe_text(self.field or "-", one_line=True)
        return t("client.error.validation", field=field, message=self.message)


class TooLarge(PlatformError):
    """413: the request's body is larger than the platform (or a proxy before it) accepts. Final: the same bytes
    are refused every time, so the queue moves on (the action lands in the conflicts)."""

    default_code = "too_large"

    def i18n_message(self) -> str:
        return t("client.error.too_large")


class ServerError(PlatformError):
    """5xx or 429: the platform could not answer now; retry later."""

    default_code = "server_error"
    is_final = False

    def i18n_message(self) -> str:
        if self.code == "storage_unavailable":  # the platform's database refuses or is down: a 503, retried later
            return t("client.error.storage_unavailable")
        return t("client.error.server_error", status=self.status or "-", message=self.message)


class MalformedResponse(PlatformError):
    """An answer we could not read: not JSON, wrong shape, too big, or a proxy's HTML page instead of the API."""

    default_code = "malformed_response"
    is_final = False

    def i18n_message(self) -> str:
        return t("client.error.malformed", status=self.status or "-", message=self.message)


class RequestFailed(PlatformError):
    """The request could not be made for a reason outside the known transport faults (kept retryable: a bug or
    an odd environment must not turn queued work into a refusal)."""

    default_code = "request_failed"
    is_final = False


__all__ = [
    "Conflict",
    "Forbidden",
    "IllegalTransition",
    "MalformedResponse",
    "NotFound",
    "PlatformError",
    "RequestFailed",
    "ServerError",
    "StaleVersion",
    "TooLarge",
    "Unauthorized",
    "Unreachable",
    "ValidationFailed",
    "WrongCode",
    "unknown_route",
]
