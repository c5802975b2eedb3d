"""While the link is down, a person hears what failed and to which host ("the connection to 127.0.0.1:8080 was
reset", "... refused the connection", "... did not answer in time"), in English and Chinese: never an empty error
("ReadError: ") and never the request's path with its ids. Real sockets on loopback, the real server behind a
fault proxy for the CLI."""

from __future__ import annotations

import socket
import struct
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.client.errors import PlatformError, Unreachable
from o2o_tui.i18n import set_language
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, free_port
from tests.test_cli_orders import Cli
from tests.test_sync_engine import place_orders


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _said(url: str, timeout: float = 1.0) -> str:
    with PlatformClient(url, "token", timeout=timeout) as client:
        try:
            client.get_order("0f428226-0000-4000-8000-000000000000")
        except Unreachable as error:
            return error.i18n_message()
        except PlatformError as error:  # pragma: no cover - the test fails with what came instead
            raise AssertionError(repr(error)) from None
    raise AssertionError("the call went through")


def _listener(answer: str) -> tuple[socket.socket, int]:
    """A loopback socket that takes the request and then: "reset" (RST), "close" (a clean close, no answer),
    "silent" (never answers)."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()

    def serve() -> None:
        while True:
            try:
                conn, _ = server.accept()
            except OSError:
                return
            conn.recv(65536)
            if answer == "reset":
                conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                conn.close()
            elif answer == "close":
                conn.close()

    if answer != "silent":
        threading.Thread(target=serve, daemon=True).start()
    return server, server.getsockname()[1]


WORDS = {
    "en": {
        "refused": "refused the connection",
        "reset": "the connection to {host} was reset",
        "close": "closed the connection without answering",
        "silent": "did not answer in time",
        "dns": "could not be looked up",
        "prefix": "The platform cannot be reached: ",
    },
    "zh": {
        "refused": "拒绝了连接",
        "reset": "与 {host} 的连接被重置",
        "close": "未应答就关闭了连接",
        "silent": "未在限定时间内应答",
        "dns": "无法解析地址",
        "prefix": "无法连接平台：",
    },
}


@pytest.mark.parametrize("how", ["refused", "reset", "close", "silent", "dns"])
def test_each_fault_is_said_in_words_with_its_host(lang: str, how: str) -> None:
    server = None
    if how == "refused":
        host = f"127.0.0.1:{free_port()}"  # nothing listens there
    elif how == "dns":
        host = "platform.invalid:8080"  # .invalid never resolves
    else:
        server, port = _listener(how)
        host = f"127.0.0.1:{port}"
    try:
        said = _said(f"http://{host}", timeout=0.5)
    finally:
        if server is not None:
            server.close()
    words = WORDS[lang]
    assert said.startswith(words["prefix"]) and words[how].format(host=host) in said and host in said, said
    for raw in ("/v1/", "0f428226", "Error", "GET "):
        assert raw not in said, (raw, said)
    assert not said.rstrip().endswith((":", "：")), said


def test_the_cli_says_a_reset_link_as_a_person_would(tmp_path: Path, running: RunningPlatform) -> None:
    assert running.seed is not None
    [order_id] = place_orders(running.url, running.seed, 1)
    with FaultProxy(running.port) as proxy:
        cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
        cli("login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", cli.token)
        cli("orders", "accept", order_id, "--prep", "10")  # online: the order is in the cache
        proxy.reset_after(0)  # now the link is cut under every request
        first = cli("orders", "preparing", order_id)
        second = cli("orders", "ready", order_id)  # "1 earlier queued action goes first, and sending it failed: ..."
    host = f"127.0.0.1:{proxy.port}"
    for result in (first, second):
        out = result.stdout + result.stderr
        assert f"The platform cannot be reached: the connection to {host} was reset" in out, out
        assert order_id not in out.replace(f"Order {order_id}", "") and "/v1/" not in out, out
        assert "ReadError" not in out, out


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    from tests.support.platform import start_platform

    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()
