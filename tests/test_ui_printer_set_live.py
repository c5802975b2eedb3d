"""A console started with no printer follows settings.json live, both ways, with real orders from the real platform
(loopback server, the console's own cache and sync engine) and a fake network printer on loopback:

- no printer set: the queue's and the detail's footers (and `?`) offer no `k` Reprint nor `R` Receipt (README:
  "Unset, nothing prints and nothing about a printer is shown");
- a printer set in settings.json while it runs: said, the keys come, `k` prints the ticket there (it needed a
  restart: the console opened no print queue without a printer);
- removed again: the keys go; an order whose ticket printed here and was cancelled while no printer was set gets
  its cancellation slip once a printer is set again (what start-up does with a printer is done then).
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets._footer import FooterKey

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from screens import printing
from screens.console_messages import PrintRequested
from screens.detail_screen import DetailScreen
from screens.help_screen import help_rows
from screens.launch import open_source
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform, api
from tests.test_ui_ended_order_keys import SayingApp, _new_order, _post
from tests.test_ui_live import wait_until
from tests.test_ui_settings_followed import _write_settings


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("O2O_PRINTER", raising=False)
    monkeypatch.setattr(printing, "RETRY_S", 0.2)  # the console looks at settings.json every 5 s; here sooner
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _accepted(running: RunningPlatform) -> str:
    order_id = _new_order(running)
    merchant = api(running, "merchant")
    try:
        _post(merchant, f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 15})
    finally:
        merchant.close()
    return order_id


def _cancel(running: RunningPlatform, order_id: str) -> None:
    merchant = api(running, "merchant")
    try:
        _post(merchant, f"/v1/orders/{order_id}/cancel", {"reason_code": "OTHER"})
    finally:
        merchant.close()


def _footer(app: SayingApp) -> set[str]:
    return {key.action for key in app.screen.query(FooterKey)}


def _said(app: SayingApp) -> list[str]:
    return list(getattr(app, "said", []))


async def test_a_printer_set_while_the_console_runs_prints_and_its_keys_follow(
    platform: RunningPlatform, profile: Profile
) -> None:
    order_id = await asyncio.to_thread(_accepted, platform)
    app = SayingApp(open_source(profile), profile=profile)
    with FakePrinter() as fake:
        async with app.run_test(size=(220, 30)) as pilot:  # wide: every key the queue offers fits
            queue = app.orders_screen.queue
            await wait_until(pilot, lambda: queue.entry(order_id) is not None)
            await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
            await wait_until(pilot, lambda: app.printing is not None)  # the services started
            queue.select(order_id)
            await wait_until(pilot, lambda: "figures" in _footer(app))
            await pilot.pause(0.3)
            assert "reprint" not in _footer(app)  # no printer: nothing about one
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen) and "back" in _footer(app))
            assert not {"reprint", "receipt"} & _footer(app)
            listed = {binding_id for row in help_rows(app.screen) for binding_id in row.binding_ids}
            assert not {"detail.reprint", "detail.receipt"} & listed  # nor in `?`
            await pilot.press("k", "R")  # hidden: nothing runs, nothing said about a printer
            await pilot.pause(0.3)
            assert not any("printer" in text.lower() for text in _said(app)), _said(app)

            _write_settings({"printer": fake.target})  # set while it runs: no restart
            await wait_until(pilot, lambda: {"reprint", "receipt"} <= _footer(app))
            assert any(f"Printer set in settings.json: tickets and receipts print on {fake.target}" in text
                       for text in _said(app)), _said(app)
            await pilot.press("k")
            ticket = fake.wait_for_cuts(1).tickets()[0]
            number = queue.entry(order_id).order.display_number  # type: ignore[union-attr]
            assert number in ticket and "REPRINT" in " ".join(ticket), ticket
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is app.orders_screen and "reprint" in _footer(app))

            _write_settings({})  # removed: the keys go
            await wait_until(pilot, lambda: "reprint" not in _footer(app))
            assert any("No printer in settings.json now" in text for text in _said(app)), _said(app)

            # cancelled while no printer is set: its ticket printed here, so a slip once one is set again
            await asyncio.to_thread(_cancel, platform, order_id)
            await wait_until(
                pilot, lambda: queue.entry(order_id).order.status is OrderStatus.CANCELLED  # type: ignore[union-attr]
            )
            await pilot.pause(0.5)
            assert fake.printed.cuts == 1
            _write_settings({"printer": fake.target})
            await wait_until(pilot, lambda: fake.printed.cuts >= 2)  # the console's loop follows the file
            slip = fake.printed.tickets()[1]
            assert number in slip and "CANCELLED" in " ".join(slip), slip
            await pilot.pause(0.5)
            assert fake.printed.cuts == 2  # once


async def test_a_ticket_asked_for_an_order_cancelled_meanwhile_does_not_print(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The accept stood, then the customer cancelled before the ticket was asked for (an auto-accept's, a person's
    `a` a moment before): no ticket, said; the kitchen never had it, so no slip either. `k` on it, asked for by a
    person, prints it marked CANCELLED."""
    order_id = await asyncio.to_thread(_accepted, platform)
    await asyncio.to_thread(_cancel, platform, order_id)
    with FakePrinter() as fake:
        monkeypatch.setenv("O2O_PRINTER", fake.target)
        app = SayingApp(open_source(profile), profile=profile)
        async with app.run_test(size=(120, 30)) as pilot:
            queue = app.orders_screen.queue
            await wait_until(pilot, lambda: queue.entry(order_id) is not None)
            number = queue.entry(order_id).order.display_number  # type: ignore[union-attr]
            app.post_message(PrintRequested(order_id, prep_minutes=15, accept_key="k1", confirmed=True))
            said = f"{number} was cancelled before its kitchen ticket printed: the ticket was dropped."
            await wait_until(pilot, lambda: said in _said(app))
            await pilot.pause(1.0)  # the retries come and go: nothing prints
            assert fake.printed.cuts == 0, fake.printed.lines
            app.post_message(PrintRequested(order_id, reprint=True))
            await wait_until(pilot, lambda: fake.printed.cuts >= 1)
            ticket = " ".join(fake.printed.tickets()[0])
            assert number in ticket and "CANCELLED" in ticket and "REPRINT" in ticket, ticket
            await pilot.pause(0.6)
            assert fake.printed.cuts == 1  # and no slip after it: that ticket was never the kitchen's
