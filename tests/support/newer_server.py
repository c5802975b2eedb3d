"""A "newer server" for contract tests: a loopback HTTP proxy in front of the real platform that adds fields this
console does not know to every JSON object of every answer, as a later release of the platform would.

    with NewerServer(running.url) as newer:
        client = PlatformClient(newer.url, token)   # talks to the real server; answers carry extra fields
        newer.widened                                 # how many answers were widened

Requests pass unchanged (method, path, query, headers, body); only 2xx JSON answers are rewritten.
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

import httpx
import msgspec

# what a newer release might add: a scalar, a nested object and a list of objects, under names no type has
EXTRA_FIELDS: dict[str, Any] = {
    "added_in_v2": "新 new",
    "v2_details": {"kind": "future", "levels": [1, 2, {"deep": True}]},
    "v2_tags": [{"id": "t1", "label": "later"}],
}
_HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "content-length", "content-encoding", "host"}


def widen(value: Any) -> Any:
    """`value` with `EXTRA_FIELDS` added to every JSON object in it, at every level."""
    if isinstance(value, dict):
        return {**{key: widen(item) for key, item in value.items()}, **EXTRA_FIELDS}
    if isinstance(value, list):
        return [widen(item) for item in value]
    return value


class NewerServer:
    def __init__(self, upstream: str) -> None:
        self.upstream = upstream.rstrip("/")
        self.url = ""
        self.widened = 0
        self._lock = threading.Lock()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._http = httpx.Client(base_url=self.upstream, timeout=90)

    def __enter__(self) -> NewerServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: object) -> None:  # quiet
                pass

            def _handle(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                headers = {k: v for k, v in self.headers.items() if k.lower() not in _HOP_BY_HOP}
                answer = owner._http.request(self.command, self.path, content=body, headers=headers)
                content = answer.content
                if 200 <= answer.status_code < 300 and "json" in answer.headers.get("content-type", ""):
                    content = msgspec.json.encode(widen(msgspec.json.decode(content)))
                    with owner._lock:
                        owner.widened += 1
                self.send_response(answer.status_code)
                for name, value in answer.headers.items():
                    if name.lower() not in _HOP_BY_HOP:
                        self.send_header(name, value)
                self.send_header("Content-Length", str(len(content)))
                self.end_headers()
                self.wfile.write(content)

            do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = _handle

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.02,), daemon=True)
        self._thread.start()
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)
        self._http.close()
