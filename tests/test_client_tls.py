"""The platform clients share one TLS context per process (httpx loaded the CA bundle again for every client: ~40 ms
of CPU each) and still verify: a real TLS server on loopback with a self-signed certificate is refused until
SSL_CERT_FILE trusts it. A plain-http platform's context trusts nothing (fails closed if TLS were ever tried)."""

from __future__ import annotations

import json
import ssl
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from o2o_tui.client.aio import AsyncPlatformClient
from o2o_tui.client.errors import Unauthorized, Unreachable
from o2o_tui.client.sync import PlatformClient
from o2o_tui.client.tls import tls_context


class _Refuses(BaseHTTPRequestHandler):
    def do_GET(self) -> None:  # noqa: N802 (http.server's name)
        body = json.dumps({"error": {"code": "unauthorized", "message": "no such token"}}).encode()
        self.send_response(401)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture
def tls_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=localhost"]
        + ["-addext", "subjectAltName=DNS:localhost", "-keyout", str(key), "-out", str(cert)],
        check=True,
        capture_output=True,
        timeout=60,
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Refuses)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"https://localhost:{server.server_address[1]}", cert
    finally:
        server.shutdown()
        server.server_close()


def test_an_untrusted_certificate_is_refused_and_a_trusted_one_answers(
    tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, cert = tls_server
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    with PlatformClient(url, "t", timeout=10) as client, pytest.raises(Unreachable):
        client.me()  # certifi's bundle does not know this certificate
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))  # looked up again when it changes
    with PlatformClient(url, "t", timeout=10) as client, pytest.raises(Unauthorized):
        client.me()  # through TLS to the server's own answer


async def test_the_async_client_verifies_as_well(tls_server: tuple[str, Path], monkeypatch: pytest.MonkeyPatch) -> None:
    url, cert = tls_server
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    async with AsyncPlatformClient(url, "t", timeout=10) as client:
        with pytest.raises(Unreachable):
            await client.me()
    monkeypatch.setenv("SSL_CERT_FILE", str(cert))
    async with AsyncPlatformClient(url, "t", timeout=10) as client:
        with pytest.raises(Unauthorized):
            await client.me()


def test_one_context_serves_every_client_and_plain_http_trusts_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    first, second = tls_context("https://platform.example"), tls_context("HTTPS://other.example:8443")
    assert first is second  # the bundle loaded once
    assert first.verify_mode == ssl.CERT_REQUIRED and first.check_hostname
    assert first.cert_store_stats()["x509_ca"] > 10
    plain = tls_context("http://127.0.0.1:8765")
    assert plain.verify_mode == ssl.CERT_REQUIRED and plain.check_hostname
    assert plain.cert_store_stats()["x509_ca"] == 0
