"""The courier's problem-reason list settles as every fresh numbered screen does: `3` then a reason at once picks
none (a key repeated on a slow link, or a code typed on, never reports a problem), a reason after the settle asks
once more. The dispatch board's help explains the "cached" tag its orders carry when it shows this device's cache.
Real server on loopback and real cache for the handheld; the board on a fleet in memory."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static

from o2o_tui.i18n import set_language, t
from screens.courier_screens import ConfirmScreen, ProblemScreen, TaskScreen
from screens.dispatch_board import DispatchApp
from screens.dispatch_help import BoardHelp
from tests.support.platform import RunningPlatform
from tests.test_handheld_keypad_bursts import act, past_burst
from tests.test_ui_courier import (
    CountingApp,
    courier_profile,
    offer,
    open_first_task,
    open_source,
    screen_text,
    server_delivery,
    settled,
)
from tests.test_ui_dispatch import MemoryFleet, board_of, until
from tests.test_ui_dispatch_board_fit import ten_couriers


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    return platform.seed.courier_ids[0]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    yield tmp_path / "home"
    set_language(None)


async def test_the_problem_list_takes_no_reason_at_once(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    act(platform, courier_id, order["id"], "accept", "arrived-at-merchant", "picked-up")
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")
        assert isinstance(app.screen, TaskScreen)
        await pilot.press("3", "2")  # the problem list, then a reason at once (a typed code, a repeated key)
        assert isinstance(app.screen, ProblemScreen), screen_text(app)
        assert t("handheld.keys_ignored") in screen_text(app)
        await pilot.press("enter")  # the burst goes on: still nothing picked
        assert isinstance(app.screen, ProblemScreen)
        await past_burst(pilot)
        await settled(pilot)
        await pilot.press("2")  # a deliberate reason: asks once more, files nothing yet
        assert isinstance(app.screen, ConfirmScreen) and "Address not found" in screen_text(app)
        assert server_delivery(platform, order["id"])["problems"] == []


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_board_help_explains_the_cached_tag(lang: str) -> None:
    set_language(lang)
    try:
        app = DispatchApp(MemoryFleet(ten_couriers()), poll_seconds=3600)
        async with app.run_test(size=(80, 24)) as pilot:
            board = board_of(app)
            await until(pilot, lambda: board.rounds >= 1, "first round")
            await pilot.press("question_mark")
            await until(pilot, lambda: isinstance(app.screen, BoardHelp), "the help opened")
            notes = [str(note.render()) for note in app.screen.query(".help-note").results(Static)]
            cached = [note for note in notes if note.startswith(t("dispatch.board.tag.cached"))]
            assert len(cached) == 1, notes
            assert t("dispatch.board.help.cached") in "".join(cached[0].split("\n")), cached
    finally:
        set_language(None)
