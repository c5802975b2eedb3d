"""The asyncio platform client, for the TUI and the sync engine: the same calls as `PlatformClient`."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator, Sequence
from datetime import datetime
from types import TracebackType
from typing import Any

import httpx
import msgspec

from o2o_tui.client import calls
from o2o_tui.client.errors import PlatformError
from o2o_tui.client.sync import auth_headers
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
)
from o2o_tui.domain.events import EventPage
from o2o_tui.domain.fleet import Courier, Delivery
from o2o_tui.domain.identity import Me
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order, OrderPage
from o2o_tui.domain.requests import CreateOrderBody
from o2o_tui.domain.store import Store


class AsyncPlatformClient:
    """Typed async calls to the platform API. Raises only `PlatformError` subclasses; the token stays hidden."""

    def __init__(
        self,
        base_url: str,
        token: str,
        *,
        timeout: float = 10.0,
        transport: httpx.AsyncBaseTransport | None = None,
        max_body_bytes: int = MAX_BODY_BYTES,
    ) -> None:
        self.base_url = normalize_base_url(base_url)
        self.timeout = timeout
        self.max_body_bytes = max_body_bytes
        self._http = httpx.AsyncClient(
            base_url=self.base_url,
            headers=auth_headers(token),
            timeout=timeout,
            transport=transport,
            follow_redirects=False,
            verify=tls_context(self.base_url),
        )

    def __repr__(self) -> str:
        return f"AsyncPlatformClient(base_url={self.base_url!r}, token=***)"

    def __rich_repr__(self) -> Iterator[tuple[str, str]]:
        """As `__repr__`, for Rich (a crash's locals): the token stays hidden."""
        yield "base_url", self.base_url
        yield "token", "***"

    async def __aenter__(self) -> AsyncPlatformClient:
        return self

    async def __aexit__(
        self, kind: type[BaseException] | None, value: BaseException | None, tb: TracebackType | None
    ) -> None:
        await self.close()

    async def close(self) -> None:
        await self._http.aclose()

    def set_token(self, token: str) -> None:
        """Send `token` from the next request on (`o2o login` saved a new one for the same account while this
        client was refused: the console takes it without a restart). Never logged nor shown."""
        self._http.headers["Authorization"] = f"Bearer {token}"

    def set_base_url(self, base_url: str) -> None:
        """Send the next requests to `base_url` (`o2o login` saved the account's login at another server of the
        same platform: the console moves there without a restart)."""
        self.base_url = normalize_base_url(base_url)
        self._http.base_url = self.base_url

    async def call(self, call: Call[R]) -> R:
        timeout = httpx.Timeout(self.timeout + call.extra_timeout, connect=self.timeout)
        try:
            async with self._http.stream(
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
                async for chunk in response.aiter_bytes():
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
    async def me(self) -> Me:
        return await self.call(calls.me())

    async def events(self, after: str | None, wait: float = 0.0, limit: int = 500) -> EventPage:
        return await self.call(calls.events(after, wait, limit))

    async def list_orders(
        self,
        *,
        store_id: str | None = None,
        status: str | Sequence[str] | None = None,
        updated_after: str | datetime | None = None,
        limit: int = 200,
        cursor: str | None = None,
    ) -> OrderPage:
        return await self.call(calls.list_orders(store_id, status, updated_after, limit, cursor))

    async def aiter_orders(
        self,
        *,
        store_id: str | None = None,
        status: str | Sequence[str] | None = None,
        updated_after: str | datetime | None = None,
        limit: int = 200,
    ) -> AsyncIterator[Order]:
        cursor: str | None = None
        while True:
            page = await self.list_orders(
                store_id=store_id, status=status, updated_after=updated_after, limit=limit, cursor=cursor
            )
            for order in page.orders:
                yield order
            if not page.next_cursor or page.next_cursor == cursor:
                return
            cursor = page.next_cursor

    async def get_order(self, order_id: str) -> Order:
        return await self.call(calls.get_order(order_id))

    async def get_store(self, store_id: str) -> Store:
        return await self.call(calls.get_store(store_id))

    async def get_menu(self, store_id: str) -> Menu:
        return await self.call(calls.get_menu(store_id))

    async def list_couriers(self, store_id: str | None = None) -> list[Courier]:
        return (await self.call(calls.list_couriers(store_id))).couriers

    async def get_courier(self, courier_id: str) -> Courier:
        return await self.call(calls.get_courier(courier_id))

    async def list_deliveries(self, courier_id: str | None = None, active: bool = True) -> list[Delivery]:
        return (await self.call(calls.list_deliveries(courier_id, active))).deliveries

    async def get_delivery(self, delivery_id: str) -> Delivery:
        return await self.call(calls.get_delivery(delivery_id))

    # mutations
    async def send(
        self,
        action: str,
        target: str,
        body: bytes,
        *,
        key: str,
        occurred_at: str | None = None,
        if_match: int | None = None,
    ) -> msgspec.Struct:
        return await self.call(
            calls.send(action, target, body, key=key, occurred_at=occurred_at, if_match=if_match)
        )

    async def act(
        self,
        action: str,
        target: str,
        body: msgspec.Struct,
        *,
        key: str | None = None,
        occurred_at: str | None = None,
        if_match: int | None = None,
    ) -> Any:
        key = key or str(uuid.uuid4())
        return await self.call(
            calls.act(action, target, body, key=key, occurred_at=occurred_at, if_match=if_match)
        )

    async def create_order(self, body: CreateOrderBody, *, key: str | None = None) -> Order:
        order = await self.act("order.create", body.store_id, body, key=key)
        assert isinstance(order, Order)  # ACTIONS["order.create"] decodes to an Order
        return order
