"""The handheld's task list on a digits-only keypad: at most 7 numbered lines a page, numbered from 1 on each, and
`8` turns the page (as it pages a task's details): it never opens task 8. The line above the message says so
while there is another page. Also: the English handheld on a terminal that is not UTF-8 says why a Chinese name
shows '?', as the Chinese one does; and the Chinese code hint fits two lines at 20x10, the smallest handheld."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from textual.geometry import Region

from o2o_tui.courier_tasks import CourierStep
from o2o_tui.domain.fleet import Courier, CourierStatus
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language
from screens import courier_screens
from screens.courier_app import CourierApp
from screens.courier_memory_source import MemoryCourierSource
from screens.courier_screens import CodeScreen, TaskListScreen, TaskScreen
from screens.courier_source import TaskView
from screens.courier_widgets import Line
from tests.test_ui_courier_snapshots import courier, delivery


@pytest.fixture(autouse=True)
def shanghai_clock(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.delenv("TZ")
    time.tzset()


@pytest.fixture(autouse=True)
def keys_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(courier_screens, "SETTLE_S", 0.0)
    monkeypatch.setattr(courier_screens, "BURST_S", 0.0)


@pytest.fixture(autouse=True)
def language() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _tasks(count: int) -> list[TaskView]:
    return [TaskView(delivery(number, DeliveryStatus.ACCEPTED)) for number in range(1, count + 1)]


def _app(count: int, *, ascii_only: bool = False, who: Courier | None = None) -> CourierApp:
    source = MemoryCourierSource(_tasks(count), courier=who or courier())
    return CourierApp(source, ascii_only=ascii_only)  # type: ignore[arg-type]


def numbered(app: CourierApp) -> list[str]:
    """The numbered lines shown on the list: "1 #0001", ..., "4 Go off duty"."""
    lines = app.screen.query(".choice").results(Line)
    return [" ".join(line.shown.split()[:2]) for line in lines if line.display]


def more(app: CourierApp) -> str:
    line = app.screen.query_one("#more", Line)
    return line.shown if line.display else ""


def drawn(line: Line) -> list[str]:
    return [strip.text.rstrip() for strip in line.render_lines(Region(0, 0, *line.size))]


async def test_eight_turns_the_page_of_a_long_list_and_never_opens_task_eight() -> None:
    app = _app(10)  # 10 tasks and the duty line: two pages, 7 and 4
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        assert numbered(app) == [f"{n} #{n:04d}" for n in range(1, 8)]
        assert more(app) == "▼ page 1/2, more: 8"
        await pilot.press("8")
        await pilot.pause()
        assert isinstance(app.screen, TaskListScreen)
        assert numbered(app) == ["1 #0008", "2 #0009", "3 #0010", "4 Go"]
        assert more(app) == "▲ page 2/2, first: 8"
        await pilot.press("1")  # line 1 of page 2: task #0008
        await pilot.pause()
        assert isinstance(app.screen, TaskScreen) and app.screen.delivery_id == "dl_0008"
        await pilot.press("0")
        await pilot.pause()
        await pilot.press("8")  # from the last page back to the first
        await pilot.pause()
        assert numbered(app)[0] == "1 #0001" and more(app) == "▼ page 1/2, more: 8"
        await pilot.press("pagedown", "pagedown", "pageup")  # PgDn/PgUp turn the pages too
        await pilot.pause()
        assert numbered(app)[0] == "1 #0008"


async def test_chinese_page_hint_fits_twenty_columns() -> None:
    set_language("zh")
    app = _app(8)
    async with app.run_test(size=(20, 10)) as pilot:
        await pilot.pause()
        line = app.screen.query_one("#more", Line)
        assert drawn(line) == ["▼ 1/2 页，下页：8"]


async def test_eight_is_never_a_line_seven_tasks_make_two_pages_and_a_short_list_has_no_eight() -> None:
    app = _app(7)  # 7 tasks and the duty line: 8 lines, but 8 is never a line
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        assert numbered(app) == [f"{n} #{n:04d}" for n in range(1, 8)] and more(app) == "▼ page 1/2, more: 8"
        await pilot.press("8")  # the duty line is on page 2
        await pilot.pause()
        assert numbered(app) == ["1 Go"]
    short = _app(3)
    async with short.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        assert numbered(short) == ["1 #0001", "2 #0002", "3 #0003", "4 Go"] and more(short) == ""
        await pilot.press("8")
        await pilot.pause()
        assert isinstance(short.screen, TaskListScreen)
        assert short.screen.query_one("#message", Line).shown.startswith("No line 8")


async def test_english_on_a_terminal_that_is_not_utf8_says_why_a_chinese_name_shows_question_marks() -> None:
    app = _app(2, ascii_only=True)  # the store's name is Chinese: the row shows '?'
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        await pilot.pause()
        message = app.screen.query_one("#message", Line).shown
        assert message == "Terminal not UTF-8: use LANG=C.UTF-8"


async def test_english_on_a_terminal_that_is_not_utf8_with_nothing_to_replace_says_nothing() -> None:
    plain = Courier(id="cr_1", name="Zhang Wei", status=CourierStatus.TO_MERCHANT, capacity=3, version=4)
    app = CourierApp(MemoryCourierSource(courier=plain), ascii_only=True)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        await pilot.pause()
        assert app.screen.query_one("#message", Line).shown == ""


@pytest.mark.parametrize(("lang", "lines"), [("zh", 2)])
async def test_the_code_hint_fits_at_the_smallest_handheld(lang: str, lines: int) -> None:
    set_language(lang)
    app = _app(1)
    async with app.run_test(size=(20, 10)) as pilot:
        await pilot.pause()
        app.push_screen(CodeScreen("dl_0001", CourierStep.PICKED_UP))
        await pilot.pause()
        hint = drawn(app.screen.query_one("#hint", Line))
        assert len(hint) <= lines, hint
        assert "4" in "".join(hint)
