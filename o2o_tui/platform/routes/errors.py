"""The 4xx answers each kind of route can give, documented in the OpenAPI with the `ErrorBody` envelope."""

from __future__ import annotations

from litestar.openapi.datastructures import ResponseSpec

from o2o_tui.domain.errors import ErrorBody


def _spec(description: str) -> ResponseSpec:
    return ResponseSpec(data_container=ErrorBody, description=description, generate_examples=False)


_UNAUTHORIZED = {401: _spec("missing, unknown or revoked bearer token")}
_FORBIDDEN = {403: _spec("this role (or this store's staff) may not do that")}
_NOT_FOUND = {404: _spec("no such resource, or not visible to this caller")}
_INVALID = {422: _spec("a query parameter, header or body field is invalid (`error.field` names it)")}

READ_ERRORS: dict[int, ResponseSpec] = {**_UNAUTHORIZED, **_FORBIDDEN, **_NOT_FOUND, **_INVALID}
# a list filtered by a store or courier that does not exist (or is not visible) is a 404 too
LIST_ERRORS: dict[int, ResponseSpec] = {**_UNAUTHORIZED, **_FORBIDDEN, **_NOT_FOUND, **_INVALID}
CHANGE_ERRORS: dict[int, ResponseSpec] = {
    **READ_ERRORS,
    409: _spec("the change conflicts with the current state (illegal transition, wrong code, ...)"),
    413: _spec("the body is larger than the platform accepts"),
    423: _spec("this code is locked after too many wrong attempts"),
}
MENU_ERRORS: dict[int, ResponseSpec] = {
    **CHANGE_ERRORS,
    412: _spec("If-Match names a menu version that is no longer current"),
}
