"""Work the tests repeated in every call, done once per test worker (a profile of the suite found each taking a
fifth to a third of a worker's CPU). Nothing here changes what a test sees: the same objects, made once.

- Typer's `CliRunner.invoke` turns the typer app into click commands again at every call (~0.15 s of CPU for o2o's
  ~150 commands). The tests invoke the same app objects over and over, so each is turned once (click commands are
  made to be invoked many times; the app's help texts are translated when its commands register, not here).
- httpx loads the CA bundle for every client it makes (~40 ms), `httpx.get` and `httpx.post` included. The
  product's clients share one context (`o2o_tui/client/tls.py`); the tests' own httpx calls get one verifying
  context per trust setting (SSL_CERT_FILE, SSL_CERT_DIR), shared, as httpx would have made each.
- Textual parses each app's CSS again (every widget's DEFAULT_CSS, the app's and the screens' files: ~7% of a UI
  test worker's CPU); its own cache is per stylesheet, so per app. Here one cache serves every app of the worker,
  keyed as Textual keys its own plus the theme's variables the CSS was parsed with (Textual treats parsed rules
  as read-only: one stylesheet's cache already hands the same rules to every parse of it).
- Python's collector walked every object the ~580 test modules, Textual and the platform made at import, at each
  full collection, and collected the young generation every 700 allocations (a pilot app makes tens of thousands):
  ~15% of a UI test worker's CPU. After collection the worker's objects are frozen (`gc.freeze`: never walked
  again, never freed: they live as long as the worker anyway) and the young generation is collected every 20,000
  allocations; cycles are still found, later (~8% of a worker's CPU saved).
"""

from __future__ import annotations

import gc
import os
import ssl
from typing import Any

import httpx._transports.default as httpx_transports
import textual.css.stylesheet as textual_stylesheet
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


def freeze_what_collection_made() -> None:
    """Called once the tests are collected (conftest's `pytest_collection_finish`)."""
    gc.collect()
    gc.freeze()
    _, older, oldest = gc.get_threshold()
    gc.set_threshold(20_000, older, oldest)


def share_parsed_css() -> None:
    stylesheet = textual_stylesheet.Stylesheet
    original = getattr(stylesheet._parse_rules, "__wrapped__", stylesheet._parse_rules)
    parsed: dict[tuple[Any, ...], list[Any]] = {}

    def shared(
        self: Any, css: str, read_from: Any, is_default_rules: bool = False, tie_breaker: int = 0, scope: str = ""
    ) -> list[Any]:
        key = (css, read_from, is_default_rules, tie_breaker, scope, frozenset(self._variables.items()))
        rules = parsed.get(key)
        if rules is None:
            rules = parsed[key] = original(self, css, read_from, is_default_rules, tie_breaker, scope)
        return rules

    shared.__wrapped__ = original  # type: ignore[attr-defined]
    stylesheet._parse_rules = shared  # type: ignore[method-assign]
