"""The console's `y` (answer a chase) and `$` (refund): Pilot tests on an in-memory source (what is submitted to
the outbox), the queue's badge and its one ring, and snapshots of both dialogs and of a chased row at 80x24 and
40x15 in English and Chinese. (The same keys against the real platform: test_ui_order_care_live.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import msgspec
import pytest
from textual.widgets import Input

from o2o_tui.domain.chases import Chase, ChaseReply, ChaseReplyBody
from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.refunds import RefundBody, RefundLineIn, RefundReason
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.chase_dialog import ChaseReplyDialog
from screens.memory_source import MemoryOrderSource
from screens.refund_dialog import RefundDialog
from screens.source import QueueEntry
from screens.terminal import DEFAULT_THEME
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store

ASKED = Chase(asked_at=FROZEN_NOW - timedelta(minutes=3), note="还要多久? [/] where is it")


def chased(number: int = 41, status: OrderStatus = OrderStatus.PREPARING) -> QueueEntry:
    order = sample_order(number, status, minutes_ago=20, order_type=OrderType.TAKEOUT, name="Alice Chen")
    return QueueEntry(msgspec.structs.replace(order, chases=[ASKED]))


class CountingApp(MerchantApp):
    bells = 0

    def bell(self) -> None:
        self.bells += 1


def _app(*entries: QueueEntry) -> CountingApp:
    source = MemoryOrderSource(list(entries), store=sample_store())
    return CountingApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language(None)


async def test_y_answers_the_chase_with_minutes_prefilled_or_own_words(english: None) -> None:
    app = _app(chased())
    source = app.source
    assert isinstance(source, MemoryOrderSource)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        row = app.orders_screen.queue.row_views()[0].render()
        assert "?#0041" in str(row).replace(" ", "")  # the badge in the mark column
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ChaseReplyDialog)
        await pilot.press("1", "enter")  # the promised time has passed: the field holds the default, 10
        await pilot.pause()
        assert source.submitted[-1] == ("order.chase_reply", "ord-0041", ChaseReplyBody(ChaseReply.PREPARING, 10))
        await pilot.press("y", "1", "8", "enter")  # typing replaces the prefilled minutes
        await pilot.pause()
        assert source.submitted[-1][2] == ChaseReplyBody(ChaseReply.PREPARING, 8)
        await pilot.press("y", "4", *"soon", "enter")
        await pilot.pause()
        body = ChaseReplyBody(ChaseReply.TEXT, text="soon")
        assert source.submitted[-1] == ("order.chase_reply", "ord-0041", body)
        count = app.bells
        sent = len(source.submitted)
        await pilot.press("y", "3")  # ready for pickup: not true of an order being cooked, so not offered
        await pilot.pause()
        assert isinstance(app.screen, ChaseReplyDialog) and len(source.submitted) == sent
        assert app.bells > count
        await pilot.press("escape")


async def test_only_answers_that_say_what_the_order_is_doing_are_offered(english: None) -> None:
    app = _app(chased(42, OrderStatus.READY_FOR_PICKUP))
    source = app.source
    assert isinstance(source, MemoryOrderSource)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, ChaseReplyDialog)
        options = app.screen.query_one("#templates").options  # type: ignore[attr-defined]
        assert [o.disabled for o in options] == [True, True, False, False]  # not cooking, not a delivery
        await pilot.press("3", "enter")
        await pilot.pause()
        assert source.submitted[-1] == ("order.chase_reply", "ord-0042", ChaseReplyBody(ChaseReply.READY))


async def test_a_new_chase_rings_once_and_y_without_one_says_so(english: None) -> None:
    plain = sample_order(41, OrderStatus.PREPARING, minutes_ago=20)
    app = _app(QueueEntry(plain))
    source = app.source
    assert isinstance(source, MemoryOrderSource)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("y")
        await pilot.pause()
        assert not isinstance(app.screen, ChaseReplyDialog) and source.submitted == []
        before = app.bells
        source.put(msgspec.structs.replace(plain, chases=[ASKED], version=2))
        await pilot.pause()
        assert app.bells == before + 1
        source.put(msgspec.structs.replace(plain, chases=[ASKED], version=3, note="x"))
        await pilot.pause()
        assert app.bells == before + 1  # the same chase rings once


async def test_dollar_refunds_a_line_or_the_whole_order_with_a_reason(english: None) -> None:
    app = _app(chased())
    source = app.source
    assert isinstance(source, MemoryOrderSource)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("dollar_sign")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, RefundDialog)
        await pilot.press("enter")  # nothing chosen: stays
        assert dialog.step == "lines"
        await pilot.press("1", "minus")  # line 1 (2 units) toggled on, then one less
        assert dialog.amount() is not None and dialog.amount().amount == 3800
        await pilot.press("enter", "enter")  # no reason yet: stays
        assert app.screen is dialog
        await pilot.press("1", "enter")
        await pilot.pause()
        [(action, order_id, body)] = source.submitted
        assert (action, order_id) == ("order.refund", "ord-0041")
        assert isinstance(body, RefundBody)
        assert (body.whole, body.lines, body.reason_code) == (
            False,
            [RefundLineIn(line=0, quantity=1)],
            RefundReason.ITEM_UNAVAILABLE,
        )
        assert body.seen_refunds == 0
        await pilot.press("dollar_sign", "0", "enter", "6", "enter")  # OTHER needs a note
        await pilot.pause()
        assert len(source.submitted) == 1
        await pilot.press(*"power cut", "enter")
        await pilot.pause()
        whole = source.submitted[-1][2]
        assert isinstance(whole, RefundBody)
        assert (whole.whole, whole.reason_code, whole.note) == (True, RefundReason.OTHER, "power cut")


async def test_dollar_on_a_new_order_is_refused_at_once(english: None) -> None:
    app = _app(QueueEntry(sample_order(42, OrderStatus.CREATED, minutes_ago=1)))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("dollar_sign")
        await pilot.pause()
        assert not isinstance(app.screen, RefundDialog)


SIZES = [(80, 24), (40, 15)]
IDS = ["80x24", "40x15"]


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_chase_dialog_en(snap_compare, english: None, size: tuple[int, int]) -> None:
    assert snap_compare(_app(chased()), terminal_size=size, press=["y"])


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_chase_dialog_zh(snap_compare, chinese: None, size: tuple[int, int]) -> None:
    assert snap_compare(_app(chased()), terminal_size=size, press=["y"])


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_refund_dialog_en(snap_compare, english: None, size: tuple[int, int]) -> None:
    assert snap_compare(_app(chased()), terminal_size=size, press=["dollar_sign", "1", "minus"])


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_refund_dialog_zh(snap_compare, chinese: None, size: tuple[int, int]) -> None:
    presses = ["dollar_sign", "0", "enter", "1"]
    assert snap_compare(_app(chased()), terminal_size=size, press=presses)


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_chased_row(snap_compare, english: None, size: tuple[int, int]) -> None:
    other = QueueEntry(sample_order(42, OrderStatus.CREATED, minutes_ago=1))
    assert snap_compare(_app(chased(), other), terminal_size=size)


def test_the_detail_marks_refunded_units_on_their_line_and_names_queued_steps(english: None) -> None:
    from o2o_tui.domain.money import Money
    from o2o_tui.domain.refunds import Refund, RefundLine
    from screens.widgets.order_detail import detail_content

    order = sample_order(8, OrderStatus.PREPARING, minutes_ago=5)
    refund = Refund(
        id="r1", amount=Money(400, "CNY"), reason_code="ITEM_UNAVAILABLE",
        lines=[RefundLine(line=1, quantity=2, amount=Money(400, "CNY"))],
    )
    entry = QueueEntry(msgspec.structs.replace(order, refunds=[refund]), pending=("order.ready", "order.handoff"))
    text = detail_content(entry, FROZEN_NOW).plain
    rice = next(line for line in text.splitlines() if "米饭 Rice" in line)
    assert "2 refunded" in rice
    assert not any("refunded" in line for line in text.splitlines() if "Kung Pao" in line)
    assert "order.ready" not in text and "ready signal" in text and "handoff" in text


def _screen_text(app: CountingApp) -> str:
    return "\n".join("".join(segment.text for segment in strip) for strip in app.screen._compositor.render_strips())


async def test_the_focused_fields_of_both_dialogs_show_what_is_typed(english: None) -> None:
    """A field with the focus is one row that shows its text (not a tall focus border over it)."""
    app = _app(chased())
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("y", "1")  # the prefilled minutes field gets the focus
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "minutes"
        assert " 10 " in _screen_text(app)
        await pilot.press("escape", "y", "4", *"hello")
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "text"
        assert "hello" in _screen_text(app)
        await pilot.press("escape", "dollar_sign", "0", "enter", "6", "enter", *"abc")
        await pilot.pause()
        assert isinstance(app.focused, Input) and app.focused.id == "note"
        assert "abc" in _screen_text(app)
