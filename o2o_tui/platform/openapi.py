"""The OpenAPI document served at /openapi.json: Litestar's paths, msgspec's schemas.

Litestar derives the operations (paths, parameters, status codes, the documented 4xx) from the controllers. The
schemas of bodies and answers are then replaced by msgspec's own JSON Schema of the same types, because msgspec is
what encodes and decodes them: its schema carries the request types' bounds (lengths, ranges, id patterns) and
their strictness (`additionalProperties: false`), and describes answers exactly as they are sent.
"""

from __future__ import annotations

from types import UnionType
from typing import Any, get_args, get_origin

import msgspec
from litestar import Litestar, Response
from litestar.routes import HTTPRoute

from o2o_tui.domain.errors import ErrorBody
from o2o_tui.platform import idempotency
from o2o_tui.platform.pipeline import idempotency_key_guard

JSON = "application/json"
_REF = "#/components/schemas/{name}"


def _is_struct(kind: Any) -> bool:
    return isinstance(kind, type) and issubclass(kind, msgspec.Struct)


def _answer_type(annotation: Any) -> Any:
    """`Response[Order]` -> Order, `Response[Store | PublicStore]` -> the union (the answer depends on the caller);
    None when the route sends something untyped."""
    if get_origin(annotation) is Response:
        (inner,) = get_args(annotation)
        if _is_struct(inner) or (get_origin(inner) is UnionType and all(map(_is_struct, get_args(inner)))):
            return inner
    return None


# the headers every change reads (pipeline.py): not parameters of the handlers, so stated here
_CHANGE_HEADERS = [
    {
        "name": "Idempotency-Key",
        "in": "header",
        "required": True,
        "description": "the device's key for this change: a retry with the same key gets the first answer again",
        "schema": {"type": "string", "minLength": 1, "maxLength": idempotency.MAX_KEY_LENGTH},
    },
    {
        "name": "X-Occurred-At",
        "in": "header",
        "required": False,
        "description": "when the person tapped it (ISO-8601 with offset): at most 7 days old; more than 5 minutes ahead is taken as now",
        "schema": {"type": "string", "format": "date-time"},
    },
]


def _operations(app: Litestar) -> list[tuple[str, str, Any, Any, dict[int, Any], bool]]:
    """(path, method, body type, answer type, {status: documented answer type}, is a change) per schema'd route."""
    found = []
    for route in app.routes:
        if not isinstance(route, HTTPRoute):
            continue
        for handler in route.route_handlers:
            if not handler.include_in_schema:
                continue
            data = handler.parsed_data_field
            body_type = data.annotation if data is not None else None
            answer_type = _answer_type(handler.parsed_return_field.annotation)
            extra = {status: spec.data_container for status, spec in (handler.responses or {}).items()}
            changes = idempotency_key_guard in (handler.guards or [])
            for method in handler.http_methods:
                found.append((route.path_format, method.lower(), body_type, answer_type, extra, changes))
    return found


def openapi_document(app: Litestar) -> dict[str, Any]:
    document: dict[str, Any] = app.openapi_schema.to_schema()
    operations = _operations(app)
    types: set[Any] = {ErrorBody}
    for _path, _method, body_type, answer_type, extra, _changes in operations:
        for kind in (body_type, answer_type, *extra.values()):
            if kind is not None:
                types.update(get_args(kind) if get_origin(kind) is UnionType else (kind,))
    ordered = sorted(types, key=lambda kind: kind.__name__)
    refs, components = msgspec.json.schema_components(ordered, ref_template=_REF)
    ref_of: dict[Any, Any] = dict(zip(ordered, refs, strict=True))
    for _path, _method, _body, answer_type, _extra, _changes in operations:  # an answer that depends on the caller
        if get_origin(answer_type) is UnionType:
            ref_of[answer_type] = {"oneOf": [ref_of[member] for member in get_args(answer_type)]}
    document.setdefault("components", {})["schemas"] = components
    for path, method, body_type, answer_type, extra, changes in operations:
        operation = document.get("paths", {}).get(path, {}).get(method)
        if operation is None:
            continue
        if changes:
            operation["parameters"] = [*operation.get("parameters", []), *_CHANGE_HEADERS]
        if body_type is not None:
            operation["requestBody"] = {"required": True, "content": {JSON: {"schema": ref_of[body_type]}}}
        responses = operation.get("responses", {})
        responses.pop("400", None)  # Litestar's default; a bad parameter or body is answered 422 here
        for status, answer in responses.items():
            kind = extra.get(int(status), answer_type if status.startswith("2") else ErrorBody)
            if kind is not None and "content" in answer:
                answer["content"] = {JSON: {"schema": ref_of[kind]}}
    _state_what_handlers_check(document)
    return document


def _state_what_handlers_check(document: dict[str, Any]) -> None:
    """What the handlers enforce or send beyond their signatures: every /v1 route needs a bearer token; a menu
    publish needs If-Match (422 without it); a menu read answers its version as an ETag."""
    schemes = document.setdefault("components", {}).setdefault("securitySchemes", {})
    schemes["bearer"] = {"type": "http", "scheme": "bearer", "description": "a device's token (`o2o login`)"}
    for path, operations in document.get("paths", {}).items():
        for method, operation in operations.items():
            if not isinstance(operation, dict):
                continue
            if path.startswith("/v1/"):
                operation["security"] = [{"bearer": []}]
            if path == "/v1/stores/{store_id}/menu" and method == "put":
                for parameter in operation.get("parameters", []):
                    if parameter.get("name") == "If-Match":
                        parameter["required"] = True
            if path == "/v1/stores/{store_id}/menu" and method == "get":
                answer = operation.get("responses", {}).get("200")
                if isinstance(answer, dict):
                    answer["headers"] = {
                        "ETag": {
                            "description": 'the menu\'s version, quoted ("12"): send it back as If-Match to publish',
                            "schema": {"type": "string"},
                        }
                    }
