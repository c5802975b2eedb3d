"""A platform admin's profile at the CLI, against the real server: `o2o report day --store ID` fetches any store's
figures (the API allows admins), refused with a clear message without it, and for a store's profile naming
another store; `o2o orders show` prints an order's times on its store's clock and names it, whatever this
machine's zone (a merchant's output is unchanged), and offline says the clock is this computer's."""

from __future__ import annotations

import time
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_orders import Cli


def _clients(platform: RunningPlatform, tmp_path: Path) -> tuple[Cli, Cli]:
    seed = platform.seed
    assert seed is not None
    admin, merchant = Cli(tmp_path / "home", seed.tokens["admin"]), Cli(tmp_path / "home", seed.tokens["merchant"])
    admin("login", "--url", platform.url, "--token", admin.token, "--profile", "adm")
    merchant("login", "--url", platform.url, "--token", merchant.token, "--profile", "mer")
    return admin, merchant


def test_an_admin_fetches_any_stores_figures_with_store(platform: RunningPlatform, tmp_path: Path) -> None:
    seed = platform.seed
    assert seed is not None
    customer, merchant_api = api(platform, "customer"), api(platform, "merchant")
    order = customer.post("/v1/orders", order_body(seed.store_id, "TAKEOUT")).json()
    merchant_api.post(f"/v1/orders/{order['id']}/reject", {"reason_code": "STORE_BUSY"})
    admin, merchant = _clients(platform, tmp_path)

    asked = admin("report", "day", "--profile", "adm", code=Exit.USAGE)
    assert "--store" in asked.stderr and "has no store" not in asked.stderr, asked.stderr
    got = admin.json("report", "day", "--profile", "adm", "--store", seed.store_id)
    assert got["report"]["store_id"] == seed.store_id and got["report"]["refused"] == 1
    store_name = merchant_api.get(f"/v1/stores/{seed.store_id}").json()["name"]
    plain = admin("report", "day", "--profile", "adm", "--store", seed.store_id).stdout
    assert plain.splitlines()[0] == f"Figures {got['report']['date']} · {store_name}"  # named, as a merchant's
    assert "refused 1" in plain
    admin("report", "day", "--profile", "adm", "--store", "st_nosuch", code=Exit.NOT_FOUND)

    # a store's profile: its own store with or without --store, another refused here (exit 2, not a 403)
    own = merchant.json("report", "day", "--profile", "mer", "--store", seed.store_id)
    assert own["report"] == {**got["report"], "generated_at": own["report"]["generated_at"]}
    other = merchant("report", "day", "--profile", "mer", "--store", "st_other", code=Exit.USAGE)
    assert "st_other" in other.stderr and "admin" in other.stderr, other.stderr

    platform.stop()  # offline: the admin's figures kept on this device, of that store
    kept = admin.json("report", "day", "--profile", "adm", "--store", seed.store_id)
    assert kept["cached"] is True and kept["report"]["store_id"] == seed.store_id


def test_an_admin_sees_an_orders_times_on_its_stores_clock(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = platform.seed
    assert seed is not None
    order = api(platform, "customer").post("/v1/orders", order_body(seed.store_id, "TAKEOUT")).json()
    admin, merchant = _clients(platform, tmp_path)
    monkeypatch.setenv("TZ", "America/New_York")  # far from the store's Shanghai
    time.tzset()
    try:
        for cli, profile in ((admin, "adm"), (merchant, "mer")):
            cli("sync", "--once", "--profile", profile)
        store_zone = ZoneInfo("Asia/Shanghai")
        created = datetime.fromisoformat(order["created_at"]).astimezone(store_zone).strftime("%Y-%m-%d %H:%M")
        by_merchant = merchant("orders", "show", order["id"], "--profile", "mer").stdout.splitlines()
        by_admin = admin("orders", "show", order["id"], "--profile", "adm").stdout.splitlines()
        assert f"created: {created}" in by_merchant and f"created: {created}" in by_admin, (by_admin, created)
        assert "times: the store's clock (Asia/Shanghai)" in by_admin
        assert not any(line.startswith("times:") for line in by_merchant)  # a merchant's output as before

        platform.stop()  # offline: the store's zone cannot be fetched; this computer's clock, said so
        offline = admin("orders", "show", order["id"], "--profile", "adm").stdout.splitlines()
        here = datetime.fromisoformat(order["created_at"]).astimezone().strftime("%Y-%m-%d %H:%M")
        assert f"created: {here}" in offline
        assert any(line.startswith("times: this computer's clock (E") for line in offline), offline
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()
