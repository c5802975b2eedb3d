"""An order whose food a courier still has after a refused pickup (`food_with_courier`, #0039): `dispatch suggest`
(text and JSON) and `couriers list` say so, and `r` (or `m`) on the board warns and asks before choosing a
courier (the food must come back to the store, or be handed over, first)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from o2o_tui.i18n import set_language
from screens.dispatch_board import CourierPicker, FoodConfirm
from tests.support.platform import RunningPlatform, api
from tests.test_cli_dispatch import Cli, cli  # noqa: F401  (the fixture)
from tests.test_dispatch_refusals_end_to_end import _ok, _put
from tests.test_food_with_courier_server import _accepted, _couriers
from tests.test_ui_dispatch import board_of, live_app, next_round, until


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _food_with_first(platform: RunningPlatform) -> tuple[dict, str, str]:
    """An order the first courier accepted, given to the second; the first's pickup refused with the bag in hand."""
    (first_id, first), (second_id, _) = _couriers(platform)
    _put(platform, second_id, "IDLE")
    order, path = _accepted(platform, first_id, first)
    _ok(api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": second_id}))
    refused = first.post(path + "/picked-up", {"code": order["pickup_code"]})
    assert refused.status_code == 409, refused.text
    held = api(platform, "dispatcher").get(f"/v1/orders/{order['id']}").json()["food_with_courier"]
    assert held and held["courier_id"] == first_id
    return order, first_id, held["courier_name"]


def test_suggest_and_couriers_list_say_who_has_the_food(platform: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    order, first_id, name = _food_with_first(platform)
    number = f"#{order['number']:04d}"
    text = cli("dispatch", "suggest").stdout
    [line] = [line for line in text.splitlines() if line.startswith(number)]
    assert f"courier {name} still has the food" in line, text
    plan = cli.json("dispatch", "suggest")
    [state] = [o for o in plan["orders"] if o["order_id"] == order["id"]]
    assert state["food_with_courier"] == name, state
    listed = cli("couriers", "list").stdout
    [holder] = [line for line in listed.splitlines() if f"({first_id})" in line]
    assert f"has the food of {number}" in holder, listed


async def test_reassigning_an_order_whose_food_another_courier_has_warns_and_asks(platform: RunningPlatform) -> None:
    order, _, name = _food_with_first(platform)
    app = live_app(platform)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        board.orders_list.move_cursor(order["id"])
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, FoodConfirm), "the warning")
        said = str(app.screen.query_one(".title").render())
        assert name in said and "still has the food" in said, said
        await pilot.press("n")
        await until(pilot, lambda: app.screen is board, "back on the board, nothing sent")
        await pilot.press("r")
        await until(pilot, lambda: isinstance(app.screen, FoodConfirm), "the warning again")
        await pilot.press("y")
        await until(pilot, lambda: isinstance(app.screen, CourierPicker), "the picker after yes")
