"""The simulator's customers buy vouchers through the customer API and leave their codes where the person at the
counter finds them (the data dir's voucher-codes.txt); a code from that file redeems at the store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.platform.simulator.core import Simulator
from tests.support.platform import RunningPlatform, api


def test_simulated_customers_buy_vouchers_for_the_counter(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path))
    seed = shared_platform.seed
    assert seed is not None
    with (
        PlatformClient(shared_platform.url, seed.tokens["admin"]) as admin,
        PlatformClient(shared_platform.url, seed.tokens["customer"]) as customer,
    ):
        simulator = Simulator(
            admin, store_id=seed.store_id, seed=3, customer_client=customer, max_orders=0, couriers=False
        )
        now = datetime(2026, 3, 2, 11, 0, tzinfo=UTC)
        for minute in range(0, 40, 2):
            simulator.step(now + timedelta(minutes=minute))
    lines = (tmp_path / "data" / "voucher-codes.txt").read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ")  # what the file is for
    codes = [line.split("  ")[0].replace(" ", "") for line in lines[1:]]
    assert len(codes) >= 2 and all(len(code) == 12 and code.isdigit() for code in codes)
    redeemed = api(shared_platform, "merchant").post(
        f"/v1/stores/{seed.store_id}/vouchers/redeem", {"code": codes[0]}
    )
    assert redeemed.status_code == 200 and redeemed.json()["status"] == "REDEEMED"
    assert simulator.stats.errors == 0
