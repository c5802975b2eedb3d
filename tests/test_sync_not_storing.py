"""The platform answers but cannot store changes (503 `storage_unavailable`, its disk full): the console and the CLI
say so as their own state (NOT_STORING), not OFFLINE and not ONLINE; the queue waits for the answer's Retry-After
instead of being sent again after every poll; the link does not flip between states while reads keep working; the
queued actions land once the platform can store again.

The full disk is a real one (a 3 MB tmpfs filled up), as in tests/test_server_full_disk_writes.py."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.domain.order import OrderStatus
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.i18n import set_language, t
from o2o_tui.sync.engine import SyncSettings
from o2o_tui.sync.model import SyncState
from o2o_tui.sync.read_model import ReadModel
from offline_cache import open_profile_cache
from screens.alerts import Alerts
from screens.source import LinkState, LinkStatus
from screens.widgets.status_bar import link_line_parts
from tests.support.platform import start_platform
from tests.test_server_full_disk import _fill, _small_disk
from tests.test_sync_engine import merchant_engine, place_orders

FAST = SyncSettings(poll_wait=0.3, backoff_base=0.01, backoff_cap=0.05)


async def _until(condition: Any, what: str, engine: Any, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    raise AssertionError(f"timed out waiting for {what}: {engine.status()}")


async def test_a_refused_write_is_not_storing_waits_for_retry_after_and_lands_later(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk") as disk:
        running = start_platform(tmp_path / "platform", db_url=f"sqlite:///{disk / 'platform.sqlite3'}")
        try:
            seed = running.seed
            assert seed is not None
            first, second = place_orders(running.url, seed, 2)
            with open_profile_cache(tmp_path / "profile") as cache:
                client, engine = merchant_engine(running.url, seed, cache, settings=FAST)
                confirms: list[str] = []
                real_call = client.call

                async def counting(call: Any) -> Any:
                    if call.method == "POST" and call.path.endswith("/confirm"):
                        confirms.append(call.path)
                    return await real_call(call)

                client.call = counting  # type: ignore[method-assign]
                states: list[SyncState] = []
                engine.subscribe(lambda change: states.append(engine.status().state) if change.kind == "status" else None)
                async with client:
                    task = asyncio.create_task(engine.run())
                    try:
                        await _until(lambda: ReadModel(cache).order(second) is not None, "the first sync", engine)
                        filler = _fill(disk)
                        await engine.submit("order.confirm", first, ConfirmBody(preparation_minutes=5))
                        await _until(lambda: engine.status().state is SyncState.NOT_STORING, "NOT_STORING", engine)
                        said = len(states)
                        assert engine.status().last_error == t("sync.error.not_storing")
                        await asyncio.sleep(3.0)  # ten polls answered meanwhile: reads work
                        # no flipping to ONLINE at each answered poll, nor to OFFLINE: one state, said once
                        assert states[said - 1 :] == [SyncState.NOT_STORING] * len(states[said - 1 :]), states
                        assert engine.status().state is SyncState.NOT_STORING
                        assert len(confirms) == 1, confirms  # Retry-After 30 s: not sent again after every poll
                        filler.unlink()
                        # a person's new action tries at once, and takes the waiting one with it, in order
                        await engine.submit("order.confirm", second, ConfirmBody(preparation_minutes=5))
                        await _until(lambda: engine.status().pending == 0, "the queue to drain", engine)
                        await _until(lambda: engine.status().state is SyncState.ONLINE, "ONLINE", engine)
                    finally:
                        engine.stop()
                        await asyncio.wait_for(task, 5)
                for order_id in (first, second):
                    assert ReadModel(cache).order(order_id).order.status is OrderStatus.CONFIRMED
                    assert not ReadModel(cache).order(order_id).is_pending
            assert SyncState.OFFLINE not in states, states
        finally:
            running.stop()


def _o2o(home: Path, *args: str, code: int = 0) -> Any:
    env = {"O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "300"}
    env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    return result


def test_sync_status_says_not_storing_not_online(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk") as disk:
        running = start_platform(tmp_path / "platform", db_url=f"sqlite:///{disk / 'platform.sqlite3'}")
        try:
            assert running.seed is not None
            home = tmp_path / "home"
            _o2o(home, "login", "--url", running.url, "--token", running.seed.tokens["merchant"])
            [order_id] = place_orders(running.url, running.seed, 1)
            _o2o(home, "sync", "--once")
            filler = _fill(disk)
            _o2o(home, "orders", "accept", order_id, "--prep", "10")  # queued
            status = json.loads(_o2o(home, "sync", "status", "--json").stdout)
            assert status["state"] == "NOT_STORING", status
            once = _o2o(home, "sync", "--once", code=3)  # a server error: exit 3 (README, exit codes)
            assert once.stdout.startswith("NOT SAVING"), once.stdout
            status = json.loads(_o2o(home, "sync", "status", "--json").stdout)
            assert status["state"] == "NOT_STORING" and status["pending"] == 1, status
            assert "storage is unavailable" in status["last_error"], status
            said = _o2o(home, "sync", "status").stdout
            assert said.startswith("NOT SAVING: the platform answers"), said
            filler.unlink()
            report = json.loads(_o2o(home, "sync", "--once", "--json").stdout)
            assert report["state"] == "ONLINE" and report["pushed"] == 1 and report["pending"] == 0, report
        finally:
            running.stop()


def test_the_status_line_and_banner_say_it_in_both_languages() -> None:
    now = datetime.now(UTC)
    link = LinkStatus(LinkState.NOT_STORING, pending=2, last_sync_at=now, error="x")
    try:
        for lang in ("en", "zh"):
            set_language(lang)
            texts = [part.variants[0] for part in link_line_parts(link, None, now)]
            assert texts[0].strip() == t("ui.link.state.NOT_STORING") != t("ui.link.state.OFFLINE")
            assert t("ui.link.not_storing_hint") in texts
            assert t("ui.link.offline_hint") not in texts  # new orders still arrive
            alerts = Alerts()
            alerts.link_changed(LinkStatus(LinkState.ONLINE, last_sync_at=now), now)
            sounds, toast = alerts.link_changed(link, now)
            assert toast == t("ui.link.went_not_storing") and not sounds
            assert alerts.offline_banner == t("alerts.not_storing_banner")
            assert alerts.banner(30) == t("alerts.not_storing_short")  # narrow: its own short form, not OFFLINE
            for _ in range(3):  # the same state again: nothing more said, the banner stays
                assert alerts.link_changed(link, now) == ([], None)
                assert alerts.offline_banner == t("alerts.not_storing_banner")
            sounds, toast = alerts.link_changed(LinkStatus(LinkState.ONLINE, last_sync_at=now), now)
            assert toast == t("ui.link.storing_again") and alerts.offline_banner is None
    finally:
        set_language("en")
