"""`o2o dispatch assign` with a platform courier (no store: a small city's shared riders), which a store may assign
but cannot list: the platform judges the id. The real platform on loopback, a real profile."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.identity import Role
from o2o_tui.domain.order import OrderType
from o2o_tui.domain.requests import ConfirmBody, CourierStateBody, CreateOrderBody, NewOrderLine
from o2o_tui.platform import db, seed
from tests.support.platform import RunningPlatform


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home

    def __call__(self, *args: str, code: int = 0, lang: str = "en") -> Any:
        env = {"O2O_HOME": str(self.home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200"}
        env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result


class Riders:
    def __init__(self, free_id: str, free_token: str, foreign_id: str) -> None:
        self.free_id, self.free_token, self.foreign_id = free_id, free_token, foreign_id


@pytest.fixture
def riders(platform: RunningPlatform) -> Riders:
    """A platform courier (no store) and another store's own courier."""
    engine = db.open_database(platform.db_url)
    try:
        with db.writing(engine) as conn:
            other = seed.create_store(
                conn,
                name="二号店 Second",
                address=Address(text="2 Road", position=Position(lat=31.2, lon=121.4)),
                menu=seed.demo_menu(),
            )
            free = seed.create_user(conn, role=Role.COURIER, name="自由骑手 Free rider", store_id=None)
            foreign = seed.create_courier(conn, name="Their rider", store_id=other.id)
    finally:
        engine.dispose()
    assert free.courier_id is not None
    return Riders(free.courier_id, free.token, foreign.id)


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    runner = Cli(tmp_path / "home")
    runner("login", "--url", platform.url, "--token", platform.seed.tokens["dispatcher"])
    yield runner


def accepted_order(platform: RunningPlatform) -> Any:
    with PlatformClient(platform.url, platform.seed.tokens["customer"]) as customer:
        order = customer.create_order(
            CreateOrderBody(
                id=str(uuid.uuid4()),
                store_id=platform.seed.store_id,
                type=OrderType.DELIVERY,
                lines=[NewOrderLine(item_id="rice", quantity=1)],
                customer_name="Li Na",
                customer_phone="13800001111",
                address=Address("1 Road", Position(lat=31.23, lon=121.47)),
            )
        )
    with PlatformClient(platform.url, platform.seed.tokens["merchant"]) as merchant:
        return merchant.act("order.confirm", order.id, ConfirmBody(preparation_minutes=10))


def test_a_platform_courier_is_assigned_by_id(platform: RunningPlatform, cli: Cli, riders: Riders) -> None:
    order = accepted_order(platform)
    number = f"#{order.number:04d}"
    done = cli("dispatch", "assign", number, riders.free_id)
    # its name, which the store may read once the courier carries one of its orders
    assert done.stdout.strip() == f"{number} assigned to 自由骑手 Free rider."
    with PlatformClient(platform.url, platform.seed.tokens["dispatcher"]) as dispatcher:
        assert dispatcher.get_order(order.id).courier_id == riders.free_id
    again = json.loads(cli("dispatch", "assign", order.id, riders.free_id, "--json").stdout)
    assert again["courier_id"] == riders.free_id and again["status"] == "PENDING"  # the same delivery


def test_an_id_the_platform_does_not_let_this_store_assign_is_no_courier(
    platform: RunningPlatform, cli: Cli, riders: Riders
) -> None:
    order = accepted_order(platform)
    number = f"#{order.number:04d}"
    for reference in (riders.foreign_id, "cr_nobody", "nobody"):
        refused = cli("dispatch", "assign", number, reference, code=Exit.NOT_FOUND)
        assert f"No courier {reference}" in refused.stderr and "platform" in refused.stderr
    chinese = cli("dispatch", "assign", number, "cr_nobody", code=Exit.NOT_FOUND, lang="zh")
    assert "cr_nobody" in chinese.stderr and "No courier" not in chinese.stderr
    assert "no_courier" not in chinese.stderr  # a catalog key, not a sentence
    # a name (not an id) no courier of the fleet has is never sent
    assert (
        "No courier Wang Nobody"
        in cli("dispatch", "assign", number, "Wang Nobody", code=Exit.NOT_FOUND).stderr
    )


def test_a_platform_courier_off_duty_is_said_by_id(
    platform: RunningPlatform, cli: Cli, riders: Riders
) -> None:
    with PlatformClient(platform.url, riders.free_token) as rider:
        rider.act("courier.state", riders.free_id, CourierStateBody(status="OFFLINE"))
    order = accepted_order(platform)
    refused = cli("dispatch", "assign", str(order.number), riders.free_id, code=Exit.REJECTED)
    assert f"{riders.free_id} is off duty" in refused.stderr
