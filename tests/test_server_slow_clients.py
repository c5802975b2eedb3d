"""Issue 9, defect 7: slow, silent and oversized clients, against the real server process over raw sockets.

The server here runs with short deadlines (header and body 1 s, keep-alive 1.5 s, bodies of at most 256 KiB,
one body at a time) so each case takes about a second; docs/operations.md gives the real defaults.
"""

from __future__ import annotations

import socket
import time
import uuid
from collections.abc import Iterator

import httpx
import pytest

from o2o_tui.platform import events
from o2o_tui.platform.settings import Settings
from tests.support.platform import RunningPlatform, start_platform

HEADER_TIMEOUT = 1.0
BODY_TIMEOUT = 1.0
KEEP_ALIVE = 1.5
MAX_BODY = 256 * 1024
QUEUE_SECONDS = 0.5
ENV = {
    "O2O_HEADER_TIMEOUT_SECONDS": str(HEADER_TIMEOUT),
    "O2O_BODY_TIMEOUT_SECONDS": str(BODY_TIMEOUT),
    "O2O_KEEP_ALIVE_SECONDS": str(KEEP_ALIVE),
    "O2O_MAX_BODY_BYTES": str(MAX_BODY),
    "O2O_MAX_CONCURRENT_BODIES": "1",
    "O2O_BODY_QUEUE_SECONDS": str(QUEUE_SECONDS),
}
SLACK = 2.0  # a loaded machine may be late by this much; the unfixed server never closes at all


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    running = start_platform(tmp_path_factory.mktemp("slow_clients"), env=ENV)
    try:
        yield running
    finally:
        running.stop()


def _token(server: RunningPlatform, role: str = "merchant") -> str:
    assert server.seed is not None
    return server.seed.tokens[role]


def _connect(server: RunningPlatform, timeout: float = 10.0) -> socket.socket:
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=timeout)
    sock.settimeout(timeout)
    return sock


def _head(method: str, path: str, token: str, extra: str = "") -> bytes:
    return (
        f"{method} {path} HTTP/1.1\r\nHost: test\r\nAuthorization: Bearer {token}\r\n"
        f"Idempotency-Key: {uuid.uuid4()}\r\nContent-Type: application/json\r\n{extra}\r\n"
    ).encode()


def _read_all(sock: socket.socket) -> bytes:
    """Everything until the server closes (a reset after its answer counts as a close)."""
    got = b""
    try:
        while True:
            piece = sock.recv(65536)
            if not piece:
                return got
            got += piece
    except ConnectionResetError:
        return got


def _closed_after(sock: socket.socket) -> float:
    """Seconds until the server closes a connection we leave alone (the socket timeout fails the test)."""
    start = time.monotonic()
    try:
        assert sock.recv(1024) == b""
    except ConnectionResetError:
        pass
    except TimeoutError:
        pytest.fail("the server kept the connection open")
    return time.monotonic() - start


def test_keep_alive_outlasts_the_longest_long_poll() -> None:
    assert Settings().keep_alive_seconds > events.MAX_WAIT_SECONDS


def test_a_stranger_body_is_refused_before_it_is_sent(server: RunningPlatform) -> None:
    """Today's server read all 10 MB, then said 401: here it answers and closes while the client still sends."""
    total = 10_000_000
    sock = _connect(server)
    sock.sendall(_head("POST", "/v1/orders", "not-a-token", f"Content-Length: {total}\r\n"))
    sent = 0
    chunk = b" " * 65536
    with pytest.raises(OSError):  # the server closed: our next write is reset (or finds the pipe broken)
        while sent < total:
            sock.sendall(chunk)
            sent += len(chunk)
    assert sent < total
    answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 401"), answer[:200]
    assert b'"unauthorized"' in answer
    sock.close()


def test_a_declared_length_over_the_limit_is_refused_at_once(server: RunningPlatform) -> None:
    sock = _connect(server, timeout=5)
    sock.sendall(
        _head("POST", "/v1/orders", _token(server, "customer"), f"Content-Length: {MAX_BODY + 1}\r\n")
    )
    answer = _read_all(sock)  # no body byte was sent: the answer cannot have waited for one
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    assert b'"too_large"' in answer
    sock.close()


def test_a_chunked_body_is_counted_as_it_streams(server: RunningPlatform) -> None:
    sock = _connect(server)
    sock.sendall(_head("POST", "/v1/orders", _token(server, "customer"), "Transfer-Encoding: chunked\r\n"))
    piece = b" " * 32768
    answer = b""
    try:
        for _ in range(2 * MAX_BODY // len(piece)):
            sock.sendall(f"{len(piece):x}\r\n".encode() + piece + b"\r\n")
    except OSError:
        pass
    answer = _read_all(sock)
    assert answer.startswith(b"HTTP/1.1 413"), answer[:200]
    sock.close()


def test_a_silent_connection_is_closed(server: RunningPlatform) -> None:
    sock = _connect(server)
    assert _closed_after(sock) < HEADER_TIMEOUT + SLACK
    sock.close()


def test_half_a_header_is_closed(server: RunningPlatform) -> None:
    sock = _connect(server)
    sock.sendall(b"GET /v1/me HTTP/1.1\r\nHost: test\r\nAuthoriz")
    assert _closed_after(sock) < HEADER_TIMEOUT + SLACK
    sock.close()


def test_a_header_sent_a_byte_at_a_time_is_closed_at_its_deadline(server: RunningPlatform) -> None:
    """Every byte arrives well within the deadline, but the whole header does not: the clock is per request."""
    sock = _connect(server)
    start = time.monotonic()
    header = iter(b"GET /v1/me HTTP/1.1\r\nHost: test\r\nX-Padding: " + b"a" * 1000)
    with pytest.raises(OSError):  # the server closed: a later write is reset
        while time.monotonic() - start < HEADER_TIMEOUT + SLACK:
            sock.send(bytes([next(header)]))
            time.sleep(0.1)
    sock.close()


def test_half_a_body_is_closed_and_frees_its_slot(server: RunningPlatform) -> None:
    sock = _connect(server)
    sock.sendall(
        _head("POST", "/v1/orders", _token(server, "customer"), "Content-Length: 100\r\n") + b'{"id": '
    )
    assert _closed_after(sock) < BODY_TIMEOUT + SLACK
    sock.close()
    # the only body slot is free again: an ordinary bad body is decoded and answered
    with httpx.Client(
        base_url=server.url, headers={"Authorization": f"Bearer {_token(server, 'customer')}"}
    ) as http:
        answer = http.post("/v1/orders", json={}, headers={"Idempotency-Key": "slow-clients-1"})
    assert answer.status_code == 422


def test_a_body_sent_a_byte_at_a_time_is_closed_once_it_falls_behind_the_floor_rate(
    server: RunningPlatform,
) -> None:
    """No pause reaches the body timeout, but 3 bytes a second is far below the floor (1 KiB/s by default)."""
    sock = _connect(server)
    sock.sendall(_head("POST", "/v1/orders", _token(server, "customer"), "Content-Length: 5000\r\n"))
    start = time.monotonic()
    with pytest.raises(OSError):  # the server closed: a later write is reset
        while time.monotonic() - start < BODY_TIMEOUT + SLACK:
            sock.send(b" ")
            time.sleep(0.3)
    sock.close()


def test_bodies_beyond_the_limit_wait_then_get_503(server: RunningPlatform) -> None:
    holder = _connect(server)
    holder.sendall(_head("POST", "/v1/orders", _token(server, "customer"), "Content-Length: 100\r\n") + b"{")
    time.sleep(0.2)  # the holder's body is being received: it has the only slot
    waiting = _connect(server, timeout=5)
    waiting.sendall(_head("POST", "/v1/orders", _token(server, "customer"), "Content-Length: 2\r\n") + b"{}")
    answer = _read_all(waiting)
    assert answer.startswith(b"HTTP/1.1 503"), answer[:200]
    assert b"retry-after: 1" in answer.lower()
    holder.close()
    waiting.close()


def test_an_idle_keep_alive_connection_is_closed_after_its_timeout(server: RunningPlatform) -> None:
    sock = _connect(server)
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: test\r\n\r\n")
    first = sock.recv(65536)
    while not first.endswith(b"}"):  # headers and body may come in two pieces
        first += sock.recv(65536)
    assert first.startswith(b"HTTP/1.1 200")
    waited = _closed_after(sock)
    assert KEEP_ALIVE - 0.3 < waited < KEEP_ALIVE + SLACK
    sock.close()


def test_a_long_poll_longer_than_every_deadline_is_not_cut(server: RunningPlatform) -> None:
    """A request being answered has no deadline: a poll that waits 3 s (twice the keep-alive) gets its page."""
    headers = {"Authorization": f"Bearer {_token(server, 'merchant')}"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=30) as http:
        cursor = http.get("/v1/events").json()["cursor"]
        start = time.monotonic()
        page = http.get("/v1/events", params={"after": cursor, "wait": 3})
        waited = time.monotonic() - start
        assert page.status_code == 200
        assert waited > 2.5
        # and the same connection serves the next poll at once
        assert http.get("/v1/events", params={"after": cursor}).status_code == 200


def test_a_small_body_from_a_known_caller_still_goes_through(server: RunningPlatform) -> None:
    headers = {"Authorization": f"Bearer {_token(server, 'merchant')}", "Idempotency-Key": "slow-clients-2"}
    with httpx.Client(base_url=server.url, headers=headers, timeout=10) as http:
        store_id = http.get("/v1/me").json()["store_id"]
        answer = http.put(f"/v1/stores/{store_id}/status", json={"state": "ONLINE"})
    assert answer.status_code == 200, answer.text
