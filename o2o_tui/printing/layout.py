"""What a kitchen ticket, a customer receipt and a test page say, as a list of print operations.

A layout is plain data (msgspec structs), made when the ticket is asked for (in the console's language at that
moment) and kept in the print queue as it is; `render.py` turns it into ESC/POS bytes when it is sent, for the
printer's CJK mode then. Untrusted text (items, options, notes, the store's name) goes through `safe_text`: a
control byte in a note must never reach the printer as a command.
"""

from __future__ import annotations

import enum
from datetime import datetime
from zoneinfo import ZoneInfo

import msgspec
from rich.cells import cell_len

from o2o_tui.domain.clock import date_clock
from o2o_tui.domain.money import CURRENCIES, Money, format_money
from o2o_tui.domain.order import Order, OrderLine, OrderStatus, Party, PaymentStatus
from o2o_tui.domain.refunds import reason_label, refunded_quantities, refunded_total
from o2o_tui.domain.store import Store
from o2o_tui.i18n import t
from o2o_tui.printing.charset import printable, without_invisible
from o2o_tui.safe_text import safe_text

WIDTH = 48  # characters per line of an 80 mm printer's font A (a CJK character takes two)
# the paper widths this program lays tickets out for (`printer_paper`, mm) and their characters per line of font A
# (12 dots each: 576 dots on 80 mm, 384 on 58 mm, at 203 dpi)
PAPER_COLUMNS = {80: WIDTH, 58: 32}


def columns_for(paper_mm: int) -> int:
    """Characters per line of font A on `paper_mm` paper (48 for a width not known: 80 mm's)."""
    return PAPER_COLUMNS.get(paper_mm, WIDTH)


def paper_for(columns: int) -> int:
    """The paper (mm) whose lines hold `columns` characters (80 for any other count)."""
    return next((mm for mm, count in PAPER_COLUMNS.items() if count == columns), 80)


class Size(enum.IntEnum):
    NORMAL = 1
    DOUBLE = 2  # twice as wide and as high
    HUGE = 3  # three times: the order number


class Align(enum.StrEnum):
    LEFT = "left"
    CENTER = "center"
    RIGHT = "right"


class TextOp(msgspec.Struct, frozen=True, tag="text", tag_field="op"):
    text: str
    size: Size = Size.NORMAL
    bold: bool = False
    align: Align = Align.LEFT
    right: str = ""  # on the same line at the right edge (an amount), `text` at the left: padded when rendered


class QrOp(msgspec.Struct, frozen=True, tag="qr", tag_field="op"):
    data: str


class RuleOp(msgspec.Struct, frozen=True, tag="rule", tag_field="op"):
    char: str = "-"


class CutOp(msgspec.Struct, frozen=True, tag="cut", tag_field="op"):
    pass


Op = TextOp | QrOp | RuleOp | CutOp


class JobKind(enum.StrEnum):
    TICKET = "ticket"
    RECEIPT = "receipt"
    TEST = "test"
    SLIP = "slip"  # a cancellation (or duplicate) slip: a ticket printed here is not to be cooked


def clean(text: object) -> str:
    """One printable line: no control, bidi, zero-width or other format characters, nor replacement characters
    (a printer would print them as junk)."""
    return without_invisible(safe_text(text, one_line=True)).replace("\ufffd", "?").strip()


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
    """Cut `text` into lines of at most `width` cells (CJK counts two), the lines after the first led by `indent`:
    at spaces, or between two Chinese characters, as Chinese is set (`text_fold`: never a line that starts with
    closing punctuation such as "，" or "！", a number kept with its unit)."""
    from o2o_tui.text_fold import break_offsets

    lines: list[str] = []
    rest, room = text, width
    while True:
        cuts = break_offsets(rest, room)
        if not cuts:
            break
        lines.append((indent if lines else "") + rest[: cuts[0]].rstrip())
        rest, room = rest[cuts[0] :].lstrip(), max(1, width - cell_len(indent))
    if rest.strip():
        lines.append((indent if lines else "") + rest.rstrip())
    return lines or [""]


# the lines after an item's first ("12 x 干煸四季豆 Dry-Fried Green" / "    Beans"): indented as a slip's, so that
# the rest of a long name never reads as another item (an option is "   + ", a note "   ! ")
_ITEM_INDENT = "    "


def _two_sides(left: str, right: str, width: int, *, bold: bool = False, indent: str = "") -> list[TextOp]:
    """`left` and `right` on one line, `right` at the right edge. A `left` too long for one line wraps at the full
    width, and `right` ends its last line: where that line has no room for it, its last words go down to a line
    of their own beside `right` (on a line of its own only if no break leaves room for it). The right side is its
    own field, so that each way of printing puts it at the edge (`render.py`). `indent` leads the lines after the
    first (an item's)."""
    pieces = _wrap(left, width, indent)
    if cell_len(pieces[-1]) + 1 + cell_len(right) <= width:
        return [*(TextOp(piece, bold=bold) for piece in pieces[:-1]), TextOp(pieces[-1], bold=bold, right=right)]
    lead = indent if len(pieces) > 1 else ""  # the last line's own indent
    split = _last_words(pieces[-1][len(lead) :], width - cell_len(indent) - 1 - cell_len(right))
    if split is None:
        return [*(TextOp(piece, bold=bold) for piece in pieces), TextOp("", bold=bold, right=right)]
    head, tail = split
    ops = [TextOp(piece, bold=bold) for piece in [*pieces[:-1], lead + head]]
    return [*ops, TextOp(indent + tail, bold=bold, right=right)]


def _last_words(text: str, room: int) -> tuple[str, str] | None:
    """`text` cut in two where a line may break (`text_fold`: at a space, between two Chinese characters, never
    inside a word), the second part as short as can be and at most `room` cells; None if there is no such cut."""
    from o2o_tui.text_fold import break_offsets, can_break_before

    for cells in range(cell_len(text) - 1, 0, -1):  # the first line as full as it can be
        cuts = break_offsets(text, cells)
        if not cuts or not (text[cuts[0] - 1].isspace() or can_break_before(text, cuts[0])):
            continue  # a word cut at the edge
        head, tail = text[: cuts[0]].rstrip(), text[cuts[0] :].strip()
        if head and tail and cell_len(tail) <= room:
            return head, tail
    return None


def _large(text: str, size: Size, width: int, *, bold: bool = False, align: Align = Align.CENTER) -> list[TextOp]:
    """`text` at a larger size (or the normal one), cut into lines that fit at that size (a double-size character
    takes two of a line's cells: 24 of 48, 16 of 58 mm paper's 32), so that the printer never breaks it in the
    middle of a word."""
    return [TextOp(piece, size=size, bold=bold, align=align) for piece in _wrap(text, width // int(size))]


def _banner_words(key: str, room: int) -> str:
    """A banner's words: the catalog's for `key`, or its short form (`key.short`, "***CANCELLED***",
    "Don't make twice") when they take more than `room` cells (58 mm paper's 16 at double size, its 32 at the
    normal one), so that the banner prints whole, stars and all, where 80 mm prints the full one."""
    full = t(key)
    return full if cell_len(full) <= room else t(f"{key}.short")


def _banner(key: str, width: int) -> list[TextOp]:
    """A double-size bold banner such as "Do not prepare twice" (`_banner_words`: its short form on paper too
    narrow for it), whole words on each line if even that one does not fit."""
    return _large(_banner_words(key, width // int(Size.DOUBLE)), Size.DOUBLE, width, bold=True)


def _mark(key: str, width: int) -> list[TextOp]:
    """A mark such as "*** CANCELLED ***" at double size and bold, whole on its line: on paper too narrow for it
    (58 mm's 16 double-size cells) the catalog's short form ("***CANCELLED***"); should that not fit either, with
    fewer stars, or none ("CANCELLED"), never "*** CANCELLED" / "***"."""
    room = width // int(Size.DOUBLE)
    text = _banner_words(key, room)
    core = text.strip("* ")
    stars = len(text) - len(text.lstrip("*"))
    tries = [text, *(f"{'*' * count} {core} {'*' * count}" for count in range(stars - 1, 0, -1)), core]
    said = next((one for one in tries if cell_len(one) <= room), core)  # else the words wrapped, whole each
    return _large(said, Size.DOUBLE, width, bold=True)


def _local(moment: datetime, zone: ZoneInfo | None) -> datetime:
    return moment.astimezone(zone) if zone else moment


def _zone(store: Store | None) -> ZoneInfo | None:
    try:
        return ZoneInfo(store.timezone) if store else None
    except (KeyError, ValueError):
        return None


def _amount(money: Money) -> str:
    """The amount as the receipt shows it: the yuan (and yen) sign full width (GBK has no half-width one); a sign
    the printer's Chinese mode cannot print (GBK has no €, £, ฿, ₹, ₱: each would print as "?") gives way to the
    currency's ISO code, as "CHF 12.50" reads: "EUR 12.50", "-GBP 3.00". The same in the image mode: a layout is
    made before the printer's mode is known (and kept in the queue as it is), and that mode's CJK font
    (wqy-microhei) has no ₹ either: the paper never shows "?" or an empty box where the sign was."""
    said = format_money(money).replace("¥", "￥")
    known = CURRENCIES.get(money.currency)
    if known is None or not known.sign or printable(said) == said:
        return said
    return said.replace(known.sign, f"{money.currency} ", 1)


def _lines_of(line: OrderLine, width: int, refunded: int = 0) -> list[TextOp]:
    """An item (quantity first, large enough to read from the stove: what is left to make once `refunded` units
    went back), its options, its note; a line refunded whole says so instead of a quantity to make."""
    left = max(0, line.quantity - refunded)
    head = f"{left} x {clean(line.name)}" if left else t("printing.ticket.refunded_whole", name=clean(line.name))
    ops = [TextOp(text, size=Size.NORMAL, bold=True) for text in _wrap(head, width, _ITEM_INDENT)]
    if refunded and left:
        said = t("printing.ticket.refunded_some", count=refunded, ordered=line.quantity)
        ops.extend(TextOp(text, bold=True) for text in _wrap(said, width, "   "))
    for option in line.options:
        label = clean(option.name) if option.quantity == 1 else f"{option.quantity} x {clean(option.name)}"
        ops.extend(TextOp(text) for text in _wrap(f"   + {label}", width, "     "))
    if line.note.strip():
        note = t("printing.ticket.line_note", note=clean(line.note))
        ops.extend(TextOp(text, bold=True) for text in _wrap(f"   ! {note}", width, "     "))
    return ops


def promised_time(order: Order, store: Store | None, now: datetime, prep_minutes: int | None) -> datetime | None:
    """The promised ready time. Printed on an accept made here (`prep_minutes`): what the platform promises for
    it (`schedule.promised_on_accept`: the busy store's extra minutes, an order for later's asked time); else the
    platform's."""
    if prep_minutes is not None:
        from o2o_tui.domain.schedule import promised_on_accept

        return promised_on_accept(order, store.status if store is not None else None, prep_minutes, now)
    return order.promised_ready_at


def kitchen_ticket(
    order: Order,
    store: Store | None,
    now: datetime,
    *,
    prep_minutes: int | None = None,
    reprint: bool = False,
    unconfirmed: bool = False,
    width: int = WIDTH,
) -> list[Op]:
    """The kitchen's ticket: the number large, the type, the promised time, every item with its options and
    notes, the order's note, and a QR of the pickup code when the order has one. A cancelled order's says so
    first and last (`cancelled_mark`); `unconfirmed`: printed for an accept still queued offline, said under
    the number."""
    zone = _zone(store)
    cancelled = order.status is OrderStatus.CANCELLED
    ops: list[Op] = []
    if reprint:
        ops.extend(_large(t("printing.ticket.reprint"), Size.NORMAL, width, bold=True))
    if cancelled:
        ops.extend(cancelled_mark(order, width, kitchen=True))
    ops.extend(_large(order.display_number, Size.HUGE, width, bold=True))
    if unconfirmed and not cancelled:
        # on one line (58 mm paper's 32 cells: the catalog's short form), never cut between its words
        said = _banner_words("printing.ticket.unconfirmed", width // int(Size.NORMAL))
        ops.extend(_large(said, Size.NORMAL, width, bold=True))
        ops.extend(_large(t("printing.ticket.unconfirmed_hint"), Size.NORMAL, width))
    ops.extend(_large(t(f"ui.type.{order.type.value}"), Size.DOUBLE, width, bold=True))
    promised = promised_time(order, store, now, prep_minutes)
    if promised is not None:
        at = _local(promised, zone).strftime("%H:%M")
        ops.extend(_large(t("printing.ticket.ready_by", time=at), Size.DOUBLE, width))
    if order.timing.type.value == "SCHEDULED" and order.timing.window_start is not None:
        at = date_clock(_local(order.timing.window_start, zone), now=now)  # "9 Dec 12:00": paper is read later
        ops.extend(_large(t("printing.ticket.scheduled", time=at), Size.NORMAL, width, bold=True))
    placed = _local(order.created_at, zone).strftime("%H:%M")
    ops.extend(_large(t("printing.ticket.placed", time=placed), Size.NORMAL, width))
    ops.append(RuleOp())
    refunded = refunded_quantities(order)
    for index, line in enumerate(order.lines):
        ops.extend(_lines_of(line, width, refunded[index]))
    ops.append(RuleOp())
    if order.note.strip():
        ops.append(TextOp(t("printing.ticket.order_note"), bold=True))
        ops.extend(TextOp(text, bold=True) for text in _wrap(clean(order.note), width))
        ops.append(RuleOp())
    code = order.usable_pickup_code()  # none once the order ended (cancelled, delivered): it may be a new order's
    if code:
        # whole on its line: a code cut in two is misread at the counter
        ops.append(TextOp(t("printing.ticket.pickup_code", code=clean(code)), align=Align.CENTER))
        ops.append(QrOp(clean(code)))
    if cancelled:  # the foot of the ticket too: the end a cook tears off and spikes
        ops.extend(_mark("printing.cancelled.mark", width))
    ops.append(CutOp())
    return ops


def receipt(order: Order, store: Store | None, now: datetime, *, width: int = WIDTH) -> list[Op]:
    """The customer's receipt: the store, the order, each line with its amount, the totals, and any refunds."""
    zone = _zone(store)
    ops: list[Op] = []
    if store is not None:  # at double size, wrapped at 24 cells (a long name is never cut off or split mid-word)
        ops.extend(_large(clean(store.name), Size.DOUBLE, width, bold=True))
    ops.extend(_large(t("printing.receipt.title"), Size.NORMAL, width, bold=True))
    cancelled = order.status is OrderStatus.CANCELLED
    if cancelled:
        ops.extend(cancelled_mark(order, width, kitchen=False))
    when = _local(order.created_at, zone).strftime("%Y-%m-%d %H:%M")
    head = f"{order.display_number}  {t(f'ui.type.{order.type.value}')}"
    if cell_len(f"{head}  {when}") <= width:
        ops.append(TextOp(f"{head}  {when}", align=Align.CENTER))
    else:  # 58 mm paper: the date and time whole on a line of their own
        ops.extend([*_large(head, Size.NORMAL, width), TextOp(when, align=Align.CENTER)])
    ops.append(RuleOp())
    for line in order.lines:
        total = line.total or line.unit_price.times(line.quantity)
        ops.extend(_two_sides(f"{line.quantity} x {clean(line.name)}", _amount(total), width, indent=_ITEM_INDENT))
        for option in line.options:
            ops.extend(TextOp(text) for text in _wrap(f"   + {clean(option.name)}", width, "     "))
    ops.append(RuleOp())
    totals = order.totals
    rows = [("printing.receipt.subtotal", totals.subtotal)]
    if totals.delivery_fee.amount:
        rows.append(("printing.receipt.delivery_fee", totals.delivery_fee))
    if totals.discount.amount:
        rows.append(
            ("printing.receipt.discount", Money(-abs(totals.discount.amount), totals.discount.currency))
        )
    for key, money in rows:
        ops.extend(_two_sides(t(key), _amount(money), width))
    ops.extend(_two_sides(t("printing.receipt.total"), _amount(totals.total), width, bold=True))
    if order.refunds:
        ops.append(RuleOp())
        for refund in order.refunds:
            reason = clean(reason_label(refund.reason_code))  # as the order detail says it, not the note
            amount = Money(-abs(refund.amount.amount), refund.amount.currency)
            ops.extend(_two_sides(t("printing.receipt.refund", reason=reason), _amount(amount), width))
        if totals.refunded is not None and not cancelled:  # a cancelled order is paid nothing
            paid = Money(totals.total.amount - totals.refunded.amount, totals.total.currency)
            ops.extend(_two_sides(t("printing.receipt.paid"), _amount(paid), width, bold=True))
    ops.append(RuleOp())
    words = payment_words(order)
    key, named = _payment_said(order)
    if named is not None and cell_len(words) > width:  # 58 mm: the amount at the paper's edge, as other amounts
        said = key.replace("printing.receipt.payment.", "printing.receipt.payment_row.", 1)
        ops.extend(TextOp(piece, align=Align.CENTER) for piece in _wrap(t(f"{said}.head"), width))
        ops.extend(_two_sides(t(f"{said}.row"), _amount(named), width))
    else:
        ops.extend(TextOp(piece, align=Align.CENTER) for piece in _wrap(words, width))
    if cancelled:
        ops.extend(_mark("printing.cancelled.mark", width))
    ops.append(TextOp(_local(now, zone).strftime("%Y-%m-%d %H:%M"), align=Align.CENTER))
    ops.append(CutOp())
    return ops


def payment_words(order: Order) -> str:
    """The receipt's payment line: "Paid online", "To be paid", "Refunded". A cancelled order paid online had all
    of its total given back: what the store refunded before the cancel, and the rest with the cancel (its payment
    goes back with it, o2o_tui/domain/refunds.py; REFUNDED since the cancel, PAID from an older platform), so it
    says "Cancelled: paid online, all ￥20.00 refunded", as the day's "refunded today" counts it; never "not
    paid", nor only a part refunded as if the store kept the rest. One not paid yet says "Cancelled: not paid"."""
    key, amount = _payment_said(order)
    return t(key, amount=_amount(amount)) if amount is not None else t(key)


def _payment_said(order: Order) -> tuple[str, Money | None]:
    """The catalog key of the receipt's payment line (`payment_words`) and the amount it names, if any."""
    status = order.payment.status
    if order.status is not OrderStatus.CANCELLED:
        return f"printing.receipt.payment.{status.value}", None
    if status is not PaymentStatus.PENDING:
        return "printing.receipt.payment.cancelled_refunded", order.totals.total
    refunded = order.totals.refunded
    if refunded is None or not refunded.amount:  # older answers: the refunds listed
        refunded = refunded_total(order)
    if refunded.amount > 0:
        return f"printing.receipt.payment.cancelled_part_refunded.{status.value}", refunded
    return "printing.receipt.payment.cancelled", None


def cancel_reason(order: Order) -> str:
    """Who cancelled the order and why, in a few words ("Cancelled by the customer: Customer changed their
    mind", "Cancelled by the platform: No answer in time"); the code as it is when the catalog has no words."""
    from o2o_tui.figures_text import reason_name

    code = order.cancel_reason_code or ""
    if order.cancelled_by is Party.MERCHANT and order.confirmed_at is None:
        by = t("printing.cancelled.rejected")  # refused, never accepted
    else:
        party = order.cancelled_by.value if order.cancelled_by is not None else "PLATFORM"
        by = t(f"printing.cancelled.by.{party}")
    return t("printing.cancelled.reason", by=by, reason=clean(reason_name(code))) if code else by


def cancelled_mark(order: Order, width: int = WIDTH, *, kitchen: bool) -> list[Op]:
    """The block a cancelled order's ticket or receipt starts with: CANCELLED large, "do not prepare" on the
    kitchen's, and who cancelled it and why."""
    ops: list[Op] = [*_mark("printing.cancelled.mark", width)]
    if kitchen:
        ops.extend(_large(t("printing.cancelled.do_not_prepare"), Size.DOUBLE, width, bold=True))
    ops.extend(_large(cancel_reason(order), Size.NORMAL, width, bold=True))
    ops.append(RuleOp("="))
    return ops


def cancel_slip(
    order: Order,
    store: Store | None,
    now: datetime,
    *,
    reason: str,
    refused: bool = False,
    ticket_printed_at: datetime | None = None,
    width: int = WIDTH,
) -> list[Op]:
    """A short slip for the kitchen when an order whose ticket printed here will not be collected: "#0006
    CANCELLED, do not prepare" large, why (`reason`, already in words), when its ticket printed and what was on
    it (names and quantities only), so the cook finds the ticket and the food to stop. `refused`: the order is
    not cancelled, but the accept its ticket was printed for was refused by the platform."""
    zone = _zone(store)
    mark = "printing.slip.refused" if refused else "printing.cancelled.mark"
    ops: list[Op] = [*_large(order.display_number, Size.HUGE, width, bold=True)]
    ops.extend(_mark(mark, width))
    ops.extend(_large(t("printing.cancelled.do_not_prepare"), Size.DOUBLE, width, bold=True))
    ops.extend(_large(t(f"ui.type.{order.type.value}"), Size.NORMAL, width))
    ops.extend(TextOp(text, bold=True) for text in _wrap(clean(reason), width))
    if ticket_printed_at is not None:
        at = _local(ticket_printed_at, zone).strftime("%H:%M")
        ops.extend(TextOp(text) for text in _wrap(t("printing.slip.ticket_printed", time=at), width))
    ops.append(RuleOp())
    for line in order.lines:
        ops.extend(TextOp(text) for text in _wrap(f"{line.quantity} x {clean(line.name)}", width, "    "))
    ops.append(RuleOp())
    ops.append(TextOp(_local(now, zone).strftime("%Y-%m-%d %H:%M"), align=Align.CENTER))
    ops.append(CutOp())
    return ops


def duplicate_slip(
    order: Order,
    store: Store | None,
    now: datetime,
    *,
    ticket_printed_at: datetime | None = None,
    stood_printed: bool = False,
    width: int = WIDTH,
) -> list[Op]:
    """A short slip for the kitchen when the ticket printed here for an accept queued offline turns out to be a
    duplicate: another device's accept of the order stood first. "#0006 DUPLICATE, do not prepare twice" large, the
    ready time, when the duplicate printed and what was on it. `stood_printed`: the ticket of the accept that stood
    is known to have printed (on this profile's printer): the slip says it stands, so the cook sets this one aside;
    otherwise (another counter's, or a command's on a computer without a printer) it says to check that the other
    ticket printed before setting this one aside: never the kitchen's only ticket thrown away on a guess."""
    zone = _zone(store)
    ops: list[Op] = [*_large(order.display_number, Size.HUGE, width, bold=True)]
    ops.extend(_mark("printing.slip.duplicate", width))
    ops.extend(_banner("printing.slip.not_twice", width))
    ops.extend(_large(t(f"ui.type.{order.type.value}"), Size.NORMAL, width))
    ready = _local(order.promised_ready_at, zone).strftime("%H:%M") if order.promised_ready_at else None
    if stood_printed:
        why = t("printing.slip.duplicate_why")
    elif ready is not None:
        why = t("printing.slip.duplicate_check_ready", time=ready)
    else:
        why = t("printing.slip.duplicate_check")
    ops.extend(TextOp(text, bold=True) for text in _wrap(why, width))
    if ready is not None and stood_printed:
        ops.extend(TextOp(text, bold=True) for text in _wrap(t("printing.ticket.ready_by", time=ready), width))
    if ticket_printed_at is not None:
        at = _local(ticket_printed_at, zone).strftime("%H:%M")
        said = "printing.slip.duplicate_printed" if stood_printed else "printing.slip.duplicate_printed_check"
        ops.extend(TextOp(text) for text in _wrap(t(said, time=at), width))
    ops.append(RuleOp())
    for line in order.lines:
        ops.extend(TextOp(text) for text in _wrap(f"{line.quantity} x {clean(line.name)}", width, "    "))
    ops.append(RuleOp())
    ops.append(TextOp(_local(now, zone).strftime("%Y-%m-%d %H:%M"), align=Align.CENTER))
    ops.append(CutOp())
    return ops


class PageClock(msgspec.Struct, frozen=True):
    """The time a test page prints: on the store's clock, as every ticket's, else on this machine's."""

    local: datetime
    zone: str  # the store's zone name, or this machine's zone abbreviation
    store: bool


def page_clock(now: datetime, store: Store | None) -> PageClock:
    zone = _zone(store)
    local = now.astimezone(zone)  # None: this machine's zone
    if zone is not None and store is not None:
        return PageClock(local, store.timezone, True)
    return PageClock(local, local.tzname() or "", False)


def test_page(now: datetime, target: str, store: Store | None = None, *, width: int = WIDTH) -> list[Op]:
    """A page that shows the printer works: sizes, a line of Chinese, the width, a QR; the time on the store's
    clock (`page_clock`) with the zone named."""
    clock = page_clock(now, store)
    return [
        *_large(t("printing.test.title"), Size.DOUBLE, width, bold=True),
        *_large(clean(target), Size.NORMAL, width),
        *_large(clean(f"{clock.local:%Y-%m-%d %H:%M:%S} {clock.zone}"), Size.NORMAL, width),
        RuleOp(),
        *(TextOp(text) for text in _wrap("ABCDEFGHIJKLMNOPQRSTUVWXYZ 0123456789", width)),
        TextOp("中文测试：宫保鸡丁 ×2，少辣"),
        TextOp("1234567890" * (width // 10) + "1234567890"[: width % 10]),  # as many digits as the line holds
        QrOp("o2o test"),
        CutOp(),
    ]


def ops_from_json(document: object) -> list[Op]:
    """A layout read back from the queue file."""
    return msgspec.convert(document, list[Op])


def ops_to_json(ops: list[Op]) -> list[dict[str, object]]:
    return msgspec.to_builtins(ops)  # type: ignore[no-any-return]
