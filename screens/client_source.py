"""An `OrderSource` straight on the platform client: long-polls events and fetches what changed.

The fallback when no sync engine is wired in: it needs the link to act (nothing is queued offline), but it
shows the same queue, goes OFFLINE/ONLINE with the link and retries with backoff. No Textual here.
"""

from __future__ import annotations

import asyncio
import random
from collections.abc import Callable
from datetime import UTC, datetime

import msgspec

from o2o_tui import store_hours
from o2o_tui.client import AsyncPlatformClient
from o2o_tui.client.errors import NotFound, PlatformError, Unauthorized
from o2o_tui.domain.events import EntityKind
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order
from o2o_tui.domain.store import Store
from o2o_tui.i18n import t
from screens.source import (
    ActionRefused,
    ConflictView,
    LinkState,
    LinkStatus,
    QueueEntry,
    SourceChange,
    Subscribers,
    split_held,
)

_MAX_BACKOFF_S = 30.0


def _utcnow() -> datetime:
    return datetime.now(UTC)


class ClientOrderSource(Subscribers[SourceChange]):
    def __init__(
        self,
        client: AsyncPlatformClient,
        store_id: str,
        *,
        poll_wait: float = 25.0,
        clock: Callable[[], datetime] = _utcnow,
    ) -> None:
        super().__init__()
        self._client = client
        self._store_id = store_id
        self._poll_wait = poll_wait
        self._clock = clock
        self._orders: dict[str, Order] = {}
        self._store: Store | None = None
        self._menu: Menu | None = None
        self._cursor: str | None = None
        self._loaded = False
        self._status = LinkStatus(LinkState.CONNECTING, queues=False)  # no outbox: an action needs the link

    # reading
    def orders(self) -> list[QueueEntry]:
        return split_held(QueueEntry(order) for order in self._orders.values())[0]

    def held(self) -> list[QueueEntry]:
        return split_held(QueueEntry(order) for order in self._orders.values())[1]

    def order(self, order_id: str) -> QueueEntry | None:
        order = self._orders.get(order_id)
        return QueueEntry(order) if order else None

    def store(self) -> Store | None:
        return self._store

    def menu(self) -> Menu | None:
        return self._menu

    def link(self) -> LinkStatus:
        return self._status

    async def _load_menu(self) -> None:
        try:
            self._menu = await self._client.get_menu(self._store_id)
        except NotFound:  # a store without a menu yet
            self._menu = None

    def _set_state(self, state: LinkState, *, synced: bool = False, error: str | None = None) -> None:
        last = self._clock() if synced else self._status.last_sync_at
        new = LinkStatus(state, last_sync_at=last, error=error, queues=False)
        if new != self._status:
            # a refusal's reason changing (a revoked token, a disabled account) is said too
            changed_state = new.state != self._status.state or (
                state is LinkState.UNAUTHORIZED and new.error != self._status.error
            )
            self._status = new
            if changed_state or synced:
                self._emit(SourceChange(link=True))

    # syncing
    async def _full_load(self) -> None:
        if self._status.state is not LinkState.CONNECTING:  # before the first answer it is still connecting
            self._set_state(LinkState.RESYNCING)
        # Take the cursor first, so nothing that changes during the listing is missed.
        cursor = await self._latest_cursor()
        orders = {order.id: order async for order in self._client.aiter_orders(store_id=self._store_id)}
        self._store = await self._client.get_store(self._store_id)
        await self._load_menu()
        self._orders = orders
        self._cursor = cursor
        self._loaded = True
        self._set_state(LinkState.ONLINE, synced=True)
        self._emit(SourceChange(order_ids=frozenset(orders), store=True, link=True, menu=True))

    async def _latest_cursor(self) -> str:
        """The server's newest cursor (`after=latest`)."""
        page = await self._client.events("latest", wait=0.0, limit=1)
        return page.cursor

    async def _poll_once(self) -> None:
        page = await self._client.events(self._cursor, wait=self._poll_wait)
        if page.resync:
            self._loaded = False
            return
        order_ids = {e.entity_id for e in page.events if e.entity is EntityKind.ORDER}
        store_changed = any(e.entity is EntityKind.STORE for e in page.events)
        menu_changed = any(e.entity is EntityKind.MENU and e.entity_id == self._store_id for e in page.events)
        for order_id in order_ids:
            try:
                order = await self._client.get_order(order_id)
            except NotFound:
                self._orders.pop(order_id, None)
                continue
            if order.store_id == self._store_id:
                self._orders[order_id] = order
        if store_changed:
            self._store = await self._client.get_store(self._store_id)
        if menu_changed:
            await self._load_menu()
        self._cursor = page.cursor
        self._set_state(LinkState.ONLINE, synced=True)
        if order_ids or store_changed or menu_changed:
            self._emit(SourceChange(order_ids=frozenset(order_ids), store=store_changed, menu=menu_changed))

    async def run(self) -> None:
        backoff = 1.0
        while True:
            try:
                if not self._loaded:
                    await self._full_load()
                await self._poll_once()
                backoff = 1.0
            except Unauthorized as error:
                # a refused token is not an outage: say so, and ask again only now and then (an account an admin
                # disabled says so, as the sync engine's link does: logging in again cannot help; it works again
                # by itself at the first ask after `o2o admin enable-user`)
                said = error.i18n_message() if error.disabled else t("sync.unauthorized_no_cache")
                self._set_state(LinkState.UNAUTHORIZED, error=said)
                await asyncio.sleep(_MAX_BACKOFF_S)
            except PlatformError as error:
                if error.is_final:
                    raise
                self._set_state(LinkState.OFFLINE, error=error.i18n_message())
                await asyncio.sleep(backoff * random.uniform(0.5, 1.0))
                backoff = min(backoff * 2, _MAX_BACKOFF_S)

    # acting
    async def submit(self, action: str, order_id: str, body: msgspec.Struct) -> None:
        edited_from = None
        if action == "store.hours" and self._store is not None:  # the hours the change was edited from
            edited_from = store_hours.hours_tag(self._store)
        try:
            result = await self._client.act(action, order_id, body, if_match=edited_from)
        except PlatformError as error:
            raise ActionRefused(error.i18n_message()) from None
        if isinstance(result, Order):
            self._orders[result.id] = result
            self._emit(SourceChange(order_ids=frozenset({result.id})))
        elif isinstance(result, Store) and result.id == self._store_id:  # store.status, store.hours
            self._store = result
            self._emit(SourceChange(store=True))

    def conflicts(self) -> list[ConflictView]:
        """Nothing is queued here (a refusal is said at once, as the action is sent), so nothing is left over."""
        return []

    async def dismiss_conflicts(self, keys: list[str] | None = None) -> int:
        return 0

    async def close(self) -> None:
        await self._client.close()
