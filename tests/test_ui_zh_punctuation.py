"""Chinese text of the order queue:

- an age over an hour reads `1时05` (English `1h05`), never `1:05`, which is how a new order's countdown reads in
  the same column; hours and minutes that would not fit the column read as whole hours, never cut;
- prose takes full-width "（）", "，", "：": the chase dialog (the customer's note, an answer that is not true now,
  the own-words field), the queue header's held count `（t）`, simple mode's options, opening hours.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import msgspec
import pytest
from rich.cells import cell_len
from textual.widgets import Input, Label, OptionList

from o2o_tui import store_hours
from o2o_tui.domain.chases import Chase
from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.store import TimeRange
from o2o_tui.i18n import set_language
from screens import order_format as fmt
from screens.app import MerchantApp
from screens.chase_dialog import ChaseReplyDialog, chase_line
from screens.memory_source import MemoryOrderSource
from screens.simple_screen import item_lines
from screens.source import QueueEntry
from screens.terminal import DEFAULT_THEME
from screens.widgets.order_row import render_done
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store
from tests.test_ui_scheduled import held_entries

ASKED = Chase(asked_at=FROZEN_NOW - timedelta(minutes=3), note="还要多久")


@pytest.fixture
def zh() -> Iterator[None]:
    set_language("zh")
    yield
    set_language(None)


def test_an_age_over_an_hour_is_not_read_as_a_countdown(zh: None) -> None:
    assert fmt.minutes_text(65) == "1时05"
    assert fmt.minutes_text(65) != fmt.countdown_text(65)  # `1:05`: a new order's time left to accept
    assert fmt.minutes_text(5) == "5分" and fmt.minutes_text(3 * 24 * 60) == "3天"
    for minutes in (60, 65, 9 * 60 + 59, 10 * 60, 23 * 60 + 59, -75, -(9 * 60), -(23 * 60)):
        text = fmt.minutes_text(minutes)
        assert ":" not in text and ("时" in text or text == "-75分"), text
        assert cell_len(text) <= fmt.columns_for(40).clock <= fmt.columns_for(80).clock, text  # never cut
    assert fmt.minutes_text(12 * 60 + 5) == "12时" and fmt.minutes_text(-75) == "-75分"  # too wide with minutes
    assert fmt.minutes_text(-(2 * 60 + 5)) == "-2时"
    order = sample_order(7, OrderStatus.DELIVERED, minutes_ago=80)  # a done row's "ended ... ago"
    ended = msgspec.structs.replace(order, ended_at=FROZEN_NOW - timedelta(minutes=65))
    assert render_done(QueueEntry(ended), 80, FROZEN_NOW).plain.startswith("1时05 ")
    set_language("en")
    assert (fmt.minutes_text(65), fmt.minutes_text(-75), fmt.minutes_text(12 * 60 + 5)) == ("1h05", "-1h15", "12h05")
    assert fmt.minutes_text(-(12 * 60 + 5)) == "-12h"  # it was cut: "-12h…"


def test_chinese_prose_takes_full_width_punctuation(zh: None) -> None:
    line = chase_line(ASKED, FROZEN_NOW, None)
    assert line.endswith("（3 分钟前）：还要多久") and ": " not in line, line
    order = sample_order(9, OrderStatus.CONFIRMED, minutes_ago=5)
    assert item_lines(order)[0] == "2× 宫保鸡丁 Kung Pao Chicken（微辣 Mild） · 少辣", item_lines(order)
    two = msgspec.structs.replace(
        order.lines[0], options=[*order.lines[0].options, *order.lines[0].options]
    )  # two options: joined with "，"
    assert "（微辣 Mild，微辣 Mild）" in item_lines(msgspec.structs.replace(order, lines=[two]))[0]
    ranges = [TimeRange(opens="10:00", closes="14:00"), TimeRange(opens="17:00", closes="22:00")]
    shown = store_hours.ranges_text(ranges)
    assert shown == "10:00-14:00，17:00-22:00"
    assert store_hours.parse_ranges(shown) == ranges  # what is shown reads back
    set_language("en")
    assert store_hours.ranges_text(ranges) == "10:00-14:00, 17:00-22:00"
    assert item_lines(order)[0] == "2× 宫保鸡丁 Kung Pao Chicken (微辣 Mild) · 少辣"


async def test_the_chase_dialog_and_the_held_count_in_chinese(zh: None) -> None:
    order = sample_order(41, OrderStatus.PREPARING, minutes_ago=20, order_type=OrderType.TAKEOUT)
    entry = QueueEntry(msgspec.structs.replace(order, chases=[ASKED]))
    source = MemoryOrderSource([entry, *held_entries()], store=sample_store())
    app = MerchantApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        header = str(app.orders_screen.query_one("QueueHeader").render())
        assert "3 个预订单（t）" in header and "(t)" not in header, header
        await pilot.press("y")
        await pilot.pause()
        dialog = app.screen
        assert isinstance(dialog, ChaseReplyDialog)
        asked = str(dialog.query_one("#asked", Label).render())
        assert "：还要多久" in asked, asked
        options = dialog.query_one("#templates", OptionList)
        prompts = [str(options.get_option_at_index(i).prompt) for i in range(options.option_count)]
        untrue = [prompt for prompt in prompts if "现在不适用" in prompt]
        assert untrue and all(prompt.endswith("（现在不适用）") for prompt in untrue), prompts
        assert dialog.query_one("#text", Input).placeholder == "自己写回复（4）"
        assert not any(mark in "".join(prompts) for mark in "():"), prompts
