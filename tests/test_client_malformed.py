"""Every kind of broken answer becomes a clear, typed error: never an httpx or msgspec traceback."""

from __future__ import annotations

import socket
from collections.abc import Iterator

import pytest

from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.client.errors import (
    Forbidden,
    IllegalTransition,
    MalformedResponse,
    PlatformError,
    ServerError,
    StaleVersion,
    Unreachable,
    ValidationFailed,
    WrongCode,
)
from o2o_tui.domain.identity import Role
from o2o_tui.domain.requests import ConfirmBody
from tests.support.badserver import BadServer, Canned, running_badserver

ME = b'{"user_id": "u1", "name": "Li Lei", "role": "merchant", "store_id": "s1"}'


@pytest.fixture
def bad() -> Iterator[BadServer]:
    yield from running_badserver()


@pytest.fixture
def client(bad: BadServer) -> Iterator[PlatformClient]:
    with PlatformClient(bad.url, "tok-secret", timeout=2.0, max_body_bytes=64 * 1024) as c:
        yield c


def test_well_formed_answer_decodes(bad: BadServer, client: PlatformClient) -> None:
    bad.answer("/v1/me", Canned(body=ME))
    me = client.me()
    assert me.role is Role.MERCHANT and me.store_id == "s1"
    assert bad.seen[-1].headers["Authorization"] == "Bearer tok-secret"


@pytest.mark.parametrize(
    ("canned", "fragment"),
    [
        (Canned(body=b'{"user_id": 7, "name": "x", "role": "merchant"}'), "$.user_id"),  # wrong type
        (Canned(body=b'{"user_id": "u1", "role": "merchant"}'), "name"),  # missing field
        (Canned(body=b'{"user_id": "u1", "name": "x", "role": "emperor"}'), "$.role"),  # unknown enum
        # an unknown field is not malformed: answers decode leniently (tests/test_contract_growth.py)
        (Canned(body=b"<html><body>Welcome to hotel wifi</body></html>", content_type="text/html"), "HTML"),
        (Canned(body=b"", content_type="text/plain"), "empty"),
        (Canned(body=b"OK\n", content_type="text/plain"), "not the platform"),
        (Canned(body=ME[:20]), "not the platform"),  # truncated JSON with a matching length
        (Canned(body=b"[1, 2, 3]"), "unexpected answer"),
    ],
)
def test_malformed_answers(bad: BadServer, client: PlatformClient, canned: Canned, fragment: str) -> None:
    bad.answer("/v1/me", canned)
    with pytest.raises(MalformedResponse) as caught:
        client.me()
    assert fragment in caught.value.message
    assert "/v1/me" in caught.value.message
    assert caught.value.is_final is False
    assert caught.value.i18n_message()


def test_huge_declared_body_is_refused_before_reading(bad: BadServer, client: PlatformClient) -> None:
    bad.answer("/v1/me", Canned(body=b" " * 1024, repeat=200))  # 200 KiB > the 64 KiB cap
    with pytest.raises(MalformedResponse, match="larger than"):
        client.me()


def test_huge_streamed_body_is_cut_off(bad: BadServer, client: PlatformClient) -> None:
    bad.answer("/v1/me", Canned(body=b" " * 1024, repeat=200, declare_length=False))
    with pytest.raises(MalformedResponse, match="larger than"):
        client.me()


def test_body_shorter_than_declared_is_unreachable(bad: BadServer, client: PlatformClient) -> None:
    bad.answer("/v1/me", Canned(body=ME[:30], claimed_length=len(ME)))
    with pytest.raises(Unreachable):
        client.me()


def test_proxy_error_page_is_malformed_and_retryable(bad: BadServer, client: PlatformClient) -> None:
    bad.answer("/v1/me", Canned(502, b"<html>502 Bad Gateway</html>", "text/html"))
    with pytest.raises(MalformedResponse) as caught:
        client.me()
    assert caught.value.status == 502 and not caught.value.is_final
    assert "HTML" in caught.value.message


def test_error_envelopes_map_to_typed_errors(bad: BadServer, client: PlatformClient) -> None:
    cases = [
        (409, b'{"error": {"code": "illegal_transition", "message": "no", "from": "CANCELLED", "to": "CONFIRMED"}}',
         IllegalTransition),
        (409, b'{"error": {"code": "wrong_code", "message": "bad code"}}', WrongCode),
        (412, b'{"error": {"code": "stale_version", "message": "moved", "current_version": 9}}', StaleVersion),
        (422, b'{"error": {"code": "validation", "message": "bad", "field": "preparation_minutes"}}',
         ValidationFailed),
        (403, b'{"error": {"code": "forbidden", "message": "not yours"}}', Forbidden),
        (503, b'{"error": {"code": "unavailable", "message": "later"}}', ServerError),
    ]
    for status, body, expected in cases:
        bad.answer("/v1/orders/o1/confirm", Canned(status, body))
        with pytest.raises(expected) as caught:
            client.act("order.confirm", "o1", ConfirmBody(preparation_minutes=10))
        error = caught.value
        assert error.status == status
        assert error.is_final is (status < 500)
        if isinstance(error, IllegalTransition):
            assert (error.from_status, error.to_status) == ("CANCELLED", "CONFIRMED")
            assert "CANCELLED" in error.i18n_message()
        if isinstance(error, StaleVersion):
            assert error.current_version == 9
        if isinstance(error, ValidationFailed):
            assert error.field == "preparation_minutes"


def test_server_message_is_made_safe(bad: BadServer, client: PlatformClient) -> None:
    body = b'{"error": {"code": "forbidden", "message": "no\\u001b]52;c;ZXZpbA==\\u0007 way\\nsecond"}}'
    bad.answer("/v1/me", Canned(403, body))
    with pytest.raises(Forbidden) as caught:
        client.me()
    assert "\x1b" not in caught.value.message and "\x07" not in caught.value.message
    assert "\n" not in caught.value.message


def test_mutations_carry_key_and_occurred_at(bad: BadServer, client: PlatformClient) -> None:
    bad.answer("/v1/orders/o1/confirm", Canned(409, b'{"error": {"code": "conflict", "message": "x"}}'))
    with pytest.raises(PlatformError):
        client.send("order.confirm", "o1", b'{"preparation_minutes":5}', key="k-1", occurred_at="2026-01-01T10:00:00Z")
    seen = bad.seen[-1]
    assert seen.method == "POST"
    assert seen.headers["Idempotency-Key"] == "k-1"
    assert seen.headers["X-Occurred-At"] == "2026-01-01T10:00:00Z"
    assert seen.body == b'{"preparation_minutes":5}'


def test_slow_answer_times_out_as_unreachable(bad: BadServer) -> None:
    bad.answer("/v1/me", Canned(body=ME, delay=1.0))
    with PlatformClient(bad.url, "t", timeout=0.2) as c, pytest.raises(Unreachable) as caught:
        c.me()
    assert caught.value.code == "timeout"


def test_closed_port_is_unreachable() -> None:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with PlatformClient(f"http://127.0.0.1:{port}", "t", timeout=2.0) as c, pytest.raises(Unreachable) as caught:
        c.me()
    assert caught.value.is_final is False


async def test_async_client_same_errors(bad: BadServer) -> None:
    async with AsyncPlatformClient(bad.url, "tok", timeout=2.0, max_body_bytes=64 * 1024) as c:
        bad.answer("/v1/me", Canned(body=ME))
        assert (await c.me()).name == "Li Lei"
        bad.answer("/v1/me", Canned(body=b"<html>portal</html>", content_type="text/html"))
        with pytest.raises(MalformedResponse, match="HTML"):
            await c.me()
        bad.answer("/v1/me", Canned(body=b" " * 1024, repeat=200, declare_length=False))
        with pytest.raises(MalformedResponse, match="larger than"):
            await c.me()
        bad.answer("/v1/me", Canned(body=b'{"user_id": 1}'))
        with pytest.raises(MalformedResponse):
            await c.me()
