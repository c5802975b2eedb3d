"""Auto-accept while the station's kitchen printer cannot print, against the real platform and a fake printer that is
switched off: the station's queue says so on its banner ("Printer offline: 1 kitchen ticket not printed"), also at
start-up when the first print attempt fails; once the printer has been down `PRINTER_HOLD_S` with tickets waiting,
auto-accept holds (new orders ring for a person, the store screen says it) and resumes when the printer is back."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from textual.content import Content

from o2o_tui import auto_accept
from o2o_tui.auto_accept import Candidate, PrinterDown, decide, printer_holds
from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from screens.launch import open_source
from screens.widgets.auto_accept_banner import AutoAcceptBanner
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import CountingApp, _numbers, _place, _server_order, wait_until

STATION = "front-counter"


def _setting(platform: RunningPlatform, **body: object) -> dict[str, Any]:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        path = f"/v1/stores/{platform.seed.store_id}/auto-accept"
        assert merchant.put(path, body).status_code == 200
        return dict(merchant.get(path).json())
    finally:
        merchant.close()


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("O2O_DEVICE", STATION)
    set_language("en")
    seed = platform.seed
    assert seed is not None
    _setting(platform, enabled=True, station=STATION, daily_cap=0)
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


@pytest.fixture
def dead_printer(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePrinter]:
    with FakePrinter() as printer:
        printer.power_off()
        monkeypatch.setenv("O2O_PRINTER", printer.target)
        yield printer


def _banner(app: CountingApp) -> str | None:
    banner = app.orders_screen.query_one(AutoAcceptBanner)
    if not banner.display:
        return None
    assert isinstance(banner.visual, Content)
    return banner.visual.plain


def _status(platform: RunningPlatform, order_id: str) -> str:
    return str(_server_order(platform, order_id)["status"])


async def test_the_banner_says_tickets_wait_then_auto_accept_holds_and_resumes(
    platform: RunningPlatform, profile: Profile, dead_printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = CountingApp(open_source(profile), profile=profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        assert _banner(app) is None  # nothing waits for the printer yet
        first = await asyncio.to_thread(_place, platform)
        # accepted: not held yet
        await wait_until(pilot, lambda: _status(platform, first["id"]) == "CONFIRMED")
        down = "Printer offline: 1 kitchen ticket not printed: cook from the screen"
        await wait_until(pilot, lambda: _banner(app) == down)
        await pilot.resize_terminal(40, 15)
        await wait_until(pilot, lambda: _banner(app) == "Printer offline: 1 not printed")
        await pilot.resize_terminal(80, 24)

        # down longer than the hold (shortened here): the next order rings for a person
        monkeypatch.setattr(auto_accept, "PRINTER_HOLD_S", 0.5)
        held = "Printer offline: 1 ticket not printed: auto-accept paused, accept by hand"
        await wait_until(pilot, lambda: _banner(app) == held)
        # the station tells the platform at once (not at its next round): the other consoles can say why orders ring
        await wait_until(pilot, lambda: _platform_says_held(platform))
        bells = app.bells
        second = await asyncio.to_thread(_place, platform)
        await wait_until(pilot, lambda: second["number"] in _numbers(app))
        await pilot.pause(1.0)
        assert await asyncio.to_thread(_status, platform, second["id"]) == "CREATED"
        assert app.bells > bells
        await pilot.resize_terminal(40, 15)
        await wait_until(pilot, lambda: _banner(app) == "Printer offline: accept by hand (1)")
        await pilot.resize_terminal(80, 24)
        await pilot.press("s")  # the store screen's auto-accept line says it
        await wait_until(pilot, lambda: "paused while the printer is down" in _store_text(app))
        await pilot.press("escape")

        # the printer is back: the waiting ticket prints, the banner goes, and the order still due is accepted
        dead_printer.power_on()
        await wait_until(pilot, lambda: _banner(app) is None)
        await wait_until(pilot, lambda: not _platform_says_held(platform))
        await wait_until(pilot, lambda: _status(platform, second["id"]) == "CONFIRMED")
        printed = await asyncio.to_thread(dead_printer.wait_for_cuts, 2)
        assert {f"#{first['number']:04d}", f"#{second['number']:04d}"} <= set(printed.big)


def _platform_says_held(platform: RunningPlatform) -> bool:
    """What the platform mirrors onto the store from the station's check-ins: its printer holds auto-accept."""
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        return bool(merchant.get(f"/v1/stores/{platform.seed.store_id}").json()["auto_accept"]["station_printer_held"])
    finally:
        merchant.close()


def _store_text(app: CountingApp) -> str:
    from screens.store_screen import StoreScreen

    screen = app.screen
    return screen._auto_accept_text(app.source.store(), app.now()) if isinstance(screen, StoreScreen) else ""


async def test_a_printer_down_at_start_up_shows_at_once_and_holds_when_it_has_been_down_long(
    platform: RunningPlatform, profile: Profile, dead_printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = CountingApp(open_source(profile), profile=profile)
    async with app.run_test(size=(80, 24)) as pilot:  # a ticket that could not print, then the console closes
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        first = await asyncio.to_thread(_place, platform)
        await wait_until(pilot, lambda: _status(platform, first["id"]) == "CONFIRMED")
        await wait_until(pilot, lambda: _banner(app) is not None)
    await asyncio.sleep(1.0)

    # started again with the printer still down: the first print attempt (the ticket waiting) fails, and the
    # banner says it from start-up, before any new order; the problem began before the hold's length, so it holds
    monkeypatch.setattr(auto_accept, "PRINTER_HOLD_S", 1.0)
    app = CountingApp(open_source(profile), profile=profile)
    async with app.run_test(size=(40, 15)) as pilot:
        await wait_until(pilot, lambda: _banner(app) == "Printer offline: accept by hand (1)")
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        second = await asyncio.to_thread(_place, platform)
        await wait_until(pilot, lambda: second["number"] in _numbers(app))
        await pilot.pause(1.0)
        assert await asyncio.to_thread(_status, platform, second["id"]) == "CREATED"


def test_the_hold_needs_tickets_waiting_and_the_problem_older_than_the_hold() -> None:
    now = datetime(2026, 5, 1, 12, 0, tzinfo=UTC)
    long_ago = now - timedelta(seconds=auto_accept.PRINTER_HOLD_S)
    assert printer_holds(PrinterDown("Printer offline", 2, long_ago), now)
    assert not printer_holds(PrinterDown("Printer offline", 2, now - timedelta(seconds=30)), now)
    assert not printer_holds(PrinterDown("Printer offline", 0, long_ago), now)  # nothing waits
    assert not printer_holds(PrinterDown("Printer offline", 2, None), now)  # not known since when
    assert not printer_holds(None, now)


def test_a_held_station_decides_to_accept_nothing() -> None:
    from tests.test_auto_accept import NOW, _new, _store

    order = _new(42)
    held = PrinterDown("Printer offline", 1, NOW - timedelta(seconds=auto_accept.PRINTER_HOLD_S + 1))
    fresh = PrinterDown("Printer offline", 1, NOW - timedelta(seconds=5))
    assert decide([Candidate(order)], _store(), device="counter-1", now=NOW).accept == [order]
    assert decide([Candidate(order)], _store(), device="counter-1", now=NOW, printer=fresh).accept == [order]
    assert decide([Candidate(order)], _store(), device="counter-1", now=NOW, printer=held).accept == []
