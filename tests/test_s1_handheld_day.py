"""The courier handheld says the day of a task's ready time when it is not today, at the sizes a handheld has
(40x15, 20x16, 20x10 with a soft keyboard up), in English and Chinese: "1 #0003 OFFER tmrw 01:00" where it fits,
"1 #0003 OFFER 9 Dec" (12月9日, "+2天" where the date would be cut), the day alone ("1 #0003 OFFER tmrw", "明天") at
20 columns, never "12:00" alone (a courier went at noon today for
an order of the day after tomorrow); and a row that says "tmrw 00:10" says "00:10" once the store's midnight has
passed, with no news from the platform."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import msgspec
import pytest
from rich.cells import cell_len
from textual.geometry import Region

from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language
from screens.courier_app import CourierApp
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_source import TaskView
from screens.courier_widgets import Line
from tests.test_s1_day_clock import LATE, MORNING, local
from tests.test_ui_courier import wait_until
from tests.test_ui_courier_snapshots import courier, delivery


@pytest.fixture(autouse=True)
def keys_at_once(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setattr("screens.courier_screens.SETTLE_S", 0.0)
    yield
    set_language(None)


def _app(*tasks: tuple[int, datetime]) -> CourierApp:
    views = [
        TaskView(msgspec.structs.replace(delivery(n, DeliveryStatus.PENDING), ready_at=at)) for n, at in tasks
    ]
    return CourierApp(MemoryCourierSource(views, courier=courier()), ascii_only=False)  # type: ignore[arg-type]


def drawn(app: CourierApp, selector: str) -> list[str]:
    line = app.screen.query_one(selector, Line)
    return [strip.text.rstrip() for strip in line.render_lines(Region(0, 0, *line.size))]


WAYS = {  # (lang, size): (the row of #0003 for 9 Dec 12:00, of #0004 for tomorrow 01:00), its first line
    ("en", (40, 15)): (
        "1 #0003 OFFER 9 Dec 老王川菜馆 Lao Wang…",
        "2 #0004 OFFER tmrw 01:00 老王川菜馆 Lao…",
    ),
    ("en", (20, 16)): ("1 #0003 OFFER 9 Dec", "2 #0004 OFFER tmrw"),
    ("en", (20, 10)): ("1 #0003 OFFER 9 Dec…", "2 #0004 OFFER tmrw …"),
    ("zh", (40, 15)): (
        "1 #0003 派单 12月9日 老王川菜馆 Lao Wan…",
        "2 #0004 派单 明天 01:00 老王川菜馆 Lao …",
    ),
    ("zh", (20, 16)): ("1 #0003 派单 12月9日", "2 #0004 派单 明天"),
    ("zh", (20, 10)): ("1 #0003 派单 +2天 …", "2 #0004 派单 明天 …"),  # 12月9日 and the cut mark: 21 cells
}


@pytest.mark.parametrize(("lang", "size"), list(WAYS), ids=[f"{lang}-{w}x{h}" for lang, (w, h) in WAYS])
async def test_a_row_for_another_day_says_the_day(
    monkeypatch: pytest.MonkeyPatch, lang: str, size: tuple[int, int]
) -> None:
    set_language(lang)
    monkeypatch.setattr("screens.courier_format.clock_now", lambda: MORNING)
    app = _app((3, local(9, 12)), (4, local(8, 1)), (5, local(7, 12)))
    async with app.run_test(size=size) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#task-dl_0003")))
        await pilot.pause()
        later, tomorrow = drawn(app, "#task-dl_0003"), drawn(app, "#task-dl_0004")
        assert (later[0], tomorrow[0]) == WAYS[lang, size], (later, tomorrow)
        today = drawn(app, "#task-dl_0005")[0]
        assert today.startswith("3 #0005 " + ("OFFER" if lang == "en" else "派单") + " 12:00"), today
        for line in (*later, *tomorrow, today):
            assert cell_len(line) <= size[0]


async def test_the_task_screen_says_the_day(monkeypatch: pytest.MonkeyPatch) -> None:
    set_language("en")
    monkeypatch.setattr("screens.courier_format.clock_now", lambda: MORNING)
    app = _app((3, local(9, 12)))
    async with app.run_test(size=(40, 15)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#task-dl_0003")))
        await pilot.press("1")
        await wait_until(pilot, lambda: bool(app.screen.query("#field-ready")))
        await pilot.pause()
        assert drawn(app, "#field-ready") == ["Ready: 9 Dec 12:00"]


async def test_a_row_says_today_once_the_stores_midnight_passed(monkeypatch: pytest.MonkeyPatch) -> None:
    set_language("en")
    now = [LATE]  # 23:39 in Shanghai; the task is ready at 00:10 tomorrow
    monkeypatch.setattr("screens.courier_format.clock_now", lambda: now[0])
    monkeypatch.setattr("screens.courier_widgets.DAY_CHECK_S", 0.2)
    app = _app((3, local(8, 0, 10)))
    async with app.run_test(size=(40, 15)) as pilot:
        await wait_until(pilot, lambda: bool(app.screen.query("#task-dl_0003")))
        await pilot.pause()
        assert drawn(app, "#task-dl_0003")[0].startswith("1 #0003 OFFER tmrw 00:10 ")
        now[0] = datetime(2026, 12, 7, 16, 1, tzinfo=UTC)  # 00:01 on 12-08 in Shanghai: no news came
        await wait_until(
            pilot, lambda: drawn(app, "#task-dl_0003")[0].startswith("1 #0003 OFFER 00:10 "), 5.0
        )
