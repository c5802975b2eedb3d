"""A problem a courier reports reaches the store at once: the order carries it (`delivery_problem`), the counter's
order detail, `o2o orders show`, `o2o couriers list` and the dispatch board say it, and a courier whose vehicle broke
down is no longer planned: its order is suggested to another courier. Real server, real CLI."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import msgspec
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.client import PlatformClient
from o2o_tui.domain.order import Order
from o2o_tui.live_dispatch import plan_live, read_fleet
from screens.source import QueueEntry
from screens.widgets.dispatch_rows import courier_view, order_line, order_view
from screens.widgets.order_detail import detail_content
from tests.support.platform import Api, RunningPlatform, api, order_body

NOTE = "chain broke [b]x[/b]"  # untrusted: shown as written, never as markup


def _ok(response: Any) -> Any:
    assert response.status_code in (200, 201), response.text
    return response.json()


def _cli(home: Path, *args: str) -> str:
    env = {"O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200"}
    env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


def _accepted_order(platform: RunningPlatform, courier: Api, courier_id: str) -> tuple[dict, dict]:
    seed = platform.seed
    assert seed is not None
    customer, merchant, dispatcher = (api(platform, role) for role in ("customer", "merchant", "dispatcher"))
    order = _ok(customer.post("/v1/orders", order_body(seed.store_id)))
    _ok(merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5}))
    delivery = _ok(dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id}))
    _ok(courier.post(f"/v1/deliveries/{delivery['id']}/accept"))
    return order, delivery


def test_a_broken_vehicle_reaches_the_store_and_dispatch_plans_around_it(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    seed = platform.seed
    assert seed is not None
    stuck_id = seed.courier_ids[0]
    stuck = Api(platform.url, seed.courier_tokens[stuck_id])
    merchant = api(platform, "merchant")
    order, delivery = _accepted_order(platform, stuck, stuck_id)
    cursor = _ok(merchant.get("/v1/events", after="latest"))["cursor"]

    _ok(stuck.post(f"/v1/deliveries/{delivery['id']}/problem", {"reason": "VEHICLE_PROBLEM", "note": NOTE}))

    told = _ok(merchant.get(f"/v1/orders/{order['id']}"))
    problem = told["delivery_problem"]
    assert problem["reason"] == "VEHICLE_PROBLEM" and problem["note"] == NOTE and problem["occurred_at"]
    events = _ok(merchant.get("/v1/events", after=cursor))["events"]
    assert any(e["entity_id"] == order["id"] and e["version"] == told["version"] for e in events)

    # the counter's order detail: the reason, when, and the courier's words as plain text
    shown = msgspec.convert(told, Order, strict=False)
    detail = detail_content(QueueEntry(shown), datetime.now(UTC), UTC).plain
    at = shown.delivery_problem.occurred_at.strftime("%H:%M")  # type: ignore[union-attr]
    assert f"Courier problem: Vehicle problem at {at}" in detail, detail
    assert NOTE in detail

    # the CLI at the counter and the dispatcher's
    home = tmp_path / "home"
    _cli(home, "login", "--url", platform.url, "--token", seed.tokens["dispatcher"])
    _cli(home, "login", "--url", platform.url, "--token", seed.tokens["merchant"], "--profile", "counter")
    _cli(home, "sync", "--once", "--profile", "counter")
    number = f"#{order['number']:04d}"
    show = _cli(home, "orders", "show", str(order["number"]), "--profile", "counter")
    assert "Courier problem: Vehicle problem at" in show and NOTE in show, show
    couriers = _cli(home, "couriers", "list")
    line = next(text for text in couriers.splitlines() if stuck_id in text)
    assert f"problem on {number}: Vehicle problem" in line, couriers

    # live dispatch: the stuck courier is not planned; its order goes to another courier (a reassignment)
    with PlatformClient(platform.url, seed.tokens["dispatcher"]) as client:
        plan = plan_live(read_fleet(client, seed.store_id), datetime.now(UTC))
    suggestion = plan.suggestion_for(order["id"])
    assert suggestion is not None and suggestion.courier_id != stuck_id, plan
    assert all(s.courier_id != stuck_id for s in plan.suggestions)
    stuck_state = next(c for c in plan.couriers if c.courier_id == stuck_id)
    assert stuck_state.stopped and stuck_state.problem == "VEHICLE_PROBLEM"
    assert stuck_state.problem_order == order["number"]
    suggest = json.loads(_cli(home, "dispatch", "suggest", "--json"))
    assert any(s["order_id"] == order["id"] and s["courier_id"] != stuck_id for s in suggest["suggestions"])

    # the board marks the order and the courier with the reason
    state = next(o for o in plan.orders if o.order_id == order["id"])
    marks = {c.courier_id: (i, c.name) for i, c in enumerate(plan.couriers)}
    row = order_view(state, suggestion, marks, UTC)
    assert row.problem == "vehicle" and row.tag in ("now", "plan"), row  # a reassignment is suggested
    assert "vehicle" in order_line(row, 80).plain
    # with nobody else to plan it, the row says why instead of "sent"
    alone = order_view(msgspec.structs.replace(state, why="courier_problem"), None, marks, UTC)
    assert alone.tag == "courier_problem" and "vehicle" in order_line(alone, 40).plain
    index = next(i for i, c in enumerate(plan.couriers) if c.courier_id == stuck_id)
    assert courier_view(index, stuck_state, plan.now, UTC).problem == "vehicle"

    # taking the suggestion gives the order to the other courier; the problem is no longer the order's
    _ok(api(platform, "dispatcher").post(f"/v1/orders/{order['id']}/assign", {"courier_id": suggestion.courier_id}))
    moved = _ok(merchant.get(f"/v1/orders/{order['id']}"))
    assert moved["courier_id"] == suggestion.courier_id and moved["delivery_problem"] is None


def test_the_problem_closes_when_the_courier_goes_on(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    courier_id = seed.courier_ids[1]
    courier = Api(platform.url, seed.courier_tokens[courier_id])
    merchant = api(platform, "merchant")
    order, delivery = _accepted_order(platform, courier, courier_id)
    at = f"/v1/deliveries/{delivery['id']}"
    _ok(courier.post(at + "/arrived-at-merchant"))
    _ok(courier.post(at + "/problem", {"reason": "ORDER_NOT_READY"}))
    waiting = _ok(merchant.get(f"/v1/orders/{order['id']}"))
    assert waiting["delivery_problem"]["reason"] == "ORDER_NOT_READY"

    # a problem that does not stop the courier: it keeps the order, still planned as usual
    with PlatformClient(platform.url, seed.tokens["dispatcher"]) as client:
        plan = plan_live(read_fleet(client, seed.store_id), datetime.now(UTC))
    state = next(o for o in plan.orders if o.order_id == order["id"])
    assert state.why == "assigned" and state.problem == "ORDER_NOT_READY"
    assert not next(c for c in plan.couriers if c.courier_id == courier_id).stopped

    _ok(courier.post(at + "/picked-up", {"code": waiting["pickup_code"]}))
    assert _ok(merchant.get(f"/v1/orders/{order['id']}"))["delivery_problem"] is None


async def test_the_board_says_the_problem_and_a_sends_the_reassignment(platform: RunningPlatform) -> None:
    from screens.dispatch_board import ClientFleet, DispatchApp, DispatchBoard
    from screens.widgets.dispatch_rows import CourierList, OrderList
    from tests.test_ui_dispatch import next_round

    seed = platform.seed
    assert seed is not None
    stuck_id = seed.courier_ids[2]
    stuck = Api(platform.url, seed.courier_tokens[stuck_id])
    order, delivery = _accepted_order(platform, stuck, stuck_id)
    _ok(stuck.post(f"/v1/deliveries/{delivery['id']}/problem", {"reason": "VEHICLE_PROBLEM"}))

    from o2o_tui.client import AsyncPlatformClient

    client = AsyncPlatformClient(platform.url, seed.tokens["dispatcher"])
    app = DispatchApp(ClientFleet(client, seed.store_id), poll_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        board = app.screen
        assert isinstance(board, DispatchBoard)
        await next_round(pilot, board, 0)
        orders = board.query_one(OrderList)
        orders.move_cursor(order["id"])
        await pilot.pause()
        status = str(board.query_one("#board-status").render())
        assert f"#{order['number']:04d}: Vehicle problem at" in status, status
        row = board.query_one(CourierList).row(stuck_id)
        assert row is not None and row.problem == "vehicle"
        suggestion = board.plan.suggestion_for(order["id"]) if board.plan else None
        assert suggestion is not None and suggestion.courier_id != stuck_id
        await pilot.press("a")  # take the suggestion: the order goes to the other courier
        await next_round(pilot, board, 1)
    moved = _ok(api(platform, "merchant").get(f"/v1/orders/{order['id']}"))
    assert moved["courier_id"] == suggestion.courier_id and moved["delivery_problem"] is None
