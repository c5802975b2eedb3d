"""The refused actions' screen with none left: its title ("Refused actions (0)"), the list hidden, and the empty
text whole, at 80x24 and 40x15, in English and Chinese. The empty text says what is true now: a refusal stays until
dismissed, except a refused menu publish (and its import's availability changes), which leaves by itself once a
later publish from this device goes through (sync/linked.py `follow_published`).

Before, the first draw of an empty list was skipped (an empty list equal to the empty one remembered): no title,
and the hidden-to-be list kept half the screen (an empty box on an ASCII terminal)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from textual.app import App
from textual.widgets import OptionList

from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.conflicts_screen import ConflictsScreen
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus
from screens.terminal import ASCII, FULL, Glyphs
from tests.test_ui_samples import FROZEN_NOW, sample_store


class QuietApp(MerchantApp):
    def bell(self) -> None:
        pass


def _screen_text(app: App[Any]) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


WORDS = {
    "en": ("Refused actions (0)", "No refused actions left to read", "menu publish", "goes through."),
    "zh": ("被拒的操作（0）", "没有待查看的被拒操作", "菜单发布", "自动移除。"),
}


@pytest.mark.parametrize("glyphs", [FULL, ASCII], ids=["full", "ascii"])
@pytest.mark.parametrize("size", [(80, 24), (40, 15)], ids=["80x24", "40x15"])
async def test_no_refused_actions_shows_the_title_and_the_whole_empty_text(
    lang: str, glyphs: Glyphs, size: tuple[int, int]
) -> None:
    source = MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE), conflicts=[])
    app = QuietApp(source, clock=lambda: FROZEN_NOW, glyphs=glyphs)
    async with app.run_test(size=size) as pilot:
        await app.push_screen(ConflictsScreen(source))
        await pilot.pause(0.2)
        shown = _screen_text(app)
        assert app.screen.query_one(OptionList).display is False, shown
        flat = "".join(line.strip() for line in shown.splitlines())  # the text is folded at the width
        title, start, menu, end = WORDS[lang]
        assert shown.splitlines()[0].startswith(title), shown
        for words in (start, menu, end):
            assert words.replace(" ", "") in flat.replace(" ", ""), shown
        assert "until a later publish goes through" not in flat, shown  # the old words
