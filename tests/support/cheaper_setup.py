"""Work the tests repeated in every call, done once per test worker (a profile of the suite found each taking a
fifth to a third of a worker's CPU). Nothing here changes what a test sees: the same objects, made once.

- Typer's `CliRunner.invoke` turns the typer app into click commands again at every call (~0.15 s of CPU for o2o's
  ~150 commands). The tests invoke the same app objects over and over, so each is turned once (click commands are
  made to be invoked many times; the app's help texts are translated when its commands register, not here).
- httpx loads the CA bundle for every client it makes (~40 ms), `httpx.get` and `httpx.post` included. The
  product's clients share one context (`o2o_tui/client/tls.py`); the tests' own httpx calls get one verifying
  context per trust setting (SSL_CERT_FILE, SSL_CERT_DIR), shared, as httpx would have made each.
"""

from __future__ import annotations

import os
import ssl
from typing import Any

import httpx._transports.default as httpx_transports
import typer.testing

_turned: dict[int, tuple[Any, Any]] = {}  # id(app) -> (app, its click command); the app kept so its id stays its own
_contexts: dict[tuple[bool, str | None, str | None], ssl.SSLContext] = {}


def cache_typer_commands() -> None:
    original = getattr(typer.testing._get_command, "__wrapped__", typer.testing._get_command)

    def cached(app: Any) -> Any:
        found = _turned.get(id(app))
        if found is None or found[0] is not app:
            found = _turned[id(app)] = (app, original(app))
        return found[1]

    cached.__wrapped__ = original  # type: ignore[attr-defined]
    typer.testing._get_command = cached


def share_tls_contexts() -> None:
    original = getattr(httpx_transports.create_ssl_context, "__wrapped__", httpx_transports.create_ssl_context)

    def shared(verify: Any = True, cert: Any = None, trust_env: bool = True) -> ssl.SSLContext:
        if verify is not True or cert is not None:  # a context of the caller's own, or a client certificate
            return original(verify=verify, cert=cert, trust_env=trust_env)
        key = (trust_env, os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))
        if key not in _contexts:
            _contexts[key] = original(verify=verify, cert=cert, trust_env=trust_env)
        return _contexts[key]

    shared.__wrapped__ = original  # type: ignore[attr-defined]
    httpx_transports.create_ssl_context = shared  # type: ignore[assignment]
