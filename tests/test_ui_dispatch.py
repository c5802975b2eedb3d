"""The dispatch board with Pilot: against the real platform (accept one, accept all, assign, reassign and unassign
reach the server), and on a memory fleet (keyed row updates, polls that never overlap, hostile names, the map)."""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from typing import Any

import msgspec
import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList

from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.i18n import set_language
from o2o_tui.live_dispatch import FleetSnapshot, plan_live
from screens.dispatch_board import ClientFleet, CourierPicker, DispatchApp, DispatchBoard
from screens.widgets.city_map import DROPOFF_MARK, STORE_MARK, MapView, draw_map, legend, legend_lines
from screens.widgets.dispatch_rows import OrderList, order_line
from tests.support.platform import RunningPlatform
from tests.test_cli_dispatch import place_ready_orders
from tests.test_dispatch_live_samples import NOW, board_snapshot, courier, order, snapshot


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


class MemoryFleet:
    """A `FleetSource` in memory: records what was sent and how many fetches ran at once."""

    def __init__(self, data: FleetSnapshot, *, delay: float = 0.0) -> None:
        self.data = data
        self.delay = delay
        self.sent: list[tuple[str, ...]] = []
        self.fetches = 0
        self.running = 0
        self.most_at_once = 0
        self.closed = False
        self.failure: Exception | None = None

    async def snapshot(self) -> FleetSnapshot:
        if self.failure is not None:
            raise self.failure
        self.fetches += 1
        self.running += 1
        self.most_at_once = max(self.most_at_once, self.running)
        try:
            await asyncio.sleep(self.delay)
            return self.data
        finally:
            self.running -= 1

    async def assign(self, order_id: str, courier_id: str, expect: str | None = None) -> None:
        self.sent.append(("assign", order_id, courier_id))

    async def unassign(self, order_id: str, expect: str | None = None) -> None:
        self.sent.append(("unassign", order_id))

    async def close(self) -> None:
        self.closed = True


async def until(pilot: Pilot, condition: Callable[[], bool], what: str, limit: float = 15.0) -> None:
    """Let the app run until `condition` holds (a bounded wait, not a timing assertion)."""
    for _ in range(int(limit / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError(f"never happened: {what}")


def board_of(app: DispatchApp) -> DispatchBoard:
    screen = app.screen
    assert isinstance(screen, DispatchBoard)
    return screen


async def next_round(pilot: Pilot, board: DispatchBoard, after: int) -> None:
    await until(pilot, lambda: board.rounds > after and not board.busy, "the board refreshed")


def live_app(platform: RunningPlatform) -> DispatchApp:
    client = AsyncPlatformClient(platform.url, platform.seed.tokens["dispatcher"])
    return DispatchApp(ClientFleet(client, platform.seed.store_id), poll_seconds=60)


def courier_of(platform: RunningPlatform, order_id: str) -> str | None:
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as client:
        return client.get_order(order_id).courier_id


async def pick(pilot: Pilot, courier_id: str) -> None:
    await until(pilot, lambda: isinstance(pilot.app.screen, CourierPicker), "the courier picker opened")
    choices = pilot.app.screen.query_one(OptionList)
    choices.highlighted = choices.get_option_index(courier_id)
    await pilot.press("enter")


async def test_accept_one_suggestion_reaches_the_server(platform: RunningPlatform) -> None:
    first, second = place_ready_orders(platform, [(900.0, 200.0), (-700.0, -900.0)])
    app = live_app(platform)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        suggestion = board.plan.suggestion_for(second.id)
        assert suggestion is not None and suggestion.commit
        board.orders_list.move_cursor(second.id)
        await pilot.press("a")
        await next_round(pilot, board, 1)
        assert courier_of(platform, second.id) == suggestion.courier_id
        assert courier_of(platform, first.id) is None  # only the selected one
        row = board.orders_list.row(second.id)
        # tagged as the queue says it: offered, the courier has not answered yet
        assert row.tag == "offered" and "Offered" in order_line(row, 60).plain
        # the courier now carries it
        state = next(c for c in board.plan.couriers if c.courier_id == suggestion.courier_id)
        assert state.order_numbers == [second.number] and state.load == 1


async def test_accept_all_then_reassign_and_unassign_by_hand(platform: RunningPlatform) -> None:
    orders = place_ready_orders(platform, [(900.0, 200.0), (-700.0, -900.0), (100.0, 1500.0)])
    app = live_app(platform)
    async with app.run_test(size=(120, 40)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        planned = {s.order_id: s.courier_id for s in board.plan.suggestions}
        assert set(planned) == {o.id for o in orders}
        await pilot.press("A")
        await next_round(pilot, board, 1)
        for order_id, courier_id in planned.items():
            assert courier_of(platform, order_id) == courier_id
        assert board.plan.suggestions == []

        target = orders[0]
        other = next(c for c in platform.seed.courier_ids if c not in planned.values())
        board.orders_list.move_cursor(target.id)
        rounds = board.rounds
        await pilot.press("r")
        await pick(pilot, other)
        await next_round(pilot, board, rounds)
        assert courier_of(platform, target.id) == other

        assert board.orders_list.cursor_key != target.id  # the cursor left the order just sent
        rounds = board.rounds
        board.orders_list.move_cursor(target.id)
        await pilot.press("u")
        await next_round(pilot, board, rounds)
        assert courier_of(platform, target.id) is None
        # back among the waiting orders, with a fresh suggestion
        assert board.plan.suggestion_for(target.id) is not None

        rounds = board.rounds
        board.orders_list.move_cursor(target.id)
        await pilot.press("m")
        await pick(pilot, platform.seed.courier_ids[0])
        await next_round(pilot, board, rounds)
        assert courier_of(platform, target.id) == platform.seed.courier_ids[0]


async def test_a_refused_assignment_is_explained_and_the_board_stays(platform: RunningPlatform) -> None:
    [ready] = place_ready_orders(platform, [(500.0, 500.0)])
    app = live_app(platform)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        with PlatformClient(platform.url, platform.seed.tokens["merchant"]) as merchant:
            from o2o_tui.domain.requests import ReasonBody

            merchant.act("order.cancel", ready.id, ReasonBody(reason_code="OUT_OF_STOCK"))
        board.orders_list.move_cursor(ready.id)
        await pilot.press("a")
        await next_round(pilot, board, 1)
        messages = [str(n.message) for n in app._notifications]
        assert any("refused" in m for m in messages), messages
        assert board.orders_list.keys == []  # the cancelled order left the board
        assert isinstance(app.screen, DispatchBoard)


async def test_rows_are_updated_by_key_and_polls_never_overlap() -> None:
    fleet = MemoryFleet(board_snapshot(), delay=0.05)
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=0.01)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        await pilot.pause()
        first_rows = {key: board.orders_list.row(key) for key in board.orders_list.keys}
        assert set(first_rows) == {f"ord-00{n}" for n in (40, 41, 42, 43, 44)}
        rendered = board.orders_list.renders
        await until(pilot, lambda: board.rounds >= 5, "five rounds")
        await pilot.pause()
        assert fleet.most_at_once == 1  # each poll is armed only after the last one finished
        assert board.orders_list.renders == rendered  # polls that change nothing render no line again

        # one order is picked up elsewhere: its row goes, the others stay the same widgets
        fleet.data = msgspec.structs.replace(
            fleet.data, orders=[o for o in fleet.data.orders if o.id != "ord-0044"]
        )
        rounds = board.rounds
        await until(pilot, lambda: board.rounds >= rounds + 2, "two more rounds")
        assert "ord-0044" not in board.orders_list.keys
        assert all(board.orders_list.row(key) == first_rows[key] for key in board.orders_list.keys)
    assert fleet.closed


async def test_keys_send_what_the_plan_says_on_a_memory_fleet() -> None:
    fleet = MemoryFleet(board_snapshot())
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        plan = plan_live(board_snapshot(), NOW)
        # go-now first, earliest pickup first (one route's orders share a pickup: then by number)
        first = min(plan.committed, key=lambda s: (s.pickup_at, s.order_number))
        assert board.orders_list.keys[0] == first.order_id
        await pilot.press("A")
        await until(pilot, lambda: len(fleet.sent) == len(plan.suggestions), "all sent")
        assert sorted(fleet.sent) == sorted(("assign", s.order_id, s.courier_id) for s in plan.suggestions)
        fleet.sent.clear()
        board.orders_list.move_cursor("ord-0044")  # ready later: no suggestion, nobody assigned
        await pilot.press("a", "u")
        await pilot.pause()
        assert fleet.sent == []
        board.orders_list.move_cursor("ord-0040")  # assigned to Zhang Wei
        await pilot.press("u")
        await until(pilot, lambda: fleet.sent == [("unassign", "ord-0040")], "unassign sent")
        await until(pilot, lambda: not board.busy, "its answer shown")  # q asks while an order is being sent
        await pilot.press("q")  # the board alone quits by q (Esc does not quit it)
    assert app.return_code == 0


async def test_hostile_names_stay_plain_text() -> None:
    hostile = "[@click=app.quit]Li[/] \x1b]0;pwned\x07 \u202eevil"
    data = snapshot([order(7, name=hostile)], [courier("[bold]Zhang[/] \x1b[31mWei", 100.0, 0.0)])
    fleet = MemoryFleet(data)
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=60)
    async with app.run_test(size=(120, 40)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        row = board.orders_list.row("ord-0007")
        assert row is not None
        text = order_line(row, 100).plain
        assert "[bold]Zhang" in text and "\x1b" not in text and "\u202e" not in text
        assert "[bold]Zhang[/] \ufffd[31mWei" in row.courier
        assert "[@click=app.quit]Li[/]" in row.customer
        await pilot.click(OrderList, offset=(3, 1))
        assert app.is_running


def test_map_draws_store_couriers_and_dropoffs() -> None:
    plan = plan_live(board_snapshot(), NOW)
    lines = draw_map(MapView(plan, plan.suggestions[0].order_id), 32, 16)
    text = "\n".join(line.plain for line in lines)
    assert len(lines) == 16 and all(line.cell_length == 32 for line in lines)
    assert text.count(STORE_MARK) == 1
    assert text.count(DROPOFF_MARK) == len([o for o in plan.orders if o.dropoff is not None])
    for mark in "1234":  # every placed, on-shift courier
        assert mark in text
    assert any("\u2800" < ch <= "\u28ff" for ch in text)  # the plan's routes in braille
    # the store is in the middle of a map that spans it
    empty = draw_map(MapView(None, None), 10, 4)
    assert all(line.plain == " " * 10 for line in empty)


def test_legend_wraps_without_parting_a_mark_from_its_label() -> None:
    narrow = legend_lines(legend("cell≈100 m"), 24)
    assert len(narrow) > 1 and all(line.cell_length <= 24 for line in narrow)
    assert legend_lines(legend(), 200)[0].plain.startswith(STORE_MARK)
    for line in narrow:
        assert not line.plain.rstrip().endswith(("1", "2", STORE_MARK, DROPOFF_MARK))


def test_sample_data_is_what_the_snapshots_show() -> None:
    # guard for the snapshot tests: a change in the sample changes the pictures for a reason
    plan: Any = plan_live(board_snapshot(), NOW)
    assert len(plan.suggestions) == 3 and len(plan.couriers) == 5


async def test_the_merchant_console_pushes_the_board_and_gets_back() -> None:
    from screens.app import MerchantApp
    from screens.memory_source import MemoryOrderSource
    from screens.orders_screen import OrdersScreen

    fleet = MemoryFleet(board_snapshot())
    app = MerchantApp(MemoryOrderSource(), clock=lambda: NOW)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DispatchBoard(fleet, poll_seconds=60))
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        assert board.plan.now == NOW  # the console's clock
        assert len(board.orders_list.keys) == 5
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, OrdersScreen)
        assert fleet.closed  # the board's own client goes with it


async def test_a_lost_link_shows_on_the_status_line_and_the_board_recovers() -> None:
    from o2o_tui.client.errors import Unreachable

    fleet = MemoryFleet(board_snapshot())
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=0.05)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        fleet.failure = Unreachable("connection refused")
        status = board.query_one("#board-status")
        await until(pilot, lambda: status.has_class("-error"), "the failure shown")
        assert "Offline: the platform cannot be reached" in str(status.render())  # in words, not the raw error
        assert len(board.orders_list.keys) == 5  # the last known board stays
        fleet.failure = None
        await until(pilot, lambda: not status.has_class("-error"), "the board recovered")
