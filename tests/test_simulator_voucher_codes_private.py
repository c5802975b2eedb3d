"""The demo's voucher-codes.txt (codes that redeem money at the counter) is 0600, as every other file of the data
dir, whatever the umask."""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.platform.simulator.core import Simulator
from tests.support.platform import RunningPlatform


@pytest.fixture
def open_umask() -> Iterator[None]:
    old = os.umask(0o022)  # the usual one, which made the file 0644
    yield
    os.umask(old)


def test_the_voucher_codes_file_is_private(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, open_umask: None
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
    codes = tmp_path / "data" / "voucher-codes.txt"
    lines = codes.read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("# ") and len(lines) >= 3  # the header, then two codes or more (appended)
    assert stat.S_IMODE(codes.stat().st_mode) == 0o600
