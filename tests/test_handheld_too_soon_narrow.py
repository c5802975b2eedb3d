"""At 20x10 (a soft keyboard up on the narrowest handheld) the message line has one line of 20 cells: a key pressed
before the fresh lines can take it says "too soon" there too (its short form, in English and in Chinese), rather than
only what the line said before. The real server on loopback, a real cache in tmp_path, the handheld in a pilot."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.i18n import set_language, t
from o2o_tui.ssh_gate import GATE_ENV
from screens.courier_screens import TaskScreen
from screens.courier_widgets import Line
from screens.source import LinkState
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    courier_profile,
    offer,
    open_source,
    screen_text,
    settled,
    wait_until,
)


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    return platform.seed.courier_ids[0]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(GATE_ENV, raising=False)
    yield tmp_path / "home"
    set_language(None)


def shown(app: CountingApp) -> list[str]:
    """The message line as drawn."""
    line = app.screen.query_one("#message", Line)
    return line.fitted(line.content_size.width)


@pytest.mark.parametrize(("language", "accepted"), [("en", "accepted"), ("zh", "已接单")])
async def test_too_soon_shows_at_twenty_by_ten(
    platform: RunningPlatform, courier_id: str, home: Path, language: str, accepted: str
) -> None:
    set_language(language)
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(20, 10)) as pilot:
        await wait_until(pilot, lambda: number in screen_text(app))
        await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE)
        await pilot.press("1")  # the task
        assert isinstance(app.screen, TaskScreen)
        await settled(pilot)
        await pilot.press("1")  # accept
        await wait_until(pilot, lambda: accepted in " ".join(shown(app)))
        await pilot.press("1")  # at once: the fresh lines take no key yet
        await pilot.pause()
        assert shown(app) == [t("handheld.keys_ignored.short")]
