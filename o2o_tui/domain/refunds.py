"""Refunds and item adjustments: the store gives money back on an accepted order before handoff, or on an order
handed off (delivered, picked up, served) within `O2O_REFUND_WINDOW_DAYS` of its end (`refund_time`): the complaint
window, when a quality problem, a late order or a missing item comes to light. After handoff the refund says what
went wrong (`AFTER_HANDOFF_REASONS`: not CUSTOMER_REQUEST, a change of mind once the food was had).

Either some lines (items unavailable: a line or some of its quantity) or the whole order (what is left of its
total, the delivery fee included), always with a reason from `RefundReason` (OTHER needs a note). Never more
than the order's total in all. The server computes every amount (`plan_refund`), in minor units, from the order
it holds; the console's dialog calls the same function to show the amount before it is confirmed.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Annotated, Any

import msgspec
from msgspec import Meta

from o2o_tui.domain.limits import LINES_MAX, QUANTITY_MAX, Id, Note, blank, require_times_in_range
from o2o_tui.domain.money import Money, zero

if TYPE_CHECKING:
    from o2o_tui.domain.order import Order, OrderLine

REFUNDS_MAX = 20  # refunds on one order (the next one is a 409 too_many_refunds)
REFUNDABLE_STATUSES = ("CONFIRMED", "PREPARING", "READY_FOR_PICKUP")  # accepted, not handed off yet
# handed off (DELIVERED: delivered, picked up or served; CONCLUDED after it): refunded within the window only.
# A cancelled order is not among them: its payment goes back with the cancel.
AFTER_HANDOFF_STATUSES = ("DELIVERED", "CONCLUDED")
REFUND_WINDOW_DAYS = 3.0  # the default window after handoff, for the server and the devices alike
REFUND_WINDOW_ENV = "O2O_REFUND_WINDOW_DAYS"
REFUND_ACTION = "order.refund"  # the outbox action of a refund


class RefundReason(enum.StrEnum):
    """Why the store refunds (the console's dialog numbers them in this order)."""

    ITEM_UNAVAILABLE = "ITEM_UNAVAILABLE"  # sold out after the order was accepted
    QUALITY = "QUALITY"  # it cannot be made right
    LATE = "LATE"  # the order is very late
    CUSTOMER_REQUEST = "CUSTOMER_REQUEST"  # the customer asked (by phone, at the counter)
    STORE_ERROR = "STORE_ERROR"  # the store got it wrong
    OTHER = "OTHER"  # say what in the note


REFUND_REASONS: tuple[RefundReason, ...] = tuple(RefundReason)
# what may go wrong that is known only once the order was had: everything but the customer's own wish
AFTER_HANDOFF_REASONS = frozenset(REFUND_REASONS) - {RefundReason.CUSTOMER_REQUEST}


class RefundTime(enum.Enum):
    """Whether an order takes a refund now (`refund_time`)."""

    BEFORE_HANDOFF = "before_handoff"  # accepted, not handed off yet
    AFTER_HANDOFF = "after_handoff"  # handed off, within the window
    WINDOW_CLOSED = "window_closed"  # handed off longer ago than the window
    NOT_NOW = "not_now"  # not accepted yet, on its way with a courier, or cancelled


def refund_window(environ: Mapping[str, str] | None = None) -> timedelta:
    """The window after handoff as `O2O_REFUND_WINDOW_DAYS` says (the platform's setting and variable; a device
    reads the same variable to offer the refund, the platform has the last word), with the server's form and
    bounds (`o2o_tui.device_settings`): a value the server would refuse to start with gives the default,
    with one warning."""
    from o2o_tui.device_settings import device_setting  # no platform import before the first frame

    return timedelta(days=device_setting("refund_window_days", environ))


def after_handoff(order: Order) -> bool:
    return order.status.value in AFTER_HANDOFF_STATUSES


def refund_closes_at(order: Order, window: timedelta) -> datetime | None:
    """When the window of an order handed off closes (None before handoff): its end (the handoff; concluding
    keeps it) plus `window`."""
    if not after_handoff(order):
        return None
    return (order.ended_at or order.updated_at) + window


def refund_time(order: Order, now: datetime, window: timedelta) -> RefundTime:
    if order.status.value in REFUNDABLE_STATUSES:
        return RefundTime.BEFORE_HANDOFF
    closes = refund_closes_at(order, window)
    if closes is None:
        return RefundTime.NOT_NOW
    return RefundTime.AFTER_HANDOFF if now < closes else RefundTime.WINDOW_CLOSED


def refused_words(order: Order, when: RefundTime, window: timedelta, status: str) -> str:
    """Why `order` takes no refund now (`when` NOT_NOW or WINDOW_CLOSED), in words, with its `status` as the
    caller shows it; the CLI and the console's `$` say the same."""
    from o2o_tui.i18n import t

    count = window.total_seconds() / 86400
    key = "care.refund.window_closed" if when is RefundTime.WINDOW_CLOSED else "care.refund.not_now"
    return t(key, number=order.display_number, status=status, days=f"{count:g}", count=count)


def refund_offered(order: Order, now: datetime, window: timedelta) -> bool:
    """Whether a refund of `order` is worth offering now: it takes one (`refund_time`) and money is left."""
    if refund_time(order, now, window) not in (RefundTime.BEFORE_HANDOFF, RefundTime.AFTER_HANDOFF):
        return False
    return refunded_total(order).amount < order.totals.total.amount


def reason_fits(order: Order, reason: RefundReason) -> bool:
    """Whether `reason` may be given for a refund of `order` (after handoff: `AFTER_HANDOFF_REASONS`)."""
    return not after_handoff(order) or reason in AFTER_HANDOFF_REASONS


def refund_reason(text: str) -> RefundReason | None:
    """The reason `text` names (any case, `-` for `_`), or None."""
    return RefundReason.__members__.get(text.strip().upper().replace("-", "_"))


def reason_label(code: str) -> str:
    """A refund reason in words, the same in the order detail, `o2o orders show` and on the receipt
    (`care.reason.<CODE>`); a code this version does not know, as it is (untrusted: shown as plain text)."""
    from o2o_tui.i18n import t

    key = f"care.reason.{code}"
    label = t(key)
    return label if label != key else code


def reason_text(refund: Refund) -> str:
    """A refund's reason as staff read it: OTHER is the note the merchant typed (the label only without one);
    another reason with a note, "Very late · 40 minutes" (the separator the terminal can show: `dotted`).
    Untrusted: shown as plain text."""
    note = " ".join(refund.note.split())
    if refund.reason_code == RefundReason.OTHER and note:
        return note
    from o2o_tui.text_marks import dotted

    return dotted((reason_label(refund.reason_code), note))


class RefundLine(msgspec.Struct, frozen=True):
    """One line of a refund: `quantity` units of the order's line number `line` (0-based), worth `amount`."""

    line: int
    quantity: int
    amount: Money


class Refund(msgspec.Struct, frozen=True):
    """A refund as answers carry it (lenient)."""

    id: str
    amount: Money
    reason_code: str
    note: str = ""
    whole: bool = False
    lines: list[RefundLine] = []
    by: str = ""  # the user id of who refunded
    by_role: str = ""  # "merchant" or "admin"
    at: datetime | None = None

    def __post_init__(self) -> None:
        require_times_in_range(self)


class _Body(msgspec.Struct, frozen=True, forbid_unknown_fields=True):
    """Request bodies are strict (see `o2o_tui.domain.requests`)."""


class RefundLineIn(_Body, frozen=True):
    line: Annotated[int, Meta(ge=0, lt=LINES_MAX)]
    quantity: Annotated[int, Meta(ge=1, le=QUANTITY_MAX)]


class RefundBody(_Body, frozen=True):
    """POST /v1/orders/{id}/refund. `id` is chosen by the client (a replay after the key expired is still one
    refund). `whole`: refund what is left of the total; else `lines`. `seen_refunds`: how many refunds the order
    had when the person chose (a different count now is a 409 stale_refund: someone else refunded meanwhile)."""

    id: Id
    reason_code: RefundReason
    whole: bool = False
    lines: Annotated[list[RefundLineIn], Meta(max_length=LINES_MAX)] = []
    note: Note = ""
    seen_refunds: Annotated[int, Meta(ge=0, le=REFUNDS_MAX)] | None = None


class RefundProblem(ValueError):
    """Why a refund cannot be made: `code` is the API's error code, `field` the body's field when one is at
    fault (a 422), else the refund does not fit the order (a 409)."""

    def __init__(self, code: str, message: str, field: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.field = field


def seen_refunds(order: Order, queued: int) -> int:
    """A new refund's `seen_refunds`: the refunds `order` has and this device's own `queued` before it (sent
    first, in order); a refund made meanwhile by another device makes the platform refuse it as stale. Capped at
    `REFUNDS_MAX` (more: the platform says too many). The CLI and the console's `$` both count with this."""
    return min(REFUNDS_MAX, len(order.refunds) + queued)


def queued_refunds(order: Order, entries: Iterable[Any]) -> list[tuple[Any, RefundBody]]:
    """This device's refunds of `order` among its outbox `entries` still to be confirmed (anything with `action`
    and `body`), not known on the order yet, oldest first: (entry, body)."""
    made = {refund.id for refund in order.refunds}
    found = []
    for entry in entries:
        if entry.action != REFUND_ACTION:
            continue
        try:
            body = msgspec.json.decode(entry.body, type=RefundBody)
        except (msgspec.DecodeError, msgspec.ValidationError):
            continue
        if body.id not in made:
            found.append((entry, body))
    return found


def refunded_total(order: Order) -> Money:
    total = zero(order.totals.total.currency)
    for refund in order.refunds:
        total = total + refund.amount
    return total


def refunded_amount(order: Order) -> Money:
    """What went back in all as the order says it (`totals.refunded`), or its refunds added up (older answers)."""
    refunded = order.totals.refunded
    return refunded if refunded is not None and refunded.amount else refunded_total(order)


def refunded_quantities(order: Order) -> list[int]:
    """Per line of the order, how many of its units were refunded already."""
    counts = [0] * len(order.lines)
    for refund in order.refunds:
        for part in refund.lines:
            if 0 <= part.line < len(counts):
                counts[part.line] += part.quantity
    return counts


def _line_total(line: OrderLine) -> Money:
    return line.total or line.unit_price.times(line.quantity)


def line_amount(line: OrderLine, already: int, quantity: int) -> Money:
    """What `quantity` more units of `line` are worth when `already` were refunded: the unit's share of the
    line's total, and the exact rest for the last units (so a whole line refunds its total to the fen)."""
    total = _line_total(line)
    unit = total.amount // line.quantity
    if already + quantity >= line.quantity:
        return Money(total.amount - unit * already, total.currency)
    return Money(unit * quantity, total.currency)


def plan_refund(order: Order, body: RefundBody) -> tuple[Money, list[RefundLine]]:
    """(amount, lines) of the refund `body` asks for on `order`; raises `RefundProblem`."""
    if body.reason_code is RefundReason.OTHER and blank(body.note):
        raise RefundProblem("validation", "a note saying why, with OTHER", "note")
    if body.whole == bool(body.lines):
        raise RefundProblem("validation", "either whole or some lines", "lines")
    if not reason_fits(order, body.reason_code):
        raise RefundProblem("validation", "after handoff, say what went wrong (not CUSTOMER_REQUEST)", "reason_code")
    if body.seen_refunds is not None and body.seen_refunds != len(order.refunds):
        raise RefundProblem("stale_refund", "the order was refunded meanwhile; look at it again")
    if len(order.refunds) >= REFUNDS_MAX:
        raise RefundProblem("too_many_refunds", f"at most {REFUNDS_MAX} refunds on one order")
    done = refunded_quantities(order)
    left_total = order.totals.total.amount - refunded_total(order).amount
    currency = order.totals.total.currency
    lines: list[RefundLine] = []
    if body.whole:
        for index, line in enumerate(order.lines):
            rest = line.quantity - done[index]
            if rest > 0:
                lines.append(RefundLine(index, rest, line_amount(line, done[index], rest)))
        amount = Money(left_total, currency)
    else:
        wanted: dict[int, int] = {}
        for part in body.lines:
            wanted[part.line] = wanted.get(part.line, 0) + part.quantity
        amount = zero(currency)
        for index, quantity in sorted(wanted.items()):
            if index >= len(order.lines):
                raise RefundProblem("validation", f"the order has {len(order.lines)} lines", "lines")
            line = order.lines[index]
            if done[index] + quantity > line.quantity:
                left = line.quantity - done[index]
                raise RefundProblem(
                    "refund_too_large", f"line {index + 1} has {left} of {line.quantity} left to refund"
                )
            part_amount = line_amount(line, done[index], quantity)
            lines.append(RefundLine(index, quantity, part_amount))
            amount = amount + part_amount
    if amount.amount <= 0:
        raise RefundProblem("refund_too_large", "nothing is left to refund on this order")
    if amount.amount > left_total:
        raise RefundProblem("refund_too_large", f"only {left_total} (minor units) is left to refund")
    return amount, lines
