"""Chinese line breaking at 40x15 (a dumpling shop's console, zh): the sentences of the counter's dialogs break as
Chinese is set (`o2o_tui.text_fold` through `FoldedLabel` / `FoldedText`), read from the rows as drawn:

- `v` with the pickup code of an order not ready: no row of the refusal starts with "。";
- a number prompt's hint with "（1-1440）": no row ends with "（";
- the chase dialog (`y`): "（0 分钟前）" is not broken before its unit nor after "（";
- an item's note in the order's detail: its next rows stay indented under its first.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from rich.cells import cell_len
from textual.content import Content
from textual.geometry import Region
from textual.widget import Widget
from textual.widgets import Label

from o2o_tui.domain.chases import Chase
from o2o_tui.domain.order import LineOption, OrderLine, OrderStatus, OrderType
from o2o_tui.i18n import set_language, t
from screens.app import MerchantApp
from screens.chase_dialog import ChaseReplyDialog
from screens.detail_screen import DetailScreen
from screens.dialogs import NumberPrompt
from screens.memory_source import MemoryOrderSource
from screens.redeem_screen import RedeemScreen
from screens.source import QueueEntry
from screens.terminal import DEFAULT_THEME
from screens.widgets.order_detail import OrderDetail
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, cny, sample_order, sample_store

SIZE = (40, 15)
NO_START = "。，、：；）」"  # a row never starts with one of these
NO_END = "（「"  # nor ends with one of these
NOTE = "多放醋，不要香菜，饺子煮久一点皮要软，谢谢老板"


@pytest.fixture(autouse=True)
def zh(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))  # no settings file but the test's own
    set_language("zh")
    yield
    set_language(None)


def _rows(widget: Widget) -> list[str]:
    """The rows the widget draws, as a person reads them."""
    strips = widget.render_lines(Region(0, 0, widget.size.width, widget.size.height))
    return [strip.text.rstrip() for strip in strips]


def _set_as_chinese(rows: list[str], width: int) -> None:
    words = [row.strip() for row in rows if row.strip()]
    assert words, rows
    assert not [row for row in words if row[0] in NO_START], rows
    assert not [row for row in words if row[-1] in NO_END], rows
    assert all(cell_len(row) <= width for row in rows), rows


def _app(*entries: QueueEntry) -> MerchantApp:
    source = MemoryOrderSource(list(entries), store=sample_store())
    return MerchantApp(source, clock=lambda: FROZEN_NOW, theme=DEFAULT_THEME)


async def test_a_pickup_code_not_ready_yet_never_starts_a_row_with_a_full_stop() -> None:
    order = sample_order(2, OrderStatus.CONFIRMED, minutes_ago=3, order_type=OrderType.TAKEOUT)
    app = _app(QueueEntry(order))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("v", *order.pickup_code, "enter")
        result = app.screen.query_one("#redeem-result", Label) if isinstance(app.screen, RedeemScreen) else None
        await wait_until(pilot, lambda: result is not None and "未发送任何操作" in str(result.render()))
        assert result is not None
        await pilot.pause()
        rows = _rows(result)
        assert len([row for row in rows if row.strip()]) >= 2, rows  # it does wrap at 40 columns
        _set_as_chinese(rows, result.size.width)


# catalog sentences with "（…）" that a number prompt may say (the hint, or an error under the field)
HINTS = [
    ("store.pause.error.until", {"text": "abcdefgh", "maximum": 1440}),
    ("store_screen.open.hours_closed", {"at": "17:00"}),  # "…营业时间（" was left at a row's end
    ("ui.link.disabled_hint", {}),  # "…管理员（" too
]


@pytest.mark.parametrize(("key", "values"), HINTS, ids=[key for key, _ in HINTS])
async def test_a_prompt_never_ends_a_row_with_an_opening_bracket(key: str, values: dict[str, object]) -> None:
    hint = t(key, **values)
    app = _app()
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        app.push_screen(NumberPrompt(Content(t("store_screen.pause.title")), 30, maximum=1440, hint=hint))
        await pilot.pause()
        for shown in app.screen.query(".title, .hint").results(Label):
            rows = _rows(shown)
            said = "".join(row.strip() for row in rows).replace(" ", "")
            assert said in (hint.replace(" ", ""), t("store_screen.pause.title").replace(" ", "")), rows  # all of it
            _set_as_chinese(rows, shown.size.width)


async def test_the_chase_dialog_keeps_minutes_ago_whole() -> None:
    order = sample_order(7, OrderStatus.PREPARING, minutes_ago=20, order_type=OrderType.TAKEOUT)
    chased = msgspec.structs.replace(order, chases=[Chase(asked_at=FROZEN_NOW, note="饺子好了没有？快一点")])
    app = _app(QueueEntry(chased))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("y")
        await wait_until(pilot, lambda: isinstance(app.screen, ChaseReplyDialog))
        await pilot.pause()
        asked = app.screen.query_one("#asked", Label)
        rows = _rows(asked)
        assert len(rows) == 2 and "（0 分钟前）" in rows[0], rows  # broken after the colon, never inside
        _set_as_chinese(rows, asked.size.width)


async def test_an_items_note_stays_indented_under_its_first_row() -> None:
    line = OrderLine(
        item_id="dumplings",
        name="猪肉白菜水饺 Pork and Cabbage Dumplings",
        quantity=2,
        unit_price=cny(2800),
        options=[LineOption(option_id="vinegar", group_id="sauce", name="香醋", quantity=1, unit_price=cny(0))],
        note=NOTE,
        total=cny(5600),
    )
    order = sample_order(3, OrderStatus.CONFIRMED, minutes_ago=4, order_type=OrderType.TAKEOUT, lines=[line])
    app = _app(QueueEntry(order))
    async with app.run_test(size=SIZE) as pilot:
        await pilot.pause()
        await pilot.press("enter")  # the order whole: at 40 columns, a screen of its own
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.pause()
        detail = app.screen.query_one(OrderDetail)
        rows = _rows(detail)
        width = detail.size.width
        first = next(index for index, row in enumerate(rows) if "备注：" in row)
        indent = len(rows[first]) - len(rows[first].lstrip(" "))
        note_rows = [rows[first]]
        for row in rows[first + 1 :]:
            if not row.strip() or "小计" in row:
                break
            note_rows.append(row)
        assert len(note_rows) >= 2, rows  # the note wraps at 40 columns
        for row in note_rows[1:]:
            assert row.startswith(" " * indent) and not row[indent].isspace(), rows  # under its first row
        assert "".join(row.strip() for row in note_rows).endswith(NOTE), rows  # all of it
        item = next(index for index, row in enumerate(rows) if "2× 猪肉白菜水饺" in row)
        name_at = rows[item].index("猪")
        assert rows[item + 1].startswith(" " * name_at) and "Dumplings" in rows[item + 1], rows  # under the name
        _set_as_chinese(rows, width)
