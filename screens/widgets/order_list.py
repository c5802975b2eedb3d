"""The queue: one `OrderRow` per order, updated by key (never cleared and refilled)."""

from __future__ import annotations

from datetime import datetime

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.message import Message

from screens.source import QueueEntry
from screens.widgets.order_row import OrderRow


class OrderList(VerticalScroll, can_focus=True):
    BINDINGS = [
        Binding("up,k", "move(-1)", show=False, id="queue.up"),
        Binding("down,j", "move(1)", show=False, id="queue.down"),
        Binding("pageup", "move(-10)", show=False, id="queue.page_up"),
        Binding("pagedown", "move(10)", show=False, id="queue.page_down"),
        Binding("home", "jump(0)", show=False, id="queue.first"),
        Binding("end", "jump(-1)", show=False, id="queue.last"),
    ]

    class CursorMoved(Message):
        def __init__(self, order_id: str | None) -> None:
            super().__init__()
            self.order_id = order_id

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._rows: dict[str, OrderRow] = {}
        self._order: list[str] = []
        self.cursor_id: str | None = None

    @property
    def order_ids(self) -> list[str]:
        return list(self._order)

    def row(self, order_id: str) -> OrderRow | None:
        return self._rows.get(order_id)

    @property
    def cursor_entry(self) -> QueueEntry | None:
        row = self._rows.get(self.cursor_id) if self.cursor_id else None
        return row.entry if row else None

    async def sync(self, entries: list[QueueEntry], now: datetime, alerting: set[str]) -> None:
        """Make the rows match `entries` (already sorted): remove, insert, move and update by order id."""
        wanted = [entry.order.id for entry in entries]
        wanted_set = set(wanted)
        old_cursor_index = self._order.index(self.cursor_id) if self.cursor_id in self._order else 0
        with self.app.batch_update():
            gone = [row for order_id, row in self._rows.items() if order_id not in wanted_set]
            for row in gone:
                del self._rows[row.order_id]
            if gone:
                await self.remove_children(gone)
            for position, entry in enumerate(entries):
                order_id = entry.order.id
                row = self._rows.get(order_id)
                if row is None:
                    row = OrderRow(entry, now, alerting=order_id in alerting)
                    self._rows[order_id] = row
                    if position < len(self.children):
                        await self.mount(row, before=position)
                    else:
                        await self.mount(row)
                else:
                    row.update_entry(entry, now)
                    row.set_alerting(order_id in alerting)
                    if self.children.index(row) != position:
                        self.move_child(row, before=position)
            self._order = wanted
            if self.cursor_id not in wanted_set:
                new_cursor = wanted[min(old_cursor_index, len(wanted) - 1)] if wanted else None
                self._set_cursor(new_cursor)
            else:
                self._paint_cursor()

    def update_clocks(self, now: datetime) -> None:
        for row in self._rows.values():
            row.update_clock(now)

    def set_flash(self, on: bool) -> None:
        for row in self._rows.values():
            row.set_class(on and row.alerting, "-flash")

    def _paint_cursor(self) -> None:
        for order_id, row in self._rows.items():
            row.set_class(order_id == self.cursor_id, "-cursor")

    def _set_cursor(self, order_id: str | None) -> None:
        changed = order_id != self.cursor_id
        self.cursor_id = order_id
        self._paint_cursor()
        if order_id is not None:
            row = self._rows[order_id]
            self.scroll_to_widget(row, animate=False, immediate=True)
        if changed:
            self.post_message(self.CursorMoved(order_id))

    def select(self, order_id: str) -> None:
        if order_id in self._rows:
            self._set_cursor(order_id)

    def action_move(self, delta: int) -> None:
        if not self._order:
            return
        index = self._order.index(self.cursor_id) if self.cursor_id in self._order else 0
        self._set_cursor(self._order[max(0, min(len(self._order) - 1, index + delta))])

    def action_jump(self, index: int) -> None:
        if self._order:
            self._set_cursor(self._order[index])
