"""`o2o store status` says a pause's reason only while the pause applies, and `o2o orders accept` says the minutes the
promise really is away with a busy store's extra minutes in them. The real platform on loopback, a real cache."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from o2o_tui.client import PlatformClient
from tests.support.platform import RunningPlatform, api, start_platform
from tests.test_cli_orders import Cli
from tests.test_sync_engine import place_orders


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def cli(running: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert running.seed is not None
    runner = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    runner("login", "--url", running.url, "--token", runner.token)
    yield runner
    assert all(runner.token not in text for text in runner.outputs)


def test_a_pause_that_has_ended_keeps_no_reason(running: RunningPlatform, cli: Cli) -> None:
    assert running.seed is not None
    merchant = api(running, "merchant")
    try:
        until = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
        body = {"state": "PAUSED", "until": until, "reason": "out of pearls"}
        answer = merchant.put(f"/v1/stores/{running.seed.store_id}/status", body)
        assert answer.status_code == 200, answer.text
    finally:
        merchant.close()
    cli("sync", "--once")
    paused = cli("store", "status").stdout.splitlines()[0]
    assert "PAUSED" in paused and "(out of pearls)" in paused, paused
    time.sleep(2.5)
    ended = cli("store", "status").stdout
    first = ended.splitlines()[0]
    assert "OPEN" in first and "out of pearls" not in first and "until" not in first, ended
    assert "out of pearls" not in ended


def test_accept_says_the_busy_minutes_in_the_promise(running: RunningPlatform, cli: Cli) -> None:
    assert running.seed is not None
    cli("store", "busy", "--extra", "10")
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    said = cli("orders", "accept", order_id, "--prep", "15").stdout
    with PlatformClient(running.url, running.seed.tokens["merchant"]) as merchant:
        order = merchant.get_order(order_id)
    assert order.promised_ready_at is not None and order.confirmed_at is not None
    assert order.promised_ready_at - order.confirmed_at == timedelta(minutes=25)
    assert "(25 min: 15 to prepare + 10 because the store is busy)." in said, said

    cli("store", "resume")
    [plain_id] = place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    plain = cli("orders", "accept", plain_id, "--prep", "15").stdout
    assert "(15 min)." in plain and "busy" not in plain, plain
