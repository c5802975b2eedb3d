"""Who queued a refused action decides whether `o2o console` pops it up, also for entries waiting when the console
starts. Against the real platform (behind a fault proxy that drops the link while the actions are queued) and a real
cache: a script's `o2o orders accept`, queued while the platform was unreachable, and an accept an earlier console
left queued are both refused once the console has the link; both are listed under `!` and counted on the status
line, and only the console's own refusal is toasted."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.config import load_profile
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.conflicts_screen import conflict_prompt
from screens.engine_source import EngineOrderSource
from screens.launch import open_source
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli
from tests.test_sync_engine import place_orders
from tests.test_ui_conflicts import cancel_as_customer
from tests.test_ui_live import wait_until

CANCELLED = "cancelled by the customer before your accept reached the platform"


@pytest.fixture
def proxy(shared_platform: RunningPlatform) -> Iterator[FaultProxy]:
    with FaultProxy(shared_platform.port) as running:
        yield running


@pytest.fixture
def cli(
    shared_platform: RunningPlatform, proxy: FaultProxy, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Cli]:
    """A merchant logged in through the proxy (so the link can be taken away from the profile's processes)."""
    assert shared_platform.seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    runner = Cli(tmp_path / "home", shared_platform.seed.tokens["merchant"])
    runner("login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", runner.token)
    yield runner
    set_language(None)


def _toasts(app: MerchantApp) -> list[str]:
    """What the toasts up now say, unfolded (a toast breaks its text into lines of its width)."""
    return [" ".join(str(n.message).split()) for n in app._notifications]


async def _queue_as_an_earlier_console(order_id: str) -> None:
    """What a console closed while offline leaves behind: its accept, still waiting in the outbox."""
    source = open_source(load_profile())
    assert isinstance(source, EngineOrderSource)
    try:
        await source.submit("order.confirm", order_id, ConfirmBody(preparation_minutes=12))
    finally:
        await source.close()


async def test_a_scripts_refusal_met_at_start_is_listed_not_toasted(
    shared_platform: RunningPlatform, proxy: FaultProxy, cli: Cli
) -> None:
    scripts_order, consoles_order = await asyncio.to_thread(
        place_orders, shared_platform.url, shared_platform.seed, 2
    )
    await asyncio.to_thread(cli, "sync", "--once")  # both cached: the list names them by number
    proxy.drop()  # the shop's link is down while both are queued
    queued = await asyncio.to_thread(cli, "orders", "accept", scripts_order, "--prep", "10")
    assert "Queued" in queued.stdout, queued.stdout
    await _queue_as_an_earlier_console(consoles_order)
    for order_id in (scripts_order, consoles_order):  # meanwhile both customers gave up
        await asyncio.to_thread(cancel_as_customer, shared_platform, order_id)
    proxy.pass_through()

    app = MerchantApp(open_source(load_profile()))
    async with app.run_test(size=(80, 24)) as pilot:
        source = app.source
        await wait_until(pilot, lambda: len(source.conflicts()) == 2)
        await wait_until(pilot, lambda: source.link().conflicts == 2)  # the status line counts both
        numbers = {view.order_id: view.order_number for view in source.conflicts()}
        theirs, ours = f"#{numbers[scripts_order]:04d}", f"#{numbers[consoles_order]:04d}"
        heads = {
            view.order_id: str(conflict_prompt(view, None)).splitlines()[0] for view in source.conflicts()
        }
        assert "run by a command" in heads[scripts_order] and "tapped" in heads[consoles_order], heads
        # the console's own refusal pops up; by then the script's has been read with it
        await wait_until(pilot, lambda: any(ours in text and CANCELLED in text for text in _toasts(app)))
        await pilot.pause(1.0)
        assert not [text for text in _toasts(app) if theirs in text], _toasts(app)
