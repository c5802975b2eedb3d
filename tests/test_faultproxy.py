"""Each fault-proxy mode against a tiny real HTTP server on loopback (http.server in a thread)."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import httpx
import pytest

from tests.support.faultproxy import Fault, FaultProxy

ANSWER = b"x" * 3000  # long enough to cut an answer in the middle


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive, like the real platform server
    disable_nagle_algorithm = True

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        with self.server.lock:  # type: ignore[attr-defined]
            self.server.applied.append(body)  # type: ignore[attr-defined]
        self._reply()

    def do_GET(self) -> None:
        self._reply()

    def _reply(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(len(ANSWER)))
        self.end_headers()
        self.wfile.write(ANSWER)

    def log_message(self, *args: object) -> None:
        pass


class Upstream(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.applied: list[bytes] = []

    @property
    def port(self) -> int:
        return self.server_address[1]


@pytest.fixture
def upstream() -> Iterator[Upstream]:
    server = Upstream()
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    yield server
    server.shutdown()
    server.server_close()
    thread.join(10)


@pytest.fixture
def proxy(upstream: Upstream) -> Iterator[FaultProxy]:
    with FaultProxy(upstream.port) as running:
        yield running


def client(proxy: FaultProxy, timeout: float = 5.0) -> httpx.Client:
    return httpx.Client(base_url=f"http://127.0.0.1:{proxy.port}", timeout=timeout)


def test_pass_forwards_both_ways_over_kept_alive_connections(proxy: FaultProxy, upstream: Upstream) -> None:
    with client(proxy) as http:
        for n in range(3):
            answer = http.post("/orders/o1/confirm", content=f"body-{n}".encode())
            assert answer.status_code == 200 and answer.content == ANSWER
    assert upstream.applied == [b"body-0", b"body-1", b"body-2"]
    assert proxy.stats.connections == 1 and proxy.stats.exchanges == 3 and proxy.stats.faults_injected == 0


def test_drop_closes_new_connections_at_once(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.drop()
    with client(proxy) as http, pytest.raises(httpx.TransportError):
        http.post("/apply", content=b"a")
    assert upstream.applied == [] and proxy.stats.faults["drop"] == 1


def test_delay_holds_every_chunk(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.delay(400)
    with client(proxy, timeout=0.05) as http, pytest.raises(httpx.TimeoutException):
        http.get("/")
    with client(proxy, timeout=10) as http:
        assert http.get("/").content == ANSWER
    assert proxy.stats.faults["delay"] == 2


def test_reset_after_the_request_was_forwarded_applies_it_but_loses_the_answer(
    proxy: FaultProxy, upstream: Upstream
) -> None:
    proxy.reset_after(0)
    with client(proxy) as http, pytest.raises(httpx.TransportError):
        http.post("/apply", content=b"accept order o1")
    assert upstream.applied == [b"accept order o1"]  # the server did it; the client cannot know
    proxy.pass_through()
    with client(proxy) as http:
        assert http.post("/apply", content=b"retry").status_code == 200
    assert proxy.stats.faults["reset"] == 1


def test_reset_mid_answer_delivers_exactly_k_bytes_then_a_tcp_reset(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.reset_after(100)
    request = b"GET / HTTP/1.1\r\nHost: x\r\n\r\n"
    received = b""
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=5) as sock:
        sock.sendall(request)
        with pytest.raises(ConnectionResetError):
            while chunk := sock.recv(65536):
                received += chunk
    assert len(received) == 100 and received.startswith(b"HTTP/1.1 200")


@pytest.mark.parametrize(("fault", "status"), [(Fault.HTTP_502, 502), (Fault.HTTP_503, 503)])
def test_http_errors_are_answered_by_the_proxy(
    proxy: FaultProxy, upstream: Upstream, fault: Fault, status: int
) -> None:
    proxy.set_mode(fault)
    with client(proxy) as http:
        answer = http.post("/apply", content=b"a")
    assert answer.status_code == status and answer.json()["error"]["code"] == f"proxy_{fault.value}"
    assert upstream.applied == []


def test_black_hole_accepts_and_never_answers(proxy: FaultProxy, upstream: Upstream) -> None:
    proxy.black_hole()
    with client(proxy, timeout=0.3) as http, pytest.raises(httpx.ReadTimeout):
        http.post("/apply", content=b"a")
    assert upstream.applied == [] and proxy.stats.faults["black_hole"] == 1


def test_switching_modes_reaches_a_kept_alive_connection(proxy: FaultProxy, upstream: Upstream) -> None:
    with client(proxy) as http:
        assert http.post("/apply", content=b"1").status_code == 200
        proxy.http_503()
        assert http.post("/apply", content=b"2").status_code == 503
        proxy.pass_through()
        assert http.post("/apply", content=b"3").status_code == 200
        proxy.drop()
        with pytest.raises(httpx.TransportError):
            http.post("/apply", content=b"4")  # closed without being forwarded
    assert upstream.applied == [b"1", b"3"]


def _random_run(proxy: FaultProxy, upstream: Upstream, seed: int) -> list[str]:
    proxy.set_random(p=0.3, seed=seed, faults=[Fault.DROP, Fault.RESET, Fault.HTTP_503], reset_after_max=200)
    outcomes = []
    with client(proxy) as http:
        for n in range(150):
            try:
                outcomes.append(str(http.post("/apply", content=f"{seed}-{n}".encode()).status_code))
            except httpx.TransportError:
                outcomes.append("transport error")
    return outcomes


def test_random_faults_are_seeded_counted_and_replayable(proxy: FaultProxy, upstream: Upstream) -> None:
    first = _random_run(proxy, upstream, seed=7)
    stats = proxy.reset_stats()
    exchanges, faults = stats.exchanges, dict(stats.faults)
    applied = list(upstream.applied)
    second = _random_run(proxy, upstream, seed=7)
    assert first == second
    assert proxy.stats.exchanges == 150 and proxy.stats.faults == stats.faults
    failures = sum(outcome != "200" for outcome in first)
    assert exchanges == 150 and sum(faults.values()) == failures
    assert 20 < failures < 80  # p = 0.3 over 150 exchanges
    assert first.count("503") == faults["http_503"] > 0
    assert faults["drop"] > 0 and faults["reset"] > 0
    # The server applied every request answered 200 and every one reset after it was forwarded; never a dropped
    # one nor one the proxy answered 503 itself.
    assert len(applied) == first.count("200") + faults["reset"]
    assert _random_run(proxy, upstream, seed=8) != first
