"""Two edges of the platform server's refusals, through the real server.

1. A role that may never call a route hears 403 `forbidden` even when its body is over the size limit: admission
   (o2o_tui/platform/admission.py) answered 413 `too_large` first for a declared length, and 403 only for a
   chunked body (which reaches the app's role guard). The role is in the token, a header: no byte of the body is
   read for it. A role that may call the route still hears 413.
2. `Allow` (a 405's, and OPTIONS's answer) names every method of the path, OPTIONS among them, whoever asks
   (docs/api.md, Errors): OPTIONS /v1/orders named only `OPTIONS, POST` (one controller's methods), its 405
   `GET, HEAD, OPTIONS, POST`.
"""

from __future__ import annotations

import json
import re
import socket
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.platform import RunningPlatform, start_platform

LIMIT = 2000
FORBIDDEN = {"error": {"code": "forbidden", "message": "this role may not do that"}}
TOO_LARGE = {"error": {"code": "too_large", "message": f"a request body may hold at most {LIMIT} bytes", "field": "body"}}
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start_platform(tmp_path_factory.mktemp("role_before_size"), env={"O2O_MAX_BODY_BYTES": str(LIMIT)})
    try:
        yield running
    finally:
        running.stop()


def _routes(served: RunningPlatform) -> list[tuple[str, str, str, str]]:
    """(method, path, a role that may never call it, a role that may): changes with a body, a few of each kind."""
    assert served.seed is not None
    store = served.seed.store_id
    return [
        ("PUT", f"/v1/stores/{store}/status", "courier", "merchant"),
        ("POST", "/v1/orders/some-order/confirm", "dispatcher", "merchant"),
        ("POST", "/v1/orders", "merchant", "customer"),
        ("POST", "/v1/vouchers", "customer", "admin"),
        ("PATCH", f"/v1/stores/{store}/menu/items/rice", "courier", "merchant"),
    ]


def _raw(served: RunningPlatform, head: str, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
    """One request written by hand (only `body` of the body it declares is sent); the answer's status, headers
    and body."""
    host, port = served.url.removeprefix("http://").rsplit(":", 1)
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(head.encode("latin-1") + body)
        received = b""
        while b"\r\n\r\n" not in received:
            piece = sock.recv(65536)
            assert piece, received
            received += piece
        top, _, rest = received.partition(b"\r\n\r\n")
        lines = top.decode("latin-1").split("\r\n")
        headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
        while len(rest) < int(headers.get("content-length", "0")):
            piece = sock.recv(65536)
            assert piece, rest
            rest += piece
    return int(lines[0].split(" ")[1]), headers, rest


def _head(method: str, path: str, token: str, length: int | None) -> str:
    sized = "Transfer-Encoding: chunked" if length is None else f"Content-Length: {length}"
    return (
        f"{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Type: application/json\r\nIdempotency-Key: k-{method}-{len(path)}\r\n{sized}\r\n\r\n"
    )


def test_a_refused_role_hears_403_before_its_body_is_too_large(served: RunningPlatform) -> None:
    assert served.seed is not None
    tokens = served.seed.tokens
    big = json.dumps({"note": "x" * (LIMIT * 3)}).encode()
    wrong = []
    for method, path, refused, allowed in _routes(served):
        with httpx.Client(base_url=served.url, timeout=30) as http:
            for role, expected in ((refused, (403, FORBIDDEN)), (allowed, (413, TOO_LARGE))):
                headers = {"Authorization": f"Bearer {tokens[role]}", "Idempotency-Key": f"k-{role}"}
                answer = http.request(method, path, content=big, headers={**headers, "Content-Type": "application/json"})
                if (answer.status_code, answer.json()) != expected:
                    wrong.append(f"{role} {method} {path} (declared): {answer.status_code} {answer.text}")
                chunked = http.request(method, path, content=iter([big]), headers=headers)
                if (chunked.status_code, chunked.json()) != expected:
                    wrong.append(f"{role} {method} {path} (chunked): {chunked.status_code} {chunked.text}")
    assert not wrong, "\n".join(wrong)


def test_the_403_needs_no_byte_of_the_body(served: RunningPlatform) -> None:
    """Headers only, a body declared and never sent: the refusal comes at once, as the 413 does. Past the length
    the server would drain (64 MiB) both close the connection."""
    assert served.seed is not None
    tokens = served.seed.tokens
    method, path, refused, allowed = _routes(served)[0]
    status, headers, body = _raw(served, _head(method, path, tokens[refused], LIMIT * 10))
    assert (status, json.loads(body)) == (403, FORBIDDEN) and "connection" not in headers
    status, headers, body = _raw(served, _head(method, path, tokens[allowed], LIMIT * 10))
    assert (status, json.loads(body)) == (413, TOO_LARGE)
    huge = 100 * 1024 * 1024
    status, headers, body = _raw(served, _head(method, path, tokens[refused], huge))
    assert (status, json.loads(body), headers["connection"]) == (403, FORBIDDEN, "close")
    status, headers, body = _raw(served, _head(method, path, tokens[refused], None), b"5\r\n{\"a\":\r\n")
    assert (status, json.loads(body)) == (403, FORBIDDEN)  # a chunked body, half sent


def test_the_token_still_comes_first_and_small_bodies_are_unchanged(served: RunningPlatform) -> None:
    assert served.seed is not None
    method, path, refused, _allowed = _routes(served)[0]
    big = b"{" + b" " * (LIMIT * 3) + b"}"
    with httpx.Client(base_url=served.url, timeout=30) as http:
        nobody = http.request(method, path, content=big, headers={"Content-Type": "application/json"})
        assert nobody.status_code == 401 and nobody.json()["error"]["code"] == "unauthorized"
        small = http.request(
            method,
            path,
            json={"state": "ONLINE"},
            headers={"Authorization": f"Bearer {served.seed.tokens[refused]}", "Idempotency-Key": "k-small"},
        )
        assert (small.status_code, small.json()) == (403, FORBIDDEN)
        unknown = http.post(
            "/v1/no-such-route", content=big, headers={"Authorization": f"Bearer {served.seed.tokens['courier']}"}
        )
        assert unknown.status_code == 413  # no route names roles: its size is what is refused


def _expected_allow(methods: set[str]) -> str:
    shown = {method.upper() for method in methods} | {"OPTIONS"}
    if "GET" in shown:
        shown.add("HEAD")
    return ", ".join(sorted(shown))


def test_options_and_a_405_name_every_method_of_the_path_whoever_asks(served: RunningPlatform) -> None:
    assert served.seed is not None
    document = httpx.get(served.url + "/openapi.json", timeout=30).json()
    wrong = []
    with (
        httpx.Client(base_url=served.url, timeout=30) as stranger,
        served.client("courier") as courier,
        served.client("admin") as admin,
    ):
        for template, operations in document["paths"].items():
            path = re.sub(r"\{[^}]+\}", "x", template)
            expected = _expected_allow({m for m in operations if m in ("get", "post", "put", "patch", "delete")})
            for who, http in (("stranger", stranger), ("courier", courier), ("admin", admin)):
                options = http.options(path)
                if options.status_code != 204 or options.headers.get("allow") != expected:
                    wrong.append(f"{who} OPTIONS {path}: {options.status_code} {options.headers.get('allow')}")
                refused = http.request("TRACE", path)
                if refused.status_code != 405 or refused.headers.get("allow") != expected:
                    wrong.append(f"{who} TRACE {path}: {refused.status_code} {refused.headers.get('allow')}")
    assert not wrong, "\n".join(wrong)
    with served.client("courier") as courier:
        assert courier.options("/v1/orders").headers["allow"] == "GET, HEAD, OPTIONS, POST"
        assert courier.options("/v1/vouchers").headers["allow"] == "GET, HEAD, OPTIONS, POST"
        assert courier.delete("/v1/vouchers").headers["allow"] == "GET, HEAD, OPTIONS, POST"
        assert courier.options("/v1/no-such-route").status_code == 404


def test_the_docs_say_it() -> None:
    api = " ".join((ROOT / "docs" / "api.md").read_text(encoding="utf-8").split())
    assert "`OPTIONS` is answered 204 with the same `Allow`" in api
    assert "whoever asks" in api
    assert "a role that may never call the route gets its 403 before a 413" in api
