"""How one line of the queue reads: a live order, the "Done" heading, or an ended order (pure, no widget).

`OrderList` (a `LineList`) calls `render_queue_line` only for the lines on screen; `row_state` is what a line
shows besides its order (the clock text, the lock, late, alerting): the list compares it once a second for the
visible lines and repaints only the clock cells when nothing else changed.
"""

from __future__ import annotations

from datetime import datetime

import msgspec
from rich.cells import cell_len
from textual.content import Content

from o2o_tui.domain.chases import open_chase
from o2o_tui.domain.order import Order, OrderStatus, OrderType
from o2o_tui.i18n import t
from screens import order_format as fmt
from screens.source import QueueEntry
from screens.terminal import Glyphs, active_glyphs

DONE_HEADING_KEY = "\x00done"  # not an order id: the platform's ids are printable


class DoneHeading(msgspec.Struct, frozen=True):
    """The line above the ended orders."""

    count: int


QueueLine = QueueEntry | DoneHeading


def line_key(line: QueueLine) -> str:
    return DONE_HEADING_KEY if isinstance(line, DoneHeading) else line.order.id


class RowLook(msgspec.Struct, frozen=True):
    """What a live line shows that is not in its `QueueEntry`: it changes with the clock and the alerts."""

    clock: str
    locked: bool
    late: bool
    alerting: bool
    urgent: bool


def row_look(entry: QueueEntry, now: datetime, *, alerting: bool, urgent: bool) -> RowLook:
    order = entry.order
    return RowLook(
        clock=fmt.clock_text(order, now),
        locked=fmt.code_lock(order, now) is not None,
        late=fmt.is_late(order, now),
        alerting=alerting,
        urgent=urgent,
    )


def clock_cells(width: int) -> tuple[int, int]:
    """(x, width) of the clock column at this list width: the only cells a ticking clock repaints. It is the
    first column, left-aligned: Textual sends a partly changed line from its start, so a clock further right
    would send the number and the mark before it every second as well."""
    cols = fmt.columns_for(width)
    return 0, cols.clock


def _mark(entry: QueueEntry, look: RowLook) -> str:
    order = entry.order
    if order.cancellation is not None or look.locked or order.delivery_problem is not None:
        return "!"
    if open_chase(entry.order.chases) is not None:  # the customer chased (催单) and awaits an answer (y)
        return "?"
    if entry.pending:
        return "~"
    if look.alerting:
        return "*"
    return " "


def _closed_at_promise(order: Order) -> bool:
    """A new order the store's hours have closed at its promised time (`Order.closed_at_promise`): it rang now,
    for staff to call the customer or cancel; once accepted or ended the detail drops its line, so does the row."""
    return order.closed_at_promise is not None and order.status is OrderStatus.CREATED


def _status_text(order: Order, cols: fmt.Columns) -> str:
    """The status, short on a narrow list; there, with no type column to name it, an open courier problem is said
    in its place (the wide list names the problem in the type column instead)."""
    if cols.status >= 6:
        return fmt.queue_status(order)
    if order.delivery_problem is not None and not cols.type:
        return t("queue.row.courier_problem")
    return fmt.queue_status(order, short=True)


def render_live(entry: QueueEntry, look: RowLook, width: int, glyphs: Glyphs | None = None) -> Content:
    """A live order's line; `glyphs` the terminal's set (default: the running app's, `active_glyphs`)."""
    glyphs = glyphs or active_glyphs()
    order = entry.order
    cols = fmt.columns_for(width)
    parts: list[str | tuple[str, str]] = [
        # One style for the whole line (its colour says the status): every change of style inside a line costs
        # ~25 bytes each time the line is sent, and a new order at the top sends every line below it.
        fmt.fit(look.clock, cols.clock),
        " ",
        fmt.fit(_mark(entry, look), cols.mark),
        fmt.fit(order.display_number, cols.number),
        " ",
        fmt.fit(_status_text(order, cols), cols.status),
        " ",
    ]
    closed = _closed_at_promise(order)
    if cols.type:
        kind = fmt.type_or_stage(order, entry.courier)
        if look.locked:
            kind = t("ui.code_locked")
        elif closed:
            kind = t("scheduled.row.closed_at_promise")
        parts += [fmt.fit(kind, cols.type), " "]
    if cols.customer:
        parts += [fmt.fit(fmt.customer_name(order), cols.customer), " "]
    items = fmt.items_summary(order, glyphs.times)
    if closed and not cols.type:  # a narrow list: said before the items, in the cells they have
        items = f"{t('scheduled.row.closed_at_promise')} {glyphs.dot} {items}"
    parts += fmt.money_tail(cols.items, cols.total, items, fmt.total_text(order))
    return Content.assemble(*parts)


# ---------------------------------------------------------------- ended orders ("Done")


def is_done_recent(order: Order, now: datetime, hours: float) -> bool:
    ended = order.ended_at or order.updated_at
    return (now - ended).total_seconds() <= hours * 3600


def ended_reason(order: Order, *, short: bool = False) -> str:
    """Why an order left the queue, in a few words: "No answer in time", "Picked up", "Rejected: Too busy",
    "Cancelled by the store: Other"; `short` (a narrow list) names who cancelled in fewer cells: "Store: Other"."""
    if order.status is OrderStatus.CANCELLED:
        code = order.cancel_reason_code or ""
        if code == "ACCEPT_TIMEOUT":
            return t("queue.done.timed_out")
        from o2o_tui.figures_text import reason_name  # with the day's figures: an ended row needs only this

        reason = reason_name(code) if code else ""  # a customer's or the platform's code in words too
        by = order.cancelled_by.value if order.cancelled_by is not None else ""
        if by == "MERCHANT" and order.confirmed_at is None:  # refused, never accepted
            return t("queue.done.rejected", reason=reason) if reason else t("queue.done.rejected_plain")
        if short and by:
            return _cancelled_short(by, reason)
        if by == "CUSTOMER":
            return t("queue.done.by_customer", reason=reason) if reason else t("queue.done.by_customer_plain")
        party_key = f"orders.show.by.{by}"
        party = t(party_key) if by else party_key
        if party != party_key and reason:  # the detail's words: "Cancelled by the store: Other"
            return t("queue.done.cancelled_by", by=party, reason=reason)
        if party != party_key:
            return t("queue.done.cancelled_by_plain", by=party)
        return t("queue.done.cancelled", reason=reason) if reason else t("queue.done.cancelled_plain")
    if order.type is OrderType.DELIVERY:
        return t("queue.done.delivered")
    return t("queue.done.picked_up")


def _cancelled_short(by: str, reason: str) -> str:
    """Who cancelled, first, in the few cells of a narrow row: "Store: Other" (zh "商家取消：其他")."""
    key = f"queue.done.short.{by}"
    party = t(key)
    if party == key:  # a party without words: the reason alone
        return t("queue.done.cancelled", reason=reason) if reason else t("queue.done.cancelled_plain")
    if not reason:
        return t(f"queue.done.short_plain.{by}")
    return t("queue.done.short.reason", by=party, reason=reason)


def _done_text(order: Order, *, short: bool, glyphs: Glyphs) -> str:
    """The reason an order was cancelled, then its items; a delivered order's status column says it all. On a
    narrow list a cancelled order's reason alone: its few cells ("Store: Other") never reached the items."""
    items = fmt.items_summary(order, glyphs.times)
    if order.status is OrderStatus.CANCELLED:
        reason = ended_reason(order, short=short)
        return reason if short else f"{reason} {glyphs.dot} {items}"
    return items


def render_done(entry: QueueEntry, width: int, now: datetime, glyphs: Glyphs | None = None) -> Content:
    """An ended order's line; `glyphs` as for `render_live`."""
    glyphs = glyphs or active_glyphs()
    order = entry.order
    cols = fmt.columns_for(width)
    ended = order.ended_at or order.updated_at
    minutes = max(0, int((now - ended).total_seconds() // 60))
    ago = (
        t("ui.age.minutes", minutes=minutes)
        if minutes < 60
        else t("ui.age.hours", hours=minutes // 60, minutes=f"{minutes % 60:02d}")
    )
    narrow = cols.status < 6  # the short status column: who cancelled in its short form too
    reason_width = (
        cols.type + (1 if cols.type else 0) + cols.customer + (1 if cols.customer else 0) + cols.items
    )
    parts: list[str | tuple[str, str]] = [
        fmt.fit(ago, cols.clock),
        " ",
        fmt.fit("~" if entry.pending else "", cols.mark),  # ended here, not yet confirmed by the platform
        fmt.fit(order.display_number, cols.number),
        " ",
        fmt.fit(fmt.status_short(order) if narrow else fmt.status_label(order), cols.status),
        " ",
        *fmt.money_tail(
            reason_width, cols.total, _done_text(order, short=narrow, glyphs=glyphs), fmt.total_text(order)
        ),
    ]
    return Content.assemble(*parts)


def render_heading(heading: DoneHeading, width: int, glyphs: Glyphs | None = None) -> Content:
    """The "── Done (3) ──────" divider ("-- Done (3) ------" in ASCII); `glyphs` as for `render_live`."""
    line = (glyphs or active_glyphs()).hline
    title = f"{line * 2} {t('queue.done.heading', count=heading.count)} "
    rule = line * max(0, width - cell_len(title))
    return Content(fmt.fit(title + rule, width, words=False))
