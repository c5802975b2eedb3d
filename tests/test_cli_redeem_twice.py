"""`o2o redeem` of a code whose earlier scan still waits in the outbox (offline): said ("already queued at 12:03"),
nothing queued again, for a voucher and for a takeout's pickup code; back online, the one entry lands and no
"it was redeemed before" refusal of the counter's own redemption follows. Against the real platform."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli
from tests.test_cli_redeem import bought_code


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def cli(running: RunningPlatform, tmp_path: Path) -> Cli:
    assert running.seed is not None
    runner = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    runner("login", "--url", running.url, "--token", runner.token)
    return runner


def test_a_code_scanned_twice_offline_is_queued_once(running: RunningPlatform, cli: Cli) -> None:
    assert running.seed is not None
    code = bought_code(running, cli)
    customer, merchant = api(running, "customer"), api(running, "merchant")
    order = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5})
    merchant.post(f"/v1/orders/{order['id']}/ready", {})
    cli("sync", "--once")
    running.stop()

    assert "cannot be verified offline" in cli("redeem", code).stdout
    again = cli("redeem", f"{code[:4]} {code[4:8]}-{code[8:]}").stdout  # typed as a person types it
    assert "ALREADY QUEUED at " in again and "not queued again" in again
    twice = cli.json("redeem", code)
    assert twice["outcome"] == "queued" and twice["already_queued"] is True and twice["kind"] == "voucher"
    cli("redeem", code, "--online", code=Exit.OFFLINE)  # --online: not done, and nothing queued either

    number = f"#{order['number']:04d}"
    assert f"{number}: handoff queued" in cli("redeem", order["pickup_code"]).stdout
    handed = cli.json("redeem", order["pickup_code"])  # the order now shows handed over here: not a voucher
    assert handed["already_queued"] is True and handed["kind"] == "pickup" and handed["display_number"] == number
    assert cli.json("sync", "status")["pending"] == 2

    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)
    report = cli.json("sync", "--once")
    assert report["pushed"] == 2 and report["conflicts"] == 0  # no "redeemed before, at ..." of our own scan
    assert [v["status"] for v in customer.get("/v1/vouchers").json()["vouchers"]] == ["REDEEMED"]
    assert merchant.get(f"/v1/orders/{order['id']}").json()["status"] == "DELIVERED"
    # the replayed scan stands as this counter's own: said so (exit 0); heard now, a later scan is the platform's
    # to judge again (a real second redemption is refused)
    assert "ALREADY REDEEMED HERE at " in cli("redeem", code).stdout
    cli("redeem", code, code=Exit.REJECTED)
