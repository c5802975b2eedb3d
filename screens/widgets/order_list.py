"""The queue: a `LineList` of live orders, then a "Done" part with the orders that ended recently.

Only the lines on screen are rendered. Once a second `tick(now)` looks at the visible lines only: it recomputes
their `RowLook` (clock text, lock, late, alert) and repaints the clock cells when only the clock changed,
the whole line when anything else did, and nothing when nothing did. So the work per second follows the screen,
not the number of orders.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from datetime import UTC, datetime
from typing import ClassVar

from textual.binding import Binding, BindingType
from textual.content import Content
from textual.strip import Strip

from o2o_tui.domain.order import OrderStatus
from screens import order_format as fmt
from screens.source import QueueEntry
from screens.widgets.line_list import LineList, RowState
from screens.widgets.order_row import (
    DoneHeading,
    QueueLine,
    RowLook,
    clock_cells,
    line_key,
    render_done,
    render_heading,
    render_live,
    row_look,
)

_STATUS_CLASSES = {
    status: f"order-list--status-{status.value.lower().replace('_', '-')}" for status in OrderStatus
}


class RowView:
    """A live view of one order's line (what tests and tools inspect; there is no widget per row).

    `has_class("-alert")` asks whether the line is drawn with the `order-list--alert` component class now.
    """

    def __init__(self, queue: OrderList, order_id: str) -> None:
        self._queue = queue
        self.order_id = order_id

    @property
    def entry(self) -> QueueEntry:
        entry = self._queue.entry(self.order_id)
        if entry is None:
            raise LookupError(self.order_id)
        return entry

    def classes(self) -> tuple[str, ...]:
        queue = self._queue
        entry = queue.entry(self.order_id)
        if entry is None:
            return ()
        state = RowState(cursor=queue.cursor_key == self.order_id, focused=queue.has_focus)
        names = queue.row_classes(entry, state)
        return names + (("order-list--cursor",) if state.cursor else ())

    def has_class(self, name: str) -> bool:
        return "order-list-" + name in self.classes()

    def render(self) -> Content | Strip:
        """The line as the list draws it at its current width."""
        queue = self._queue
        state = RowState(cursor=queue.cursor_key == self.order_id, focused=queue.has_focus)
        return queue.render_row(self.entry, queue.scrollable_content_region.width, state)


class OrderList(LineList[QueueLine], inherit_bindings=False):
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", show=False, id="queue.up"),  # not k/j: k reprints a ticket on the queue
        Binding("down", "move(1)", show=False, id="queue.down"),
        Binding("pageup", "page(-1)", show=False, id="queue.page_up"),
        Binding("pagedown", "page(1)", show=False, id="queue.page_down"),
        Binding("home", "jump(0)", show=False, id="queue.first"),
        Binding("end", "jump(-1)", show=False, id="queue.last"),
        # Enter is the screen's `queue.open` (shown in the footer), not the list's
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        *LineList.COMPONENT_CLASSES,
        *_STATUS_CLASSES.values(),
        "order-list--pending",
        "order-list--cancel-request",
        "order-list--courier-problem",
        "order-list--late",
        "order-list--alert",
        "order-list--urgent",
        "order-list--done",
        "order-list--heading",
    }

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(key_of=line_key, id=id)
        self.now = datetime.fromtimestamp(0, UTC)
        self.alerting: frozenset[str] = frozenset()
        self.urgent: frozenset[str] = frozenset()
        self.looks_computed = 0  # RowLooks computed (for tests: the tick is proportional to the screen)
        self.lines_checked = 0  # lines the tick looked at (for tests)
        self._epoch = 0  # bumped when the time or the alerts change: a RowLook is computed once per epoch
        self._memo: dict[str, tuple[int, QueueEntry, RowLook]] = {}
        self._views: dict[str, RowView] = {}

    # what the screen reads
    @property
    def order_ids(self) -> list[str]:
        """The live orders, in queue order (not the Done part)."""
        return [
            line.order.id
            for line in self.rows
            if isinstance(line, QueueEntry) and line.order.status not in _ENDED
        ]

    @property
    def cursor_id(self) -> str | None:
        line = self.cursor_value
        return line.order.id if isinstance(line, QueueEntry) else None

    @property
    def cursor_entry(self) -> QueueEntry | None:
        line = self.cursor_value
        return line if isinstance(line, QueueEntry) else None

    def entry(self, order_id: str) -> QueueEntry | None:
        line = self.row(order_id)
        return line if isinstance(line, QueueEntry) else None

    def select(self, order_id: str) -> None:
        self.move_cursor(order_id)

    def row_views(self, *, done: bool = False) -> list[RowView]:
        """Views of the live lines in order (with `done`, of the ended ones too); the same view per order."""
        views: list[RowView] = []
        for line in self.rows:
            if isinstance(line, QueueEntry) and (done or line.order.status not in _ENDED):
                order_id = line.order.id
                view = self._views.get(order_id)
                if view is None:
                    view = self._views[order_id] = RowView(self, order_id)
                views.append(view)
        return views

    def alerting_above(self) -> int:
        """How many ringing orders are scrolled out of sight above the visible lines."""
        top = int(self.scroll_offset.y)
        if top <= 0 or not self.alerting:
            return 0
        alerting = self.alerting
        return sum(
            1 for line in self._rows[:top] if isinstance(line, QueueEntry) and line.order.id in alerting
        )

    def look(self, order_id: str) -> RowLook | None:
        """What the line of `order_id` shows now besides its order (None for unknown or ended orders)."""
        entry = self.entry(order_id)
        if entry is None or entry.order.status in _ENDED:
            return None
        return self._look(entry)

    # updates from the screen
    def show(
        self,
        live: Iterable[QueueEntry],
        done: Iterable[QueueEntry],
        now: datetime,
        alerting: frozenset[str],
        urgent: frozenset[str],
    ) -> None:
        """Make the lines match (already sorted): a keyed diff, one batch, only changed lines repainted."""
        self.now = now
        self._epoch += 1
        self._set_alerts(alerting, urgent)
        lines: list[QueueLine] = list(live)
        done_lines = list(done)
        if done_lines:
            lines.append(DoneHeading(len(done_lines)))
            lines.extend(done_lines)
        self.set_rows(lines)

    def set_alerts(self, alerting: frozenset[str], urgent: frozenset[str]) -> None:
        self._set_alerts(alerting, urgent)

    def _set_alerts(self, alerting: frozenset[str], urgent: frozenset[str]) -> None:
        changed = (alerting ^ self.alerting) | (urgent ^ self.urgent)
        if not changed:
            return
        self._epoch += 1
        self.alerting, self.urgent = alerting, urgent
        for order_id in changed:
            self.refresh_key(order_id)

    def tick(self, now: datetime) -> None:
        """Once a second: repaint what changed on the visible lines only (the clock cells when only they did)."""
        self.now = now
        self._epoch += 1
        width = self.scrollable_content_region.width
        x, cells = clock_cells(width)
        for key in self.visible_keys():
            self.lines_checked += 1
            cached = self._line_cache.get(key)
            if cached is None:
                continue  # not rendered yet: it will be rendered with the new time
            line = self.row(key)
            if not isinstance(line, QueueEntry):
                continue
            old = cached[0][3]
            new = self.line_token(key, line)
            if new == old:
                continue
            if isinstance(old, RowLook) and isinstance(new, RowLook) and _only_clock(old, new):
                start, length = changed_cells(old.clock, new.clock, cells)  # "4:59" -> "4:58": one cell
                self.refresh_cells(key, x + start, length)
            elif isinstance(old, int) and isinstance(new, int):  # a Done line's "ended N minutes ago"
                self.refresh_cells(key, x, cells)
            else:
                self.refresh_key(key)

    # LineList hooks
    def _look(self, entry: QueueEntry) -> RowLook:
        order_id = entry.order.id
        memo = self._memo.get(order_id)
        if memo is not None and memo[0] == self._epoch and memo[1] is entry:
            return memo[2]
        self.looks_computed += 1
        look = row_look(
            entry,
            self.now,
            alerting=order_id in self.alerting,
            urgent=order_id in self.urgent,
        )
        if len(self._memo) > 4 * max(64, self.size.height):
            self._memo.clear()
        self._memo[order_id] = (self._epoch, entry, look)
        return look

    def line_token(self, key: Hashable, row: QueueLine) -> Hashable:
        if isinstance(row, DoneHeading):
            return None
        if row.order.status in _ENDED:
            return render_done_minutes(row, self.now)
        return self._look(row)

    def can_select(self, row: QueueLine) -> bool:
        return not isinstance(row, DoneHeading)

    def row_classes(self, row: QueueLine, state: RowState) -> tuple[str, ...]:
        if isinstance(row, DoneHeading):
            return ("order-list--heading",)
        order = row.order
        if order.status in _ENDED:
            return ("order-list--done",)
        look = self._look(row)
        classes = [_STATUS_CLASSES[order.status]]
        if row.pending:
            classes.append("order-list--pending")
        if order.cancellation is not None:
            classes.append("order-list--cancel-request")
        if order.delivery_problem is not None:  # marked "!" and named in the line too: never colour alone
            classes.append("order-list--courier-problem")
        if look.late:
            classes.append("order-list--late")
        if look.alerting:
            classes.append("order-list--alert")
        if look.urgent:
            classes.append("order-list--urgent")
        return tuple(classes)

    def render_row(self, row: QueueLine, width: int, state: RowState) -> Content | Strip:
        if isinstance(row, DoneHeading):
            return render_heading(row, width)
        if row.order.status in _ENDED:
            return render_done(row, width, self.now)
        return render_live(row, self._look(row), width)


_ENDED = frozenset({OrderStatus.DELIVERED, OrderStatus.CONCLUDED, OrderStatus.CANCELLED})


def render_done_minutes(entry: QueueEntry, now: datetime) -> int:
    ended = entry.order.ended_at or entry.order.updated_at
    return int((now - ended).total_seconds() // 60)


def changed_cells(old: str, new: str, width: int) -> tuple[int, int]:
    """(offset, width) of the cells that differ between two clock texts left-aligned in `width` cells."""
    before, after = fmt.fit(old, width), fmt.fit(new, width)
    if len(before) != width or len(after) != width:  # wide characters (分): the whole column
        return 0, width
    differ = [i for i in range(width) if before[i] != after[i]]
    if not differ:
        return 0, width
    return differ[0], differ[-1] - differ[0] + 1


def _only_clock(old: RowLook, new: RowLook) -> bool:
    return (old.locked, old.late, old.alerting, old.urgent) == (
        new.locked,
        new.late,
        new.alerting,
        new.urgent,
    )
