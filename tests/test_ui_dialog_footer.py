"""A dialog over the queue has its own key footer: its keys (Enter, Esc, Tab), never the queue's behind it.

The footer at the bottom showed the queue's keys (`⏎ Open ? Help a Accept ...`) while the prep-minutes prompt,
the refund dialog or the help was open; none of them did anything there, and clicking one did nothing. Each dialog
now docks a `KeyFooter` of its own listing the keys it declares (`FOOTER_OWN_KEYS`: its own first, though its
field or list binds Enter too), each step its own; a click on one is that key. Closing the dialog shows the
queue's keys again.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from textual.widgets import Label
from textual.widgets._footer import FooterKey

from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.chase_dialog import ChaseReplyDialog
from screens.dialogs import ChoicePrompt, NumberPrompt
from screens.help_screen import HelpScreen
from screens.memory_source import MemoryOrderSource
from screens.refund_dialog import RefundDialog
from screens.source import QueueEntry
from screens.widgets.footer import KeyFooter
from screens.widgets.order_list import OrderList
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store

QUEUE_KEYS = {"queue.open", "queue.help", "queue.accept", "queue.reject", "queue.quit"}


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _app() -> MerchantApp:
    entries = [
        QueueEntry(sample_order(42, OrderStatus.CREATED, minutes_ago=1)),
        QueueEntry(sample_order(41, OrderStatus.READY_FOR_PICKUP, minutes_ago=20)),
    ]
    return MerchantApp(MemoryOrderSource(entries, store=sample_store()), clock=lambda: FROZEN_NOW)


def _shown(app: MerchantApp) -> list[str]:
    """The binding ids of the footer drawn at the bottom now: the one of the screen in front."""
    footers = list(app.screen.query(KeyFooter))
    assert len(footers) == 1, footers
    footer = footers[0]
    assert footer.region.bottom == app.size.height, footer.region  # the bottom row, over the queue's
    return [entry.binding_id or "" for entry in footer.layout_for()[1]]


def _drawn(app: MerchantApp) -> list[str]:
    """The keys' words as drawn (the footer's FooterKey widgets)."""
    return [key.description for key in app.screen.query_one(KeyFooter).query(FooterKey)]


async def _settle(pilot: object) -> None:
    for _ in range(3):
        await pilot.pause()  # type: ignore[attr-defined]


@pytest.mark.parametrize("size", [(80, 24), (40, 15)])
async def test_the_prep_minutes_prompt_shows_its_own_keys_and_the_queue_s_come_back(
    lang: str, size: tuple[int, int]
) -> None:
    app = _app()
    async with app.run_test(size=size) as pilot:
        await _settle(pilot)
        assert {"queue.open", "queue.help", "queue.accept"} <= set(_shown(app))
        await pilot.press("a")
        await _settle(pilot)
        assert isinstance(app.screen, NumberPrompt)
        assert _shown(app) == ["dialog.ok", "dialog.cancel"]
        assert _drawn(app) == [t("ui.key.ok"), t("ui.key.cancel")]
        await pilot.press("escape")
        await _settle(pilot)
        assert app.screen is app.orders_screen
        assert {"queue.open", "queue.help", "queue.accept"} <= set(_shown(app))


async def test_a_click_on_the_prompt_s_enter_accepts_with_the_default(lang: str) -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("a", "2", "0")
        await _settle(pilot)
        prompt = app.screen
        assert isinstance(prompt, NumberPrompt)
        answers: list[int | None] = []
        prompt.dismiss = answers.append  # type: ignore[method-assign,assignment]
        await pilot.click(FooterKey)  # the first: ⏎ OK
        await _settle(pilot)
        assert answers == [20]


async def test_help_shows_close_only_and_a_click_on_it_closes(lang: str) -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("question_mark")
        await _settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        shown = _shown(app)
        assert shown == ["help.close"], shown
        assert not QUEUE_KEYS & set(shown)
        await pilot.click(FooterKey)
        await _settle(pilot)
        assert app.screen is app.orders_screen


async def test_the_reject_reasons_show_choose_and_cancel(lang: str) -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        await pilot.press("x")
        await _settle(pilot)
        assert isinstance(app.screen, ChoicePrompt)
        assert _shown(app) == ["dialog.choose", "dialog.cancel"]


async def test_the_refund_dialog_shows_each_step_s_keys(lang: str) -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        app.orders_screen.query_one(OrderList).select("ord-0041")
        await _settle(pilot)
        await pilot.press("dollar_sign")
        await _settle(pilot)
        dialog = app.screen
        assert isinstance(dialog, RefundDialog)
        assert _shown(app) == ["refund.next", "dialog.cancel"]
        await pilot.press("1")
        await pilot.click(FooterKey)  # ⏎ Next, clicked
        await _settle(pilot)
        assert dialog.step == "reason"
        assert _shown(app) == ["refund.send", "refund.note", "dialog.cancel"]
        assert _drawn(app)[0] == t("care.key.refund")
        await pilot.click(FooterKey)  # ⏎ Refund, before a reason: says to pick one, sends nothing
        await _settle(pilot)
        assert app.screen is dialog
        assert str(dialog.query_one("#error", Label).content) == t("care.refund.reason_first")
        await pilot.press("escape")
        await _settle(pilot)
        assert app.screen is app.orders_screen
        assert "queue.refund" in _shown(app)


async def test_the_chase_reply_shows_send_and_cancel(lang: str) -> None:
    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        order = sample_order(43, OrderStatus.PREPARING, minutes_ago=5)
        answers: list[object] = []
        app.push_screen(ChaseReplyDialog(order, FROZEN_NOW), answers.append)
        await _settle(pilot)
        assert _shown(app) == ["chase.send", "dialog.cancel"]
        assert _drawn(app) == [t("ui.key.send"), t("ui.key.cancel")]


async def test_a_dialog_elsewhere_shows_its_keys_as_declared(lang: str) -> None:
    """The conflicts' "dismiss all?" (`y,enter` yes, `n,escape` no) reads `y Yes n No`: each key as declared
    first, the one Enter is part of first."""
    from screens.conflicts_screen import ConfirmAll

    app = _app()
    async with app.run_test(size=(80, 24)) as pilot:
        await _settle(pilot)
        answers: list[bool | None] = []
        app.push_screen(ConfirmAll(3), answers.append)
        await _settle(pilot)
        assert _shown(app) == ["conflicts.confirm.yes", "conflicts.confirm.no"]
        assert [key.key_display for key in app.screen.query(FooterKey)] == ["y", "n"]
        await pilot.click(FooterKey)  # y Yes
        await _settle(pilot)
        assert answers == [True]
