"""The dispatch board's rows: one single-line widget per order and per courier, kept in keyed lists.

A row stores the small view it renders and repaints only when that view changes, so a poll that changes one
order repaints one line. Untrusted text (names, addresses) is cleaned with `safe_text` and rendered as `Content`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widget import Widget

from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import t
from o2o_tui.live_dispatch import CourierState, OrderState, Suggestion, position_age_minutes
from o2o_tui.safe_text import safe_text
from screens.order_format import fit
from screens.widgets.city_map import courier_mark


def clock(when: datetime | None, zone: ZoneInfo | None) -> str:
    if when is None:
        return "--:--"
    return (when.astimezone(zone) if zone else when).strftime("%H:%M")


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
    tag: str  # "now", "plan", "sent" or a reason it has no suggestion
    customer: str
    address: str


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
    position_stale: bool = False


_STATUS_KEYS = {
    OrderStatus.CONFIRMED: "dispatch.board.order.confirmed",
    OrderStatus.PREPARING: "dispatch.board.order.preparing",
    OrderStatus.READY_FOR_PICKUP: "dispatch.board.order.ready",
}


def order_view(
    state: OrderState,
    suggestion: Suggestion | None,
    couriers: dict[str, tuple[int, str]],
    zone: ZoneInfo | None,
) -> OrderRowView:
    """`couriers`: id -> (place in the courier list, which is the courier's mark on the map; name)."""
    courier_id = suggestion.courier_id if suggestion is not None else state.courier_id
    index, name = couriers.get(courier_id or "", (-1, ""))
    route = ""
    courier = f"{courier_mark(index)} {safe_text(name, one_line=True)}" if index >= 0 else ""
    if suggestion is not None:
        if suggestion.route_size > 1:  # one of a bundle: which stop of how many
            route = f" {suggestion.stop}/{suggestion.route_size}"
        pickup, dropoff = clock(suggestion.pickup_at, zone), clock(suggestion.dropoff_at, zone)
        tag = "now" if suggestion.commit else "plan"
    else:
        pickup = dropoff = ""
        tag = "sent" if state.courier_id else state.why
    return OrderRowView(
        order_id=state.order_id,
        number=f"#{state.order_number:04d}",
        ready=clock(state.ready_at, zone),
        status=t(_STATUS_KEYS.get(state.status, "dispatch.board.order.confirmed")),
        courier=courier,
        route=route,
        pickup=pickup,
        dropoff=dropoff,
        tag=tag,
        customer=safe_text(state.customer_name, one_line=True),
        address=safe_text(state.address, one_line=True),
    )


# a position this old is shown as a warning: the courier has reported nothing for a while
STALE_POSITION_MINUTES = 15


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
    else:
        free = clock(state.free_at, zone)
    age = position_age_minutes(state, now)
    return CourierRowView(
        courier_id=state.courier_id,
        mark=courier_mark(index),
        name=safe_text(state.name, one_line=True),
        status=t("couriers.status." + state.status.value.lower()),
        status_value=state.status.value,
        load=f"{state.load}/{state.capacity}",
        free=free,
        orders=" ".join(f"#{n:04d}" for n in state.order_numbers),
        busy=state.load > 0 or state.status not in (CourierStatus.IDLE, CourierStatus.OFFLINE),
        position_age=position_age(age),
        position_stale=age is not None and age >= STALE_POSITION_MINUTES,
    )


_TAG_STYLE = {"now": "bold reverse $text-success", "plan": "$text-accent", "sent": "$text-muted"}


class OrderBoardRow(Widget):
    DEFAULT_CSS = "OrderBoardRow { height: 1; width: 1fr; }"

    def __init__(self, view: OrderRowView) -> None:
        super().__init__()
        self.view = view
        self._classes_for(view)

    @property
    def key(self) -> str:
        return self.view.order_id

    def _classes_for(self, view: OrderRowView) -> None:
        for tag in ("now", "plan", "sent"):
            self.set_class(view.tag == tag, f"-{tag}")
        self.set_class(view.tag not in ("now", "plan", "sent"), "-unplanned")

    def update_view(self, view: OrderRowView) -> None:
        if view != self.view:
            self.view = view
            self._classes_for(view)
            self.refresh()

    def render(self) -> Content:
        view = self.view
        width = self.size.width
        tag_text = t("dispatch.board.tag." + view.tag)
        wide = width >= 60
        tag_w = 8
        times = f"{view.pickup}→{view.dropoff}" if view.pickup else ""
        # " #0042 12:30 " + courier + " " + times(11) + " " + tag
        rest = width - 13 - 1 - 12 - tag_w
        status_w = 8 if wide else 0
        customer_w = max(0, (rest - status_w - 2) // 3) if wide else 0
        courier_w = max(4, rest - (status_w + 1 + customer_w + 1 if wide else 0))
        parts: list[str | tuple[str, str]] = [" ", (view.number, "bold"), " ", view.ready, " "]
        if wide:
            parts += [fit(view.status, status_w), " "]
        route_w = min(len(view.route), max(0, courier_w - 4))
        parts += [
            fit(view.courier, courier_w - route_w),
            (view.route[:route_w], "bold"),
            " ",
            fit(times, 11),
            " ",
        ]
        if wide:
            parts += [fit(view.customer, customer_w), " "]
        parts.append((fit(tag_text, tag_w), _TAG_STYLE.get(view.tag, "$text-muted")))
        return Content.assemble(*parts)


class CourierBoardRow(Widget):
    DEFAULT_CSS = "CourierBoardRow { height: 1; width: 1fr; }"

    def __init__(self, view: CourierRowView) -> None:
        super().__init__()
        self.view = view
        self._classes_for(view)

    @property
    def key(self) -> str:
        return self.view.courier_id

    def _classes_for(self, view: CourierRowView) -> None:
        self.set_class(view.status_value == CourierStatus.OFFLINE.value, "-offline")
        self.set_class(view.busy, "-busy")

    def update_view(self, view: CourierRowView) -> None:
        if view != self.view:
            self.view = view
            self._classes_for(view)
            self.refresh()

    def render(self) -> Content:
        view = self.view
        width = self.size.width
        wide = width >= 60
        fixed = 2 + 1 + 10 + 1 + 3 + 1 + 5  # mark, name's space, status, load, free time
        age_w = 12 if wide else 0  # "pos 40m" / "位置40分钟前", wide rows only
        orders_w = max(0, (width - fixed - age_w - 2) // 3) if wide else 0
        name_w = max(4, width - fixed - (orders_w + age_w + 2 if wide else 0))
        mark_style = (
            "$text-muted"
            if view.status_value == "OFFLINE"
            else ("bold $text-warning" if view.busy else "bold $text-success")
        )
        parts: list[str | tuple[str, str]] = [
            (view.mark, mark_style),
            " ",
            fit(view.name, name_w),
            " ",
            fit(view.status, 10),
            " ",
            fit(view.load, 3),
            " ",
            fit(view.free, 5),
        ]
        if wide:
            age_style = "$text-warning" if view.position_stale else "$text-muted"
            parts += [" ", (fit(view.position_age, age_w), age_style), " ", fit(view.orders, orders_w)]
        return Content.assemble(*parts)


class BoardList(VerticalScroll):
    """Rows kept by key: removed, inserted, moved and updated in place inside one `batch_update()`."""

    BINDINGS = [
        Binding("up,k", "move(-1)", show=False, id="board.up"),
        Binding("down,j", "move(1)", show=False, id="board.down"),
        Binding("home", "jump(0)", show=False, id="board.first"),
        Binding("end", "jump(-1)", show=False, id="board.last"),
    ]

    class CursorMoved(Message):
        def __init__(self, board_list: BoardList, key: str | None) -> None:
            super().__init__()
            self.board_list = board_list
            self.key = key

    def __init__(self, *, id: str | None = None, cursor: bool = True) -> None:
        super().__init__(id=id)
        self.can_focus = cursor
        self._has_cursor = cursor
        self._rows: dict[str, Widget] = {}
        self._keys: list[str] = []
        self.cursor_key: str | None = None

    @property
    def keys(self) -> list[str]:
        return list(self._keys)

    def row(self, key: str) -> Widget | None:
        return self._rows.get(key)

    async def sync(
        self, views: Sequence[object], make: Callable[[object], Widget], key_of: Callable[[object], str]
    ) -> None:
        wanted = [key_of(view) for view in views]
        wanted_set = set(wanted)
        old_index = self._keys.index(self.cursor_key) if self.cursor_key in self._keys else 0
        with self.app.batch_update():
            gone = [row for key, row in self._rows.items() if key not in wanted_set]
            for key in [key for key in self._rows if key not in wanted_set]:
                del self._rows[key]
            if gone:
                await self.remove_children(gone)
            for position, view in enumerate(views):
                key = key_of(view)
                row = self._rows.get(key)
                if row is None:
                    row = make(view)
                    self._rows[key] = row
                    if position < len(self.children):
                        await self.mount(row, before=position)
                    else:
                        await self.mount(row)
                else:
                    row.update_view(view)  # type: ignore[attr-defined]
                    if self.children.index(row) != position:
                        self.move_child(row, before=position)
            self._keys = wanted
            if self._has_cursor:
                if self.cursor_key not in wanted_set:
                    self._set_cursor(wanted[min(old_index, len(wanted) - 1)] if wanted else None)
                else:
                    self._paint_cursor()

    def _paint_cursor(self) -> None:
        for key, row in self._rows.items():
            row.set_class(key == self.cursor_key, "-cursor")

    def _set_cursor(self, key: str | None) -> None:
        changed = key != self.cursor_key
        self.cursor_key = key
        self._paint_cursor()
        if key is not None:
            self.scroll_to_widget(self._rows[key], animate=False, immediate=True)
        if changed:
            self.post_message(self.CursorMoved(self, key))

    def select(self, key: str) -> None:
        if key in self._rows:
            self._set_cursor(key)

    def action_move(self, delta: int) -> None:
        if self._keys:
            index = self._keys.index(self.cursor_key) if self.cursor_key in self._keys else 0
            self._set_cursor(self._keys[max(0, min(len(self._keys) - 1, index + delta))])

    def action_jump(self, index: int) -> None:
        if self._keys:
            self._set_cursor(self._keys[index])
