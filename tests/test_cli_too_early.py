"""A script's action that comes too early in an order's flow (`o2o orders ready` on a new order, a handoff or
`o2o redeem` of a takeout that is only accepted) is refused before anything is queued, with the step to do first
(exit 4, no conflict filed); the platform's own refusal of one (queued from a cache that was behind) says the fix
too, not "it comes later"."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.i18n import set_language
from o2o_tui.sync.explain import explain
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_orders import Cli


@pytest.fixture
def cli(shared_platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert shared_platform.seed is not None
    runner = Cli(tmp_path / "home", shared_platform.seed.tokens["merchant"])
    runner("login", "--url", shared_platform.url, "--token", runner.token)
    yield runner


def _order(platform: RunningPlatform, order_type: str, *, accept: bool) -> dict[str, Any]:
    assert platform.seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    order: dict[str, Any] = customer.post("/v1/orders", order_body(platform.seed.store_id, order_type)).json()
    if accept:
        merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5})
    return order


def _status(platform: RunningPlatform, order_id: str) -> str:
    return str(api(platform, "merchant").get(f"/v1/orders/{order_id}").json()["status"])


def test_ready_on_a_new_order_and_a_handoff_of_an_accepted_one_are_refused_with_the_fix(
    shared_platform: RunningPlatform, cli: Cli
) -> None:
    new = _order(shared_platform, "DELIVERY", accept=False)
    takeout = _order(shared_platform, "TAKEOUT", accept=True)
    cli("sync", "--once")

    ready = cli("orders", "ready", new["id"], code=Exit.REJECTED)
    assert f"Order #{new['number']:04d} is still NEW: accept it first, then mark ready." in ready.stderr
    handoff = cli("orders", "handoff", takeout["id"], "--code", takeout["pickup_code"], code=Exit.REJECTED)
    assert "is still ACCEPTED: mark it ready first, then hand it over" in handoff.stderr
    redeem = cli("redeem", takeout["pickup_code"], code=Exit.REJECTED)
    assert "is still ACCEPTED: mark it ready first, then hand it over" in redeem.stderr

    assert cli.json("conflicts", "list") == []  # nothing was queued, so nothing was refused later
    assert cli.json("sync", "status")["pending"] == 0
    assert (_status(shared_platform, new["id"]), _status(shared_platform, takeout["id"])) == ("CREATED", "CONFIRMED")


def test_the_platforms_refusal_of_a_handoff_too_early_says_to_mark_it_ready() -> None:
    set_language("en")
    try:
        reason = {"code": "illegal_transition", "current_status": "CONFIRMED", "to": "DELIVERED", "order_number": 17}
        said = explain(reason, action="order.handoff", target="ord_17")
    finally:
        set_language(None)
    assert "it comes later" not in said
    assert said.endswith("so it was not handed over: mark it ready first, then hand it over again"), said
