"""`o2o couriers list` and `o2o dispatch suggest/assign/unassign/auto` end to end against the real platform:
orders placed with the customer token, readied with the merchant token, dispatched with the dispatcher's."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.domain.geo import Address, from_local_metres
from o2o_tui.domain.order import OrderType
from o2o_tui.domain.requests import ConfirmBody, CreateOrderBody, EmptyBody, NewOrderLine
from o2o_tui.platform.seed import DEMO_CENTER
from tests.support.platform import RunningPlatform
from tests.support.signals import hears_ctrl_c, killed_on_exit


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home
        self.outputs: list[str] = []

    def __call__(self, *args: str, code: int = 0) -> Any:
        env = {"O2O_HOME": str(self.home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200"}
        env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        self.outputs.append(result.stdout + result.stderr)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, code: int = 0) -> Any:
        return json.loads(self(*args, "--json", code=code).stdout)


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(tmp_path / "home")
    tokens = platform.seed.tokens
    runner("login", "--url", platform.url, "--token", tokens["dispatcher"])
    runner("login", "--url", platform.url, "--token", tokens["merchant"], "--profile", "counter")
    runner("login", "--url", platform.url, "--token", tokens["courier"], "--profile", "rider")
    yield runner
    assert all(token not in text for text in runner.outputs for token in tokens.values())


def place_ready_orders(
    platform: RunningPlatform, spots: list[tuple[float, float]], *, ready: bool = True, prep: int = 10
) -> list[Any]:
    """Delivery orders to these local-metre spots around the store, confirmed (and readied) by the merchant."""
    seed = platform.seed
    placed = []
    with PlatformClient(platform.url, seed.tokens["customer"]) as customer:
        for x, y in spots:
            body = CreateOrderBody(
                id=str(uuid.uuid4()),
                store_id=seed.store_id,
                type=OrderType.DELIVERY,
                lines=[NewOrderLine(item_id="rice", quantity=1)],
                customer_name="Li Na",
                customer_phone="13800001111",
                address=Address(f"{x:.0f} {y:.0f}", from_local_metres(x, y, DEMO_CENTER)),
            )
            placed.append(customer.create_order(body))
    with PlatformClient(platform.url, seed.tokens["merchant"]) as merchant:
        done = []
        for order in placed:
            order = merchant.act("order.confirm", order.id, ConfirmBody(preparation_minutes=prep))
            if ready:
                order = merchant.act("order.ready", order.id, EmptyBody())
            done.append(order)
    return done


def on_server(platform: RunningPlatform, order_id: str) -> Any:
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as client:
        return client.get_order(order_id)


def test_couriers_list_and_suggest(platform: RunningPlatform, cli: Cli) -> None:
    couriers = cli.json("couriers", "list")
    assert sorted(c["courier_id"] for c in couriers) == sorted(platform.seed.courier_ids)
    assert {c["status"] for c in couriers} == {"IDLE"} and {c["load"] for c in couriers} == {0}
    listed = cli("couriers", "list").stdout
    assert "Wang Fang" in listed and "free now" in listed and "free at" not in listed  # idle: not "free at 12:40"
    assert cli.json("dispatch", "suggest")["suggestions"] == []
    assert "No suggestion" in cli("dispatch", "suggest").stdout

    first, second = place_ready_orders(platform, [(1200.0, 300.0), (-800.0, -900.0)])
    plan = cli.json("dispatch", "suggest")
    by_order = {s["order_id"]: s for s in plan["suggestions"]}
    assert set(by_order) == {first.id, second.id}
    assert by_order[first.id]["courier_id"] != by_order[second.id]["courier_id"]
    assert all(s["commit"] for s in by_order.values())  # ready food, idle couriers: leave now
    for s in by_order.values():
        assert s["depart_at"] <= s["pickup_at"] < s["dropoff_at"]
    assert {o["why"] for o in plan["orders"]} == {"planned"}
    text = cli("dispatch", "suggest").stdout
    assert f"#{first.number:04d} -> " in text and "leave now" in text
    # a suggestion is only a suggestion: nothing was assigned
    assert on_server(platform, first.id).courier_id is None
    # a merchant of a store with its own fleet sees the same
    assert len(cli.json("dispatch", "suggest", "--profile", "counter")["suggestions"]) == 2


def test_assign_reassign_and_unassign_by_number_and_name(platform: RunningPlatform, cli: Cli) -> None:
    [order] = place_ready_orders(platform, [(500.0, 500.0)])
    number = f"#{order.number:04d}"
    delivery = cli.json("dispatch", "assign", number, "wang fang")
    fang = delivery["courier_id"]
    assert on_server(platform, order.id).courier_id == fang
    assert delivery["order_id"] == order.id and delivery["status"] == "PENDING"
    couriers = {c["courier_id"]: c for c in cli.json("couriers", "list")}
    assert couriers[fang]["load"] == 1 and couriers[fang]["order_numbers"] == [order.number]
    # PENDING until the courier accepts, so still IDLE on the platform, but busy in the plan: ride, pick, drop
    idle = next(c for c in couriers.values() if c["load"] == 0)
    assert couriers[fang]["free_at"] > idle["free_at"]

    other = platform.seed.courier_ids[-1]
    assert "assigned to" in cli("dispatch", "assign", str(order.number), other).stdout
    assert on_server(platform, order.id).courier_id == other
    assert cli.json("dispatch", "suggest")["suggestions"] == []  # assigned orders are not planned again

    assert "has no courier" in cli("dispatch", "unassign", order.id).stdout
    assert on_server(platform, order.id).courier_id is None
    assert [s["order_id"] for s in cli.json("dispatch", "suggest")["suggestions"]] == [order.id]

    cli("dispatch", "assign", "#9999", other, code=Exit.NOT_FOUND)
    cli("dispatch", "assign", "no-such-order", other, code=Exit.NOT_FOUND)
    cli("dispatch", "assign", number, "nobody", code=Exit.NOT_FOUND)
    ambiguous = cli("dispatch", "assign", number, "zh", code=Exit.USAGE)  # Zhang, Zhao, Zhou
    assert "several couriers" in ambiguous.stderr


def test_auto_once_assigns_the_committed_matches(platform: RunningPlatform, cli: Cli) -> None:
    ready = place_ready_orders(platform, [(900.0, 0.0), (0.0, 900.0), (-900.0, 0.0)])
    # ready in 19 minutes: every seeded courier is at most 12 minutes' ride away, so none must leave yet
    [later] = place_ready_orders(platform, [(300.0, 300.0)], ready=False, prep=19)
    report = cli.json("dispatch", "auto", "--once")
    assigned = {s["order_id"]: s["courier_id"] for s in report["assigned"]}
    assert set(assigned) == {o.id for o in ready}
    assert report["refused"] == []
    for order in ready:
        assert on_server(platform, order.id).courier_id == assigned[order.id]
    # the order still cooking is suggested but not sent: its courier need not leave yet
    assert [s["order_id"] for s in report["tentative"]] == [later.id]
    assert on_server(platform, later.id).courier_id is None

    again = cli("dispatch", "auto", "--once")
    assert "round 1: 0 assigned" in again.stdout


def test_roles_and_offline(platform: RunningPlatform, cli: Cli) -> None:
    # a command for another role: exit 2 (not 5, "log in again"), and what this profile uses instead
    refused = cli("dispatch", "suggest", "--profile", "rider", code=Exit.USAGE)
    assert "dispatcher" in refused.stderr and "o2o courier" in refused.stderr
    assert "o2o courier" in cli("couriers", "list", "--profile", "rider", code=Exit.USAGE).stderr
    cli("dispatch", "assign", "1", "x", "--profile", "rider", code=Exit.USAGE)
    platform.stop()
    cli("dispatch", "suggest", code=Exit.OFFLINE)
    cli("dispatch", "auto", "--once", code=Exit.OFFLINE)
    cli("couriers", "list", code=Exit.OFFLINE)


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM], ids=["Ctrl-C", "SIGTERM"])
def test_auto_runs_rounds_until_stopped(platform: RunningPlatform, cli: Cli, stop: signal.Signals) -> None:
    [order] = place_ready_orders(platform, [(700.0, -700.0)])
    env = {
        **os.environ,
        "O2O_HOME": str(cli.home),
        "O2O_LANG": "en",
        "NO_COLOR": "1",
        "PYTHONUNBUFFERED": "1",
    }
    env.pop("O2O_PROFILE", None)
    with killed_on_exit(
        subprocess.Popen(
            [sys.executable, "-c", "from o2o_tui.cli import main; main()", "dispatch", "auto", "--every", "1"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=env,
            preexec_fn=hears_ctrl_c,
        )
    ) as process:
        lines = [process.stdout.readline() for _ in range(3)]  # the assignment, then two rounds' status lines
        process.send_signal(stop)
        rest, errors = process.communicate(timeout=20)
    assert process.returncode == 0, errors
    assert lines[0].startswith(f"assigned: #{order.number:04d} -> ")
    assert "round 1: 1 assigned (1 in all)" in lines[1] and "round 2: 0 assigned (1 in all)" in lines[2]
    assert "Stopped after" in rest and "1 orders assigned" in rest
    assert on_server(platform, order.id).courier_id is not None


def test_the_board_command_needs_a_fleet_profile(platform: RunningPlatform, cli: Cli) -> None:
    refused = cli("dispatch", "--profile", "rider", code=Exit.USAGE)
    assert "dispatcher" in refused.stderr
    cli("dispatch", "--profile", "nobody", code=Exit.AUTH)


def test_auto_counts_the_couriers_still_free_after_its_round(platform: RunningPlatform, cli: Cli) -> None:
    place_ready_orders(platform, [(900.0, 0.0), (0.0, 900.0), (-900.0, 0.0)])
    out = cli("dispatch", "auto", "--once").stdout
    assert "round 1: 3 assigned (3 in all), 0 waiting, 7 couriers free" in out  # 10 free before, 3 sent


def test_an_off_duty_courier_is_refused_with_its_name(platform: RunningPlatform, cli: Cli) -> None:
    [order] = place_ready_orders(platform, [(500.0, 500.0)])
    cli("duty", "off", "--profile", "rider", "--online")
    gone = next(c for c in cli.json("couriers", "list") if c["status"] == "OFFLINE")
    refused = cli("dispatch", "assign", str(order.number), gone["courier_id"], code=Exit.REJECTED)
    assert "off duty" in refused.stderr and gone["name"] in refused.stderr
    assert on_server(platform, order.id).courier_id is None
    # its orders: an order still with it says so, and `suggest` tells what to do
    cli("duty", "on", "--profile", "rider", "--online")
    cli("dispatch", "assign", str(order.number), gone["courier_id"])
    with PlatformClient(platform.url, platform.seed.tokens["courier"]) as rider:
        [delivery] = rider.list_deliveries(active=True)
        rider.act("delivery.accept", delivery.id, EmptyBody())
    cli("duty", "off", "--profile", "rider", "--online")
    # accepted but not picked up: going off duty gave it back, and dispatch plans it anew (food in hand stays with
    # the courier: tests/test_g3_off_duty_give_back.py)
    assert on_server(platform, order.id).courier_id is None
    [state] = cli.json("dispatch", "suggest")["orders"]
    assert state["why"] != "courier_offline", state
