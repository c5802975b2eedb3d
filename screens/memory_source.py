"""An `OrderSource` held in memory: fixed data for screenshots, snapshot tests and layout work.

`put()` and `set_link()` change it and notify subscribers like a live source would. Submitted actions are
recorded in `submitted` and not applied (there is no platform behind it to decide).
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec

from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order
from o2o_tui.domain.store import Store
from screens.source import LinkState, LinkStatus, QueueEntry, SourceChange, Subscribers


class MemoryOrderSource(Subscribers[SourceChange]):
    def __init__(
        self,
        entries: Iterable[QueueEntry] = (),
        *,
        store: Store | None = None,
        link: LinkStatus | None = None,
        menu: Menu | None = None,
    ) -> None:
        super().__init__()
        self._entries = {entry.order.id: entry for entry in entries}
        self._store = store
        self._menu = menu
        self._link = link or LinkStatus(LinkState.ONLINE)
        self.submitted: list[tuple[str, str, msgspec.Struct]] = []

    def orders(self) -> list[QueueEntry]:
        return list(self._entries.values())

    def order(self, order_id: str) -> QueueEntry | None:
        return self._entries.get(order_id)

    def store(self) -> Store | None:
        return self._store

    def link(self) -> LinkStatus:
        return self._link

    def menu(self) -> Menu | None:
        return self._menu

    def set_menu(self, menu: Menu | None) -> None:
        self._menu = menu
        self._emit(SourceChange(menu=True))

    def put(self, order: Order, pending: tuple[str, ...] = ()) -> None:
        self._entries[order.id] = QueueEntry(order, pending)
        self._emit(SourceChange(order_ids=frozenset({order.id})))

    def set_link(self, link: LinkStatus) -> None:
        self._link = link
        self._emit(SourceChange(link=True))

    async def run(self) -> None:
        return None

    async def submit(self, action: str, order_id: str, body: msgspec.Struct) -> None:
        self.submitted.append((action, order_id, body))

    async def close(self) -> None:
        return None
