"""A platform client made on first use, so a screen can paint before httpx is imported.

Making an `AsyncPlatformClient` imports httpx (with httpcore, anyio and its TLS stack: ~0.1 s) and loads the
system's certificates into a TLS context (another ~0.1 s). The merchant console's first frame shows the cached
queue and needs neither, so `o2o console` hands the sync engine a `ClientOnFirstUse`: the real client is made
when the engine first calls it, or earlier on a worker thread (`prepare()`) once the queue is on screen.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import msgspec

if TYPE_CHECKING:
    from o2o_tui.client.aio import AsyncPlatformClient
    from o2o_tui.client.wire import Call, R
    from o2o_tui.domain.events import EventPage
    from o2o_tui.domain.fleet import Courier, Delivery
    from o2o_tui.domain.menu import Menu
    from o2o_tui.domain.order import Order
    from o2o_tui.domain.store import Store


class ClientOnFirstUse:
    """Stands for the `AsyncPlatformClient` that `make()` returns, made once, at the first call (thread-safe)."""

    def __init__(self, make: Callable[[], AsyncPlatformClient]) -> None:
        self._make = make
        self._client: AsyncPlatformClient | None = None
        self._lock = threading.Lock()
        self._token: str | None = None  # a new login's token given before the client was made

    @property
    def made(self) -> bool:
        """Whether the real client exists (httpx imported, TLS context loaded)."""
        return self._client is not None

    def prepare(self) -> AsyncPlatformClient:
        """The real client, made now if it was not yet (call it on a worker thread to keep a loop free)."""
        client = self._client
        if client is None:
            with self._lock:
                if self._client is None:
                    made = self._make()
                    if self._token is not None:
                        made.set_token(self._token)
                    self._client = made
                client = self._client
        return client

    def set_token(self, token: str) -> None:
        """The real client sends `token` from its next request on; one not made yet is made with it."""
        with self._lock:
            self._token = token
            client = self._client
        if client is not None:
            client.set_token(token)

    # the calls the sync engine makes (o2o_tui/sync/ports.py SyncClient)
    async def call(self, call: Call[R]) -> R:
        return await self.prepare().call(call)

    async def events(self, after: str | None, wait: float = 0.0, limit: int = 500) -> EventPage:
        return await self.prepare().events(after, wait=wait, limit=limit)

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
        return await self.prepare().send(
            action, target, body, key=key, occurred_at=occurred_at, if_match=if_match
        )

    async def get_order(self, order_id: str) -> Order:
        return await self.prepare().get_order(order_id)

    async def get_store(self, store_id: str) -> Store:
        return await self.prepare().get_store(store_id)

    async def get_menu(self, store_id: str) -> Menu:
        return await self.prepare().get_menu(store_id)

    async def get_courier(self, courier_id: str) -> Courier:
        return await self.prepare().get_courier(courier_id)

    async def get_delivery(self, delivery_id: str) -> Delivery:
        return await self.prepare().get_delivery(delivery_id)

    def __getattr__(self, name: str) -> Any:  # any other call of the client
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.prepare(), name)

    async def close(self) -> None:
        """Closes the real client if it was made; one never made is not made just to be closed."""
        if self._client is not None:
            await self._client.close()
