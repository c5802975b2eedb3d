"""The dispatch board's two lists (orders, couriers) on the generic `LineList`, with their column headers.

A row is a small frozen view of display text; the list repaints a line only when its view changes, so a poll
that changes one order repaints one line. Headers and rows are laid out by the same column functions
(`order_columns`, `courier_columns`), so a header always sits over its column; a header's text is shown whole or
not at all. Untrusted text (names, addresses) is cleaned with `safe_text` and rendered as `Content`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import ClassVar
from zoneinfo import ZoneInfo

from rich.cells import cell_len
from textual.content import Content

from o2o_tui.domain.clock import day_clock
from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import t
from o2o_tui.live_dispatch import (
    CourierState,
    OrderState,
    Suggestion,
    position_age_minutes,
    position_stale,
    shown_status,
)
from o2o_tui.safe_text import safe_text
from screens.order_format import fit
from screens.terminal import active_glyphs
from screens.widgets.city_map import courier_mark
from screens.widgets.line_list import LineList, RowState


def clock(when: datetime | None, zone: ZoneInfo | None) -> str:
    if when is None:
        return "--:--"
    return (when.astimezone(zone) if zone else when).strftime("%H:%M")


def ready_clock(when: datetime | None, zone: ZoneInfo | None, now: datetime) -> str:
    """An order's ready time in the five cells of its column: "12:00" today on the store's clock, else its day
    alone ("tmrw", "+2d", 明天): an order of a later day never reads as today's (its detail has the time)."""
    if when is None:
        return "--:--"
    return day_clock(when, zone or when.tzinfo, now, form="narrow")


@dataclass(frozen=True, slots=True)
class OrderRowView:
    """Everything an order row shows, already as display text (equal views render equal rows)."""

    order_id: str
    number: str
    ready: str
    status: str
    courier: str  # the suggested or the assigned courier, with its mark on the map
    route: str  # " 2/3" for the second stop of a three-order bundle
    pickup: str
    dropoff: str
    # "now", "plan", "stale" (planned from an old position), "refused" (to a courier who rejected it before), "sent"
    # or why it has no suggestion
    tag: str
    customer: str
    address: str
    problem: str = ""  # its courier's open problem, in a few words ("" when none): the row is marked
    # an offer its courier has not answered: for how long ("8m", "" when not waiting or not known); `late`: at least
    # `LATE_OFFER_MINUTES` (marked)
    offer_age: str = ""
    late: bool = False


@dataclass(frozen=True, slots=True)
class CourierRowView:
    courier_id: str
    mark: str
    name: str
    status: str
    status_value: str
    load: str
    free: str
    orders: str
    busy: bool
    position_age: str = ""  # "pos 3m": how old the courier's position is ("" when unknown)
    # at least STALE_POSITION_MINUTES old (and on duty): "?" after the free time, in warning colour
    position_stale: bool = False
    problem: str = ""  # its open problem, in a few words, shown instead of its status ("" when none)


def problem_short(reason: str | None) -> str:
    """A courier's problem reason in a few words for a board column ("" for None)."""
    if reason is None:
        return ""
    key = f"dispatch.board.problem_short.{reason}"
    words = t(key)
    return t("dispatch.board.problem_short.OTHER") if words == key else words


_STATUS_KEYS = {
    OrderStatus.CONFIRMED: "dispatch.board.order.confirmed",
    OrderStatus.PREPARING: "dispatch.board.order.preparing",
    OrderStatus.READY_FOR_PICKUP: "dispatch.board.order.ready",
    OrderStatus.DISPATCHED: "dispatch.board.order.dispatched",
}
# picked up already, and the dispatcher must know: on its way back to the store, or with a courier who cannot go on
# or who went off duty with it
PICKED_UP_TAGS = frozenset({"returning", "stuck", "off_duty_with_food"})


def order_view(
    state: OrderState,
    suggestion: Suggestion | None,
    couriers: dict[str, tuple[int, str]],
    zone: ZoneInfo | None,
    now: datetime | None = None,
) -> OrderRowView:
    """`couriers`: id -> (place in the courier list, which is the courier's mark on the map; name). `now` (the
    plan's; this moment when None) says which day the ready time is on."""
    courier_id = suggestion.courier_id if suggestion is not None else state.courier_id
    index, name = couriers.get(courier_id or "", (-1, ""))
    route = ""
    courier = f"{courier_mark(index)} {safe_text(name, one_line=True)}" if index >= 0 else ""
    if suggestion is not None:
        if suggestion.route_size > 1:  # one of a bundle: which stop of how many
            route = f" {suggestion.stop}/{suggestion.route_size}"
        # in the five cells of a time: the pickup's day when not today ("tmrw"), the drop-off's when not the pickup's
        pickup = ready_clock(suggestion.pickup_at, zone, now or datetime.now(UTC))
        dropoff = ready_clock(suggestion.dropoff_at, zone, suggestion.pickup_at)
        tag = "now" if suggestion.commit else "stale" if suggestion.stale_minutes is not None else "plan"
        if suggestion.refused:  # to a courier who rejected it before (nobody else could take it): a person decides
            tag = "refused"
    else:
        pickup = dropoff = ""
        if state.why in ("courier_offline", "courier_problem", *PICKED_UP_TAGS):  # its courier cannot go on with it
            tag = state.why
        else:
            tag = "sent" if state.courier_id else state.why
    return OrderRowView(
        order_id=state.order_id,
        number=f"#{state.order_number:04d}",
        ready=ready_clock(state.ready_at, zone, now or datetime.now(UTC)),
        status=t(
            "dispatch.board.order.returning"
            if state.why == "returning"
            else _STATUS_KEYS.get(state.status, "dispatch.board.order.confirmed")
        ),
        courier=courier,
        route=route,
        pickup=pickup,
        dropoff=dropoff,
        tag=tag,
        customer=safe_text(state.customer_name, one_line=True),
        address=safe_text(state.address, one_line=True),
        problem=problem_short(state.problem),
    )


def offer_age(minutes: int | None) -> str:
    """How long an offer has waited, short for a row's tag: "8m", "2h" ("" when not waiting)."""
    if minutes is None:
        return ""
    if minutes < 60:
        return t("dispatch.board.offer_age.minutes", n=minutes)
    return t("dispatch.board.offer_age.hours", n=minutes // 60)


def position_age(minutes: int | None) -> str:
    """A short age of a position for a one-line row: "pos 3m", "pos 2h", "pos >1d"."""
    if minutes is None:
        return ""
    if minutes < 60:
        return t("dispatch.board.position.minutes", n=minutes)
    if minutes < 24 * 60:
        return t("dispatch.board.position.hours", n=minutes // 60)
    return t("dispatch.board.position.days")


def courier_view(index: int, state: CourierState, now: datetime, zone: ZoneInfo | None) -> CourierRowView:
    """The row's text; the position's age is in whole minutes, so a poll repaints a row at most once a minute
    for it (and only that row)."""
    if state.free_at is not None and state.free_at <= now:
        free = t("dispatch.board.free_now")
    else:  # on another day (after a route to an order of a later day): its day, as the ready column says it
        free = ready_clock(state.free_at, zone, now)
    age = position_age_minutes(state, now)
    return CourierRowView(
        courier_id=state.courier_id,
        mark=courier_mark(index),
        name=safe_text(state.name, one_line=True),
        status=t("couriers.status." + shown_status(state)),
        status_value=state.status.value,
        load=f"{state.load}/{state.capacity}",
        free=free,
        orders=" ".join(f"#{n:04d}" for n in state.order_numbers),
        busy=state.load > 0 or state.status not in (CourierStatus.IDLE, CourierStatus.OFFLINE),
        position_age=position_age(age),
        # an offline courier is not planned: how old its position is matters only once it is back on duty
        position_stale=state.status is not CourierStatus.OFFLINE and position_stale(state, now),
        # bringing that order back: "returning" says more than the reason, which the order's row and line say
        problem="" if state.problem_order in state.returning else problem_short(state.problem),
    )


_TAG_STYLE = {
    "now": "bold reverse $text-success",
    "plan": "$text-accent",
    "stale": "$text-warning",
    "sent": "$text-muted",
    "courier_offline": "bold $text-error",
    "courier_problem": "bold $text-error",
    "returning": "bold $text-warning",
    "stuck": "bold $text-error",
    "off_duty_with_food": "bold $text-error",
    "refused": "bold $text-warning",
    "sending": "bold $text-accent",
}
LATE_STYLE = "bold reverse $text-warning"
PROBLEM_STYLE = "bold reverse $text-error"
STALE_MARK = "?"  # after a courier's free time: its position is old, so where and when it is free is a guess
TAG_WIDTH = 8
# rows this wide (the order list beside the map at 80 columns) give the tag two cells more: "Offered 8m", "已派 12分"
WIDE_TAG_ROW = 44
WIDE_TAG_WIDTH = 10
WIDE_ROW = 60  # rows this wide show the order's status and customer, the courier's position age and orders
NARROW_ROW = 50  # rows narrower than this show only the pickup time, not "pickup→drop-off"


@dataclass(frozen=True, slots=True)
class Column:
    """One column of a list: its header's catalog keys (the first that fits is shown whole, or none) and width."""

    headers: tuple[str, ...]
    width: int


def header_label(keys: Sequence[str], width: int) -> str:
    """The first of the header's texts that fits `width` whole, padded; blank when none does (never cut). Its
    "→" ("Pickup→Drop") is the terminal's (`Glyphs.arrow`: "->" in ASCII)."""
    arrow = active_glyphs().arrow
    for key in keys:
        text = (t(key) if key else "").replace("→", arrow)
        if cell_len(text) <= width:
            return text + " " * (width - cell_len(text))
    return " " * max(0, width)


def header_line(columns: Sequence[Column], lead: str = "") -> Content:
    return Content.assemble(lead, " ".join(header_label(c.headers, c.width) for c in columns)).rstrip()


def order_columns(width: int) -> dict[str, Column]:
    """The order list's columns at `width` cells, in display order (a row starts with one space)."""
    wide = width >= WIDE_ROW
    times_w = 10 + cell_len(active_glyphs().arrow) if width >= NARROW_ROW else 6  # "12:34→12:55", "12:34"
    columns = {
        "number": Column(("dispatch.board.col.order",), 5),
        "ready": Column(("dispatch.board.col.ready",), 5),
    }
    tag_w = WIDE_TAG_WIDTH if width >= WIDE_TAG_ROW else TAG_WIDTH
    free = width - 1 - (5 + 1) - (5 + 1) - (times_w + 1) - tag_w - 1  # the courier's column and the rest
    customer_w = 0
    if wide:
        columns["status"] = Column(("dispatch.board.col.status",), 8)
        free -= 9
        customer_w = max(0, (free - 1) // 3)
        free -= customer_w + 1
    columns["courier"] = Column(
        ("dispatch.board.col.courier", "dispatch.board.col.courier_short"), max(4, free)
    )
    times = "dispatch.board.col.times" if width >= NARROW_ROW else "dispatch.board.col.pickup"
    columns["times"] = Column((times,), times_w)
    if wide:
        columns["customer"] = Column(("dispatch.board.col.customer",), customer_w)
    columns["tag"] = Column(("dispatch.board.col.plan",), tag_w)
    return columns


def order_header(width: int) -> Content:
    return header_line(list(order_columns(width).values()), " ")


def order_line(view: OrderRowView, width: int) -> Content:
    """An order's row at `width` cells, laid out as `order_columns` says (so it sits under the header)."""
    columns = order_columns(width)
    arrow = active_glyphs().arrow  # "12:34→12:55", "12:34->12:55" in ASCII
    parts: list[str | tuple[str, str]] = [" "]
    for name, column in columns.items():
        w = column.width
        if name == "number":  # marked when its courier reported a problem
            parts.append((fit(view.number, w), PROBLEM_STYLE if view.problem else "bold"))
        elif name == "ready":
            parts.append(fit(view.ready, w))
        elif name == "status":
            parts.append((fit(view.problem, w), PROBLEM_STYLE) if view.problem else fit(view.status, w))
        elif name == "courier":
            route_w = min(len(view.route), max(0, w - 4))
            parts += [courier_cell(view.courier, w - route_w), (view.route[:route_w], "bold")]
        elif name == "times":
            both = f"{view.pickup}{arrow}{view.dropoff}"
            times = both if view.pickup and w >= cell_len(both) else view.pickup
            parts.append(fit(times, w))
        elif name == "customer":
            parts.append(fit(view.customer, w))
        elif name == "tag":
            # the courier's reason (GO NOW still says to act at once; a picked-up order says what became of it)
            if view.problem and view.tag != "now" and view.tag not in PICKED_UP_TAGS:
                parts.append((fit(view.problem, w), PROBLEM_STYLE))
            elif view.offer_age and view.tag == "offered":  # how long the offer has waited for an answer
                text = t("dispatch.board.tag.offered_age", age=view.offer_age)
                if cell_len(text) > w:  # "Offered 12m" over 10 cells: "Offer12m" (8 cells up to 999 minutes)
                    text = t("dispatch.board.tag.offered_age_short", age=view.offer_age)
                parts.append((fit(text, w), LATE_STYLE if view.late else "$text-muted"))
            else:
                text = t("dispatch.board.tag." + view.tag)
                parts.append((fit(text, w), _TAG_STYLE.get(view.tag, "$text-muted")))
        parts.append(" ")
    return Content.assemble(*parts[:-1])


def courier_cell(courier: str, width: int) -> str:
    """An order's courier ("3 赵敏 Zhao Min": its map mark, then its name) in `width` cells: where the mark and the
    first word of the name do not fit together, the mark and the name cut ("3 赵…": the list, the map and the
    picker label couriers by the mark, also a bundle's rows at 40 columns), never a bare "3…"; the name alone, cut,
    only where not even a character of it fits beside the mark."""
    mark, _, name = courier.partition(" ")
    first = name.split(" ", 1)[0]
    if name and cell_len(courier) > width and cell_len(mark) + 1 + cell_len(first) + 1 > width:
        rest = width - cell_len(mark) - 1
        return f"{mark} {fit(name, rest)}" if rest >= 3 else fit(name, width)  # 3: a wide character and "…"
    return fit(courier, width)


def courier_columns(width: int) -> dict[str, Column]:
    """The courier list's columns at `width` cells, in display order."""
    wide = width >= WIDE_ROW
    fixed = 1 + 1 + 1 + 10 + 1 + 4 + 1 + 6  # mark, name's space, status, load, free time (and its "?")
    age_w = 12 if wide else 0  # "pos 40m" / "位置40分钟前", wide rows only
    orders_w = max(0, (width - fixed - age_w - 2) // 3) if wide else 0
    name_w = max(4, width - fixed - (orders_w + age_w + 2 if wide else 0))
    columns = {
        "mark": Column(("",), 1),
        "name": Column(("dispatch.board.col.courier", "dispatch.board.col.courier_short"), name_w),
        "status": Column(("dispatch.board.col.status",), 10),
        "load": Column(("dispatch.board.col.load",), 4),
        "free": Column(("dispatch.board.col.free",), 6),
    }
    if wide:
        columns["age"] = Column(("dispatch.board.col.position",), age_w)
        columns["orders"] = Column(("dispatch.board.col.orders",), orders_w)
    return columns


def courier_header(width: int) -> Content:
    return header_line(list(courier_columns(width).values()))


def courier_line(view: CourierRowView, width: int) -> Content:
    columns = courier_columns(width)
    if view.status_value == CourierStatus.OFFLINE.value:
        mark_style = "$text-muted"
    else:
        mark_style = "bold $text-warning" if view.busy else "bold $text-success"
    age_style = "$text-warning" if view.position_stale else "$text-muted"
    free: str | tuple[str, str] = fit(view.free, 6)
    if view.position_stale:
        free = (fit(view.free + STALE_MARK, 6), "bold $text-warning")
    cells: dict[str, str | tuple[str, str]] = {
        "mark": (fit(view.mark, 1), mark_style),
        "name": fit(view.name, columns["name"].width),
        "status": (fit(view.problem, 10), PROBLEM_STYLE) if view.problem else fit(view.status, 10),
        "load": fit(view.load, 4),
        "free": free,
    }
    if "age" in columns:
        cells["age"] = (fit(view.position_age, columns["age"].width), age_style)
        cells["orders"] = fit(view.orders, columns["orders"].width)
    parts: list[str | tuple[str, str]] = []
    for name in columns:
        parts += [cells[name], " "]
    return Content.assemble(*parts[:-1])


class OrderList(LineList[OrderRowView]):
    """The orders waiting for a courier, under their column header; the board's cursor is here."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"board-order--now", "board-order--muted"}
    DEFAULT_CSS = """
    OrderList > .board-order--now { text-style: bold; }
    OrderList > .board-order--muted { color: $text-muted; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(key_of=lambda view: view.order_id, header=order_header, id=id)

    def render_row(self, row: OrderRowView, width: int, state: RowState) -> Content:
        return order_line(row, width)

    def row_classes(self, row: OrderRowView, state: RowState) -> tuple[str, ...]:
        if row.tag == "now":
            return ("board-order--now",)
        if row.problem or row.late or row.tag in ("plan", "stale", "courier_offline", "refused", "sending"):
            return ()
        return ("board-order--muted",)


class CourierList(LineList[CourierRowView]):
    """The fleet, under its column header. It has no cursor of its own: its cursor line marks the courier of
    the order under the board's cursor (`show_courier`), scrolled into view on a short screen."""

    COMPONENT_CLASSES: ClassVar[set[str]] = {"board-courier--offline"}
    DEFAULT_CSS = """
    CourierList > .board-courier--offline { color: $text-muted; }
    CourierList > .line-list--cursor-blurred { background: $primary 25%; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(key_of=lambda view: view.courier_id, header=courier_header, id=id)
        self.can_focus = False

    def render_row(self, row: CourierRowView, width: int, state: RowState) -> Content:
        return courier_line(row, width)

    def row_classes(self, row: CourierRowView, state: RowState) -> tuple[str, ...]:
        return ("board-courier--offline",) if row.status_value == CourierStatus.OFFLINE.value else ()

    def can_select(self, row: CourierRowView) -> bool:
        return False  # the cursor never lands here by itself: only `show_courier` puts it on a row

    def show_courier(self, courier_id: str | None) -> None:
        self.move_cursor(courier_id if courier_id is not None and courier_id in self.keys else None)
