"""A tiny real HTTP server on loopback that answers whatever a test tells it to: broken JSON, HTML pages,
wrong types, huge or truncated bodies, slow answers. For testing that the client turns each into a clear error.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Canned:
    status: int = 200
    body: bytes = b""
    content_type: str = "application/json"
    declare_length: bool = True  # False: no Content-Length, the body ends when the connection closes
    claimed_length: int | None = None  # a Content-Length that differs from the body (truncated answers)
    repeat: int = 1  # body sent this many times (huge answers without holding them in memory)
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class BadServer:
    routes: dict[str, Canned] = field(default_factory=dict)
    seen: list[Seen] = field(default_factory=list)
    url: str = ""
    _server: ThreadingHTTPServer | None = None
    _thread: threading.Thread | None = None

    def answer(self, path: str, canned: Canned) -> None:
        self.routes[path] = canned

    def start(self) -> BadServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                path = self.path.split("?", 1)[0]
                owner.seen.append(Seen(self.command, self.path, dict(self.headers.items()), body))
                canned = owner.routes.get(path, Canned(404, b"<html>no route</html>", "text/html"))
                if canned.delay:
                    time.sleep(canned.delay)
                self.send_response(canned.status)
                self.send_header("Content-Type", canned.content_type)
                total = len(canned.body) * canned.repeat
                if canned.claimed_length is not None:
                    self.send_header("Content-Length", str(canned.claimed_length))
                elif canned.declare_length:
                    self.send_header("Content-Length", str(total))
                if not canned.declare_length or canned.claimed_length is not None:
                    self.send_header("Connection", "close")
                    self.close_connection = True
                self.end_headers()
                try:
                    for _ in range(canned.repeat):
                        self.wfile.write(canned.body)
                except (BrokenPipeError, ConnectionResetError):
                    self.close_connection = True

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), name="badserver", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)


def running_badserver() -> Iterator[BadServer]:
    """For a pytest fixture: `yield from running_badserver()`."""
    server = BadServer().start()
    try:
        yield server
    finally:
        server.stop()
