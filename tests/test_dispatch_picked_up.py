"""Orders a courier already picked up, as the store's dispatcher sees them, and reassignments away from a courier
who reported a problem. Real server, real CLI, the board through Textual's pilot.

- A courier bringing food back (delivery RETURNING) shows as returning, not as delivering: in `o2o couriers list`,
  `o2o dispatch suggest`, the plan (it is free at the store, not at the customer's door) and the board.
- A picked-up order whose courier's vehicle broke down is listed as stuck; taking it from that courier is refused
  in words that say why and what to do (bring it back, or cancel and make it again), by the platform, the CLI and
  the board (which says it without sending what would be refused).
- `o2o dispatch auto` never sends a GO NOW that takes an order from a courier who reported a problem while that
  courier is on duty: it says it and leaves it to a person; once the courier is off duty it sends it.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.client import AsyncPlatformClient, PlatformClient
from o2o_tui.live_dispatch import LivePlan, plan_live, read_fleet, shown_status
from screens.dispatch_board import ClientFleet, DispatchApp, DispatchBoard
from screens.widgets.dispatch_rows import CourierList, OrderList
from tests.support.platform import Api, RunningPlatform, api, order_body
from tests.test_cli_dispatch import Cli
from tests.test_ui_dispatch import next_round, until


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(tmp_path / "home")
    tokens = platform.seed.tokens  # type: ignore[union-attr]
    runner("login", "--url", platform.url, "--token", tokens["dispatcher"])
    runner("login", "--url", platform.url, "--token", tokens["courier"], "--profile", "rider")
    yield runner


def _assigned(platform: RunningPlatform, courier_id: str, *, pick_up: bool) -> tuple[dict, dict, Api]:
    """A confirmed, ready delivery order given to `courier_id`, accepted, and picked up when `pick_up`."""
    seed = platform.seed
    assert seed is not None
    courier = Api(platform.url, seed.courier_tokens[courier_id])
    customer, merchant, dispatcher = (api(platform, role) for role in ("customer", "merchant", "dispatcher"))
    order = _ok(customer.post("/v1/orders", order_body(seed.store_id)))
    _ok(merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5}))
    _ok(merchant.post(f"/v1/orders/{order['id']}/ready"))
    delivery = _ok(dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id}))
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/accept"))
    if pick_up:
        code = _ok(merchant.get(f"/v1/orders/{order['id']}"))["pickup_code"]
        _ok(courier.post(f"/v1/deliveries/{delivery['id']}/picked-up", {"code": code}))
    return order, delivery, courier


def _plan(platform: RunningPlatform) -> LivePlan:
    seed = platform.seed
    assert seed is not None
    with PlatformClient(platform.url, seed.tokens["dispatcher"]) as client:
        return plan_live(read_fleet(client, seed.store_id), datetime.now(UTC))


def _board(platform: RunningPlatform) -> DispatchApp:
    seed = platform.seed
    assert seed is not None
    client = AsyncPlatformClient(platform.url, seed.tokens["dispatcher"])
    return DispatchApp(ClientFleet(client, seed.store_id), poll_seconds=60)


def test_a_courier_bringing_food_back_shows_as_returning(platform: RunningPlatform, cli: Cli) -> None:
    seed = platform.seed
    assert seed is not None
    courier_id = seed.courier_ids[0]  # the "rider" profile's courier
    order, delivery, courier = _assigned(platform, courier_id, pick_up=True)
    at = f"/v1/deliveries/{delivery['id']}"
    _ok(courier.post(at + "/problem", {"reason": "NOBODY_TO_RECEIVE"}))
    _ok(courier.post(at + "/return"))
    number = f"#{order['number']:04d}"

    plan = _plan(platform)
    state = next(c for c in plan.couriers if c.courier_id == courier_id)
    assert shown_status(state) == "returning" and state.returning == [order["number"]], state
    assert state.dropoffs == []  # the food goes to the store, not to the customer's door
    assert state.free_position is not None and plan.origin is not None
    assert abs(state.free_position.lat - plan.origin.lat) < 1e-6, state  # free at the store
    waiting = next(o for o in plan.orders if o.order_id == order["id"])
    assert waiting.why == "returning" and waiting.dropoff is None, waiting

    listed = cli("couriers", "list").stdout
    line = next(text for text in listed.splitlines() if courier_id in text)
    assert "  returning  " in line and "delivering" not in line, line
    said = cli("dispatch", "suggest").stdout
    assert f"{number}" in said and "bringing it back to the store" in said, said
    # the courier's own list said it already (the order carries it too: delivery_status RETURNING)
    assert "BACK TO STORE" in cli("deliveries", "list", "--profile", "rider").stdout
    refused = cli("dispatch", "assign", number, seed.courier_ids[1], code=Exit.REJECTED)
    assert "on its way back to the store" in refused.stderr, refused.stderr

    asyncio.run(_board_shows_the_return(platform, courier_id, order, number))


async def _board_shows_the_return(platform: RunningPlatform, courier_id: str, order: dict, number: str) -> None:
    app = _board(platform)
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.screen
        assert isinstance(board, DispatchBoard)
        await next_round(pilot, board, 0)
        row = board.query_one(CourierList).row(courier_id)
        assert row is not None and row.status == "returning" and row.problem == "", row
        orders = board.query_one(OrderList)
        view = orders.row(order["id"])
        assert view is not None and view.tag == "returning" and view.status == "return", view
        orders.move_cursor(order["id"])
        await pilot.pause()
        status = str(board.query_one("#board-status").render())
        assert f"{number}:" in status and "bringing it back to the store (Nobody to receive)" in status, status


def test_a_stuck_picked_up_order_is_refused_in_words(platform: RunningPlatform, cli: Cli) -> None:
    seed = platform.seed
    assert seed is not None
    stuck_id, other_id = seed.courier_ids[2], seed.courier_ids[3]
    order, delivery, courier = _assigned(platform, stuck_id, pick_up=True)
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/problem", {"reason": "VEHICLE_PROBLEM"}))
    number = f"#{order['number']:04d}"

    refused = api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": other_id})
    error = refused.json()["error"]
    assert refused.status_code == 409 and error["code"] == "already_picked_up", refused.text
    assert "bring it back to the store" in error["message"] and "cancel the order" in error["message"], error

    waiting = next(o for o in _plan(platform).orders if o.order_id == order["id"])
    assert waiting.why == "stuck" and waiting.problem == "VEHICLE_PROBLEM", waiting
    said = cli("dispatch", "suggest").stdout
    assert f"{number}" in said and "picked up by a courier who cannot go on" in said, said

    result = cli("dispatch", "assign", number, other_id, code=Exit.REJECTED)
    assert f"{number} stays with" in result.stderr and "bring it back to the store" in result.stderr, result
    # a dispatcher cannot cancel (the platform refuses it): it is told to ask the store (test_dispatch_off_duty_food)
    assert "ask the store to cancel" in result.stderr and "o2o orders cancel" not in result.stderr, result.stderr
    assert "stays with" in cli("dispatch", "unassign", number, code=Exit.REJECTED).stderr
    asyncio.run(_board_says_why(platform, order, number))
    after = _ok(api(platform, "merchant").get(f"/v1/orders/{order['id']}"))
    assert after["courier_id"] == stuck_id and after["status"] == "DISPATCHED"


async def _board_says_why(platform: RunningPlatform, order: dict, number: str) -> None:
    app = _board(platform)
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.screen
        assert isinstance(board, DispatchBoard)
        await next_round(pilot, board, 0)
        orders = board.query_one(OrderList)
        view = orders.row(order["id"])
        assert view is not None and view.tag == "stuck", view
        orders.move_cursor(order["id"])
        await pilot.pause()
        status = str(board.query_one("#board-status").render())
        assert f"{number} stuck with" in status and "(Vehicle problem): bring it back or cancel" in status, status
        await pilot.press("m")  # said at once, nothing sent (no picker, no refusal from the platform)
        await until(pilot, lambda: bool(app._notifications), "the board said why")
        said = " ".join(str(n.message) for n in app._notifications)
        assert f"{number} stays with" in said and "bring it back to the store" in said, said
        assert isinstance(app.screen, DispatchBoard) and not board.busy


def test_auto_leaves_a_reassignment_from_a_stopped_courier_to_a_person(platform: RunningPlatform, cli: Cli) -> None:
    seed = platform.seed
    assert seed is not None
    stuck_id = seed.courier_ids[4]
    order, delivery, courier = _assigned(platform, stuck_id, pick_up=False)
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/problem", {"reason": "VEHICLE_PROBLEM"}))
    number = f"#{order['number']:04d}"

    suggestion = _plan(platform).suggestion_for(order["id"])
    assert suggestion is not None and suggestion.courier_id != stuck_id
    assert suggestion.commit and suggestion.held, suggestion  # GO NOW, shown, for a person to take

    ran = cli("dispatch", "auto", "--once")
    assert "not sent:" in ran.stdout and f"o2o dispatch assign {number} {suggestion.courier_id}" in ran.stdout
    assert "still on duty" in ran.stdout, ran.stdout
    held = _ok(api(platform, "merchant").get(f"/v1/orders/{order['id']}"))
    assert held["courier_id"] == stuck_id, held  # nobody decided: it stays
    report = cli.json("dispatch", "auto", "--once")
    assert report["assigned"] == [] and [s["order_id"] for s in report["held"]] == [order["id"]], report

    # the stopped courier goes off duty: nobody is there to ask, so the existing rule sends it by itself
    _ok(courier.put(f"/v1/couriers/{stuck_id}/state", {"status": "OFFLINE"}))
    sent = cli.json("dispatch", "auto", "--once")
    assert [s["order_id"] for s in sent["assigned"]] == [order["id"]], sent
    moved = _ok(api(platform, "merchant").get(f"/v1/orders/{order['id']}"))
    assert moved["courier_id"] not in (None, stuck_id), moved


def test_a_reassignment_is_held_only_while_the_stopped_courier_can_be_asked() -> None:
    """Held while the stopped courier is on duty and heard from; not held once its handheld has been silent for
    STALE_POSITION_MINUTES (nobody to ask) or it is off duty: those are the existing rules for acting alone."""
    from datetime import timedelta

    import msgspec

    from o2o_tui.domain.fleet import CourierStatus
    from o2o_tui.domain.order import OpenProblem
    from o2o_tui.live_dispatch import STALE_POSITION_MINUTES
    from tests.test_dispatch_live_samples import NOW, courier, order, snapshot

    problem = OpenProblem(reason="VEHICLE_PROBLEM", occurred_at=NOW)
    stuck_order = msgspec.structs.replace(order(7, courier_id="cr-wei"), delivery_problem=problem)
    stuck = msgspec.structs.replace(
        courier("张伟 Zhang Wei", 300.0, 200.0, status=CourierStatus.TO_MERCHANT, delivery_ids=["dl-7"]),
        position_at=NOW,
    )
    free = msgspec.structs.replace(courier("王芳 Wang Fang", 0.0, 0.0), position_at=NOW)

    def held(who: Any) -> bool:
        suggestion = plan_live(snapshot([stuck_order], [who, free]), NOW).suggestion_for(stuck_order.id)
        assert suggestion is not None and suggestion.courier_id == free.id and suggestion.commit, suggestion
        return suggestion.held

    assert held(stuck)
    silent = msgspec.structs.replace(stuck, position_at=NOW - timedelta(minutes=STALE_POSITION_MINUTES))
    assert not held(silent)
    assert not held(msgspec.structs.replace(stuck, status=CourierStatus.OFFLINE))
    plan = plan_live(snapshot([stuck_order], [stuck, free]), NOW)
    assert plan.automatic == [] and plan.committed != []
