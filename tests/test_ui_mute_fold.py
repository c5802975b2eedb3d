"""The mute dialog's hint (`M` on the queue) breaks its lines as the rest of the console does
(`o2o_tui.text_fold`): "10 分钟" / "10 min" never split across two lines, no line starts with "。", every line
fits, at 40x15 and 80x24, in English and Chinese, and again when the terminal is resized while it is open."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Region
from textual.widgets import Label

from o2o_tui.i18n import set_language, t
from o2o_tui.text_fold import CLOSING, fold
from screens.app import MerchantApp
from screens.memory_source import MemoryOrderSource
from screens.mute_dialog import MutePrompt
from screens.source import LinkState, LinkStatus
from tests.test_ui_samples import sample_store

SIZES = [(40, 15), (80, 24)]
UNIT = {"en": "{n} min", "zh": "{n} 分钟"}  # the default minutes and their unit, as the hint says them


@pytest.fixture(autouse=True)
def own_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))  # no settings file but the test's own
    yield
    set_language(None)


def _hint_lines(app: MerchantApp) -> list[str]:
    """The lines the dialog's hint shows, as drawn."""
    hint = app.screen.query_one(".hint", Label)
    strips = hint.render_lines(Region(0, 0, hint.size.width, hint.size.height))
    return [strip.text.rstrip() for strip in strips]


def _check(app: MerchantApp, language: str, minutes: int) -> None:
    hint = app.screen.query_one(".hint", Label)
    width = hint.content_size.width
    lines = _hint_lines(app)
    assert lines == fold(t("queue.mute.hint", minutes=minutes), width)  # every line fits: none broken again
    assert all(cell_len(line) <= width for line in lines), lines
    assert any(UNIT[language].format(n=minutes) in line for line in lines), lines  # the number with its unit
    assert not any(line[:1] in CLOSING for line in lines[1:]), lines


# each language, first size and number in the suite (each run checks both sizes), every combination in
# `python -m bench deep`
@pytest.mark.covering
@pytest.mark.parametrize("minutes", [10, 120])  # the default setting, and a longer one (`mute_minutes`)
@pytest.mark.parametrize("size", SIZES, ids=[f"{w}x{h}" for w, h in SIZES])
@pytest.mark.parametrize("language", ["en", "zh"])
async def test_the_mute_hint_keeps_a_number_with_its_unit(
    language: str, size: tuple[int, int], minutes: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_MUTE_MINUTES", str(minutes))
    set_language(language)
    app = MerchantApp(MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE)))
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, MutePrompt)
        _check(app, language, minutes)
        other = SIZES[1] if size == SIZES[0] else SIZES[0]
        await pilot.resize_terminal(*other)  # open while the counter's window is made smaller or larger
        await pilot.pause()
        _check(app, language, minutes)
