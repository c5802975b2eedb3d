"""Set-up shared by the courier handheld tests (real server, real cache, Pilot): the devices' home, the seeded
courier, an offer with its pickup code, a handheld behind a fault proxy, the link dropped, a pickup queued
offline, an engine a test steps by hand, and the lines a test reads.

The app, source and server helpers themselves are in tests/test_ui_courier.py; this module only gathers the steps
that several handheld test modules repeated word for word.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.config import Profile
from o2o_tui.i18n import set_language
from o2o_tui.ssh_gate import GATE_ENV
from o2o_tui.sync.engine import SyncEngine
from o2o_tui.sync.session import make_client, make_engine, open_cache
from offline_cache import ProfileCache
from screens.courier_app import CourierApp
from screens.courier_widgets import Line
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    courier_profile,
    offer,
    open_first_task,
    quick_settle,
    screen_text,
    server_delivery,
    server_order,
    settled,
    status_line,
    wait_until,
)


def handheld_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, *, clear_ssh_gate: bool = False
) -> Iterator[Path]:
    """For a pytest fixture (`yield from handheld_home(tmp_path, monkeypatch)`): O2O_HOME is `tmp_path / "home"`
    and the language English for the test, the language unset after it; the keypad's settle quick
    (`quick_settle`). `clear_ssh_gate` also unsets the SSH gate's variable, so the handheld does not think it runs
    under the gate."""
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    quick_settle(monkeypatch)
    if clear_ssh_gate:
        monkeypatch.delenv(GATE_ENV, raising=False)
    set_language("en")
    yield tmp_path / "home"
    set_language(None)


def first_courier_id(platform: RunningPlatform) -> str:
    """The first seeded courier's id."""
    assert platform.seed is not None
    return platform.seed.courier_ids[0]


def numbered(app: CourierApp) -> list[str]:
    """The numbered choices the screen shows (`.slot` lines on display), as drawn."""
    return [line.shown for line in app.screen.query(".slot").results(Line) if line.display]


def message(app: CourierApp) -> str:
    """The screen's message line, as drawn."""
    return app.screen.query_one("#message", Line).shown


def offer_with_code(platform: RunningPlatform, courier_id: str) -> tuple[dict[str, Any], str, str]:
    """An order offered to `courier_id` (as `offer` places it), its number as the handheld shows it ("#0001") and
    its pickup code as the store gives it."""
    order = offer(platform, courier_id)
    pickup_code = server_order(platform, order["id"])["pickup_code"]
    number = f"#{order['number']:04d}"
    return order, number, pickup_code


@asynccontextmanager
async def engine_by_hand(
    platform: RunningPlatform, courier_id: str
) -> AsyncIterator[tuple[ProfileCache, AsyncPlatformClient, SyncEngine]]:
    """The courier's real cache, platform client and sync engine, for a test that steps the engine itself (pull,
    submit, push) instead of a handheld running it; the client and the cache are closed afterwards."""
    profile = courier_profile(platform, courier_id)
    cache = open_cache(profile)
    client = make_client(profile, timeout=2.0)
    engine = make_engine(profile, cache, client)
    try:
        yield cache, client, engine
    finally:
        await client.close()
        cache.close()


def proxied_profile(platform: RunningPlatform, courier_id: str, proxy: FaultProxy) -> Profile:
    """The courier's saved profile pointing at `proxy` (which forwards to `platform`), so a test can drop the link."""
    return courier_profile(platform, courier_id, url=f"http://127.0.0.1:{proxy.port}")


async def drop_link(pilot: Pilot[Any], app: CourierApp, proxy: FaultProxy) -> None:
    """Drop the link at `proxy`, wait until the handheld says OFFLINE, then wait as a courier would."""
    proxy.drop()
    await wait_until(pilot, lambda: status_line(app).startswith("OFFLINE"))
    await settled(pilot)


async def pick_up_offline(
    pilot: Pilot[Any],
    app: CourierApp,
    platform: RunningPlatform,
    proxy: FaultProxy,
    order_id: str,
    number: str,
    pickup_code: str,
) -> None:
    """Open the offer `number`, accept it and arrive at the store online, then drop the link and type the pickup
    code: the food is in the courier's bag and the pickup only queued (the task says "(queued)")."""
    await open_first_task(pilot, app, number)
    for keys in (["1"], ["1"]):  # accept, arrived at the store
        await pilot.press(*keys)
        await settled(pilot)
    await wait_until(pilot, lambda: server_delivery(platform, order_id)["status"] == "ARRIVED_AT_MERCHANT")
    await wait_until(pilot, lambda: numbered(app)[:1] == ["1 Picked up (code)"])
    await drop_link(pilot, app, proxy)
    await pilot.press("1", *pickup_code, "enter")  # the bag in hand; the pickup is only queued
    await wait_until(pilot, lambda: "(queued)" in screen_text(app))
