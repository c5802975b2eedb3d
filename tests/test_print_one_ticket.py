"""One kitchen ticket when two accepts of the same minutes meet on the platform: the platform records the accept
that stood first (`Order.accept_key`: its Idempotency-Key) and says it in every answer, so a console whose accept
was answered as done prints the ticket only when that key is its own. Against the real platform on loopback: the
API itself, then two consoles at once (two profiles, two caches, two fake network printers) whose accepts are held
back until the other's stood, so each race goes the same way: the store's auto-accept station first and a person
at the counter second, then a person against a person."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import pytest
from textual.pilot import Pilot

from o2o_tui.device import device_name
from o2o_tui.domain.identity import Role
from o2o_tui.domain.order import Order
from o2o_tui.i18n import set_language
from o2o_tui.platform import views
from o2o_tui.platform.auth import Caller
from screens import orders_screen, printing
from screens.app import MerchantApp
from screens.launch import open_source
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform, api
from tests.test_station_accept_race import HeldAccepts, _auto_accept, _profile, _tickets_for
from tests.test_sync_engine import place_orders
from tests.test_ui_live import _place, _server_order, wait_until

ELSEWHERE = "was accepted on another device first (same time): no second kitchen ticket prints here."


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _confirm(running: RunningPlatform, order_id: str, minutes: int, key: str) -> Any:
    merchant = api(running, "merchant")
    try:
        return merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": minutes}, key=key)
    finally:
        merchant.close()


def test_the_platform_answers_every_accept_with_the_key_of_the_one_that_stood(
    shared_platform: RunningPlatform,
) -> None:
    assert shared_platform.seed is not None
    [order_id] = place_orders(shared_platform.url, shared_platform.seed, 1)
    assert _server_order(shared_platform, order_id).get("accept_key") is None  # nobody accepted yet
    first = _confirm(shared_platform, order_id, 15, "first-" + order_id)
    assert first.status_code == 200 and first.json()["accept_key"] == "first-" + order_id
    # the same minutes under another key: done, nothing changes, and the answer names the first accept
    second = _confirm(shared_platform, order_id, 15, "second-" + order_id)
    assert second.status_code == 200, second.text
    assert second.json()["accept_key"] == "first-" + order_id
    assert second.json()["version"] == first.json()["version"]
    # a replay of either answers the same; the order keeps the first key (what a pull brings)
    assert _confirm(shared_platform, order_id, 15, "second-" + order_id).json() == second.json()
    assert _confirm(shared_platform, order_id, 15, "first-" + order_id).json()["accept_key"] == "first-" + order_id
    assert _server_order(shared_platform, order_id)["accept_key"] == "first-" + order_id
    # the store's bookkeeping is not the customer's, nor a courier's
    customer = api(shared_platform, "customer")
    try:
        own = customer.get(f"/v1/orders/{order_id}")
        assert own.status_code == 200 and own.json().get("accept_key") is None
    finally:
        customer.close()
    stored = msgspec.json.decode(msgspec.json.encode(_server_order(shared_platform, order_id)), type=Order)
    courier = Caller(user_id="u-courier", name="c", role=Role.COURIER, courier_id="c1")
    assert views.order_view(stored, courier, "someone").accept_key is None
    dispatcher = Caller(user_id="u-d", name="d", role=Role.DISPATCHER, store_id=stored.store_id)
    assert views.order_view(stored, dispatcher, "someone").accept_key == "first-" + order_id


class _Store:
    """Auto-accept on the platform, switched by the test."""

    def __init__(self, platform: RunningPlatform) -> None:
        self.platform = platform

    def auto_accept(self, enabled: bool, station: str) -> None:
        assert self.platform.seed is not None
        merchant = api(self.platform, "merchant")
        try:
            path = f"/v1/stores/{self.platform.seed.store_id}/auto-accept"
            answer = merchant.put(path, {"enabled": enabled, "station": station, "daily_cap": 0})
            assert answer.status_code == 200, answer.text
        finally:
            merchant.close()


@pytest.fixture(autouse=True)
def _person_moves_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """`_press_accept`'s select stands for a person's move, made at once; the guard against a key right after the
    cursor moved by itself (tests/test_ui_queue_cursor_pull.py) is not what these check."""
    monkeypatch.setattr(orders_screen, "MOVED_GUARD_S", 0.0)


async def _press_accept(app: MerchantApp, pilot: Pilot[Any], order_id: str) -> None:
    """A person's `a` on the order in their queue, with the store's default minutes."""

    def on_it() -> bool:
        app.orders_screen.queue.select(order_id)
        cursor = app.orders_screen.queue.cursor_entry
        return cursor is not None and cursor.order.id == order_id

    await wait_until(pilot, on_it)
    await pilot.press("a", "enter")


def _answered(app: MerchantApp, order_id: str) -> bool:
    """The console's accept of the order went and the platform answered it (its view shows the accept)."""
    entry = app.source.order(order_id)
    return entry is not None and not entry.pending and entry.order.status.value == "CONFIRMED"


async def test_one_ticket_when_two_accepts_of_the_same_minutes_meet(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest
) -> None:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("O2O_DEVICE", raising=False)
    monkeypatch.setattr(printing, "RETRY_S", 0.2)
    kitchen, counter_printer = FakePrinter(), FakePrinter()
    request.addfinalizer(kitchen.close)
    request.addfinalizer(counter_printer.close)
    station_profile, counter_profile = _profile(platform, "station"), _profile(platform, "counter")
    store = _Store(platform)
    _auto_accept(platform, device_name("station"))

    held_station, held_counter = HeldAccepts(), HeldAccepts()
    monkeypatch.setenv("O2O_PRINTER", kitchen.target)
    station = MerchantApp(open_source(station_profile), profile=station_profile)
    heard: list[str] = []  # what the station console says
    station.say = lambda message, **_: heard.append(message)  # type: ignore[method-assign]
    station_source: Any = station.source
    station_source.submit_keyed = held_station.wrap(station_source.submit_keyed)
    async with station.run_test(size=(80, 24)) as station_pilot:
        await wait_until(station_pilot, lambda: station.source.link().state.value == "ONLINE")
        await wait_until(station_pilot, lambda: station.printing is not None and station.station.is_station)
        monkeypatch.setenv("O2O_PRINTER", counter_printer.target)
        counter = MerchantApp(open_source(counter_profile), profile=counter_profile)
        said: list[str] = []
        counter.say = lambda message, **_: said.append(message)  # type: ignore[method-assign]
        counter_source: Any = counter.source
        counter_source.submit_keyed = held_counter.wrap(counter_source.submit_keyed)
        async with counter.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: counter.source.link().state.value == "ONLINE")
            await wait_until(pilot, lambda: counter.printing is not None and not counter.station.is_station)

            # the station accepts by itself; a person at the counter accepts the same order with the same minutes
            # before their console has heard of the station's accept: the station's stands, its ticket prints
            first = (await asyncio.to_thread(_place, platform))["id"]
            await wait_until(pilot, lambda: first in held_station.reached)
            await wait_until(pilot, lambda: counter.source.order(first) is not None)
            await _press_accept(counter, pilot, first)
            await wait_until(pilot, lambda: first in held_counter.reached)
            held_station.gate(first).set()
            await wait_until(pilot, lambda: _server_order(platform, first)["auto_accepted"] is True)
            held_counter.gate(first).set()
            await wait_until(pilot, lambda: _answered(counter, first))
            await asyncio.to_thread(kitchen.wait_for_cuts, 1)

            # a person against a person (auto-accept off): the counter's accept stands, the other console's
            # person accepted the same minutes a moment later and prints nothing
            store.auto_accept(False, device_name("station"))
            await wait_until(pilot, lambda: not station.source.store().auto_accept.enabled)  # type: ignore[union-attr]
            second = (await asyncio.to_thread(_place, platform))["id"]
            await wait_until(pilot, lambda: None not in (station.source.order(second), counter.source.order(second)))
            await _press_accept(counter, pilot, second)
            await _press_accept(station, station_pilot, second)
            await wait_until(pilot, lambda: second in held_counter.reached and second in held_station.reached)
            held_counter.gate(second).set()
            await wait_until(pilot, lambda: _server_order(platform, second)["status"] == "CONFIRMED")
            held_station.gate(second).set()
            await asyncio.to_thread(counter_printer.wait_for_cuts, 1)
            await wait_until(pilot, lambda: _answered(station, second))
            await pilot.pause(1.0)  # the retry loops ran a few times: nothing else waits to print
            orders = [_server_order(platform, order_id) for order_id in (first, second)]
            assert orders[0]["auto_accepted"] is True and orders[1]["auto_accepted"] is False
            assert _tickets_for(kitchen, orders[0]["number"]) == 1, kitchen.printed.text()
            assert _tickets_for(counter_printer, orders[0]["number"]) == 0, counter_printer.printed.text()
            assert _tickets_for(counter_printer, orders[1]["number"]) == 1, counter_printer.printed.text()
            assert _tickets_for(kitchen, orders[1]["number"]) == 0, kitchen.printed.text()
            assert kitchen.printed.cuts == 1 and counter_printer.printed.cuts == 1
            assert not station.source.conflicts() and not counter.source.conflicts()  # nobody was refused
            # the person whose accept came second is told why nothing printed
            assert f"#{orders[0]['number']:04d} {ELSEWHERE}" in said, said
            assert f"#{orders[1]['number']:04d} {ELSEWHERE}" in heard, heard
