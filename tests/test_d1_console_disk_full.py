"""A full disk on the console's device is loud and lasting: the link says CANNOT SAVE (not ONLINE, not CONNECTING),
a banner says the disk is full and new orders may not show, the offline sound rings once; once space is back the
console is back to normal by itself (ONLINE, the banner gone, the order that could not be saved on screen).

The disk fills up as the product's other full-disk tests make it (os.write raising ENOSPC), here for the files of
the test's profile only. Real platform on loopback, real profile cache; English and Chinese.

New orders fetched while the disk is full do not show: the screens show the cache (DESIGN section 5: only server
answers written into the cache, the view is cache + outbox), so the banner says they "may not show"."""

from __future__ import annotations

import asyncio
import errno
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language, t
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens.alerts import Sound, bell_pattern
from screens.engine_source import EngineOrderSource
from screens.widgets.status_bar import StatusBar
from tests.support.handheld import first_courier_id
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import CountingApp as CourierCountingApp
from tests.test_ui_courier import courier_profile
from tests.test_ui_courier import offer as courier_offer
from tests.test_ui_courier import open_source as open_courier_source
from tests.test_ui_live import CountingApp, _numbers, _place, wait_until


@pytest.fixture(params=["en", pytest.param("zh", marks=pytest.mark.deep)])  # zh: `python -m bench deep`
def profile(
    request: pytest.FixtureRequest, platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Profile]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language(request.param)
    seed = platform.seed
    assert seed is not None
    yield save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    set_language(None)


class FullDisk:
    """`os.write` into any file under `home` fails with ENOSPC while `full` (the cache's and outbox's temp files)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch, home: Path) -> None:
        self.full = False
        self.refused = 0
        real = os.write
        home_text = str(home) + os.sep

        def write(fd: int, data: Any) -> int:
            if self.full:
                try:
                    name = os.readlink(f"/proc/self/fd/{fd}")
                except OSError:
                    name = ""
                if name.startswith(home_text):
                    self.refused += 1
                    raise OSError(errno.ENOSPC, "No space left on device")
            return real(fd, data)

        monkeypatch.setattr(os, "write", write)


def _app(profile: Profile) -> Any:
    cache = open_cache(profile)
    client = make_client(profile, timeout=5.0)
    engine = make_engine(profile, cache, client, poll_wait=0.5, backoff_cap=1.0, save_retry_every=0.5)
    return CountingApp(EngineOrderSource(engine, cache, client, profile.store_id or ""))


def _status(app: Any) -> str:
    return str(app.orders_screen.query_one(StatusBar).render())


def _banner(app: Any) -> str | None:
    banner = app.orders_screen.query_one("#banner", Static)
    return str(banner.render()) if banner.display else None


def _toasts(app: Any) -> list[str]:
    return [str(toast.message) for toast in app._notifications]


def _state(app: Any) -> str:
    return str(app.source.link().state.value)


async def test_a_full_disk_is_said_loudly_and_clears_by_itself(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    disk = FullDisk(monkeypatch, Path(os.environ["O2O_HOME"]))
    app = _app(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: _state(app) == "ONLINE")
        assert _banner(app) is None
        bells = app.bells
        disk.full = True
        placed = await asyncio.to_thread(_place, platform)  # fetched, but cannot be stored
        await wait_until(pilot, lambda: _state(app) == "CANNOT_SAVE" and disk.refused > 0)
        await wait_until(pilot, lambda: t("ui.link.state.CANNOT_SAVE") in _status(app))
        status = _status(app)
        assert t("ui.link.state.ONLINE") not in status.replace(t("ui.link.state.CANNOT_SAVE"), "")
        assert t("ui.link.disk_full_hint") in status or t("status_line.disk_full_hint_short") in status
        assert app.orders_screen.query_one(StatusBar).has_class("-cannot_save")
        assert _banner(app) == t("alerts.disk_full_banner")
        # the offline banner's sound (its later bells are timers)
        await wait_until(pilot, lambda: app.bells - bells >= len(bell_pattern(Sound.OFFLINE)))
        said = "".join("".join(_toasts(app)).split())  # toasts fold long lines
        why = "".join(t("sync.error.disk_full", path="cache-v1.json").split())
        assert why.split("cache-v1.json")[1] in said and "cache-v1.json" in said  # why, naming the full file
        assert placed["number"] not in _numbers(app)  # the screen shows the cache: said "may not show"

        await pilot.pause(2.0)  # it lasts: retried, still said, not flipping back to ONLINE
        assert _state(app) == "CANNOT_SAVE" and _banner(app) == t("alerts.disk_full_banner")

        app.clear_notifications()
        disk.full = False  # space is freed: back to normal by itself
        await wait_until(pilot, lambda: placed["number"] in _numbers(app))
        await wait_until(pilot, lambda: _state(app) == "ONLINE" and _banner(app) is None)
        assert t("ui.link.state.CANNOT_SAVE") not in _status(app)
        assert t("ui.link.saving_again") in _toasts(app)


async def test_a_console_started_on_a_full_disk_says_so_not_connecting(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Nothing new to fetch (an earlier run wrote its cursor): still said at the first answer, not after the
    engine's first write of its quiet polls (30 s), and never CONNECTING or ONLINE meanwhile."""
    first = _app(profile)
    async with first.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: _state(first) == "ONLINE")
    disk = FullDisk(monkeypatch, Path(os.environ["O2O_HOME"]))
    disk.full = True
    app = _app(profile)
    async with app.run_test(size=(40, 15)) as pilot:
        await wait_until(pilot, lambda: _state(app) == "CANNOT_SAVE", timeout=10.0)
        await wait_until(pilot, lambda: _banner(app) is not None)
        assert t("ui.link.state.CONNECTING") not in _status(app)
        assert t("ui.link.state.CANNOT_SAVE") in _status(app)
        assert _banner(app) in (t("alerts.disk_full_banner"), t("alerts.disk_full_short"))
        await pilot.pause(1.5)  # polls answered meanwhile do not make it ONLINE
        assert _state(app) == "CANNOT_SAVE"
        disk.full = False
        await wait_until(pilot, lambda: _state(app) == "ONLINE" and _banner(app) is None)


class SayingCourierApp(CourierCountingApp):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.said: list[str] = []

    def _say(self, text: str, style: str = "") -> None:
        self.said.append(text)
        super()._say(text, style)


async def test_the_courier_handheld_says_a_full_disk_and_its_end(
    platform: RunningPlatform, profile: Profile, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The handheld runs the same engine: its status line says CANNOT SAVE, two beeps and the line why; once
    space is back, ONLINE and the line says so."""
    courier_id = first_courier_id(platform)
    disk = FullDisk(monkeypatch, Path(os.environ["O2O_HOME"]))
    app = SayingCourierApp(open_courier_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        bells = app.bells
        disk.full = True
        await asyncio.to_thread(courier_offer, platform, courier_id)  # a new task: fetched, cannot be stored
        await wait_until(pilot, lambda: app.source.link().state.value == "CANNOT_SAVE")
        await wait_until(pilot, lambda: t("handheld.link.disk_full") in app.said)
        assert app.status_text().startswith(t("ui.link.state.CANNOT_SAVE"))
        assert app.bells - bells >= 2
        disk.full = False
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        await wait_until(pilot, lambda: t("handheld.link.saving_again") in app.said)
        assert app.status_text().startswith(t("ui.link.state.ONLINE"))
