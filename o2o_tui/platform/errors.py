"""API errors: raised by the services, rendered as the `ErrorBody` envelope with their HTTP status."""

from __future__ import annotations

from datetime import datetime

from o2o_tui.domain.errors import ErrorBody, ErrorDetail


class ApiError(Exception):
    """A refusal. `keep_changes`: the transaction's writes are committed with the refusal instead of rolled
    back (a wrong code is refused, and the wrong try must still be counted)."""

    def __init__(self, status: int, detail: ErrorDetail, *, keep_changes: bool = False) -> None:
        super().__init__(detail.message or detail.code)
        self.status = status
        self.detail = detail
        self.keep_changes = keep_changes

    @property
    def body(self) -> ErrorBody:
        return ErrorBody(error=self.detail)


def unauthorized(message: str = "missing or invalid bearer token") -> ApiError:
    return ApiError(401, ErrorDetail(code="unauthorized", message=message))


def forbidden(message: str = "this role may not do that") -> ApiError:
    return ApiError(403, ErrorDetail(code="forbidden", message=message))


def not_found(what: str = "resource") -> ApiError:
    return ApiError(404, ErrorDetail(code="not_found", message=f"no such {what}"))


def illegal_transition(current: str, target: str) -> ApiError:
    return ApiError(
        409,
        ErrorDetail(
            code="illegal_transition",
            message=f"cannot go from {current} to {target}",
            from_=current,
            to=target,
        ),
    )


def conflict(message: str, code: str = "conflict") -> ApiError:
    return ApiError(409, ErrorDetail(code=code, message=message))


def wrong_code(
    *,
    keep_changes: bool = False,
    tries_left: int | None = None,
    locked_until: datetime | None = None,
    timezone: str | None = None,
) -> ApiError:
    """409: the code does not match; `tries_left` wrong tries before it locks (0 with `locked_until`: this try
    locked it; `timezone`, the store's, to say that time on its clock)."""
    if tries_left is None:
        message = "the code does not match"
    elif locked_until is not None:
        message = "the code does not match; too many wrong codes: refused until " + locked_until.isoformat(
            timespec="seconds"
        )
    else:
        message = f"the code does not match; {tries_left} more wrong tries lock it"
    detail = ErrorDetail(
        code="wrong_code", message=message, tries_left=tries_left, locked_until=locked_until, timezone=timezone
    )
    return ApiError(409, detail, keep_changes=keep_changes)


def code_locked(until: datetime, timezone: str | None = None) -> ApiError:
    """423: too many wrong tries of this code; it is refused (right or wrong) until `until`. `timezone`: the
    store's, so that a reader elsewhere (a handheld served from the platform's machine) says its clock time."""
    message = "too many wrong codes; refused until " + until.isoformat(timespec="seconds")
    detail = ErrorDetail(code="code_locked", message=message, locked_until=until, timezone=timezone)
    return ApiError(423, detail)


def stale_version(current_version: int) -> ApiError:
    return ApiError(
        412,
        ErrorDetail(
            code="stale_version",
            message=f"the menu is at version {current_version}",
            current_version=current_version,
        ),
    )


def internal() -> ApiError:
    """500: a fault of the server or its database (the traceback goes to the server's log, never to the caller)."""
    return ApiError(500, ErrorDetail(code="internal", message="internal server error"))


STORAGE_RETRY_AFTER_SECONDS = 30


def storage_unavailable() -> ApiError:
    """503: the database refused to store the change now (its disk full, its file read-only, a disk I/O error,
    locked past its timeout). Nothing was changed; the same request (same Idempotency-Key) may succeed later."""
    message = "the platform cannot store changes right now; nothing was changed; retry later"
    return ApiError(503, ErrorDetail(code="storage_unavailable", message=message))


def validation(field: str, message: str, code: str = "validation") -> ApiError:
    return ApiError(422, ErrorDetail(code=code, message=message, field=field))
