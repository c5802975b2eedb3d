"""`k` on an order whose kitchen ticket this console sent less than 30 s ago asks first ("Print #0041 again? It was
sent 5 s ago."): `k k k` (a finger used to the board's j/k) printed three REPRINT tickets. Enter prints the second
copy, Esc does not; the detail's `k` follows the same rule. Pilot on an in-memory source, a fake network printer on
loopback (as tests/test_ui_printing.py)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

from o2o_tui.config import Profile
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from screens import printing
from screens.app import MerchantApp
from screens.detail_screen import DetailScreen
from screens.dialogs import ChoicePrompt
from screens.memory_source import MemoryOrderSource
from screens.source import QueueEntry
from tests.support.fake_printer import FakePrinter
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def printer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePrinter]:
    with FakePrinter() as fake:
        monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("O2O_PRINTER", fake.target)
        monkeypatch.setattr(printing, "RETRY_S", 0.2)
        yield fake


def _app() -> MerchantApp:
    entries = [QueueEntry(sample_order(41, OrderStatus.READY_FOR_PICKUP, minutes_ago=6, name="Alice Chen"))]
    profile = Profile(name="counter", url="http://127.0.0.1:9", token="t", role="merchant", store_id="store-1")
    return MerchantApp(MemoryOrderSource(entries, store=sample_store()), clock=lambda: FROZEN_NOW, profile=profile)


async def _until(condition: object, seconds: float = 8.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met")


def _title(app: MerchantApp) -> str:
    from textual.widgets import Label

    return str(app.screen.query_one(".title", Label).render())


async def test_k_k_k_prints_once_and_asks_before_a_second_copy(printer: FakePrinter) -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.printing is not None and printing.printer_set(app))
        await pilot.press("k", "k", "k")  # one burst, as a vim hand types it
        printer.wait_for_cuts(1)
        await _until(lambda: isinstance(app.screen, ChoicePrompt))
        assert "Print #0041 again? It was sent" in _title(app) and "s ago" in _title(app)
        await pilot.pause(0.6)
        assert printer.printed.cuts == 1  # the second and third `k` printed nothing
        assert sum(isinstance(screen, ChoicePrompt) for screen in app.screen_stack) == 1  # one question

        await pilot.press("escape")  # no: nothing prints
        await pilot.pause(0.6)
        assert printer.printed.cuts == 1 and app.screen is app.orders_screen

        await pilot.press("k", "enter")  # a real second copy: one Enter away
        second = printer.wait_for_cuts(2).tickets()[1]
        assert "*** REPRINT ***" in second and "#0041" in second

        # the order changed since (picked up): its ticket is news, not the same paper again; it prints at once
        order = app.source.order("ord-0041").order  # type: ignore[union-attr]
        app.source.put(msgspec.structs.replace(order, status=OrderStatus.DISPATCHED, version=order.version + 1))  # type: ignore[attr-defined]
        await pilot.pause(0.3)
        await pilot.press("k")
        printer.wait_for_cuts(3)
        assert not isinstance(app.screen, ChoicePrompt)


async def test_the_detail_k_asks_too_and_a_later_reprint_does_not(
    printer: FakePrinter, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.printing is not None and printing.printer_set(app))
        await pilot.press("k")
        printer.wait_for_cuts(1)
        await pilot.press("enter")  # the detail of #0041
        await _until(lambda: isinstance(app.screen, DetailScreen))
        await pilot.press("k")
        await _until(lambda: isinstance(app.screen, ChoicePrompt))
        await pilot.press("escape")
        await pilot.pause(0.4)
        assert printer.printed.cuts == 1

        monkeypatch.setattr(printing, "AGAIN_S", 0.0)  # as if 30 s had gone by: it prints without a question
        await pilot.press("k")
        printer.wait_for_cuts(2)
        assert isinstance(app.screen, DetailScreen)
