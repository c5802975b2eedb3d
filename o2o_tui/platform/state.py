"""What one server process holds for its requests: the engine, settings, the long-poll notifier, small caches."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from litestar import Request
from sqlalchemy import Engine

from o2o_tui.platform import db, events
from o2o_tui.platform.auth import Caller, TokenCache, authenticate, cached_caller
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.settings import Settings


class Platform:
    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.notifier = events.Notifier()
        self.tokens = TokenCache()
        self.started_at = db.utcnow()
        self._heartbeat_written: dict[str, float] = {}

    def caller_of(self, authorization: str | None) -> Caller:
        """The caller a bearer header names (401 if none): from the token cache when it was looked up a moment ago."""
        known = cached_caller(authorization, self.tokens)
        if known is not None:
            return known
        with self.engine.connect() as conn:
            return authenticate(conn, authorization, self.tokens)

    def caller(self, request: Request[Any, Any, Any]) -> Caller:
        return self.caller_of(request.headers.get("authorization"))

    @contextmanager
    def reading(self, request: Request[Any, Any, Any]) -> Iterator[Ctx]:
        caller = self.caller(request)
        with self.engine.connect() as conn:
            yield Ctx(conn=conn, caller=caller, now=db.utcnow(), settings=self.settings)

    def heartbeat_due(self, store_id: str) -> bool:
        interval = min(10.0, self.settings.heartbeat_minutes * 60 / 4)
        last = self._heartbeat_written.get(store_id, 0.0)
        if time.monotonic() - last < interval:
            return False
        self._heartbeat_written[store_id] = time.monotonic()
        return True


def platform_of(request: Request[Any, Any, Any]) -> Platform:
    platform: Platform = request.app.state.platform
    return platform
