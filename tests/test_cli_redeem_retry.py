"""`o2o redeem CODE` run again after it already did its work (a script's retry after a timeout, a killed first
run): the pickup code of a takeout this store handed over a moment ago is said as done (exit 0, when, the order in
`--json`), and nothing goes to the platform; a code that is truly no one's stays exit 4. Against the real platform."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.redeem import HANDED_OVER_WINDOW, handed_over_before
from o2o_tui.sync.read_model import ReadModel
from o2o_tui.sync.session import profile_cache
from tests.support.faultproxy import FaultProxy
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


def ready_takeout(running: RunningPlatform) -> dict[str, Any]:
    assert running.seed is not None
    customer, merchant = api(running, "customer"), api(running, "merchant")
    order: dict[str, Any] = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5})
    merchant.post(f"/v1/orders/{order['id']}/ready", {})
    return order


def on_store_clock(iso: str) -> str:
    return datetime.fromisoformat(iso).astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M")


def test_a_pickup_code_redeemed_again_is_already_handed_over(running: RunningPlatform, cli: Cli) -> None:
    order = ready_takeout(running)
    number, code = f"#{order['number']:04d}", order["pickup_code"]
    first = cli.json("redeem", code)
    assert first["outcome"] == "done" and first["kind"] == "pickup"

    again = cli.json("redeem", code)  # the script's retry: done already, not "no such code"
    assert again["outcome"] == "already_done" and again["kind"] == "pickup"
    assert again["action"] == "order.handoff" and again["order_id"] == order["id"] and again["display_number"] == number
    assert again["order"]["id"] == order["id"] and again["order"]["status"] == "DELIVERED"
    assert again["order"]["pickup_code"] is None  # an ended order's code is not shown (it may be given again)
    at = on_store_clock(again["handed_over_at"])  # the store's clock (Shanghai), whatever this machine's zone
    assert again["explanation"] == f"{number} ALREADY HANDED OVER at {at}: nothing was sent again."
    said = cli("redeem", code).stdout
    assert said.strip() == f"{number} ALREADY HANDED OVER at {at}: nothing was sent again."
    assert cli("redeem", code, "--online").stdout == said  # done: nothing for --online to wait for
    # nothing was sent as a voucher: no refusal in the conflicts, nothing queued
    status = cli.json("sync", "status")
    assert status["pending"] == 0 and status["conflicts"] == 0
    # the handoff itself answers the same
    assert cli.json("orders", "handoff", number, "--code", code)["outcome"] == "done"


def test_handed_over_at_another_counter_then_scanned_here(running: RunningPlatform, cli: Cli) -> None:
    """Another device handed the order over. Not cached yet: the command's pull finds it handed over. Cached
    as ready: the handoff goes out and the platform answers it done (as `o2o orders handoff` again); then the
    cache knows."""
    seen = ready_takeout(running)
    cli("sync", "--once")
    unseen = ready_takeout(running)  # placed after the last pull
    merchant = api(running, "merchant")
    for order in (unseen, seen):
        merchant.post(f"/v1/orders/{order['id']}/handoff", {"code": order["pickup_code"]})
    sent = cli.json("redeem", seen["pickup_code"])  # first: the other's pull would tell the cache
    assert sent["outcome"] == "done" and sent["order_id"] == seen["id"]
    said = cli.json("redeem", unseen["pickup_code"])
    assert said["outcome"] == "already_done" and said["order_id"] == unseen["id"]
    assert cli.json("redeem", seen["pickup_code"])["outcome"] == "already_done"
    assert cli.json("sync", "status")["conflicts"] == 0


def test_a_code_that_names_nothing_is_still_refused(running: RunningPlatform, cli: Cli) -> None:
    order = ready_takeout(running)
    cli("redeem", order["pickup_code"])
    unused = next(c for c in (f"{n:04d}" for n in range(10000)) if c != order["pickup_code"])
    wrong = cli.json("redeem", unused, code=Exit.REJECTED)
    assert wrong["kind"] == "voucher" and wrong["reason"]["code"] == "wrong_code"
    assert "matches no voucher of this store" in cli("redeem", unused, code=Exit.REJECTED).stderr


def test_only_a_recent_handoff_names_the_code(
    running: RunningPlatform, cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Past the window the platform may have given the code to another order: no longer "handed over"."""
    assert running.seed is not None
    order = ready_takeout(running)
    cli("redeem", order["pickup_code"])
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("O2O_PROFILE", raising=False)
    with profile_cache(None, read_only=True) as (_, cache):
        orders = [view.order for view in ReadModel(cache).orders()]
    handed = next(o for o in orders if o.id == order["id"])
    assert handed.ended_at is not None
    store = running.seed.store_id
    now = datetime.now(UTC)
    assert handed_over_before(order["pickup_code"], orders, store, now) == handed
    assert handed_over_before(f" {order['pickup_code']} ", orders, store, now) == handed  # typed with spaces
    late = handed.ended_at + HANDED_OVER_WINDOW + timedelta(minutes=1)
    assert handed_over_before(order["pickup_code"], orders, store, late) is None
    assert handed_over_before(order["pickup_code"], orders, "another-store", now) is None


def test_a_retry_sends_the_lost_try_and_says_its_answer(running: RunningPlatform, tmp_path: Path) -> None:
    """The first try reached the platform and its answer was lost (the link reset): the command says queued. The
    retry does not leave it waiting for another sender: it sends that entry under its own key and gets the first
    answer again, the voucher REDEEMED (or, for a pickup code, the order handed over)."""
    assert running.seed is not None
    with FaultProxy(urlparse(running.url).port or 0) as proxy:
        cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
        cli("login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", cli.token)
        code, order = bought_code(running, cli), ready_takeout(running)
        cli("sync", "--once")
        proxy.reset_after(0)  # the platform applies the request; the answer never comes back
        lost = cli.json("redeem", code)
        assert lost["outcome"] == "queued" and lost["kind"] == "voucher"
        assert cli.json("redeem", order["pickup_code"])["outcome"] == "queued"
        customer = api(running, "customer")
        assert [v["status"] for v in customer.get("/v1/vouchers").json()["vouchers"]] == ["REDEEMED"]

        proxy.pass_through()
        again = cli.json("redeem", code)
        assert again["outcome"] == "done" and again["key"] == lost["key"] and again["kind"] == "voucher"
        assert again["voucher"]["status"] == "REDEEMED" and again["voucher"]["title"] == "Set meal for 2"
        handed = cli.json("redeem", order["pickup_code"])
        assert handed["outcome"] == "already_done" and handed["order_id"] == order["id"]
        status = cli.json("sync", "status")
        assert status["pending"] == 0 and status["conflicts"] == 0  # no "redeemed before" of our own try
