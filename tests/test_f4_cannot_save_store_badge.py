"""While this device cannot write its cache (CANNOT SAVE: a full disk), the store's badge on the link line is the
platform's, not the cache's: a store resumed on the platform meanwhile does not show PAUSED, one paused again shows
PAUSED again, and once space is back the cache holds it and the badge stays right.

The disk fills up as in tests/test_d1_console_disk_full.py (os.write raising ENOSPC for the profile's files). Real
platform on loopback, real profile cache."""

from __future__ import annotations

import asyncio
import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.store import StoreState
from o2o_tui.i18n import set_language, t
from tests.support.platform import RunningPlatform, api
from tests.test_d1_console_disk_full import FullDisk, _app, _state, _status
from tests.test_ui_live import wait_until


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


def _set_state(platform: RunningPlatform, state: str) -> None:
    """Another device of the store (or the platform's staff) changes its state."""
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        answer = merchant.put(f"/v1/stores/{platform.seed.store_id}/status", {"state": state})
        assert answer.status_code == 200, answer.text
    finally:
        merchant.close()


def _paused_shown(app: object) -> bool:
    return t("ui.store.state.PAUSED") in _status(app)


async def test_the_store_badge_is_the_platforms_while_the_cache_cannot_be_written(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = FullDisk(monkeypatch, Path(os.environ["O2O_HOME"]))
    await asyncio.to_thread(_set_state, platform, "PAUSED")
    app = _app(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: _state(app) == "ONLINE" and _paused_shown(app))
        disk.full = True
        await asyncio.to_thread(_set_state, platform, "ONLINE")  # resumed elsewhere: fetched, cannot be stored
        await wait_until(pilot, lambda: _state(app) == "CANNOT_SAVE" and disk.refused > 0)
        await wait_until(pilot, lambda: not _paused_shown(app), timeout=8.0)
        store = app.source.store()
        assert store is not None and store.status.state is StoreState.ONLINE
        assert _state(app) == "CANNOT_SAVE"  # still said: only the badge is the platform's

        await asyncio.to_thread(_set_state, platform, "PAUSED")  # paused again, the disk still full
        await wait_until(pilot, lambda: _paused_shown(app), timeout=8.0)
        await asyncio.to_thread(_set_state, platform, "ONLINE")
        await wait_until(pilot, lambda: not _paused_shown(app), timeout=8.0)

        disk.full = False  # space is back: the cache holds the store as the platform has it
        await wait_until(pilot, lambda: _state(app) == "ONLINE")
        await pilot.pause(0.3)
        assert not _paused_shown(app)
        store = app.source.store()
        assert store is not None and store.status.state is StoreState.ONLINE
