"""The handheld's "more below" hint reads whole at every width the handheld takes, down to its narrowest (20
columns), in English and Chinese, with the Unicode arrow and the ASCII one: against the real platform on loopback
(sync engine, a real cache in tmp_path), and for the catalog's wording itself."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from rich.cells import cell_len
from textual.geometry import Region

from o2o_tui.i18n import set_language, t
from screens.courier_app import MIN_WIDTH
from screens.courier_format import ASCII, UNICODE
from screens.courier_screens import TaskScreen
from screens.courier_widgets import Line
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import CountingApp, courier_profile, offer, open_source, screen_text, wait_until

NOTE = "Gate code 4321#, knock twice, the dog is friendly; 门口有狗，不咬人，敲门两下"


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language(request.param)
    yield request.param
    set_language(None)


@pytest.mark.parametrize("language", ["en", "zh"])
def test_the_hint_fits_the_narrowest_handheld(language: str) -> None:
    set_language(language)
    try:
        for glyphs in (UNICODE, ASCII):
            hint = t("handheld.more", arrow=glyphs.down)
            assert cell_len(hint) <= MIN_WIDTH, hint
    finally:
        set_language(None)


@pytest.mark.parametrize("ascii_only", [False, True], ids=["unicode", "ascii"])
async def test_the_hint_is_shown_whole_at_20_columns(
    platform: RunningPlatform, lang: str, ascii_only: bool
) -> None:
    assert platform.seed is not None
    courier_id = platform.seed.courier_ids[0]
    order = offer(platform, courier_id, note=NOTE)
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)), ascii_only=ascii_only)
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: number in screen_text(app))
        await pilot.press("1")  # open the offer
        assert isinstance(app.screen, TaskScreen)
        more = app.screen.query_one("#more", Line)
        # in ASCII the Chinese is one '?' a character: at 40x16 the whole offer fits, and no hint is due
        for size in ((40, 16), (MIN_WIDTH, 16)) if not ascii_only else ((MIN_WIDTH, 16),):
            await pilot.resize_terminal(*size)
            await wait_until(pilot, lambda: bool(more.shown) and more.display)  # the details overflow
            hint = app.for_terminal(t("handheld.more", arrow=app.glyphs.down))
            drawn = [strip.text.rstrip() for strip in more.render_lines(Region(0, 0, *more.outer_size))]
            assert drawn == [hint], (size, drawn)
