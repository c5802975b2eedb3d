"""One order in the queue: a one-line widget, so a change repaints only its own row."""

from __future__ import annotations

from datetime import datetime

from textual.content import Content
from textual.widget import Widget

from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import t
from screens import order_format as fmt
from screens.source import QueueEntry

_STATUS_CLASSES = {status: f"-status-{status.value.lower().replace('_', '-')}" for status in OrderStatus}


class OrderRow(Widget):
    """Renders `QueueEntry` as columns fitted to its own width; `-cursor`, `-alert`, `-flash` come from the list."""

    DEFAULT_CSS = """
    OrderRow { height: 1; width: 1fr; }
    """

    def __init__(self, entry: QueueEntry, now: datetime, *, alerting: bool = False) -> None:
        super().__init__()
        self.entry = entry
        self.alerting = alerting
        self._clock = fmt.clock_text(entry.order, now)
        self._locked = fmt.code_lock(entry.order, now) is not None
        self._apply_classes()
        self.set_class(fmt.is_late(entry.order, now), "-late")

    @property
    def order_id(self) -> str:
        return self.entry.order.id

    def _apply_classes(self) -> None:
        order = self.entry.order
        for status, name in _STATUS_CLASSES.items():
            self.set_class(status is order.status, name)
        self.set_class(bool(self.entry.pending), "-pending")
        self.set_class(order.cancellation is not None, "-cancel-request")
        self.set_class(self.alerting, "-alert")

    def update_entry(self, entry: QueueEntry, now: datetime) -> None:
        """Repaint only when something this row shows has changed."""
        clock = fmt.clock_text(entry.order, now)
        locked = fmt.code_lock(entry.order, now) is not None
        if entry == self.entry and clock == self._clock and locked == self._locked:
            return
        self.entry = entry
        self._clock = clock
        self._locked = locked
        self._apply_classes()
        self.set_class(fmt.is_late(entry.order, now), "-late")
        self.refresh()

    def set_alerting(self, alerting: bool) -> None:
        if alerting != self.alerting:
            self.alerting = alerting
            self._apply_classes()
            if not alerting:
                self.remove_class("-flash")
            self.refresh()

    def update_clock(self, now: datetime) -> None:
        clock = fmt.clock_text(self.entry.order, now)
        locked = fmt.code_lock(self.entry.order, now) is not None
        if clock != self._clock or locked != self._locked:
            self._clock = clock
            self._locked = locked
            self.set_class(fmt.is_late(self.entry.order, now), "-late")
            self.refresh()

    def _mark(self) -> str:
        order = self.entry.order
        if order.cancellation is not None or self._locked:
            return "!"
        if self.entry.pending:
            return "~"
        if self.alerting:
            return "*"
        return " "

    def render(self) -> Content:
        order = self.entry.order
        cols = fmt.columns_for(self.size.width)
        parts: list[str | tuple[str, str]] = [
            (fmt.fit(self._mark(), cols.mark), "bold"),
            (fmt.fit(order.display_number, cols.number), "bold"),
            " ",
            fmt.fit(self._clock, cols.clock, align="right"),
            " ",
            (
                fmt.fit(fmt.status_short(order) if cols.status < 6 else fmt.status_label(order), cols.status),
                "bold",
            ),
            " ",
        ]
        if cols.type:
            kind = t("ui.code_locked") if self._locked else fmt.type_or_stage(order)
            parts += [fmt.fit(kind, cols.type), " "]
        if cols.customer:
            parts += [fmt.fit(fmt.customer_name(order), cols.customer), " "]
        parts += [
            fmt.fit(fmt.items_summary(order), cols.items),
            " ",
            fmt.fit(fmt.total_text(order), cols.total, align="right"),
        ]
        return Content.assemble(*parts)
