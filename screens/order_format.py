"""How one order reads on screen: pure functions over the domain structs (no Textual).

Widths are terminal cells (`rich.cells.cell_len`), so Chinese text keeps the columns aligned.
"""

from __future__ import annotations

import functools
import unicodedata
from datetime import datetime, tzinfo

import msgspec
from rich.cells import cell_len

from o2o_tui.courier_stage import (  # noqa: F401 (the screens read them here)
    CourierNote,
    courier_hold,
    courier_line,
    courier_stage,
    problem_reason,
)
from o2o_tui.domain.money import format_money
from o2o_tui.domain.order import ENDED_STATUSES, CodeLock, Order, OrderStatus
from o2o_tui.domain.refunds import refunded_total
from o2o_tui.domain.transitions import shown_status
from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text

ELLIPSIS = "…"  # FULL's; `fit` cuts with the running app's (`Glyphs.ellipsis`: "..." where the font lacks "…")


def ellipsis() -> str:
    """The running app's ellipsis (`screens.terminal.active_glyphs`: "…", or "..." on an ASCII terminal or the
    Linux console); FULL's outside an app. Textual is imported only here, when a text is cut."""
    from screens.terminal import active_glyphs

    return active_glyphs().ellipsis


def fit(text: str, width: int, *, align: str = "left", words: bool = True) -> str:
    """`text` cut (with an ellipsis) or padded to exactly `width` cells.

    With `words` (the default) a cut falls between words when the text has a space in the part that fits ("Kung
    Pao…", not "Kung Pao Chi…"); a first word longer than the width, or text without spaces (Chinese), is cut at
    the last character that fits. The ellipsis is the terminal's (`ellipsis()`); a "..." too wide to leave a
    character before it is shortened ("K..", "K.", ".").
    """
    if width <= 0:
        return ""
    size = cell_len(text)
    if size > width:
        mark = ellipsis()
        while len(mark) > 1 and cell_len(mark) >= width:
            mark = mark[:-1]
        room = width - cell_len(mark)
        out: list[str] = []
        used = 0
        for char in text:
            char_width = cell_len(char)
            if used + char_width > room:
                break
            out.append(char)
            used += char_width
        kept = "".join(out)
        cut_mid_word = not text[len(kept)].isspace() and kept and not kept[-1].isspace()
        if words and cut_mid_word and " " in kept.strip():
            kept = kept[: kept.rstrip().rindex(" ")]
        kept = kept.rstrip()
        text = kept + mark
        size = cell_len(text)
    padding = " " * (width - size)
    return padding + text if align == "right" else text + padding


def is_live(order: Order) -> bool:
    return order.status not in ENDED_STATUSES


def needs_answer(order: Order) -> bool:
    """The order waits for the merchant: a new order, or a customer's cancellation request."""
    return order.status is OrderStatus.CREATED or order.cancellation is not None


def queue_sort_key(order: Order) -> tuple[int, float, int]:
    """New orders first (the nearest accept deadline first), then cancellation requests, then the rest by promised
    ready time. Status changes after accepting do not move a row, so they repaint only that row."""
    if order.status is OrderStatus.CREATED:
        rank, when = 0, order.accept_deadline or order.created_at
    elif order.cancellation is not None:
        rank, when = 1, order.cancellation.requested_at or order.updated_at
    elif order.status is OrderStatus.DISPATCHED:
        rank, when = 3, order.promised_ready_at or order.created_at  # out of the merchant's hands
    else:
        rank, when = 2, order.promised_ready_at or order.created_at
    return rank, when.timestamp(), order.number


def items_summary(order: Order, times: str = "×") -> str:
    """The items on one line ("Rice×2, Tea"); `times` is the terminal's "×" (`Glyphs.times`: "x" in ASCII)."""
    parts = []
    for line in order.lines:
        name = safe_text(line.name, one_line=True)
        parts.append(f"{name}{times}{line.quantity}" if line.quantity != 1 else name)
    return t("queue.row.items_separator").join(parts)


_HOUR = 3600


def countdown_text(seconds: float) -> str:
    """Time left, one rule everywhere: `m:ss` under an hour, then as `minutes_text` says a span: `23h38` (zh
    `23时38`, or `23时` where that is too wide for the column) under a day, then whole days (`2d`). Never `h:mm`:
    `23:38` reads as a clock time, and `1:05` as a minute and five seconds."""
    left = max(0, int(seconds))
    if left < _HOUR:
        return f"{left // 60:d}:{left % 60:02d}"
    return minutes_text(left // 60)


CLOCK_CELLS = 5  # the rows' clock column at its narrowest (`columns_for`): `4:59`, `-3m`, `1h05`, `2d`


def minutes_text(minutes: int) -> str:
    """A span in whole minutes (`-` when late), short for a row's clock column: `15m` under an hour, `1h05` (zh
    `1时05`: never `1:05`, which is how the new orders' countdown reads) under a day, then `2d`. Hours and minutes
    that would not fit the column read as minutes under 100 (zh `-75分` for `-1时15`), else as whole hours
    (`-10h` for `-10h05`, zh `12时` for `12时05`), never cut."""
    sign, size = ("-", -minutes) if minutes < 0 else ("", minutes)
    if size < 60:
        return t("ui.age.minutes", minutes=minutes)
    if size < 24 * 60:
        text = sign + t("ui.age.hours", hours=size // 60, minutes=f"{size % 60:02d}")
        if cell_len(text) <= CLOCK_CELLS:
            return text
        if size < 100 and cell_len(minutes_only := t("ui.age.minutes", minutes=minutes)) <= CLOCK_CELLS:
            return minutes_only  # zh `-75分`, where `-1时15` is a cell too wide
        return sign + t("ui.age.whole_hours", hours=size // 60)
    return sign + t("ui.age.days", days=size // (24 * 60))


_IN_THE_KITCHEN = frozenset({OrderStatus.CONFIRMED, OrderStatus.PREPARING})


def clock_text(order: Order, now: datetime) -> str:
    """A new order: time left to accept (`4:59`; `23h59` hours and minutes; `2d`); in the kitchen: minutes to the
    promised ready time (`-3m` when late); others: the order's age (`minutes_text`)."""
    if order.status is OrderStatus.CREATED and order.accept_deadline is not None:
        return countdown_text((order.accept_deadline - now).total_seconds())
    if order.status in _IN_THE_KITCHEN and order.promised_ready_at is not None:
        seconds = (order.promised_ready_at - now).total_seconds()
        minutes = (
            int(seconds // 60) if seconds < 0 else int(-(-seconds // 60))
        )  # late rounds down, due rounds up
        return minutes_text(minutes)
    return age_text(order, now)


def is_late(order: Order, now: datetime) -> bool:
    return (
        order.status in _IN_THE_KITCHEN
        and order.promised_ready_at is not None
        and order.promised_ready_at < now
    )


def _age_minutes(order: Order, now: datetime) -> int:
    return max(0, int((now - order.created_at).total_seconds() // 60))


def age_text(order: Order, now: datetime) -> str:
    return minutes_text(_age_minutes(order, now))


def age_words(order: Order, now: datetime) -> str:
    """The order's age in words where there is room (the detail): `5 min`, `1 h 5 min` (`1 小时 5 分`), `2d`."""
    minutes = _age_minutes(order, now)
    if minutes < 60:
        return t("ui.age.minutes_long", minutes=minutes)
    if minutes < 24 * 60:
        return t("ui.age.hours_long", hours=minutes // 60, minutes=minutes % 60)
    return t("ui.age.days", days=minutes // (24 * 60))


def clock_changes_every_second(order: Order) -> bool:
    return order.status is OrderStatus.CREATED and order.accept_deadline is not None


def status_label(order: Order) -> str:
    """ "Picked up" for a handed-off takeout, "Served" for dine-in, "Delivered" for a delivery (`shown_status`)."""
    return t(f"ui.status.{shown_status(order.status, order.type)}")


def status_short(order: Order) -> str:
    return t(f"ui.status_short.{shown_status(order.status, order.type)}")


def queue_status(order: Order, *, short: bool = False) -> str:
    """The queue's status column: a live order with an open cancellation request says the request ("Cancel?",
    short "CXL?"), the answer it waits for (`c`), not "New" or "Preparing" (the row's "!" alone is also a locked
    code's and a courier problem's mark); else the status (`status_label`, or `status_short` on a narrow list)."""
    if order.cancellation is not None and is_live(order):
        return t("queue.row.cancel_request_short" if short else "queue.row.cancel_request")
    return status_short(order) if short else status_label(order)


def type_label(order: Order) -> str:
    return t(f"ui.type.{order.type.value}")


def courier_problem(order: Order, zone: tzinfo | None) -> str:
    """The courier's open problem on the order ("Vehicle problem at 12:03"), "" when there is none; its note is
    shown apart (`order.delivery_problem.note`, untrusted)."""
    problem = order.delivery_problem
    if problem is None:
        return ""
    at = (problem.occurred_at.astimezone(zone) if zone else problem.occurred_at) if problem.occurred_at else None
    reason = problem_reason(problem.reason)
    return t("ui.courier_problem.value", reason=reason, at=at.strftime("%H:%M")) if at else reason


def problem_short(order: Order) -> str:
    """The courier's open problem in a few words for a list column, as the dispatch board says it ("vehicle",
    "no one"); "" when there is none."""
    problem = order.delivery_problem
    if problem is None:
        return ""
    key = f"dispatch.board.problem_short.{problem.reason}"
    words = t(key)
    return t("dispatch.board.problem_short.OTHER") if words == key else words


def code_lock(order: Order, now: datetime) -> CodeLock | None:
    """A code of the order still locked after too many wrong codes (the one that frees last), or None."""
    locks = order.locked_codes(now)
    return max(locks, key=lambda lock: lock.until) if locks else None


def code_kind(lock: CodeLock) -> str:
    key = f"ui.code_kind.{lock.kind}"
    label = t(key)
    return safe_text(lock.kind, one_line=True) if label == key else label


def food_with_courier(order: Order) -> str:
    """The detail's line ("Courier Li has the food: bring-back pending") when a courier's pickup was refused (the
    order cancelled, or given to another courier, meanwhile) with the bag in their hands; "" when no courier holds
    its food. The name is plain text."""
    held = order.food_with_courier
    if held is None:
        return ""
    return t("ui.detail.food_with_courier", name=safe_text(held.courier_name, one_line=True))


def type_or_stage(order: Order, courier: CourierNote | None = None) -> str:
    """The row's type column: a delivery order with a courier shows the courier's step instead; its courier off
    duty with it first, then an open problem in a few words (`problem_short`: a stopping one says why, "Vehicle",
    more than "Stuck" would; the detail says both). A courier holding its food after a refused pickup says that
    before all ("Food out": another courier sent for it would find no bag). O(1): `courier` is what the row's
    entry carries (no cache read per row)."""
    if order.food_with_courier is not None:
        return t("ui.food_with_courier.short")
    if courier_hold(order, courier) == "off_duty":
        return courier_stage(order, courier=courier)
    return problem_short(order) or courier_stage(order, courier=courier) or type_label(order)


def total_text(order: Order) -> str:
    """The order's total; "Refunded" once refunds give all of it back (the kitchen still sees the order, but
    nobody should take money or hand it over as a paid one without knowing)."""
    total = order.totals.total
    if order.refunds and total.amount > 0 and refunded_total(order).amount >= total.amount:
        return t("queue.row.refunded")
    return format_money(total)


def customer_name(order: Order) -> str:
    return safe_text(order.customer.name, one_line=True)


def _status_words(order: Order) -> str:
    """Every word the queue's status column shows for `order`, in each language (`SUPPORTED`: a Chinese console's
    staff may type "ready", the CLI's `--status` takes either): the label and its short form ("Ready", "RDY"),
    a live order's cancellation request as the row says it ("Cancel?", "CXL?", 要取消？, 退单), and an open courier
    problem's mark that stands in for the status on a narrow list ("PROB", 问题). Searched on every key over the
    whole queue: looked up once per kind of row and language."""
    from o2o_tui.i18n import current_language

    live = is_live(order)
    return _status_words_of(
        shown_status(order.status, order.type),
        live and order.cancellation is not None,
        live and order.delivery_problem is not None,
        current_language(),
    )


@functools.lru_cache(maxsize=256)
def _status_words_of(shown: str, asking: bool, problem: bool, language: str) -> str:
    from o2o_tui.i18n import SUPPORTED, catalog

    keys = [f"ui.status.{shown}", f"ui.status_short.{shown}"]
    if asking:
        keys += ["queue.row.cancel_request", "queue.row.cancel_request_short"]
    if problem:
        keys.append("queue.row.courier_problem")
    # the current language's first (`t`: English where its catalog lacks one), then each catalog's
    return " ".join([t(key) for key in keys] + [catalog(lang).get(key, "") for lang in SUPPORTED for key in keys])


def _search_text(text: str) -> str:
    """`text` as search compares it: compatibility forms folded (NFKC: the full-width "？" of 要取消？ and an IME's
    full-width "１２" read as "?" and "12"), then case."""
    return unicodedata.normalize("NFKC", text).casefold()


def matches(order: Order, query: str) -> bool:
    """Search: day number, customer, the phone's visible digits and the pickup code (what a customer gives at the
    counter: "尾号 1483"), item names, notes, status (every word the row's status column shows, wide and narrow, in
    either language: `_status_words`). The pickup code only while it can still be handed over
    (`Order.usable_pickup_code`): an ended order's code may be a new order's now.

    Each word typed is found anywhere (a part of a word is enough), so "cancel" finds both the open cancellation
    requests ("Cancel?", live, at the top) and the ended "Cancelled" orders (under Done): what a person typing it
    looks for. "Cancel?" or "CXL?" finds only the requests, "Cancelled" only the ended orders."""
    needle = _search_text(query.strip())
    if not needle:
        return True
    haystack = _search_text(
        " ".join(
            [
                order.display_number,
                str(order.number),
                order.customer.name,
                order.customer.phone,
                order.usable_pickup_code() or "",
                order.note,
                items_summary(order),
                order.status.value,
                _status_words(order),
                order.type.value,
                type_label(order),
            ]
        )
    )
    return all(word in haystack for word in needle.split())


class Columns(msgspec.Struct, frozen=True):
    """Cell widths of the queue's columns at one terminal width (0 = column hidden)."""

    mark: int
    number: int
    clock: int
    status: int
    type: int
    customer: int
    items: int
    total: int


_NARROW_LEAD = 5 + 1 + 1 + 5 + 1 + 4 + 1  # clock, space, mark, number, space, short status, space
_NARROW_ITEMS_MIN = 3  # "水…": fewer cells say nothing about the items


def columns_for(width: int) -> Columns:
    """The columns at `width`. A row never runs past `width` (the list would clip its right end, and the total
    is the right end: ¥8.00 read as ¥8.0): on a narrow screen the items give way first, then the whole total."""
    total = 9
    if width < 60:
        room = width - _NARROW_LEAD  # for the items, a space and the total
        if room >= total + 1 + _NARROW_ITEMS_MIN:
            return Columns(1, 5, 5, 4, 0, 0, room - total - 1, total)
        if room >= total:
            return Columns(1, 5, 5, 4, 0, 0, 0, total)
        return Columns(1, 5, 5, 4, 0, 0, 0, 0)
    if width < 120:
        fixed = 1 + 5 + 1 + 6 + 1 + 10 + 1 + 8 + 1 + 1 + total
        return Columns(1, 5, 6, 10, 8, 0, max(6, width - fixed), total)
    fixed = 1 + 5 + 1 + 6 + 1 + 12 + 1 + 8 + 1 + 14 + 1 + 1 + total
    return Columns(1, 5, 6, 12, 8, 14, max(8, width - fixed), total)


def money_tail(items_cells: int, total_cells: int, items: str, money: str) -> list[str]:
    """The end of a row: the items, a space and the amount, right-aligned in `items_cells + 1 + total_cells`
    cells. An amount wider than its column (¥199999.00) takes the cells it needs from the items rather than lose
    its cents; only where the items have no cells left to give is it cut, with an ellipsis. Without items, the
    amount alone; without a total column, the items alone."""
    if total_cells <= 0:
        return [fit(items, items_cells)] if items_cells > 0 else []
    if items_cells <= 0:
        return [fit(money, total_cells, align="right")]
    extra = cell_len(money) - total_cells
    if extra <= 0:
        return [fit(items, items_cells), " ", fit(money, total_cells, align="right")]
    if items_cells - extra >= 2:  # the items keep a character and its ellipsis
        return [fit(items, items_cells - extra), " ", fit(money, total_cells + extra, align="right")]
    return [fit(money, items_cells + 1 + total_cells, align="right")]
