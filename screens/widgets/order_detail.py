"""The whole of one order as plain `Content`: lines, options, notes, masked contact, codes the merchant may see."""

from __future__ import annotations

import re
from datetime import datetime
from typing import TYPE_CHECKING

from textual.content import Content
from textual.widgets import Static

from o2o_tui.domain import schedule
from o2o_tui.domain.clock import day_clock
from o2o_tui.domain.money import format_money
from o2o_tui.domain.order import Order, OrderStatus, OrderType, PaymentStatus
from o2o_tui.domain.refunds import refunded_amount, refunded_quantities
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text
from o2o_tui.sync.explain import action_label
from screens import order_format as fmt
from screens.source import QueueEntry
from screens.terminal import FULL, Glyphs, decorated, glyphs_of
from screens.widgets.folded_text import FoldedText

if TYPE_CHECKING:
    from zoneinfo import ZoneInfo

Part = str | tuple[str, str]


def _local_time(when: datetime | None, zone: ZoneInfo | None, now: datetime) -> str:
    """`when` on the store's clock, with its day when that is not today (`day_clock`): an order for a later day
    must not read as one for today ("tomorrow 12:00", "12-09 12:00")."""
    if when is None:
        return "-"
    return day_clock(when, zone or when.tzinfo, now)


def _label(label: str) -> str:
    """`Label: ` (zh `标签：`): the punctuation is the catalog's, so Chinese gets a full-width colon."""
    return t("ui.detail.label", label=label)


def _field(label: str, value: str) -> list[Part]:
    return [(_label(label), "dim"), value, "\n"]


def _cancelled_words(order: Order) -> str:
    """Who cancelled the order and why, as `o2o orders show` says it (the same reason words: `reason_name`)."""
    from o2o_tui.figures_text import reason_name  # loaded with the first order shown whole

    reason = reason_name(order.cancel_reason_code) if order.cancel_reason_code else ""
    by_key = f"orders.show.by.{order.cancelled_by.value}" if order.cancelled_by is not None else ""
    by = t(by_key) if by_key else by_key
    if by == by_key:  # nobody named (or a party without words): the reason alone, as the done rows say it
        return t("queue.done.cancelled", reason=reason) if reason else t("queue.done.cancelled_plain")
    if not reason:
        return t("ui.detail.cancelled_by_plain", by=by)
    return t("ui.detail.cancelled_by", by=by, reason=reason)


def _payment_words(order: Order) -> str:
    """A cancelled order paid online had all of its total given back (the refunds before the cancel, the rest with
    the cancel; the platform says REFUNDED since the cancel, an older one PAID): it says so with the total, as its
    printed receipt does ("paid online, all ￥20.00 refunded (order cancelled)"), never "none" nor only a part.
    One not paid yet says none."""
    status = order.payment.status
    if order.status is OrderStatus.CANCELLED and status is not PaymentStatus.PENDING:
        return t("ui.payment.cancelled_refunded", amount=format_money(order.totals.total))
    if order.status is OrderStatus.CANCELLED:
        refunded = refunded_amount(order)
        if refunded.amount > 0:
            key = f"printing.receipt.payment.cancelled_part_refunded.{status.value}"
            return t(key, amount=format_money(refunded))
        return t("ui.payment.cancelled")
    return t(f"ui.payment.{status.value}")


def _quantity(count: int, glyphs: Glyphs) -> str:
    """`2× ` in the terminal's set (`2x ` on an ASCII terminal): only this, never the untrusted name beside it, goes
    through `decorated`."""
    return decorated(f"{count}× ", glyphs)


def detail_parts(
    entry: QueueEntry, now: datetime, zone: ZoneInfo | None = None, *, glyphs: Glyphs = FULL
) -> list[Part]:
    """`glyphs`: the terminal's set (`glyphs_of` the widget showing it), FULL for a caller without one."""
    order: Order = entry.order
    parts: list[Part] = [
        (f"{order.display_number}  ", "bold"),
        (fmt.status_label(order), "bold"),
        f"  {fmt.type_label(order)}\n",
    ]
    if order.status is OrderStatus.CANCELLED:
        parts += [(_cancelled_words(order), "bold"), "\n"]
    if order.cancellation is not None:
        reason = safe_text(order.cancellation.reason or order.cancellation.reason_code)
        asker = t(f"ui.detail.cancel_requested.{order.cancellation.requested_by}")  # who asks: the request says
        parts += [(asker, "bold reverse"), " ", reason, "\n"]
    for lock in order.locked_codes(now):
        until = _local_time(lock.until, zone, now)
        parts += [(t("ui.detail.code_locked", kind=fmt.code_kind(lock), until=until), "bold reverse"), "\n"]
    held = fmt.food_with_courier(order)
    if held:  # a courier's refused pickup left the bag with them: it comes back to the counter
        parts += [(held, "bold reverse"), "\n"]
    closed = schedule.closed_at_promise_words(order, zone, now)
    if closed:  # an order for later the store's hours came to close at its promised time: call or cancel
        parts += [(closed, "bold reverse"), "\n"]
    problem = fmt.courier_problem(order, zone)
    if problem and order.delivery_problem is not None:  # on top, as the other news the counter must act on
        parts += [(_label(t("ui.detail.courier_problem")) + problem, "bold reverse"), "\n"]
        if order.delivery_problem.note:  # the courier's own words: plain text
            parts += ["  ", (safe_text(order.delivery_problem.note), "italic"), "\n"]
    if entry.pending:
        actions = ", ".join(action_label(action) for action in entry.pending)
        parts += [(t("ui.detail.pending", actions=actions), "italic"), "\n"]
    at, age = _local_time(order.created_at, zone, now), fmt.age_words(order, now)
    placed = t("ui.detail.placed_value", at=at, age=age)
    parts += _field(t("ui.detail.placed"), placed)
    promised_for = schedule.promised_time(order) if schedule.is_scheduled(order) else None
    if promised_for is not None:  # an order for later: when the customer wants it
        parts += _field(t("scheduled.detail.for"), _local_time(promised_for, zone, now))
    if schedule.is_held(order):  # not due yet: it rings (and its accept deadline starts) at its prep start
        parts += _field(t("scheduled.detail.rings_at"), _local_time(order.held_until, zone, now))
    elif fmt.clock_changes_every_second(order):
        # An absolute time: a countdown here would repaint the whole panel every second.
        parts += _field(t("ui.detail.accept_by"), _local_time(order.accept_deadline, zone, now))
    if order.promised_ready_at is not None:
        promised = _local_time(order.promised_ready_at, zone, now)
        if order.delayed_minutes:  # the kitchen asked for more time after accepting
            promised = t("delay.detail.promised", at=promised, minutes=order.delayed_minutes)
        parts += _field(t("ui.detail.promised_ready"), promised)
    parts.append("\n")
    refunded = refunded_quantities(order)
    for index, line in enumerate(order.lines):
        line_total = line.total or line.unit_price.times(line.quantity)
        parts += [
            (_quantity(line.quantity, glyphs), "bold"),
            safe_text(line.name, one_line=True),
            f"  {format_money(line_total)}",
        ]
        if refunded[index]:  # what went back: the kitchen makes only the rest
            parts += ["  ", (t("care.detail.line_refunded", count=refunded[index]), "bold reverse")]
        parts.append("\n")
        for option in line.options:
            qty = _quantity(option.quantity, glyphs) if option.quantity != 1 else ""
            parts += ["   + ", qty, safe_text(option.name, one_line=True), "\n"]
        if line.note:
            parts += [
                ("   " + _label(t("ui.detail.line_note")), "dim"),
                (safe_text(line.note), "italic"),
                "\n",
            ]
    parts.append("\n")
    totals = order.totals
    parts += _field(t("ui.detail.subtotal"), format_money(totals.subtotal))
    if totals.delivery_fee.amount:
        parts += _field(t("ui.detail.delivery_fee"), format_money(totals.delivery_fee))
    if totals.discount.amount:
        parts += _field(t("ui.detail.discount"), "-" + format_money(totals.discount))
    parts += [(_label(t("ui.detail.total")), "dim"), (format_money(totals.total), "bold"), "\n"]
    parts += _field(t("ui.detail.payment"), _payment_words(order))
    from screens.care_detail import care_parts  # loaded with the first order shown whole

    parts += care_parts(order, now, zone)  # chases and refunds (screens/care_detail.py)
    if order.note:
        parts += ["\n", (_label(t("ui.detail.order_note")), "bold"), safe_text(order.note), "\n"]
    parts.append("\n")
    parts += _field(t("ui.detail.customer"), safe_text(order.customer.name, one_line=True))
    parts += _field(t("ui.detail.phone"), safe_text(order.customer.phone, one_line=True))
    if order.type is OrderType.DELIVERY and order.customer.address is not None:
        parts += _field(t("ui.detail.address"), safe_text(order.customer.address.text, one_line=True))
    code = order.usable_pickup_code()  # none once the order ended: the platform may give it to a new order
    if code:
        parts += _field(t("ui.detail.pickup_code"), safe_text(code, one_line=True))
    # named, and off duty or stuck where known; its " · " in the terminal's set
    stage = decorated(fmt.courier_line(order, entry.courier), glyphs)
    if stage:
        parts += _field(t("ui.detail.courier"), stage)
    return parts


def detail_content(
    entry: QueueEntry, now: datetime, zone: ZoneInfo | None = None, *, glyphs: Glyphs = FULL
) -> Content:
    return Content.assemble(*detail_parts(entry, now, zone, glyphs=glyphs))


def detail_hang(line: str) -> int:
    """Where the next lines of a line of the detail start, when it is wider than the panel: an item's under its
    name (past "2× "), an option's under its name (past "+ "), a note's under its first line (its indent)."""
    body = line.lstrip(" ")
    indent = len(line) - len(body)
    if body.startswith("+ "):
        return indent + 2
    quantity = _QUANTITY.match(body)
    return indent + (quantity.end() if quantity else 0)


_QUANTITY = re.compile(r"\d+[×x] ")  # `_quantity`, in either glyph set


class OrderDetail(Static):
    """Shows one order (or a hint when there is none); untrusted text only ever as plain Content, its lines broken
    as Chinese is set (`FoldedText`), an item's and a note's next lines indented under their first."""

    def show(self, entry: QueueEntry | None, now: datetime, zone: ZoneInfo | None = None) -> None:
        shown = (
            detail_content(entry, now, zone, glyphs=glyphs_of(self))
            if entry
            else Content(t("ui.detail.none"))
        )
        self.update(FoldedText(shown, hang=detail_hang))
