"""The store screen sends the version of the hours a change was edited from: a console whose cached hours are stale
(another device changed them while it was offline) has its change queued, refused when the link is back (tapped
after the other change, so the tap-time rule alone lets it through), and listed in its conflicts with the reason,
while the other device's hours stand. The real platform on loopback, the console's real cache in tmp_path."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.config import load_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.launch import open_source
from screens.store_screen import StoreScreen
from tests.support.platform import RunningPlatform, api, start_platform
from tests.test_cli_orders import Cli
from tests.test_ui_live import wait_until
from tests.test_ui_store import _type

MONDAY = {"opening_hours": [{"weekday": 0, "opens": "10:00", "closes": "14:00"}], "exceptions": []}


@pytest.fixture
def stale_console(tmp_path: Path) -> Iterator[RunningPlatform]:
    """A console's cache synced with no hours, then another device sets Monday's and the platform goes away."""
    running = start_platform(tmp_path / "platform")
    try:
        assert running.seed is not None
        counter = Cli(tmp_path / "home", running.seed.tokens["merchant"])
        counter("login", "--url", running.url, "--token", counter.token)
        counter("sync", "--once")
        other = api(running, "merchant")  # another device of the store
        assert other.put(f"/v1/stores/{running.seed.store_id}/hours", MONDAY).status_code == 200
        other.close()
        running.stop()
        yield running
    finally:
        running.stop()


async def test_a_stale_console_change_is_refused_and_kept(
    stale_console: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    running = stale_console
    assert running.seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    try:
        app = MerchantApp(open_source(load_profile()))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.source.store() is not None)
            await pilot.press("s")
            await wait_until(pilot, lambda: isinstance(app.screen, StoreScreen))
            await pilot.press("down", "enter")  # Tuesday
            await _type(pilot, "09:00-17:00")
            await wait_until(pilot, lambda: app.source.link().pending == 1)
            await asyncio.to_thread(running.restart)
            await wait_until(pilot, lambda: len(app.source.conflicts()) == 1, timeout=60)
            refused = app.source.conflicts()[0]
            assert "another device changed it" in refused.explanation
            assert "kept among the refused actions" not in refused.explanation  # it is read in that list
    finally:
        set_language(None)
    merchant = api(running, "merchant")
    hours = merchant.get(f"/v1/stores/{running.seed.store_id}").json()["opening_hours"]
    merchant.close()
    assert hours == MONDAY["opening_hours"]  # the other device's change stands whole
