"""`o2o redeem CODE` and `o2o admin voucher` end to end against the real platform: a voucher redeemed once (twice:
exit 4 with the reason), a takeout's pickup code handed over, a voucher redeemed offline queued and replayed once."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli


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


def bought_code(running: RunningPlatform, cli: Cli, title: str = "Set meal for 2") -> str:
    """Issued with `o2o admin voucher create` (straight into the database), bought with the customer API."""
    assert running.seed is not None
    store, db = running.seed.store_id, running.db_url
    made = cli.json(
        *("admin", "voucher", "create", "--store", store, "--title", title, "--value", "38"),
        *("--expires", "30d", "--db", db),
    )["vouchers"]
    assert made[0]["value"] == {"amount": 3800, "currency": "CNY"} and made[0]["status"] == "FOR_SALE"
    customer = api(running, "customer")
    answer = customer.post(f"/v1/vouchers/{made[0]['id']}/buy", {"purchase_id": uuid.uuid4().hex}).json()
    return str(answer["code"])


def test_redeem_a_voucher_once_and_a_pickup_code(running: RunningPlatform, cli: Cli) -> None:
    assert running.seed is not None
    code = bought_code(running, cli)
    done = cli.json("redeem", code)
    assert done["outcome"] == "done" and done["kind"] == "voucher"
    assert done["voucher"]["status"] == "REDEEMED" and done["voucher"]["title"] == "Set meal for 2"
    twice = cli.json("redeem", code, code=Exit.REJECTED)
    assert twice["reason"]["code"] == "voucher_redeemed" and "redeemed before" in twice["explanation"]
    # when, on the store's clock (Shanghai), whatever this machine's zone
    at = datetime.fromisoformat(done["voucher"]["redeemed_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
    assert twice["reason"]["timezone"] == "Asia/Shanghai" and at.strftime("%H:%M") in twice["explanation"]
    listed = cli("admin", "voucher", "list", "--store", running.seed.store_id, "--db", running.db_url).stdout
    assert "REDEEMED" in listed and code[-4:] in listed and code not in listed  # the code itself is not kept

    customer, merchant = api(running, "customer"), api(running, "merchant")
    order = customer.post("/v1/orders", order_body(running.seed.store_id, "TAKEOUT")).json()
    merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5})
    merchant.post(f"/v1/orders/{order['id']}/ready", {})
    handed = cli("redeem", order["pickup_code"])  # not cached yet: the command pulls, then finds the order
    assert f"#{order['number']:04d} HANDED OVER" in handed.stdout
    assert merchant.get(f"/v1/orders/{order['id']}").json()["status"] == "DELIVERED"
    said = cli("redeem", bought_code(running, cli, "午市套餐 Lunch")).stdout
    assert "REDEEMED ¥38.00 午市套餐 Lunch" in said
    wrong = cli.json("redeem", "999999999999", code=Exit.REJECTED)
    assert wrong["kind"] == "voucher" and wrong["reason"]["code"] == "wrong_code"


def test_a_voucher_redeemed_offline_is_queued_then_replayed_once(running: RunningPlatform, cli: Cli) -> None:
    code = bought_code(running, cli)
    running.stop()
    queued = cli("redeem", code)
    assert "cannot be verified offline" in queued.stdout
    cli("redeem", code, "--online", code=Exit.OFFLINE)  # --online: not queued
    assert cli.json("sync", "status")["pending"] == 1

    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)
    report = cli.json("sync", "--once")
    assert report["pushed"] == 1 and report["pending"] == 0 and report["conflicts"] == 0
    mine = api(running, "customer").get("/v1/vouchers").json()["vouchers"]
    assert [v["status"] for v in mine] == ["REDEEMED"]
    assert cli.json("sync", "--once")["pushed"] == 0  # sent once


def test_admin_vouchers_in_the_stores_terms(running: RunningPlatform, cli: Cli) -> None:
    """Expiry on the store's clock (it was printed in UTC: "2027-01-31T16:00+00:00" for the end of Jan 31 in
    Shanghai), "not sold yet" instead of "code …-", and each bad option named in its own words."""
    assert running.seed is not None
    admin = ("admin", "voucher", "create", "--store", running.seed.store_id, "--db", running.db_url)
    made = cli(*admin, "--title", "Lunch", "--value", "20", "--expires", "2099-01-31").stdout
    assert "valid until 2099-01-31 24:00 Asia/Shanghai" in made and "Voucher id " in made
    listed = cli("admin", "voucher", "list", "--store", running.seed.store_id, "--db", running.db_url).stdout
    assert "until 2099-01-31 24:00 Asia/Shanghai  code not sold yet" in listed
    for args, says in [
        (("--title", "x", "--value", "-3", "--expires", "3d"), "--value must be a positive amount in CNY"),
        (("--title", "x", "--value", "3", "--expires", "2020-01-01"), "--expires is already past"),
        (("--title", "x", "--value", "3", "--expires", "soon"), "--expires must be 30d"),
        (("--title", "", "--value", "3", "--expires", "3d"), "--title needs 1 to 100 characters"),
        (("--title", "x", "--value", "3", "--expires", "3d", "--count", "5000"), "--count is at most 1000"),
    ]:
        assert says in cli(*admin, *args, code=Exit.USAGE).stderr, args
