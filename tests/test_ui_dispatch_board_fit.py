"""The dispatch board for a normal store's fleet: column headers, `?` help derived from the bindings, courier
labels that are never keys, the cursor staying where the user is after an action, and map labels that do not
cover one another near the store."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest
from rich.cells import cell_len
from textual.binding import Binding

from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language, t
from o2o_tui.live_dispatch import FleetSnapshot, plan_live
from screens.dispatch_board import DispatchApp, DispatchBoard
from screens.dispatch_help import BoardHelp
from screens.widgets.city_map import (
    COURIER_MARKS,
    STORE_MARK,
    Label,
    MapView,
    courier_mark,
    draw_map,
    place_labels,
)
from screens.widgets.dispatch_rows import courier_columns, header_label, order_columns
from screens.widgets.line_list import LineList
from tests.test_dispatch_live_samples import NOW, courier, order, snapshot
from tests.test_ui_dispatch import MemoryFleet, board_of, until

NAMES = [
    "张伟 Zhang Wei",
    "王芳 Wang Fang",
    "李强 Li Qiang",
    "刘洋 Liu Yang",
    "陈静 Chen Jing",
    "杨磊 Yang Lei",
    "赵敏 Zhao Min",
    "黄勇 Huang Yong",
    "周杰 Zhou Jie",
    "吴霞 Wu Xia",
]
# five of them at (or a few metres from) the store: their map labels compete for the store's cell
SPOTS = [
    (300, 200),
    (-400, 300),
    (1800, 1500),
    (-2500, -2000),
    (0, 0),
    (20, 10),
    (-30, 15),
    (10, -25),
    (40, 40),
]
SPOTS.append((900, -700))


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def ten_couriers() -> FleetSnapshot:
    """The snapshot sample's five orders with a normal store's ten couriers."""
    couriers = []
    for i, (name, (x, y)) in enumerate(zip(NAMES, SPOTS, strict=True)):
        status = {0: CourierStatus.TO_MERCHANT, 4: CourierStatus.OFFLINE}.get(i, CourierStatus.IDLE)
        couriers.append(
            courier(name, float(x), float(y), status=status, delivery_ids=["dl-40"] if i == 0 else None)
        )
    orders = [
        order(41, dropoff=(1500.0, 800.0), placed_ago=22, name="张三 Zhang"),
        order(42, dropoff=(-900.0, 1200.0), placed_ago=18, name="李娜 Li Na"),
        order(43, dropoff=(600.0, -1400.0), status=OrderStatus.PREPARING, ready_in=9, placed_ago=8),
        order(44, dropoff=(-1800.0, -600.0), status=OrderStatus.CONFIRMED, ready_in=45, placed_ago=2),
        order(40, dropoff=(2200.0, -300.0), courier_id="cr-wei", placed_ago=25, name="赵六"),
    ]
    return snapshot(orders, couriers)


class AssigningFleet(MemoryFleet):
    """A memory fleet whose next snapshot shows what was sent (the order has its courier, or none)."""

    async def assign(self, order_id: str, courier_id: str, expect: str | None = None) -> None:
        await super().assign(order_id, courier_id)
        self._set(order_id, courier_id)

    async def unassign(self, order_id: str, expect: str | None = None) -> None:
        await super().unassign(order_id)
        self._set(order_id, None)

    def _set(self, order_id: str, courier_id: str | None) -> None:
        orders = [
            msgspec.structs.replace(o, courier_id=courier_id) if o.id == order_id else o
            for o in self.data.orders
        ]
        self.data = msgspec.structs.replace(self.data, orders=orders)


def board_keys() -> set[str]:
    """Every key the board answers to, from its classes' BINDINGS (the board's and its order list's)."""
    keys: set[str] = set()
    for binding in [*DispatchBoard.BINDINGS, *LineList.BINDINGS]:
        keys.update(k.strip() for k in binding.key.split(","))  # type: ignore[union-attr]
    return keys


def test_courier_labels_are_never_keys_of_the_board() -> None:
    keys = board_keys()
    assert "a" in keys and "A" in keys  # the guard reads the real bindings
    labels = [courier_mark(i) for i in range(len(COURIER_MARKS))]
    assert len(set(labels)) == len(labels) >= 10
    assert not set(labels) & keys
    assert not {label.lower() for label in labels} & {"i", "o"}  # not read as 1 and 0


def test_labels_near_the_store_never_cover_each_other() -> None:
    store = (10, 5)
    taken = {store: (STORE_MARK, "")}
    crowd = [Label(str(i), store, "", (i,)) for i in range(1, 8)]
    placed, dropped = place_labels(crowd, taken, 24, 12)
    assert not dropped and len(placed) == 7
    assert store not in placed
    cells = list(placed)
    for col, row in cells:  # no two labels touch side by side (they would read as one number)
        assert (col + 1, row) not in placed
        assert abs(col - store[0]) <= 3 and abs(row - store[1]) <= 2
    assert sorted(char for char, _ in placed.values()) == [str(i) for i in range(1, 8)]
    # no room at all: labels are dropped, never drawn over the store or each other
    placed, dropped = place_labels(crowd, {(0, 0): (STORE_MARK, "")}, 1, 1)
    assert placed == {} and len(dropped) == 7


def test_map_shows_every_courier_once_with_five_at_the_store() -> None:
    plan = plan_live(ten_couriers(), NOW)
    text = "\n".join(line.plain for line in draw_map(MapView(plan, None), 32, 16))
    assert text.count(STORE_MARK) == 1
    for index in range(10):
        assert text.count(courier_mark(index)) == 1, courier_mark(index)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_headers_are_whole_words_over_their_columns_at_every_width(lang: str) -> None:
    set_language(lang)
    for width in range(36, 131):  # a list at 40 columns is 38 wide
        for columns in (order_columns(width), courier_columns(width)):
            assert sum(c.width for c in columns.values()) + len(columns) <= width + 1
            for column in columns.values():
                label = header_label(column.headers, column.width)
                assert cell_len(label) == column.width
                assert label.strip() in {t(k) if k else "" for k in column.headers} | {""}


async def test_help_lists_every_binding_of_the_board() -> None:
    app = DispatchApp(MemoryFleet(ten_couriers()), clock=lambda: NOW, poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, BoardHelp), "the help opened")
        shown = app.screen.entries
        text = "\n".join(f"{keys} {what}" for keys, what in shown)
        for binding in [*DispatchBoard.BINDINGS, *LineList.BINDINGS]:
            for key in binding.key.split(","):  # type: ignore[union-attr]
                display = app.get_key_display(Binding(key.strip(), binding.action))  # type: ignore[union-attr]
                assert any(display in keys.split(" ") for keys, _ in shown), (key, text)
            if binding.description and binding.id != "dispatch.back":  # type: ignore[union-attr]
                assert t(binding.description) in text  # type: ignore[union-attr]
        await pilot.press("escape")
        await until(pilot, lambda: app.screen is board, "the help closed")


async def test_after_an_action_the_cursor_stays_where_the_user_is() -> None:
    fleet = AssigningFleet(ten_couriers())
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        orders = board.orders_list
        first, second, third = orders.keys[:3]
        suggestion = board.plan.suggestion_for(second)
        assert suggestion is not None
        await pilot.press("down")  # on the second row: an order with a suggestion
        assert orders.cursor_key == second
        rounds = board.rounds
        await pilot.press("a")
        await until(pilot, lambda: board.rounds > rounds and not board.busy, "the board refreshed")
        assert fleet.sent == [("assign", second, suggestion.courier_id)]
        assert orders.index_of(second) != 1  # the order sent moved down among the sent ones
        assert orders.cursor_row == 1 and orders.cursor_key == third  # the row that took its place
        # unassign: the order goes back up among the waiting ones, the cursor stays on its row
        orders.move_cursor(second)
        place = orders.cursor_row
        rounds = board.rounds
        await pilot.press("u")
        await until(pilot, lambda: board.rounds > rounds and not board.busy, "the board refreshed")
        assert fleet.sent[-1] == ("unassign", second)
        assert orders.cursor_key != second and orders.cursor_row == min(place, len(orders) - 1)
        assert first in orders.keys
