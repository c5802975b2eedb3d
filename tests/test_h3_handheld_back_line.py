"""The handheld's task screen keeps its "0 Back" line whenever the screen has a row for it: at 40x8 and 20x10 (a
soft keyboard up) it was hidden while the message line under the actions stood blank."""

from __future__ import annotations

from pathlib import Path

import pytest

from screens.courier_app import CourierApp
from screens.courier_screens import TaskScreen
from screens.courier_widgets import Line
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    courier_id,
    courier_profile,
    home,
    offer,
    open_first_task,
    open_source,
    settled,
)

__all__ = ["courier_id", "home"]  # fixtures


def _rows(app: CourierApp) -> list[str]:
    """The screen as shown: each line widget's text at its row."""
    rows = [""] * app.size.height
    for line in app.screen.query(Line).results(Line):
        region = line.region
        if not line.display or not region.height:
            continue
        for index, text in enumerate(line.fitted(region.width)[: region.height]):
            if 0 <= region.y + index < len(rows):
                rows[region.y + index] = text
    return rows


@pytest.mark.parametrize("size", [pytest.param((40, 8), marks=pytest.mark.deep), (20, 10)])
async def test_a_short_screen_shows_back_while_nothing_is_said(
    platform: RunningPlatform, courier_id: str, home: Path, size: tuple[int, int]
) -> None:
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    app = CourierApp(open_source(courier_profile(platform, courier_id)), ascii_only=True)
    async with app.run_test(size=size) as pilot:
        await open_first_task(pilot, app, number)
        await pilot.press("1")  # accept the offer: "#0001 accepted" on the message line
        await settled(pilot)
        await pilot.press("0")  # back to the list, and into the task again: nothing said on it yet
        await settled(pilot)
        await pilot.press("1")
        await settled(pilot)
        await pilot.pause(0.3)
        assert isinstance(app.screen, TaskScreen)
        rows = _rows(app)
        assert rows[-1] == "0 Back", rows  # the last row: blank before
        assert "3 Report a problem" in rows, rows

        app.screen.say("Offline: queued")  # something said: the message has the row, as before
        await pilot.pause(0.2)
        rows = _rows(app)
        assert rows[-1] == "Offline: queued" and "0 Back" not in rows, rows
        app.screen.say("")  # and gives it back once it says nothing
        await pilot.pause(0.2)
        assert _rows(app)[-1] == "0 Back"
