"""The menu editor's time prompt, the menu form's labels and errors and the order detail's "no longer in the queue"
break their Chinese lines as the other dialogs do (`FoldedLabel` / `FoldedText`, `o2o_tui/text_fold.py`): at 40
columns no line starts with closing punctuation (。，）) nor ends with opening punctuation (（). Read from what the
terminal is sent (the compositor's strips)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.app import App, ComposeResult
from textual.content import Content

from o2o_tui.i18n import set_language
from o2o_tui.text_fold import CLOSING, OPENING
from screens.menu_editor import TimePrompt
from screens.menu_form import MenuForm

# a sentence whose punctuation lands on the edge of a 40-column line for one of the paddings in front of it
SENTENCE = "售罄至（HH:MM，门店时间；已过的时间指明天）。请输入时间（例如 14:30），然后按回车确认。"


@pytest.fixture(autouse=True)
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language(None)


def _lines(app: App[Any]) -> list[str]:
    strips = app.screen._compositor.render_strips()
    return ["".join(segment.text for segment in strip) for strip in strips]


def _badly_broken(lines: list[str]) -> list[str]:
    bad = []
    for line in lines:
        text = line.strip(" │▊▎▔▁")  # the dialog's and the field's borders aside
        if text and (text[0] in CLOSING or text[-1] in OPENING):
            bad.append(line)
    return bad


class _Host(App[None]):
    def __init__(self, title: str) -> None:
        super().__init__()
        self._title = title

    def on_mount(self) -> None:
        self.push_screen(TimePrompt(self._title))


@pytest.mark.parametrize("pad", range(8))
async def test_the_time_prompt_breaks_its_title_as_chinese_is_set(pad: int) -> None:
    app = _Host("甲" * pad + SENTENCE)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        lines = _lines(app)
        assert any("甲" * pad + "售罄" in line for line in lines), lines
        assert not _badly_broken(lines), lines


async def test_the_time_prompt_breaks_its_error_as_chinese_is_set() -> None:
    app = _Host(SENTENCE)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        await pilot.press("9", "9", "enter")
        await pilot.pause()
        lines = _lines(app)
        assert any("格式的时间" in line for line in lines), lines  # the error is shown
        assert not _badly_broken(lines), lines


class _FormHost(App[None]):
    def compose(self) -> ComposeResult:
        yield MenuForm(id="form")


@pytest.mark.parametrize("pad", range(8))
async def test_the_menu_forms_errors_break_as_chinese_is_set(pad: int) -> None:
    app = _FormHost()
    async with app.run_test(size=(40, 15)) as pilot:
        form = app.query_one(MenuForm)
        form.show_problems({"name_zh": "甲" * pad + SENTENCE}, general="乙" * pad + SENTENCE)
        await pilot.pause()
        lines = _lines(app)
        assert sum("售罄" in line for line in lines) == 2, lines
        assert not _badly_broken(lines), lines


async def test_the_menu_forms_labels_are_plain_folded_text() -> None:
    app = _FormHost()
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        label = app.query_one("#label-name_zh")
        assert isinstance(label.visual, Content) and label.visual.plain == "名称（中文）"
