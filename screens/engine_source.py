"""An `OrderSource` on the sync engine: the cached snapshot with this device's queued actions on top.

Works offline: actions go to the durable outbox and show at once (marked pending); the engine pushes them when
the link is back. Every cache read runs on the cache's own thread, so the UI's event loop never waits on disk.
No Textual here.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import Any

import msgspec

from o2o_tui.domain.menu import Menu
from o2o_tui.domain.store import Store
from o2o_tui.i18n import t
from o2o_tui.sync import skipped as skips
from o2o_tui.sync.explain import explain
from o2o_tui.sync.model import Change, ChangeKind
from o2o_tui.sync.read_model import OrderView, ReadModel
from screens.source import ActionRefused, LinkStatus, QueueEntry, SourceChange, Subscribers, link_from


def _entry(view: OrderView) -> QueueEntry:
    return QueueEntry(view.order, tuple(view.pending))


class EngineOrderSource(Subscribers[SourceChange]):
    def __init__(self, engine: Any, cache: Any, client: Any, store_id: str) -> None:
        super().__init__()
        self._engine = engine
        self._cache = cache
        self._client = client
        self._store_id = store_id
        self._model = ReadModel(cache)
        self._entries: dict[str, QueueEntry] = {}
        self._store: Store | None = None
        self._menu: Menu | None = None
        self._dirty_ids: set[str] = set()
        self._dirty_all = True
        self._dirty_store = True
        self._dirty_menu = True
        self._conflict_keys: set[str] = set()
        self._wake: asyncio.Event | None = None
        self._unsubscribe = engine.subscribe(self._on_engine_change)

    # reading (from the snapshot kept in memory; never touches the cache on the caller's thread)
    def orders(self) -> list[QueueEntry]:
        return list(self._entries.values())

    def order(self, order_id: str) -> QueueEntry | None:
        return self._entries.get(order_id)

    def store(self) -> Store | None:
        return self._store

    def menu(self) -> Menu | None:
        return self._menu

    def link(self) -> LinkStatus:
        return link_from(self._engine.status())

    def menu_source(self) -> Any:
        """The menu editor's source on this console's engine and cache (`screens/menu_source.py`)."""
        from screens.menu_source import EngineMenuSource

        return EngineMenuSource(self._engine, self._cache, self._store_id)

    # following the engine
    def _on_engine_change(self, change: Change) -> None:
        kind = str(change.kind)
        if kind == ChangeKind.STATUS:
            self._emit(SourceChange(link=True))
            return
        if kind == skips.CHANGE_KIND:  # entities left out: say each once
            for entry in self._engine.skipped():
                if entry.key in change.ids:
                    self._emit(SourceChange(message=skips.describe(entry)))
            return
        if kind == ChangeKind.ORDER:
            if change.ids:
                self._dirty_ids |= set(change.ids)
            else:
                self._dirty_all = True
        elif kind == ChangeKind.STORE:
            self._dirty_store = True
        elif kind == ChangeKind.MENU:
            self._dirty_menu = True
        elif kind == ChangeKind.CONFLICT:
            self._conflict_keys |= set(change.ids)
        else:
            return
        if self._wake is not None:
            self._wake.set()

    def _read(
        self, full: bool, ids: set[str], store: bool, conflict_keys: set[str], menu: bool = False
    ) -> tuple[Any, ...]:
        """Runs on the cache thread: everything the refresh needs, in one go."""
        views = self._model.orders() if full else [self._model.order(i) for i in ids]
        found_ids = {view.order.id for view in views if view is not None}
        shop = self._model.store(self._store_id) if store else None
        card = self._model.menu(self._store_id) if menu else None
        messages = []
        for key in conflict_keys:
            entry = self._cache.outbox.get(key)
            if entry is not None and entry.rejection is not None:
                messages.append(explain(entry.rejection, action=entry.action, target=entry.target))
        messages += self._model.take_unreadable()  # cached documents left out of this read
        return views, found_ids, shop, messages, card

    async def _refresh(self) -> None:
        full, ids, store, keys = self._dirty_all, self._dirty_ids, self._dirty_store, self._conflict_keys
        menu, self._dirty_menu = self._dirty_menu, False
        self._dirty_all, self._dirty_ids, self._dirty_store, self._conflict_keys = False, set(), False, set()
        views, found_ids, shop, messages, card = await self._cache.call(
            self._read, full, ids, store, keys, menu
        )
        if full:
            before = set(self._entries)
            self._entries = {view.order.id: _entry(view) for view in views}
            changed = frozenset(before | set(self._entries))
        else:
            for view in views:
                if view is not None:
                    self._entries[view.order.id] = _entry(view)
            for gone in ids - found_ids:
                self._entries.pop(gone, None)
            changed = frozenset(ids)
        if store:
            self._store = shop
        if menu:
            self._menu = card
        if changed or store or menu:
            self._emit(SourceChange(order_ids=changed, store=store, menu=menu))
        for message in messages:
            self._emit(SourceChange(message=message, link=True))

    async def _follow(self) -> None:
        """Re-read the cache after engine changes; a burst of changes becomes one read."""
        assert self._wake is not None
        while True:
            dirty = self._dirty_all or self._dirty_ids or self._dirty_store or self._dirty_menu
            if dirty or self._conflict_keys:
                await self._refresh()
            await self._wake.wait()
            self._wake.clear()

    async def run(self) -> None:
        from o2o_tui.sync.session import cache_warning_texts

        for text in cache_warning_texts(self._cache):  # e.g. a corrupt cache set aside: say so once
            self._emit(SourceChange(message=text))
        self._wake = asyncio.Event()
        follower = asyncio.create_task(self._follow(), name="console-follow")
        try:
            await self._engine.run()
        finally:
            follower.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await follower

    # acting
    async def submit(self, action: str, order_id: str, body: msgspec.Struct) -> None:
        current = self._entries.get(order_id)
        try:
            await self._engine.submit(
                action, order_id, body, base_version=current.order.version if current else None
            )
        except Exception as error:  # a cache that cannot write: the action was not queued
            raise ActionRefused(t("ui.action.not_queued", error=str(error))) from None

    async def close(self) -> None:
        self._unsubscribe()
        self._engine.stop()
        with contextlib.suppress(Exception):
            await self._client.close()
        with contextlib.suppress(Exception):
            # Not on the cache's own thread: closing waits for that thread to finish.
            await asyncio.to_thread(self._cache.close)
