"""The printing station against the real platform, through a link that drops: an order placed while the link is
down is auto-accepted when it comes back, its ticket prints as confirmed (the station got the platform's answer)
and the voice says it as a new order, once (not only "Back online.")."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens.console_messages import PrintRequested
from screens.engine_source import EngineOrderSource
from screens.source import QueueEntry
from tests.support.fake_printer import FakePrinter
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import CountingApp, _place, _server_order, wait_until
from tests.test_voice import fake_engine, spoken

STATION = "front-counter"


class PrintRecordingApp(CountingApp):
    """The console, noting what each print request said about the accept (the station's answer); Textual calls
    the console's own handler after this one (each class's handler runs)."""

    def on_print_requested(self, message: PrintRequested) -> None:
        self.asked = [*getattr(self, "asked", []), (message.order_id, message.confirmed, message.accept_key)]


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _auto_accept_on(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        path = f"/v1/stores/{platform.seed.store_id}/auto-accept"
        assert merchant.put(path, {"enabled": True, "station": STATION, "daily_cap": 0}).status_code == 200
    finally:
        merchant.close()


async def test_an_order_placed_while_the_link_was_down_is_said_and_printed_confirmed(
    platform: RunningPlatform,
    profile: Profile,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    monkeypatch.setenv("O2O_DEVICE", STATION)
    program, log = fake_engine(tmp_path)
    monkeypatch.setenv("O2O_VOICE", "1")
    monkeypatch.setenv("O2O_VOICE_ENGINE", str(program))
    printer = FakePrinter()
    request.addfinalizer(printer.close)
    monkeypatch.setenv("O2O_PRINTER", printer.target)
    await asyncio.to_thread(_auto_accept_on, platform)
    with FaultProxy(platform.port) as proxy:
        via_proxy = msgspec.structs.replace(profile, url=f"http://127.0.0.1:{proxy.port}")
        cache = open_cache(via_proxy)
        client = make_client(via_proxy, timeout=2.0)
        engine = make_engine(via_proxy, cache, client, poll_wait=0.5, backoff_cap=0.5)
        app = PrintRecordingApp(EngineOrderSource(engine, cache, client, via_proxy.store_id or ""), profile=via_proxy)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
            await wait_until(pilot, lambda: app.source.store() is not None and app.station.is_station)
            # online: the station accepts a new order, prints it confirmed, and the voice says it
            first = await asyncio.to_thread(_place, platform)
            await wait_until(
                pilot, lambda: _server_order(platform, first["id"])["status"] == "CONFIRMED", timeout=30
            )
            ticket = "\n".join((await asyncio.to_thread(printer.wait_for_cuts, 1)).tickets()[0])
            assert "NOT YET CONFIRMED" not in ticket.upper()
            # the station passed what it knew: the platform took its accept, under its key
            ((order_id, confirmed, key),) = app.asked
            assert order_id == first["id"] and confirmed is True and key
            said_first = f"New order {first['number']}, delivery."
            await wait_until(pilot, lambda: any(said_first in line for line in spoken(log)))

            proxy.drop()
            await wait_until(pilot, lambda: app.source.link().state.value == "OFFLINE")
            placed = await asyncio.to_thread(_place, platform)
            await pilot.pause(1.0)
            proxy.pass_through()
            await wait_until(
                pilot, lambda: _server_order(platform, placed["id"])["status"] == "CONFIRMED", timeout=30
            )
            order = await asyncio.to_thread(_server_order, platform, placed["id"])
            assert order["auto_accepted"] is True
            second = "\n".join((await asyncio.to_thread(printer.wait_for_cuts, 2)).tickets()[1])
            assert f"#{placed['number']:04d}" in second
            assert "NOT YET CONFIRMED" not in second.upper()
            said = f"New order {placed['number']}, delivery."
            await wait_until(pilot, lambda: any(said in line for line in spoken(log)), timeout=10)
            await pilot.pause(1.5)  # time for a second saying, were there one
            deadline = time.monotonic() + 2
            while time.monotonic() < deadline:
                await pilot.pause(0.1)
            lines = spoken(log)
            assert sum(said in line for line in lines) == 1, lines
            assert sum(said_first in line for line in lines) == 1, lines

            # a ticket whose sender did not know, while the view still lists the accept pending a moment after the
            # platform's answer (the outbox holds none): printed as confirmed, never "not yet confirmed"
            source = app.source
            shown = source.order(first["id"])
            assert shown is not None and not shown.pending
            lagging = QueueEntry(shown.order, ("order.confirm",), shown.courier)
            real_order = source.order
            source.order = lambda order_id: lagging if order_id == first["id"] else real_order(order_id)  # type: ignore[method-assign]
            app.post_message(PrintRequested(first["id"], prep_minutes=15))
            guessed = "\n".join((await asyncio.to_thread(printer.wait_for_cuts, 3)).tickets()[2])
            assert f"#{first['number']:04d}" in guessed
            assert "NOT YET CONFIRMED" not in guessed.upper()
