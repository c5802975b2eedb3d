"""An `OrderSource` held in memory: fixed data for screenshots, snapshot tests and layout work.

`put()` and `set_link()` change it and notify subscribers like a live source would. Submitted actions are
recorded in `submitted` and not applied (there is no platform behind it to decide). Refused actions are given
(`conflicts=`, `add_conflict()`) and dismissed like a live source's; the link's count follows them.
"""

from __future__ import annotations

from collections.abc import Iterable

import msgspec
from msgspec.structs import replace

from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order
from o2o_tui.domain.store import Store
from screens.source import (
    ConflictView,
    LinkState,
    LinkStatus,
    QueueEntry,
    SourceChange,
    Subscribers,
    split_held,
)


class MemoryOrderSource(Subscribers[SourceChange]):
    def __init__(
        self,
        entries: Iterable[QueueEntry] = (),
        *,
        store: Store | None = None,
        link: LinkStatus | None = None,
        menu: Menu | None = None,
        conflicts: Iterable[ConflictView] = (),
    ) -> None:
        super().__init__()
        self._entries = {entry.order.id: entry for entry in entries}
        self._store = store
        self._menu = menu
        self._link = link or LinkStatus(LinkState.ONLINE)
        self.submitted: list[tuple[str, str, msgspec.Struct]] = []
        self._conflicts = {conflict.key: conflict for conflict in conflicts}
        if self._conflicts:
            self._link = replace(self._link, conflicts=len(self._conflicts))

    def orders(self) -> list[QueueEntry]:
        return split_held(self._entries.values())[0]

    def held(self) -> list[QueueEntry]:
        return split_held(self._entries.values())[1]

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
        self._link = replace(link, conflicts=len(self._conflicts)) if self._conflicts else link
        self._emit(SourceChange(link=True))

    def conflicts(self) -> list[ConflictView]:
        return list(self._conflicts.values())

    def add_conflict(self, conflict: ConflictView) -> None:
        self._conflicts[conflict.key] = conflict
        self._link = replace(self._link, conflicts=len(self._conflicts))
        self._emit(SourceChange(link=True, conflicts=True))

    async def dismiss_conflicts(self, keys: list[str] | None = None) -> int:
        gone = list(self._conflicts) if keys is None else [key for key in keys if key in self._conflicts]
        for key in gone:
            del self._conflicts[key]
        if gone:
            self._link = replace(self._link, conflicts=len(self._conflicts))
            self._emit(SourceChange(link=True, conflicts=True))
        return len(gone)

    async def run(self) -> None:
        return None

    async def submit(self, action: str, order_id: str, body: msgspec.Struct) -> None:
        self.submitted.append((action, order_id, body))

    async def close(self) -> None:
        return None
