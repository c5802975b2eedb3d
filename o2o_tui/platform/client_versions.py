"""Which versions of o2o reach the platform: each is said in the server's log the first time it is seen.

Every o2o console, handheld and CLI sends `User-Agent: o2o/<version> (...)` (client/wire.py `user_agent`);
consoles from before that sent `o2o-console/0.1`. So an operator reading `o2o serve`'s log finds a line
"client o2o/0.1.0 first seen" per version that called since the process started, and can tell which consoles
in the field are older (or newer) than the platform. Only the product and its version are said, checked
against a strict pattern (the header is the caller's text): nothing else of the request, never its token.
A warning, as the server's other said-once lines, so the log shows it without any logging set up.
"""

from __future__ import annotations

import logging
import re
import threading

from litestar.enums import ScopeType
from litestar.middleware import ASGIMiddleware
from litestar.types import ASGIApp, Receive, Scope, Send

log = logging.getLogger("o2o.platform")

# the first product of the header: o2o's, with a version of a few plain characters; anything else is not said
_PRODUCT = re.compile(rb"(o2o(?:-console)?/[0-9A-Za-z.+_-]{1,40})(?:[\s(]|$)")
# at most this many versions are remembered (and said) per process: a caller making up versions cannot grow
# the set, nor the log, without bound
MAX_VERSIONS = 64


def client_product(user_agent: bytes) -> str | None:
    """`o2o/0.1.0` from `o2o/0.1.0 (Python 3.11; linux)`; None for a header of another program or one whose
    version is not plain text."""
    found = _PRODUCT.match(user_agent)
    return found.group(1).decode("ascii") if found else None


class ClientVersions(ASGIMiddleware):
    """Says each o2o version in the log once per process. One instance serves every route (Litestar makes it
    once): the versions seen are the process's, on purpose."""

    scopes = (ScopeType.HTTP,)

    def __init__(self) -> None:
        self._seen: set[str] = set()
        self._full = False
        self._lock = threading.Lock()

    def seen(self, product: str) -> None:
        with self._lock:
            if product in self._seen or self._full:
                return
            if len(self._seen) >= MAX_VERSIONS:
                self._full = True
                log.warning("more than %d client versions seen; no more are said", MAX_VERSIONS)
                return
            self._seen.add(product)
        log.warning("client %s first seen", product)

    async def handle(self, scope: Scope, receive: Receive, send: Send, next_app: ASGIApp) -> None:
        for name, value in scope["headers"]:
            if name == b"user-agent":
                product = client_product(value)
                if product is not None:
                    self.seen(product)
                break
        await next_app(scope, receive, send)
