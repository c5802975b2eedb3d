"""A small map of the store, its couriers and the drop-offs, drawn in braille dots and a few marker characters.

`draw_map` is a pure function (plan in, lines of `Content` out), so its output is easy to test; `CityMap` is the
widget that redraws only when what it shows (or its size) changes. North is up; one scale on both axes. A position
off the globe, non-finite or too far from the store (`o2o_tui.dispatch.positions`) is not placed at all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from rich.cells import cell_len
from textual.content import Content
from textual.widget import Widget

from o2o_tui.dispatch.positions import local_point, usable_origin
from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.geo import Position
from o2o_tui.i18n import t
from o2o_tui.live_dispatch import LivePlan
from screens.terminal import FULL, Glyphs, decorated, glyphs_of

# on a terminal without these (vt100, the Linux console) the marks are the app's `Glyphs` (screens/terminal.py)
STORE_MARK = FULL.store
DROPOFF_MARK = FULL.dropoff
MIN_SPAN_M = 1500.0  # never zoom closer than this across the map
_BRAILLE = 0x2800
# dot (column, row) inside a 2x4 braille cell -> its bit
_DOT_BITS = {
    (0, 0): 0x01,
    (0, 1): 0x02,
    (0, 2): 0x04,
    (1, 0): 0x08,
    (1, 1): 0x10,
    (1, 2): 0x20,
    (0, 3): 0x40,
    (1, 3): 0x80,
}
_STYLE = {
    "store": "bold $text",
    "courier_idle": "bold $text-success",
    "courier_busy": "bold $text-warning",
    "courier_off": "$text-muted",
    "dropoff": "bold $text-error",
    "dropoff_assigned": "$text-muted",
    "route": "$text-accent 60%",
    "busy_route": "$text-muted",
    "route_selected": "bold $text-accent",
}

# where routes cross, the more important one gives the cell its colour
_PRIORITY = {_STYLE["busy_route"]: 0, _STYLE["route"]: 1, _STYLE["route_selected"]: 2}


# A courier's label on the board's list, the map and the courier picker. Digits 1-9 read as the place in the list;
# then capital letters, because the board's only capital key is A (accept all), skipped with I and O (read as
# 1 and 0). Lowercase letters are the board's keys (a accepts, m assigns...): a courier labelled "a" read as
# an instruction to press it. Beyond these 31 (a fleet larger than a store's) every courier is "+".
COURIER_MARKS = "123456789BCDEFGHJKLMNPQRSTUVWXYZ"
MORE_MARK = "+"


def courier_mark(index: int) -> str:
    """The label of the courier at `index` in the board's list (the same on the map and in the picker)."""
    return COURIER_MARKS[index] if 0 <= index < len(COURIER_MARKS) else MORE_MARK


@dataclass(frozen=True, slots=True)
class MapView:
    """What the map shows; equal views draw equal maps (the widget compares them to skip repaints)."""

    plan: LivePlan | None
    selected_order_id: str | None


class _Canvas:
    def __init__(self, width: int, height: int) -> None:
        self.width = width
        self.height = height
        self.dots = [[0] * width for _ in range(height)]
        self.dot_style = [[""] * width for _ in range(height)]
        self.marks: dict[tuple[int, int], tuple[str, str]] = {}

    def dot(self, x: int, y: int, style: str) -> None:
        col, row = x // 2, y // 4
        if 0 <= col < self.width and 0 <= row < self.height and x >= 0 and y >= 0:
            self.dots[row][col] |= _DOT_BITS[(x % 2, y % 4)]
            if _PRIORITY.get(style, 0) >= _PRIORITY.get(self.dot_style[row][col], -1):
                self.dot_style[row][col] = style

    def line(self, a: tuple[int, int], b: tuple[int, int], style: str) -> None:
        (x0, y0), (x1, y1) = a, b
        steps = max(abs(x1 - x0), abs(y1 - y0), 1)
        for i in range(steps + 1):
            self.dot(round(x0 + (x1 - x0) * i / steps), round(y0 + (y1 - y0) * i / steps), style)

    def mark(self, cell: tuple[int, int], char: str, style: str) -> None:
        col, row = cell
        if 0 <= col < self.width and 0 <= row < self.height:
            self.marks[(col, row)] = (char, style)

    def lines(self, glyphs: Glyphs = FULL) -> list[Content]:
        """The canvas as lines; without braille (`glyphs` not FULL) a cell with any route dot in it is a "."."""
        out = []
        for row in range(self.height):
            parts: list[tuple[str, str]] = []
            for col in range(self.width):
                if (col, row) in self.marks:
                    parts.append(self.marks[(col, row)])
                elif self.dots[row][col]:
                    dots = chr(_BRAILLE + self.dots[row][col]) if glyphs.full else glyphs.plan[0]
                    parts.append((dots, self.dot_style[row][col]))
                else:
                    parts.append((" ", ""))
            out.append(Content.assemble(*parts))
        return out


class _Projection:
    """Local metres around the store -> braille dots, fitted to the points and centred."""

    def __init__(self, points: list[tuple[float, float]], width: int, height: int) -> None:
        xs = [p[0] for p in points] or [0.0]
        ys = [p[1] for p in points] or [0.0]
        self.cx = (min(xs) + max(xs)) / 2
        self.cy = (min(ys) + max(ys)) / 2
        span_x = max(max(xs) - min(xs), MIN_SPAN_M)
        span_y = max(max(ys) - min(ys), MIN_SPAN_M)
        dots_w, dots_h = width * 2 - 2, height * 4 - 4
        self.scale = max(min(dots_w / span_x, dots_h / span_y) * 0.92, 1e-9)
        self.half_w, self.half_h = width, height * 2

    def dot(self, point: tuple[float, float]) -> tuple[int, int]:
        x = self.half_w + (point[0] - self.cx) * self.scale
        y = self.half_h - (point[1] - self.cy) * self.scale
        return int(round(x)), int(round(y))

    def cell(self, point: tuple[float, float]) -> tuple[int, int]:
        x, y = self.dot(point)
        return x // 2, y // 4


def _local(position: Position | None, origin: Position) -> tuple[float, float] | None:
    return local_point(position, origin)


COURIERS_SAMPLE = "1-9"  # the legend's courier sample where no colour tells free from busy


def legend(scale: str = "", glyphs: Glyphs = FULL, *, colour: bool = True) -> list[tuple[str, str]]:
    """The legend as (text, style) pieces; `legend_lines` lays them out. With `colour` a free and a busy courier
    are told by their colour ("1 free 2 busy"); without (NO_COLOR, a vt100 or the Linux console) those samples
    read as couriers number 1 and 2, so the legend says what a digit on the map is: "1-9 courier (as listed)"."""
    if colour:
        couriers = [
            ("1", _STYLE["courier_idle"]),
            (" " + t("dispatch.map.courier_free") + "  ", ""),
            ("2", _STYLE["courier_busy"]),
            (" " + t("dispatch.map.courier_busy") + "  ", ""),
        ]
    else:
        couriers = [(COURIERS_SAMPLE, "bold"), (" " + t("dispatch.map.courier_numbered") + "  ", "")]
    pieces = [
        (glyphs.store, _STYLE["store"]),
        (" " + t("dispatch.map.store") + "  ", ""),
        *couriers,
        (glyphs.dropoff, _STYLE["dropoff"]),
        (" " + t("dispatch.map.dropoff") + "  ", ""),
        (glyphs.plan, _STYLE["route_selected"]),
        (" " + t("dispatch.map.route") + "  ", ""),
    ]
    if scale:
        pieces.append((scale, "$text-muted"))
    return pieces


def legend_lines(pieces: list[tuple[str, str]], width: int) -> list[Content]:
    """Pieces packed into lines of at most `width` cells, a marker never parted from its label."""
    lines: list[list[tuple[str, str]]] = [[]]
    used = 0
    pairs = [pieces[i : i + 2] for i in range(0, len(pieces), 2)]
    for pair in pairs:
        size = sum(cell_len(text) for text, _ in pair)
        trimmed = cell_len(pair[-1][0].rstrip()) + sum(cell_len(text) for text, _ in pair[:-1])
        if used and used + trimmed > width:
            lines.append([])
            used = 0
        lines[-1].extend(pair)
        used += size
    return [Content.assemble(*line).rstrip() for line in lines]


def draw_map(view: MapView, width: int, height: int, glyphs: Glyphs = FULL) -> list[Content]:
    """`height` lines of `width` cells: routes as braille lines, then drop-offs, couriers and the store on top."""
    canvas = _Canvas(max(1, width), max(1, height))
    plan = view.plan
    origin = usable_origin(plan.origin) if plan is not None else None
    if plan is None or origin is None or width < 4 or height < 2:
        return canvas.lines(glyphs)
    couriers = {c.courier_id: (i, c) for i, c in enumerate(plan.couriers)}
    dropoffs = {o.order_id: _local(o.dropoff, origin) for o in plan.orders}
    here = {c.courier_id: _local(c.position, origin) for c in plan.couriers}
    carried = {
        c.courier_id: [p for p in (_local(d, origin) for d in c.dropoffs) if p is not None]
        for c in plan.couriers
    }
    points = [
        (0.0, 0.0),
        *(p for p in dropoffs.values() if p),
        *(p for p in here.values() if p),
        *(p for spots in carried.values() for p in spots),
    ]
    projection = _Projection(points, canvas.width, canvas.height)
    store = projection.dot((0.0, 0.0))

    for courier_id, spots in carried.items():  # work already given: where each busy courier is heading
        start = here.get(courier_id)
        if start is not None and spots:
            start_dot = projection.dot(start)
            if (
                couriers[courier_id][1].status is not CourierStatus.TO_CUSTOMER
            ):  # still to pick up at the store
                canvas.line(start_dot, store, _STYLE["busy_route"])
                start_dot = store
            for spot in spots:
                canvas.line(start_dot, projection.dot(spot), _STYLE["busy_route"])
        for spot in spots:
            canvas.mark(projection.cell(spot), glyphs.dropoff, _STYLE["dropoff_assigned"])

    selected = view.selected_order_id
    routes = sorted(plan.suggestions, key=lambda s: s.order_id == selected)  # the selected one on top
    for suggestion in routes:
        style = _STYLE["route_selected"] if suggestion.order_id == selected else _STYLE["route"]
        start = here.get(suggestion.courier_id)
        if start is not None and suggestion.stop == 1:
            canvas.line(projection.dot(start), store, style)
        drop = dropoffs.get(suggestion.order_id)
        if drop is not None:
            canvas.line(store, projection.dot(drop), style)

    for order in plan.orders:
        drop = dropoffs.get(order.order_id)
        if drop is not None:
            style = _STYLE["dropoff_assigned"] if order.courier_id else _STYLE["dropoff"]
            if order.order_id == selected:
                style = "bold reverse $text-error"
            canvas.mark(projection.cell(drop), glyphs.dropoff, style)
    canvas.mark((store[0] // 2, store[1] // 4), glyphs.store, _STYLE["store"])
    chosen = _selected_courier(plan, selected)
    labels: list[Label] = []
    for courier_id, (index, state) in couriers.items():
        where = here.get(courier_id)
        if where is None:
            continue
        if state.status is CourierStatus.OFFLINE:
            style = _STYLE["courier_off"]
        elif state.load or state.status is not CourierStatus.IDLE:
            style = _STYLE["courier_busy"]
        else:
            style = _STYLE["courier_idle"]
        rank = (courier_id != chosen, state.status is CourierStatus.OFFLINE, index)
        labels.append(Label(courier_mark(index), projection.cell(where), style, rank))
    placed, _dropped = place_labels(labels, canvas.marks, canvas.width, canvas.height)
    canvas.marks.update(placed)
    return canvas.lines(glyphs)


def _selected_courier(plan: LivePlan, order_id: str | None) -> str | None:
    """The courier the selected order is suggested to or assigned to (its label is placed first)."""
    if order_id is None:
        return None
    suggestion = plan.suggestion_for(order_id)
    if suggestion is not None:
        return suggestion.courier_id
    return next((o.courier_id for o in plan.orders if o.order_id == order_id), None)


@dataclass(frozen=True, slots=True)
class Label:
    """A one-cell label wanted at `cell`; a lower `rank` is placed first (it gets the spot it wants)."""

    char: str
    cell: tuple[int, int]
    style: str
    rank: tuple[object, ...] = ()


# cells tried around a label's own spot, nearest first: a cell is twice as tall as wide, so a step sideways is
# half the distance of a step up or down
_NEAR = sorted(
    ((dx, dy) for dx in range(-3, 4) for dy in range(-2, 3)),
    key=lambda d: (abs(d[0]) + 2 * abs(d[1]), abs(d[1]), d[1], -d[0]),
)


def place_labels(
    labels: list[Label], taken: dict[tuple[int, int], tuple[str, str]], width: int, height: int
) -> tuple[dict[tuple[int, int], tuple[str, str]], list[Label]]:
    """Where each label goes: its own cell, or the nearest free one around it (`_NEAR`), never on another mark
    (`taken`: the store, drop-offs) or on another label, and never beside another label on the same row (two
    labels side by side read as one: "61"). A label with no such cell nearby is dropped (returned second)
    rather than drawn over another; the list beside the map still shows every courier."""
    placed: dict[tuple[int, int], tuple[str, str]] = {}
    dropped: list[Label] = []

    def free(cell: tuple[int, int]) -> bool:
        col, row = cell
        if not (0 <= col < width and 0 <= row < height) or cell in taken or cell in placed:
            return False
        return (col - 1, row) not in placed and (col + 1, row) not in placed

    for label in sorted(labels, key=lambda label: label.rank):
        col, row = label.cell
        spot = next((c for c in ((col + dx, row + dy) for dx, dy in _NEAR) if free(c)), None)
        if spot is None:
            dropped.append(label)
        else:
            placed[spot] = (label.char, label.style)
    return placed, dropped


def scale_text(view: MapView, width: int, height: int) -> str:
    """How many metres one cell across stands for (for the legend)."""
    plan = view.plan
    origin = usable_origin(plan.origin) if plan is not None else None
    if plan is None or origin is None:
        return ""
    points: Iterable[tuple[float, float] | None] = [
        (0.0, 0.0),
        *(_local(o.dropoff, origin) for o in plan.orders),
        *(_local(c.position, origin) for c in plan.couriers),
        *(_local(d, origin) for c in plan.couriers for d in c.dropoffs),
    ]
    projection = _Projection([p for p in points if p], max(1, width), max(1, height))
    metres = 2 / projection.scale
    return t("dispatch.map.scale", metres=int(math.ceil(metres / 10) * 10))


class CityMap(Widget):
    """The map plus a legend line; repaints only when the plan, the selection or its size changes."""

    DEFAULT_CSS = """
    CityMap { width: 1fr; height: 1fr; text-wrap: nowrap; text-overflow: clip; }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._view = MapView(None, None)

    def show(self, plan: LivePlan | None, selected_order_id: str | None) -> None:
        view = MapView(plan, selected_order_id)
        if view != self._view:
            self._view = view
            self.refresh()

    def render(self) -> Content:
        width, height = self.size.width, self.size.height
        if width < 4 or height < 3:
            return Content("")
        glyphs = glyphs_of(self.app)
        scale = decorated(scale_text(self._view, width, height - 2), glyphs)
        colour = glyphs.full and not self.app.no_color  # the vt100 and Linux console sets: no colour assumed
        key = legend_lines(legend(scale, glyphs, colour=colour), width)
        drawn = draw_map(self._view, width, max(1, height - len(key)), glyphs)
        return Content("\n").join([*drawn, *key][:height])
