"""What the sync engine and the dispatch board need from the platform client and the offline cache.

`SyncEngine(client, cache)` takes an `AsyncPlatformClient` and a `ProfileCache` in the product, and
`ClientFleet(client)` an `AsyncPlatformClient`. These Protocols name exactly the calls made on them (by the engine
and the helpers it hands them to: `fetch`, `writes`, `retention`, `skipped`, `read_model.unreadable_docs`; by the
board and `live_dispatch.read_fleet_async`), so a type checker sees a misspelt call or a changed signature, and a
test sees what a stand-in must offer. The real classes are checked against them at the bottom of this module
(`mypy` runs on it in tests/test_types.py).

Nothing here is imported at run time but `typing`: the engine and the board pay no import cost for it.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import AbstractContextManager
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

if TYPE_CHECKING:
    from concurrent.futures import Executor

    import msgspec

    from o2o_tui.client.wire import Call
    from o2o_tui.domain.events import EventPage
    from o2o_tui.domain.fleet import Courier, Delivery
    from o2o_tui.domain.menu import Menu
    from o2o_tui.domain.order import Order
    from o2o_tui.domain.store import Store
    from offline_cache.outbox import OutboxEntry
    from offline_cache.tables import DocTable

R = TypeVar("R")


class SyncClient(Protocol):
    """The platform calls the sync engine makes (an `AsyncPlatformClient`)."""

    async def call(self, call: Call[R]) -> R: ...  # the snapshot's listings, decoded page by page

    async def events(self, after: str | None, wait: float = ..., limit: int = ...) -> EventPage: ...

    async def send(
        self,
        action: str,
        target: str,
        body: bytes,
        *,
        key: str,
        occurred_at: str | None = ...,
        if_match: int | None = ...,
    ) -> msgspec.Struct: ...

    async def get_order(self, order_id: str) -> Order: ...

    async def get_store(self, store_id: str) -> Store: ...

    async def get_menu(self, store_id: str) -> Menu: ...

    async def get_courier(self, courier_id: str) -> Courier: ...

    async def get_delivery(self, delivery_id: str) -> Delivery: ...


class SyncOutbox(Protocol):
    """The outbox calls the engine makes (`offline_cache.Outbox`)."""

    def append(
        self,
        action: str,
        target: str,
        body: str,
        *,
        base_version: int | None = ...,
        occurred_at: str | None = ...,
        origin: str = ...,
    ) -> OutboxEntry: ...

    def pending(self) -> list[OutboxEntry]: ...

    def conflicts(self) -> list[OutboxEntry]: ...

    def record_attempt(self, key: str, error: str) -> OutboxEntry: ...

    def mark_done(self, key: str) -> None: ...

    def mark_done_many(self, keys: list[str]) -> int: ...  # used when present: one durable write per batch

    def mark_rejected(self, key: str, reason: dict[str, Any]) -> OutboxEntry: ...

    def rewrite_refused(self, bodies: dict[str, str]) -> int: ...  # retention: the purge of refused bodies


class SyncCache(Protocol):
    """The cache calls the engine makes (`offline_cache.ProfileCache`), all on `executor`'s one thread. (The
    engine also reads `was_reset` when the cache has it: a reset cache starts with a full resync.)"""

    @property
    def executor(self) -> Executor: ...

    @property
    def outbox(self) -> SyncOutbox: ...

    def table(self, name: str) -> DocTable: ...

    def meta_get(self, key: str, default: Any = ...) -> Any: ...

    def meta_set(self, key: str, value: Any) -> None: ...

    def meta_set_many(self, values: dict[str, Any]) -> None: ...

    def write_batch(self) -> AbstractContextManager[None]: ...


class FleetClient(Protocol):
    """The platform calls the dispatch board's `ClientFleet` makes (an `AsyncPlatformClient`)."""

    async def get_store(self, store_id: str) -> Store: ...

    def aiter_orders(
        self, *, store_id: str | None = ..., status: str | Sequence[str] | None = ...
    ) -> AsyncIterator[Order]: ...

    async def list_couriers(self, store_id: str | None = ...) -> list[Courier]: ...

    async def act(self, action: str, target: str, body: msgspec.Struct) -> Any: ...

    async def close(self) -> None: ...


if TYPE_CHECKING:
    from o2o_tui.client.aio import AsyncPlatformClient
    from offline_cache.profile import ProfileCache

    def _real_parts_fit(
        client: AsyncPlatformClient, cache: ProfileCache
    ) -> tuple[SyncClient, SyncCache, FleetClient]:
        """Never called: mypy checks here that the product's client and cache satisfy the ports."""
        return client, cache, client
