"""Ctrl+Q on the merchant console asks as `q` does when orders wait for an answer (Ctrl+C never asks)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.dialogs import ChoicePrompt
from screens.memory_source import MemoryOrderSource
from tests.test_ui_queue_guard import _screen_text
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_store


def _asking(app: MerchantApp) -> bool:
    return isinstance(app.screen, ChoicePrompt) and app.is_running


def _on_queue(app: MerchantApp) -> bool:
    return app.screen is app.orders_screen and app.is_running


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _app(entries: list) -> MerchantApp:  # type: ignore[type-arg]
    return MerchantApp(MemoryOrderSource(entries, store=sample_store()), clock=lambda: FROZEN_NOW)


async def test_ctrl_q_asks_while_orders_ring_and_ctrl_q_again_quits() -> None:
    app = _app(sample_entries())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert _asking(app)
        text = _screen_text(app)
        assert "Quit the console?" in text and "2 orders wait for an answer" in text
        await pilot.press("n")
        await pilot.pause()
        assert _on_queue(app)
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert _asking(app)
        await pilot.press("ctrl+q")  # the same key again: quit
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_q_asks_from_an_order_detail_too() -> None:
    app = _app(sample_entries())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert app.screen is not app.orders_screen
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert _asking(app)
        await pilot.press("y")
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_q_quits_at_once_when_nothing_waits() -> None:
    quiet = [entry for entry in sample_entries() if entry.order.status is OrderStatus.PREPARING]
    app = _app(quiet)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_c_never_asks() -> None:
    app = _app(sample_entries())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+c")
        await pilot.pause()
        assert not app.is_running


async def test_ctrl_q_asks_in_the_simple_mode_as_its_q_does() -> None:
    app = MerchantApp(MemoryOrderSource(sample_entries(), store=sample_store()), clock=lambda: FROZEN_NOW, simple=True)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+q")
        await pilot.pause()
        assert _asking(app)


async def test_the_help_says_ctrl_q_asks() -> None:
    from screens.help_screen import help_rows

    app = _app(sample_entries())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = {row.keys: row.text for row in help_rows(app.orders_screen)}
        assert rows.get("^q") == "quit; asks first, as q does, while orders wait for an answer", rows
        assert rows.get("^c q") == "quit", rows
