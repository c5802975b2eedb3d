"""A person accepts an order a moment before the printing station's auto-accept reaches the platform: exactly one
kitchen ticket prints across the store's consoles, the person's. Against the real platform on loopback with two
consoles at once (two profiles, two caches, two fake network printers): the station console, with auto-accept on
and itself the station, and a counter console whose person presses `a`. The station's accept is held back (its
source's submit waits) until the person's accept stands on the platform, so the race always goes the same way:
the platform answers the station's accept as done without a change (the same minutes) or refuses it (409
`already_accepted`, other minutes), and the station prints nothing for it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot

from o2o_tui.config import Profile, save_profile
from o2o_tui.device import device_name
from o2o_tui.i18n import set_language
from screens import printing
from screens.app import MerchantApp
from screens.launch import open_source
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import _place, _server_order, wait_until

Submit = Callable[[str, str, Any], Awaitable[Any]]


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _profile(platform: RunningPlatform, name: str) -> Profile:
    seed = platform.seed
    assert seed is not None
    return save_profile(
        name, url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _auto_accept(platform: RunningPlatform, station: str) -> None:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        path = f"/v1/stores/{platform.seed.store_id}/auto-accept"
        answer = merchant.put(path, {"enabled": True, "station": station, "daily_cap": 0})
        assert answer.status_code == 200, answer.text
    finally:
        merchant.close()


class HeldAccepts:
    """The station's accepts wait here until the test lets each one go (after the person's accept stood)."""

    def __init__(self) -> None:
        self.gates: dict[str, asyncio.Event] = {}
        self.reached: set[str] = set()

    def gate(self, order_id: str) -> asyncio.Event:
        return self.gates.setdefault(order_id, asyncio.Event())

    def wrap(self, call: Submit) -> Submit:
        async def held(action: str, target: str, body: Any) -> Any:
            if action == "order.confirm":
                self.reached.add(target)
                await self.gate(target).wait()
            return await call(action, target, body)

        return held


def _tickets_for(printer: FakePrinter, number: int) -> int:
    return sum(1 for ticket in printer.printed.tickets() if any(f"#{number:04d}" in line for line in ticket))


async def _race(
    platform: RunningPlatform,
    station: MerchantApp,
    counter: MerchantApp,
    counter_pilot: Pilot[Any],
    held: HeldAccepts,
    keys: tuple[str, ...],
) -> dict[str, Any]:
    """One order: the station decides to accept it and waits; the person accepts it with `keys`; the station's
    accept goes once the person's stands. Answers the order as the platform has it."""
    placed = await asyncio.to_thread(_place, platform)
    order_id = placed["id"]
    # the station saw it new and sends its accept
    await wait_until(counter_pilot, lambda: order_id in held.reached)

    def on_it() -> bool:  # the person's cursor on the order, in their queue
        counter.orders_screen.queue.select(order_id)
        cursor = counter.orders_screen.queue.cursor_entry
        return cursor is not None and cursor.order.id == order_id

    await wait_until(counter_pilot, on_it)
    await counter_pilot.press("a", *keys)

    def stood() -> bool:
        return bool(_server_order(platform, order_id)["status"] == "CONFIRMED")

    await wait_until(counter_pilot, stood)
    held.gate(order_id).set()

    def answered() -> bool:  # the station's own view follows the platform's answer to its accept
        entry = station.source.order(order_id)
        return entry is not None and not entry.pending and entry.order.status.value == "CONFIRMED"

    await wait_until(counter_pilot, answered)
    return dict(await asyncio.to_thread(_server_order, platform, order_id))


async def test_one_ticket_when_a_person_accepts_just_before_the_station(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("O2O_DEVICE", raising=False)
    monkeypatch.setattr(printing, "RETRY_S", 0.2)
    kitchen, counter_printer = FakePrinter(), FakePrinter()
    request.addfinalizer(kitchen.close)
    request.addfinalizer(counter_printer.close)
    station_profile, counter_profile = _profile(platform, "station"), _profile(platform, "counter")
    _auto_accept(platform, device_name("station"))  # the name the "station" profile's console goes by

    held = HeldAccepts()
    monkeypatch.setenv("O2O_PRINTER", kitchen.target)  # read when each console starts its printer
    station = MerchantApp(open_source(station_profile), profile=station_profile)
    source: Any = station.source
    source.submit_keyed = held.wrap(source.submit_keyed)
    source.submit = held.wrap(source.submit)
    async with station.run_test(size=(80, 24)) as station_pilot:
        await wait_until(station_pilot, lambda: station.source.link().state.value == "ONLINE")
        await wait_until(station_pilot, lambda: station.printing is not None and station.station.is_station)
        monkeypatch.setenv("O2O_PRINTER", counter_printer.target)
        counter = MerchantApp(open_source(counter_profile), profile=counter_profile)
        async with counter.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: counter.source.link().state.value == "ONLINE")
            await wait_until(pilot, lambda: counter.printing is not None and not counter.station.is_station)

            # the person takes the store's default minutes, as the station does: the platform answers the
            # station's accept as done (200, nothing changed), the order is the person's (not auto-accepted)
            same = await _race(platform, station, counter, pilot, held, ("enter",))
            assert same["auto_accepted"] is False
            assert same["preparation_minutes"] == station.source.store().default_prep_minutes  # type: ignore[union-attr]
            # the person asks other minutes: the platform refuses the station's accept (409 already_accepted)
            other = await _race(platform, station, counter, pilot, held, ("2", "5", "enter"))
            assert other["auto_accepted"] is False and other["preparation_minutes"] == 25
            await wait_until(pilot, lambda: station.source.link().conflicts >= 1)

            # the person's console printed each order's ticket, once; the station none (its retry loop ran a
            # few times meanwhile: nothing waits to print there either)
            await asyncio.to_thread(counter_printer.wait_for_cuts, 2)
            await pilot.pause(1.0)
            for order in (same, other):
                assert _tickets_for(counter_printer, order["number"]) == 1, counter_printer.printed.text()
                assert _tickets_for(kitchen, order["number"]) == 0, kitchen.printed.text()
            assert kitchen.printed.cuts == 0 and counter_printer.printed.cuts == 2

            # and an order nobody races: the station accepts it by itself and prints its ticket, once
            placed = await asyncio.to_thread(_place, platform)
            held.gate(placed["id"]).set()
            await asyncio.to_thread(kitchen.wait_for_cuts, 1)
            await pilot.pause(1.0)
            assert _server_order(platform, placed["id"])["auto_accepted"] is True
            assert _tickets_for(kitchen, placed["number"]) == 1 and kitchen.printed.cuts == 1
            assert counter_printer.printed.cuts == 2
