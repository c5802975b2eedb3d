"""Above the queue: what is sold out right now (when anything is), then the column titles, fitted with the same
widths as the rows.

Sold out is snoozed until a time ("Kung Pao until 14:30"); unavailable is off until someone puts it back. The line
counts each apart ("Sold out (8), unavailable (2): ..."), the sold-out names first, as the menu editor's status
line counts them.

The sold-out line comes from the source's menu (cached, with queued availability changes on top), so staff see an
"86" the moment it is set, and it goes away by itself when a snooze ends.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from typing import TYPE_CHECKING

from rich.cells import cell_len
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.store_effect import SoldOut, at_text, sold_out, sold_out_text, store_zone
from o2o_tui.text_marks import dotted
from screens import order_format as fmt
from screens.source import SourceChange

if TYPE_CHECKING:
    from screens.app import MerchantApp

SOLD_OUT_CHECK_S = 15.0  # a snooze that ends takes its item off the line within this


class QueueHeader(Widget):
    DEFAULT_CSS = """
    QueueHeader { height: 1; width: 1fr; color: $text-muted; text-style: bold; }
    """

    app: MerchantApp

    class MenuChanged(Message):
        """The source's menu changed (posted from any thread)."""

    class OrdersChanged(Message):
        """Some orders changed (posted from any thread): the count of held ones may have."""

    def __init__(self) -> None:
        super().__init__()
        self._sold_out = ""
        self._held = 0  # scheduled orders held until their prep start (`t` lists them)
        self._unsubscribe: Callable[[], None] | None = None

    def on_mount(self) -> None:
        source = getattr(self.app, "source", None)
        if source is not None and hasattr(source, "menu"):
            self._unsubscribe = source.subscribe(self._on_source_change)
            self.set_interval(SOLD_OUT_CHECK_S, self.update_sold_out)
            self.update_sold_out()
        if source is not None and hasattr(source, "held"):
            self.update_held()

    def on_unmount(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()

    def _on_source_change(self, change: SourceChange) -> None:
        if change.menu:
            self.post_message(self.MenuChanged())
        if change.order_ids:
            self.post_message(self.OrdersChanged())

    def on_queue_header_orders_changed(self, _: OrdersChanged) -> None:
        self.update_held()

    def update_held(self) -> None:
        """Recount the held orders; a line above the titles says how many while there are any."""
        held = len(self.app.source.held())
        if held != self._held:
            self._held = held
            self._fit_height()

    def on_queue_header_menu_changed(self, _: MenuChanged) -> None:
        self.update_sold_out()

    def update_sold_out(self) -> None:
        """Recompute the sold-out line; repaint (and take one more line, or give it back) only when it changed."""
        now = self.app.now()
        text = sold_out_line(sold_out(self.app.source.menu(), now), store_zone(self.app.source.store()), now)
        if text == self._sold_out:
            return
        self._sold_out = text
        self.set_class(bool(text), "-sold-out")
        self._fit_height()

    def _fit_height(self) -> None:
        self.styles.height = 1 + bool(self._sold_out) + bool(self._held)
        self.refresh()

    def render(self) -> Content:
        width = self.size.width
        cols = fmt.columns_for(width)
        parts: list[str | tuple[str, str]] = []
        if self._sold_out:
            parts += [(fmt.fit(self._sold_out, width), "not dim reverse"), "\n"]
        if self._held:
            parts += [(fmt.fit(t("scheduled.count_key", count=self._held), width), "not bold"), "\n"]
        parts += [fmt.fit(_title("ui.column.clock", cols.clock), cols.clock), " "]
        parts += [" " * cols.mark, fmt.fit(_title("ui.column.number", cols.number), cols.number), " "]
        status_key = "ui.column.status" if cols.status >= 6 else "ui.column.status_short"
        parts += [fmt.fit(_title(status_key, cols.status), cols.status), " "]
        if cols.type:
            parts += [fmt.fit(_title("ui.column.type", cols.type), cols.type), " "]
        if cols.customer:
            parts += [fmt.fit(_title("ui.column.customer", cols.customer), cols.customer), " "]
        items, total = _title("ui.column.items", cols.items), _title("ui.column.total", cols.total)
        parts += fmt.money_tail(cols.items, cols.total, items, total)
        return Content.assemble(*parts)


def sold_out_line(found: list[SoldOut], zone: tzinfo, now: datetime) -> str:
    """ "Sold out (2): Kung Pao until 14:30 · Tofu until 15:00", "Unavailable (1): Rice", or with both
    "Sold out (1), unavailable (1): Kung Pao until 14:30 · Rice" (the ones with no time are the unavailable);
    "" when nothing is."""
    snoozed = [entry for entry in found if not entry.unavailable]
    off = [entry for entry in found if entry.unavailable]
    if not off:
        return sold_out_text(snoozed, zone, now)
    off_names = [safe_text(entry.name, one_line=True) for entry in off]
    if not snoozed:
        return t("store.unavailable.line", count=len(off), names=dotted(off_names))
    names = [
        t("store.sold_out.until", name=safe_text(entry.name, one_line=True), at=at_text(entry.until, zone, now))
        for entry in snoozed
        if entry.until is not None
    ]
    return t(
        "store.sold_out.and_unavailable",
        sold_out=len(snoozed),
        unavailable=len(off),
        names=dotted([*names, *off_names]),
    )


def _title(key: str, cells: int) -> str:
    """A column's title if it fits its `cells` whole, else none: a title cut to "It…" or "金…" reads as a cut
    word, where the narrow rows' own short forms (`St.`, `PREP`) are whole words."""
    title = t(key)
    return title if cell_len(title) <= cells else ""
