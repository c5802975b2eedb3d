"""A shop that syncs only from cron (`o2o sync --once`), or only reads (`o2o orders list` on a profile just logged
in, which pulls first): the customer's personal data still leaves the cache `O2O_PURGE_PERSONAL_HOURS` after an
order ended, as it does under `o2o sync` (README, Offline). The real platform on loopback, real `o2o` commands
(typer's runner), the real cache under O2O_HOME in tmp_path."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli

WINDOW_S = 3.0
NAME = "Canary Cronshop"
ADDRESS = "CANARYADDR 幸福路 1103 号"


def _ended_order(running: RunningPlatform) -> str:
    """An order with the canaries, placed and cancelled by its customer (ended)."""
    assert running.seed is not None
    customer = api(running, "customer")
    try:
        body = order_body(running.seed.store_id, customer_name=NAME)
        body["address"] = {"text": ADDRESS, "position": {"lat": 31.2317, "lon": 121.4726}}
        created = customer.post("/v1/orders", body)
        assert created.status_code == 201, created.text
        order_id: str = created.json()["id"]
        cancelled = customer.post(f"/v1/orders/{order_id}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
        assert cancelled.status_code in (200, 201), cancelled.text
        return order_id
    finally:
        customer.close()


def _cache_text(home: Path) -> str:
    return "\n".join(f.read_text("utf-8", errors="replace") for f in sorted(home.rglob("cache*")) if f.is_file())


def _left(home: Path) -> list[str]:
    text = _cache_text(home)
    return [canary for canary in (NAME, ADDRESS) if canary in text]


def _wait_until(check: Callable[[], bool], seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.2)
    return check()


def _login(running: RunningPlatform, home: Path) -> Cli:
    assert running.seed is not None
    cli = Cli(home, running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    return cli


@pytest.fixture
def short_window(monkeypatch: pytest.MonkeyPatch) -> str:
    hours = str(WINDOW_S / 3600)
    monkeypatch.setenv("O2O_PURGE_PERSONAL_HOURS", hours)  # the client's window (the runner keeps os.environ)
    return hours


def test_sync_once_purges_an_ended_orders_personal_data(tmp_path: Path, short_window: str) -> None:
    # the server with the same window, blanking its own copy as the tester had it (it sends no event for that)
    running = start_platform(
        tmp_path / "platform", env={"O2O_JOB_INTERVAL_SECONDS": "0.2", "O2O_PURGE_PERSONAL_HOURS": short_window}
    )
    try:
        home = tmp_path / "home"
        cli = _login(running, home)
        _ended_order(running)
        cli("sync", "--once")
        assert _left(home) == [NAME, ADDRESS]  # held while the window runs
        time.sleep(WINDOW_S + 1.5)
        cli("sync", "--once")  # a cron job's run, well past the window: one pass is enough
        assert _left(home) == [], _left(home)
    finally:
        running.stop()


def test_a_read_on_a_profile_just_logged_in_purges_what_its_pull_brought(tmp_path: Path, short_window: str) -> None:
    # the server keeps its copy (its own window is the default day): only the device's retention can blank it
    running = start_platform(tmp_path / "platform")
    try:
        order_id = _ended_order(running)
        time.sleep(WINDOW_S + 1.0)
        home = tmp_path / "home"
        cli = _login(running, home)
        rows: list[dict[str, Any]] = cli.json("orders", "list")
        assert order_id in {row["id"] for row in rows}  # the pull happened and brought the ended order
        assert _left(home) == [], _left(home)
        assert not any(canary in cli.outputs[-1] for canary in (NAME, ADDRESS))
    finally:
        running.stop()
