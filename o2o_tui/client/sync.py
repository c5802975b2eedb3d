"""The blocking platform client, for the CLI, the simulator and scripts."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx
import msgspec

from o2o_tui.client import calls
from o2o_tui.client.errors import PlatformError
from o2o_tui.client.tls import tls_context
from o2o_tui.client.wire import (
    MAX_BODY_BYTES,
    BodyCollector,
    Call,
    R,
    declared_length,
    interpret,
    normalize_base_url,
    too_big,
    transport_error,
    user_agent,
)
from o2o_tui.domain.events import EventPage
from o2o_tui.domain.fleet import Courier, Delivery
from o2o_tui.domain.identity import Me
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order, OrderPage
from o2o_tui.domain.requests import CreateOrderBody
from o2o_tui.domain.store import Store
from o2o_tui.domain.store_page import StorePage


def auth_headers(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "User-Agent": user_agent(), "Accept": "application/json"}


class PlatformClient:
    """Typed calls to the platform API. Raises only `PlatformError` subclasses. The token never leaves the
    Authorization header (not in reprs, errors or logs)."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self._http = httpx.Client(
            base_url=self.base_url,
            headers=auth_headers(token),
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            verify=tls_context(self.base_url),
        )

    def __repr__(self) -> str:
        return f"PlatformClient(base_url={self.base_url!r}, token=***)"

    def __rich_repr__(self) -> Iterator[tuple[str, str]]:
        """As `__repr__`, for Rich (a crash's locals): the token stays hidden."""
        yield "base_url", self.base_url
        yield "token", "***"

    def __enter__(self) -> PlatformClient:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        self._http.close()

    def set_token(self, token: str) -> None:
        """Send `token` from the next request on (a new login of the same account). Never logged nor shown."""
        self._http.headers["Authorization"] = f"Bearer {token}"

    def call(self, call: Call[R]) -> R:
        """Run one request; the decoded result or a typed `PlatformError`."""
        timeout = httpx.Timeout(self.timeout + call.extra_timeout, connect=self.timeout)
        try:
            with self._http.stream(
                call.method,
                call.path,
                params=call.params,
                content=call.content,
                headers=call.headers,
                timeout=timeout,
            ) as response:
                status = response.status_code
                length = declared_length(response)
                if length is not None and length > self.max_body_bytes:
                    raise too_big(call, status, self.max_body_bytes)
                collector = BodyCollector(call, status, self.max_body_bytes)
                for chunk in response.iter_bytes():
                    collector.add(chunk)
                content_type = response.headers.get("content-type", "")
                retry_after = response.headers.get("retry-after")
        except PlatformError:
            raise
        except Exception as exc:  # every transport failure becomes a typed error
            raise transport_error(call, exc) from None
        try:
            return interpret(call, status, content_type, collector.body())
        except PlatformError as error:
            error.retry_after = retry_after  # when the platform says to try again (a 503, a 429)
            raise

    # reads
    def me(self) -> Me:
        return self.call(calls.me())

    def events(self, after: str | None, wait: float = 0.0, limit: int = 500) -> EventPage:
        return self.call(calls.events(after, wait, limit))

    def list_orders(
        self,
        *,
        store_id: str | None = None,
        status: str | Sequence[str] | None = None,
        updated_after: str | datetime | None = None,
        limit: int = 200,
        cursor: str | None = None,
    ) -> OrderPage:
        return self.call(calls.list_orders(store_id, status, updated_after, limit, cursor))

    def iter_orders(
        self,
        *,
        store_id: str | None = None,
        status: str | Sequence[str] | None = None,
        updated_after: str | datetime | None = None,
        limit: int = 200,
    ) -> Iterator[Order]:
        cursor: str | None = None
        while True:
            page = self.list_orders(
                store_id=store_id, status=status, updated_after=updated_after, limit=limit, cursor=cursor
            )
            yield from page.orders
            if not page.next_cursor or page.next_cursor == cursor:
                return
            cursor = page.next_cursor

    def get_order(self, order_id: str) -> Order:
        return self.call(calls.get_order(order_id))

    def get_store(self, store_id: str) -> Store:
        return self.call(calls.get_store(store_id))

    def list_stores(self, *, name: str | None = None, limit: int = 100, cursor: str | None = None) -> StorePage:
        """One page of every store (an admin's token only), those whose name holds `name` when given."""
        return self.call(calls.list_stores(name, limit, cursor))

    def iter_stores(self, *, name: str | None = None, limit: int = 100) -> Iterator[Store]:
        cursor: str | None = None
        while True:
            page = self.list_stores(name=name, limit=limit, cursor=cursor)
            yield from page.stores
            if not page.next_cursor or page.next_cursor == cursor:
                return
            cursor = page.next_cursor

    def get_menu(self, store_id: str) -> Menu:
        return self.call(calls.get_menu(store_id))

    def list_couriers(self, store_id: str | None = None) -> list[Courier]:
        return self.call(calls.list_couriers(store_id)).couriers

    def get_courier(self, courier_id: str) -> Courier:
        return self.call(calls.get_courier(courier_id))

    def list_deliveries(self, courier_id: str | None = None, active: bool = True) -> list[Delivery]:
        return self.call(calls.list_deliveries(courier_id, active)).deliveries

    def get_delivery(self, delivery_id: str) -> Delivery:
        return self.call(calls.get_delivery(delivery_id))

    # mutations
    def send(
        self,
        action: str,
        target: str,
        body: bytes,
        *,
        key: str,
        occurred_at: str | None = None,
        if_match: int | None = None,
    ) -> msgspec.Struct:
        """Replay-safe generic mutation (the outbox's path): the same key and bytes always mean one change."""
        return self.call(
            calls.send(action, target, body, key=key, occurred_at=occurred_at, if_match=if_match)
        )

    def act(
        self,
        action: str,
        target: str,
        body: msgspec.Struct,
        *,
        key: str | None = None,
        occurred_at: str | None = None,
        if_match: int | None = None,
    ) -> Any:
        """A typed mutation from `ACTIONS` with a fresh idempotency key unless one is given."""
        key = key or str(uuid.uuid4())
        return self.call(calls.act(action, target, body, key=key, occurred_at=occurred_at, if_match=if_match))

    def create_order(self, body: CreateOrderBody, *, key: str | None = None) -> Order:
        order = self.act("order.create", body.store_id, body, key=key)
        assert isinstance(order, Order)  # ACTIONS["order.create"] decodes to an Order
        return order
