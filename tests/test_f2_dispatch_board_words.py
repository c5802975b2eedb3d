"""The dispatch board's words, through the real platform:

- an order its courier has picked up cannot be moved (m / r / u): the board says what the user can do; a dispatcher
  (or an admin), who cannot cancel an order, is told to ask the courier to bring it back and the store to cancel,
  never to cancel it; a merchant is still told it may cancel. Also when the platform refuses it (the board's view
  was older than the pickup) and in the stuck order's status line.
- an offer's age fits the row's tag column for 0-999 minutes, at 40 columns and wider, in English and Chinese.
- `o2o dispatch suggest --json` marks a late offer (`offer_late`, beside `offered_at`)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from rich.cells import cell_len

from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.i18n import set_language
from o2o_tui.live_dispatch import LATE_OFFER_MINUTES, plan_live, read_fleet
from screens.dispatch_board import ClientFleet, DispatchApp, DispatchBoard
from screens.widgets.dispatch_rows import OrderList, OrderRowView, offer_age, order_columns, order_line
from tests.support.platform import RunningPlatform, api
from tests.test_cli_dispatch import Cli, cli, place_ready_orders  # noqa: F401  (the fixture)
from tests.test_dispatch_picked_up import _assigned
from tests.test_dispatch_refusals_end_to_end import _ok, _two_on_duty
from tests.test_ui_dispatch import next_round, until


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _board(platform: RunningPlatform, role: str | None, token_role: str = "dispatcher") -> DispatchApp:
    seed = platform.seed
    assert seed is not None
    client = AsyncPlatformClient(platform.url, seed.tokens[token_role])
    return DispatchApp(ClientFleet(client, seed.store_id, role=role), poll_seconds=60)


def _said(app: DispatchApp) -> str:
    return " ".join(" ".join(str(n.message) for n in app._notifications).split())  # unfolded


@pytest.mark.parametrize("role", ["dispatcher", None])
async def test_a_dispatcher_is_told_to_ask_the_store_not_to_cancel(
    platform: RunningPlatform, role: str | None
) -> None:
    seed = platform.seed
    assert seed is not None
    order, delivery, courier = _assigned(platform, seed.courier_ids[2], pick_up=True)
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/problem", {"reason": "VEHICLE_PROBLEM"}))
    number = f"#{order['number']:04d}"
    app = _board(platform, role)
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.screen
        assert isinstance(board, DispatchBoard)
        await next_round(pilot, board, 0)
        board.query_one(OrderList).move_cursor(order["id"])
        await pilot.pause()
        status = str(board.query_one("#board-status").render())
        assert f"{number} stuck with" in status and "ask the store" in status, status
        for key in ("m", "r"):
            app.clear_notifications()
            await pilot.press(key)
            await until(pilot, lambda: bool(app._notifications), "the board said why")
            said = _said(app)
            assert f"{number} stays with" in said and "bring it back to the store" in said, said
            assert "ask the store to cancel" in said and "or cancel the order" not in said, said


async def test_a_merchant_on_the_board_may_still_cancel(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    order, delivery, courier = _assigned(platform, seed.courier_ids[2], pick_up=True)
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/problem", {"reason": "VEHICLE_PROBLEM"}))
    number = f"#{order['number']:04d}"
    app = _board(platform, "merchant", token_role="merchant")
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.screen
        assert isinstance(board, DispatchBoard)
        await next_round(pilot, board, 0)
        board.query_one(OrderList).move_cursor(order["id"])
        await pilot.press("m")
        await until(pilot, lambda: bool(app._notifications), "the board said why")
        said = _said(app)
        assert (
            f"{number} stays with" in said and "cancel the order" in said and "ask the store" not in said
        ), said


async def test_the_platforms_refusal_of_a_picked_up_order_asks_the_store(platform: RunningPlatform) -> None:
    """The board read the order before its courier picked it up: u is sent, the platform refuses it (409
    `already_picked_up`, whose own words say to cancel): the dispatcher reads the board's words instead."""
    seed = platform.seed
    assert seed is not None
    order, delivery, courier = _assigned(platform, seed.courier_ids[2], pick_up=False)
    number = f"#{order['number']:04d}"
    app = _board(platform, "dispatcher")
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.screen
        assert isinstance(board, DispatchBoard)
        await next_round(pilot, board, 0)
        code = _ok(api(platform, "merchant").get(f"/v1/orders/{order['id']}"))["pickup_code"]
        _ok(courier.post(f"/v1/deliveries/{delivery['id']}/picked-up", {"code": code}))
        board.query_one(OrderList).move_cursor(order["id"])
        await pilot.press("u")
        await until(pilot, lambda: number in _said(app), "the platform's refusal was said")
        said = _said(app)
        assert f"{number} stays with" in said and "ask the store to cancel" in said, said
        assert "or cancel the order" not in said, said


@pytest.mark.parametrize("language", ["en", "zh"])
@pytest.mark.parametrize("columns", [40, 44, 50, 80, 120])
def test_an_offers_age_fits_its_column_up_to_999_minutes(language: str, columns: int) -> None:
    set_language(language)
    width = columns - 2  # the list's border
    tag_w = order_columns(width)["tag"].width
    base = OrderRowView("o1", "#0001", "12:00", "ready", "1 Zhang", "", "", "", "offered", "Li", "here")
    for minutes in range(0, 1000):
        age = offer_age(minutes)
        line = order_line(OrderRowView(**{**_fields(base), "offer_age": age}), width).plain
        tag = line[len(line) - _cut_back(line, tag_w) :]
        assert "…" not in tag and age in tag, (minutes, tag, line)
        assert cell_len(line) <= width, line


def _fields(view: OrderRowView) -> dict:
    return {name: getattr(view, name) for name in OrderRowView.__slots__}  # type: ignore[attr-defined]


def _cut_back(line: str, cells: int) -> int:
    """How many characters at the end of `line` fill its last `cells` cells."""
    taken = count = 0
    for char in reversed(line):
        if taken + cell_len(char) > cells:
            break
        taken += cell_len(char)
        count += 1
    return count


def test_suggest_json_marks_a_late_offer(platform: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    zhang, _ = _two_on_duty(platform)
    [placed] = place_ready_orders(platform, [(300.0, 200.0)])
    _ok(api(platform, "dispatcher").post(f"/v1/orders/{placed.id}/assign", {"courier_id": zhang}))
    [state] = [o for o in cli.json("dispatch", "suggest")["orders"] if o["order_id"] == placed.id]
    assert state["offered_at"] and state["offer_late"] is False, state  # just offered
    seed = platform.seed
    assert seed is not None
    with PlatformClient(platform.url, seed.tokens["dispatcher"]) as client:
        data = read_fleet(client, seed.store_id)
    for minutes, late in (
        (LATE_OFFER_MINUTES - 1, False),
        (LATE_OFFER_MINUTES, True),
        (LATE_OFFER_MINUTES + 9, True),
    ):
        plan = plan_live(data, datetime.now(UTC) + timedelta(minutes=minutes, seconds=5))
        [later] = [o for o in plan.orders if o.order_id == placed.id]
        assert later.offer_late is late, (minutes, later)
    # an order nobody was offered is never late
    assert all(o.offer_late is False for o in plan.orders if o.offered_at is None)
