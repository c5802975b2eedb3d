"""The console prints: the kitchen ticket on accept (`a`), `k` reprints from the queue and the detail, `R` the
receipt; a printer that is off is a persistent warning in the status line with the tickets waiting, cleared when it
prints them (once each). Pilot on an in-memory source, with a fake network printer on loopback."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.config import Profile
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from screens import printing
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.source import QueueEntry
from screens.widgets.status_bar import StatusBar
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
        monkeypatch.setattr(printing, "RETRY_S", 0.2)  # the console retries every 5 s; here sooner
        yield fake


def _app() -> MerchantApp:
    entries = [
        QueueEntry(sample_order(42, OrderStatus.CREATED, minutes_ago=1, note="不要香菜 no cilantro")),
        QueueEntry(sample_order(41, OrderStatus.PREPARING, minutes_ago=6, name="Alice Chen")),
    ]
    # a profile for the print queue's directory; its platform is never reached (port 9 on loopback)
    profile = Profile(
        name="counter", url="http://127.0.0.1:9", token="t", role="merchant", store_id="store-1"
    )
    return MerchantApp(
        MemoryOrderSource(entries, store=sample_store()), clock=lambda: FROZEN_NOW, profile=profile
    )


def _status(app: MerchantApp) -> str:
    return str(app.screen.query_one(StatusBar).render())


async def _until(pilot: object, condition: object, seconds: float = 8.0) -> None:
    import asyncio

    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met")


async def test_accept_prints_the_ticket_and_k_reprints_it_from_the_queue(printer: FakePrinter) -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a", "enter")  # #0042, the store's default prep time
        first = printer.wait_for_cuts(1)
        assert first.big[0] == "#0042" and "2 x 宫保鸡丁 Kung Pao Chicken" in first.text()
        assert not any("REPRINT" in line for line in first.lines)

        await pilot.press("down")
        cursor = app.orders_screen.queue.cursor_entry
        assert cursor is not None and cursor.order.number == 41  # k is no longer "up" in the queue
        await pilot.press("k")
        ticket = printer.wait_for_cuts(2).tickets()[1]
        assert "*** REPRINT ***" in ticket and "#0041" in ticket

        await pilot.press("enter", "R")  # the detail of #0041: its receipt
        receipt = printer.wait_for_cuts(3).tickets()[2]
        assert receipt[:3] == ["老王川菜馆 Lao Wang", "Sichuan Kitchen", "Receipt"]  # the name wrapped at double size
        assert any("Total" in line for line in receipt)


async def test_k_on_an_order_not_accepted_prints_nothing_and_says_why(printer: FakePrinter) -> None:
    app = _app()
    said: list[str] = []
    app.say = lambda text, **_: said.append(text)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert app.orders_screen.queue.cursor_entry.order.number == 42  # type: ignore[union-attr]  # New
        # `k` is a key once the printer is loaded, after the first frame (seconds on a loaded machine)
        await _until(pilot, lambda: printing.printer_set(app), seconds=20)
        await pilot.press("k")
        for _ in range(200):  # said once the print request is answered (a loaded machine takes seconds)
            if any("#0042 is not accepted" in text for text in said):
                break
            await pilot.pause(0.1)
        assert any("#0042 is not accepted" in text for text in said), said
        await pilot.pause(0.3)
        assert printer.printed.cuts == 0


async def test_k_on_an_order_that_ended_unaccepted_says_it_never_will_print(printer: FakePrinter) -> None:
    from screens.console_messages import PrintRequested

    app = MerchantApp(
        MemoryOrderSource([QueueEntry(sample_order(43, OrderStatus.CANCELLED, minutes_ago=9))], store=sample_store()),
        clock=lambda: FROZEN_NOW,
        profile=Profile(name="counter", url="http://127.0.0.1:9", token="t", role="merchant", store_id="store-1"),
    )
    said: list[str] = []
    app.say = lambda text, **_: said.append(text)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.post_message(PrintRequested("ord-0043", reprint=True))
        await pilot.pause(0.5)
        assert any("#0043 ended without being accepted" in text for text in said), said
        assert not any("prints when you accept" in text for text in said) and printer.printed.cuts == 0


async def test_a_printer_that_is_off_is_a_warning_until_the_tickets_print(printer: FakePrinter) -> None:
    printer.power_off()
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a", "enter")
        await _until(pilot, lambda: "Printer offline: 1 to print" in _status(app))
        await pilot.press("down", "k")
        await _until(pilot, lambda: "Printer offline: 2 to print" in _status(app))
        await pilot.press("enter")  # the detail's status line says it too
        await _until(pilot, lambda: "Printer offline: 2" in _status(app))
        await pilot.resize_terminal(40, 15)
        await _until(pilot, lambda: "Printer offline: 2" in _status(app) or "Printer!2" in _status(app))

        printer.power_on()
        await _until(pilot, lambda: "Printer" not in _status(app))  # retried, printed, cleared
        tickets = printer.wait_for_cuts(2).tickets()
        assert [ticket[0 if "#00" in ticket[0] else 1] for ticket in tickets] == ["#0042", "#0041"]
        await pilot.pause(0.5)
        assert printer.printed.cuts == 2  # each once
