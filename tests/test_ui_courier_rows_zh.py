"""The handheld's task rows at 20 columns keep the store's name (on a line of its own where the ready time fills
the row), and its Chinese labels take the full-width colon "：" (a time keeps its "12:40"); every drawn row fits."""

from __future__ import annotations

import json
import re
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Region

from o2o_tui.i18n import set_language
from screens.courier_app import CourierApp
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_screens import TaskScreen
from screens.courier_widgets import Line
from screens.source import LinkState, LinkStatus
from tests.test_ui_courier_snapshots import NOW, courier, sample_tasks

CATALOG = Path(__file__).parent.parent / "o2o_tui" / "i18n" / "zh" / "handheld.json"
HAN_THEN_ASCII_COLON = re.compile(r"[\u3000-\u9fff\uff00-\uffef]\s*:")  # "顾客:" / "商家 :"


@pytest.fixture(autouse=True)
def shanghai_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    monkeypatch.setattr("screens.courier_format.clock_now", lambda: NOW)  # the day the sample tasks fall on
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


@pytest.fixture(autouse=True)
def keys_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("screens.courier_screens.SETTLE_S", 0.0)


@pytest.fixture(autouse=True)
def language() -> Iterator[None]:
    yield
    set_language(None)


def _app(link: LinkState = LinkState.ONLINE) -> CourierApp:
    status = LinkStatus(link, pending=1 if link is LinkState.OFFLINE else 0)
    source = MemoryCourierSource(sample_tasks(), courier=courier(), link=status)
    return CourierApp(source, ascii_only=False)  # type: ignore[arg-type]


def drawn(line: Line) -> list[str]:
    return [strip.text.rstrip() for strip in line.render_lines(Region(0, 0, *line.size))]


def rows(app: CourierApp) -> list[list[str]]:
    return [drawn(line) for line in app.screen.query(".task").results(Line)]


ROWS = {  # 20x16: the offer's name on a line of its own; the others keep theirs on the row
    "en": [["1 #0042 OFFER 13:12", "  老王川菜馆 Lao Wa…"], ["2 #0043 STORE 老王…"], ["3!#0044 DROP 老王川…"]],
    "zh": [["1 #0042 派单 13:12", "  老王川菜馆 Lao Wa…"], ["2 #0043 到店 老王川…"], ["3!#0044 送餐 老王川…"]],
}
SHORT = {"en": "1 #0042 OFFER 13:12…", "zh": "1 #0042 派单 13:12 …"}  # 20x10, as before
WIDE = {"en": "1 #0042 OFFER 13:12 老王川菜馆 Lao Wang…", "zh": "1 #0042 派单 13:12 老王川菜馆 Lao Wang …"}


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_a_row_at_20_columns_keeps_the_store_name(lang: str) -> None:
    set_language(lang)
    app = _app()
    async with app.run_test(size=(20, 16)) as pilot:
        await pilot.pause()
        assert rows(app) == ROWS[lang]
        await pilot.resize_terminal(20, 10)  # a soft keyboard is up: one line a task, the ready time first
        await pilot.pause()
        assert rows(app) == [[SHORT[lang]], *ROWS[lang][1:]]
        await pilot.resize_terminal(40, 16)  # room for it all on one line
        await pilot.pause()
        assert rows(app)[0] == [WIDE[lang]]
        for size in ((20, 16), (20, 10), (40, 16)):
            await pilot.resize_terminal(*size)
            await pilot.pause()
            assert all(cell_len(text) <= size[0] for row in rows(app) for text in row), rows(app)


async def test_the_chinese_task_labels_take_the_full_width_colon() -> None:
    set_language("zh")
    app = _app(LinkState.OFFLINE)
    async with app.run_test(size=(20, 16)) as pilot:
        await pilot.press("1")  # the offer: store, ready time, addresses, customer, note
        assert isinstance(app.screen, TaskScreen)
        await pilot.pause()
        fields = {line.id: line.shown for line in app.screen.query(".field").results(Line) if line.display}
        assert fields["field-store"] == "门店：老王川菜馆 Lao Wang Sichuan Kitchen"
        assert fields["field-ready"] == "出餐：13:12"  # the time keeps its colon
        assert fields["field-customer"].startswith("顾客：[b]Li Na[/b] 138****1111")
        assert fields["field-note"].startswith("备注：Call before arriving")
        for text in fields.values():
            assert not HAN_THEN_ASCII_COLON.search(text), text
        for line in app.screen.query(Line).results(Line):
            if line.display:
                assert all(cell_len(text) <= 20 for text in drawn(line)), drawn(line)
    set_language("en")
    app = _app()
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        assert app.screen.query_one("#field-store", Line).shown == "Store: 老王川菜馆 Lao Wang Sichuan Kitchen"


def test_no_chinese_handheld_label_ends_in_an_ascii_colon() -> None:
    catalog = json.loads(CATALOG.read_text(encoding="utf-8"))
    wrong = {key: text for key, text in catalog.items() if HAN_THEN_ASCII_COLON.search(text)}
    assert wrong == {}
