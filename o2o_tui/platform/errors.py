"""API errors: raised by the services, rendered as the `ErrorBody` envelope with their HTTP status."""

from __future__ import annotations

from o2o_tui.domain.errors import ErrorBody, ErrorDetail


class ApiError(Exception):
    def __init__(self, status: int, detail: ErrorDetail) -> None:
        super().__init__(detail.message or detail.code)
        self.status = status
        self.detail = detail

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


def wrong_code() -> ApiError:
    return ApiError(409, ErrorDetail(code="wrong_code", message="the code does not match"))


def stale_version(current_version: int) -> ApiError:
    return ApiError(
        412,
        ErrorDetail(
            code="stale_version",
            message=f"the menu is at version {current_version}",
            current_version=current_version,
        ),
    )


def validation(field: str, message: str, code: str = "validation") -> ApiError:
    return ApiError(422, ErrorDetail(code=code, message=message, field=field))
