"""The store screen's busy prompt (`b`) on a paused store names the pause it ends: busy is a state of an open store,
so setting it reopens the store. The real platform, the sync engine and a real cache; keys as a person presses."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from textual.widgets import Label

from o2o_tui.config import Profile
from o2o_tui.store_effect import at_text
from screens.app import MerchantApp
from screens.dialogs import NumberPrompt
from screens.launch import open_source
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import wait_until
from tests.test_ui_store import _open_store_screen, _server_store, _text, platform, profile  # noqa: F401


def _title(app: MerchantApp) -> str:
    return str(app.screen.query(Label).first().render())


async def test_busy_prompt_on_a_paused_store_says_it_ends_the_pause(
    platform: RunningPlatform,  # noqa: F811
    profile: Profile,  # noqa: F811
) -> None:
    assert platform.seed is not None
    until = (datetime.now(UTC) + timedelta(minutes=15)).replace(microsecond=0)
    merchant = api(platform, "merchant")
    try:
        body = {"state": "PAUSED", "until": until.isoformat(), "reason": "test"}
        assert merchant.put(f"/v1/stores/{platform.seed.store_id}/status", body).status_code == 200
    finally:
        merchant.close()
    at = at_text(until, ZoneInfo(_server_store(platform)["timezone"]), datetime.now(UTC))
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_store_screen(pilot, app)
        await wait_until(pilot, lambda: _text(app, "#store-effect").startswith("Closed until"))
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, NumberPrompt))
        assert _title(app) == (
            f"Busy ends the pause until {at} and takes orders again: extra minutes on every order"
        )
        await pilot.press("escape")
        await wait_until(pilot, lambda: not isinstance(app.screen, NumberPrompt))
        assert _server_store(platform)["status"]["state"] == "PAUSED"  # Esc sends nothing
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, NumberPrompt))
        await pilot.press("enter")  # the default minutes
        await wait_until(pilot, lambda: _server_store(platform)["status"]["state"] == "BUSY")
        await wait_until(pilot, lambda: _text(app, "#store-effect").startswith("Busy: +"))
        # busy while busy: the plain title, no pause to end
        await pilot.press("b")
        await wait_until(pilot, lambda: isinstance(app.screen, NumberPrompt))
        assert _title(app) == "Busy: extra minutes on every order"
        await pilot.press("escape")
