"""The dispatch board alone (`o2o dispatch`, `DispatchApp`) with the real platform: its toasts as the merchant
console's (screens/toast_holding.py). An answer that comes back while the courier picker is open waits behind it
and shows when it closes; a toast up when the picker opens is taken down and comes back; below 60 columns the held
ones beyond two are counted in one line (in the board's words: it has no `!` list), and the toasts up take at most
half the rows, at the bottom, so the board's header and first rows stay in sight."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets._toast import Toast

from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.domain.requests import ReasonBody
from o2o_tui.i18n import set_language, t
from screens.dispatch_board import ClientFleet, CourierPicker, DispatchApp, DispatchBoard
from tests.support.platform import RunningPlatform
from tests.test_cli_dispatch import place_ready_orders
from tests.test_ui_dispatch import board_of, courier_of, next_round, pick, until


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


class GatedFleet(ClientFleet):
    """The real platform client; an assignment waits at the gate until the test opens it (so its answer comes
    back while the picker is open, as a slow link makes it)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.gate = asyncio.Event()

    async def assign(self, order_id: str, courier_id: str, expect: str | None) -> None:
        await self.gate.wait()
        await super().assign(order_id, courier_id, expect)


def gated_app(platform: RunningPlatform) -> tuple[DispatchApp, GatedFleet]:
    assert platform.seed is not None
    client = AsyncPlatformClient(platform.url, platform.seed.tokens["dispatcher"])
    fleet = GatedFleet(client, platform.seed.store_id)
    return DispatchApp(fleet, poll_seconds=60), fleet


def toasts_up(app: DispatchApp) -> list[str]:
    """The toasts on any screen, their text as given (before it was broken into lines)."""
    return [app._toasts.given(toast._notification)[0] for s in app.screen_stack for toast in s.query(Toast)]


def screen_rows(app: DispatchApp) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


async def assign_by_hand(pilot: Pilot[Any], board: DispatchBoard, order_id: str, courier_id: str) -> None:
    board.orders_list.move_cursor(order_id)
    await pilot.press("m")
    await pick(pilot, courier_id)
    await until(pilot, lambda: isinstance(pilot.app.screen, DispatchBoard), "the picker closed")


async def test_an_answer_that_comes_while_the_picker_is_open_waits_behind_it(platform: RunningPlatform) -> None:
    first, second = place_ready_orders(platform, [(900.0, 200.0), (-700.0, -900.0)])
    assert platform.seed is not None
    courier = platform.seed.courier_ids[0]
    app, fleet = gated_app(platform)
    async with app.run_test(size=(80, 24), notifications=True) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        await assign_by_hand(pilot, board, first.id, courier)  # sent: its answer waits at the gate
        board.orders_list.move_cursor(second.id)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, CourierPicker), "the picker opened")
        fleet.gate.set()  # the platform answers while the picker is open
        await until(pilot, lambda: not board._in_flight, "the answer came back")
        await until(pilot, lambda: bool(app._held), "the answer's toast was held")
        await pilot.pause()
        await pilot.pause()
        assert toasts_up(app) == [] and not list(app._notifications)  # nothing over the picker
        assert courier_of(platform, first.id) == courier  # it was sent all the same
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DispatchBoard), "the picker closed")
        sent = t("dispatch.board.sent", count=1, numbers=first.display_number)
        await until(pilot, lambda: toasts_up(app) == [sent], "the held toast shows on the board")


def _title(app: Any) -> str:
    """The board's title row with its clock as HH:MM: the row must stay in sight, and the minute may turn (CI saw
    20:59 become 21:00 between two looks)."""
    return re.sub(r"\b\d{1,2}:\d{2}\b", "HH:MM", screen_rows(app)[0].strip())


async def test_at_40x15_toasts_wait_behind_the_picker_are_counted_and_leave_the_board_in_sight(
    platform: RunningPlatform,
) -> None:
    orders = place_ready_orders(platform, [(900.0, 200.0), (-700.0, -900.0), (300.0, -400.0), (-200.0, 600.0)])
    assert platform.seed is not None
    courier = platform.seed.courier_ids[0]
    app, fleet = gated_app(platform)
    async with app.run_test(size=(40, 15), notifications=True) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        title = _title(app)
        assert title
        # one toast after another on the board (no dialog): those up take at most half the rows, at the bottom
        for order in orders:
            board.orders_list.move_cursor(order.id)
            await pilot.press("u")  # "#0001 has no courier yet."
        last = t("dispatch.board.not_assigned", number=orders[-1].display_number)
        await until(pilot, lambda: last in toasts_up(app), "the newest toast is up")
        await pilot.pause()
        toasts = [toast for toast in app.screen.query(Toast)]
        assert sum(toast.outer_size.height + 1 for toast in toasts) <= 15 // 2, toasts_up(app)
        assert len(toasts) < len(orders)  # the oldest made room
        assert _title(app) == title and screen_rows(app)[1:7] != [""] * 6
        # three answers come back while the picker is open: held, then the newest and a count of the others
        for order in orders[:3]:
            await assign_by_hand(pilot, board, order.id, courier)  # each waits at the gate
        with PlatformClient(platform.url, platform.seed.tokens["merchant"]) as merchant:
            merchant.act("order.cancel", orders[1].id, ReasonBody(reason_code="OUT_OF_STOCK"))  # refused, then
        board.orders_list.move_cursor(orders[3].id)
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, CourierPicker), "the picker opened")
        await pilot.pause()
        assert toasts_up(app) == []  # the toasts up were taken down: none over the picker
        fleet.gate.set()
        await until(pilot, lambda: not board._in_flight, "the answers came back")
        await until(pilot, lambda: len(app._held) == 3, "their toasts were held")
        await pilot.pause()
        assert toasts_up(app) == []
        await pilot.press("escape")
        await until(pilot, lambda: isinstance(app.screen, DispatchBoard), "the picker closed")
        counted = t("dispatch.board.held_toasts", count=2)
        await until(pilot, lambda: counted in toasts_up(app), "the older held toasts are counted")
        await pilot.pause()
        shown = toasts_up(app)
        assert "!" not in counted and not [s for s in shown if "refused actions" in s]  # the console's words
        assert len([s for s in shown if s not in (counted,) and "has no courier yet" not in s]) == 1  # the newest
        toasts = [toast for toast in app.screen.query(Toast)]
        assert sum(toast.outer_size.height + 1 for toast in toasts) <= 15 // 2, shown
        assert _title(app) == title
