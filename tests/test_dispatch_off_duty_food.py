"""An order whose courier went off duty with the food in the bag, as the store's dispatcher sees it. Real server,
real CLI, the board through Textual's pilot.

- It stays listed, flagged (why="off_duty_with_food"): in the plan, `o2o dispatch suggest` (text and JSON) and the
  board (its row, its status line), with what to do (call the courier); it was dropped from all of them.
- It is never planned for another courier (the food is in that bag): no suggestion, `dispatch auto` sends nothing.
- `o2o dispatch assign` of a picked-up order tells a dispatcher what its role can do: ask the store to cancel (a
  dispatcher's `o2o orders cancel` is refused), and to call a courier that went off duty with it; a merchant is
  still told the cancel command.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from screens.dispatch_board import DispatchBoard
from screens.widgets.dispatch_rows import OrderList
from tests.support.platform import RunningPlatform, api
from tests.test_cli_dispatch import Cli
from tests.test_dispatch_picked_up import _assigned, _board, _ok, _plan
from tests.test_ui_dispatch import next_round, until


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(tmp_path / "home")
    tokens = platform.seed.tokens  # type: ignore[union-attr]
    runner("login", "--url", platform.url, "--token", tokens["dispatcher"])
    runner("login", "--url", platform.url, "--token", tokens["merchant"], "--profile", "counter")
    yield runner


def _off_duty_with_food(platform: RunningPlatform) -> tuple[dict, str, str]:
    """A picked-up order whose courier then went off duty: (order, its number, the courier's id)."""
    seed = platform.seed
    assert seed is not None
    courier_id = seed.courier_ids[3]
    order, _delivery, courier = _assigned(platform, courier_id, pick_up=True)
    _ok(courier.put(f"/v1/couriers/{courier_id}/state", {"status": "OFFLINE"}))
    return order, f"#{order['number']:04d}", courier_id


def test_an_order_off_duty_with_its_courier_is_listed_flagged_and_never_replanned(
    platform: RunningPlatform, cli: Cli
) -> None:
    order, number, courier_id = _off_duty_with_food(platform)

    plan = _plan(platform)
    state = next((o for o in plan.orders if o.order_id == order["id"]), None)
    assert state is not None and state.why == "off_duty_with_food" and state.courier_id == courier_id, plan.orders
    assert plan.suggestion_for(order["id"]) is None and plan.automatic == []  # the food is in that bag

    said = cli("dispatch", "suggest").stdout
    line = next((text for text in said.splitlines() if text.startswith(number)), "")
    assert "went off duty with it" in line and "call" in line and "deliver it or bring it back" in line, said
    report = cli.json("dispatch", "suggest")
    [listed] = [o for o in report["orders"] if o["order_id"] == order["id"]]
    assert listed["why"] == "off_duty_with_food" and listed["courier_id"] == courier_id, listed
    assert not [s for s in report["suggestions"] if s["order_id"] == order["id"]]

    ran = cli.json("dispatch", "auto", "--once")
    assert ran["assigned"] == [] and ran["refused"] == [], ran
    after = _ok(api(platform, "merchant").get(f"/v1/orders/{order['id']}"))
    assert after["courier_id"] == courier_id and after["status"] == "DISPATCHED", after

    for size in ((80, 24), (40, 15)):
        asyncio.run(_board_flags_it(platform, order, number, size))


async def _board_flags_it(platform: RunningPlatform, order: dict, number: str, size: tuple[int, int]) -> None:
    app = _board(platform)
    async with app.run_test(size=size) as pilot:
        board = app.screen
        assert isinstance(board, DispatchBoard)
        await next_round(pilot, board, 0)
        orders = board.query_one(OrderList)
        view = orders.row(order["id"])
        assert view is not None and view.tag == "off_duty_with_food", view
        orders.move_cursor(order["id"])
        await pilot.pause()
        status = str(board.query_one("#board-status").render())
        assert f"{number} is with" in status and "went off duty with the food: call them" in status, status
        await pilot.press("m")  # said at once, nothing sent
        await until(pilot, lambda: bool(app._notifications), "the board said why")
        said = " ".join(str(n.message) for n in app._notifications)
        assert f"{number} stays with" in said, said
        assert isinstance(app.screen, DispatchBoard) and not board.busy


def test_assigning_a_picked_up_order_says_what_the_role_can_do(platform: RunningPlatform, cli: Cli) -> None:
    seed = platform.seed
    assert seed is not None
    order, number, _courier_id = _off_duty_with_food(platform)
    other = seed.courier_ids[4]

    refused = cli("dispatch", "assign", number, other, code=Exit.REJECTED).stderr
    assert f"{number} stays with" in refused and "went off duty with the food: call them" in refused, refused
    assert "ask the store to cancel" in refused and "o2o orders cancel" not in refused, refused
    # what it was told before is refused to its role indeed
    assert api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/cancel", {"reason": "OTHER"}).status_code == 403
    assert "ask the store to cancel" in cli("dispatch", "unassign", number, code=Exit.REJECTED).stderr

    merchant = cli("dispatch", "assign", number, other, "--profile", "counter", code=Exit.REJECTED).stderr
    assert f"o2o orders cancel {number}" in merchant and "ask the store" not in merchant, merchant
    assert "went off duty with the food: call them" in merchant, merchant
