"""The platform answers but cannot reach its storage at all (PostgreSQL stopped: reads are refused 503
`storage_unavailable` too) is not NOT SAVING ("reads work"): nothing new arrives, and the console, the handheld and
the CLI say so (PLATFORM DOWN), with what to do (watch the platform's app or tablet, phone the platform). NOT SAVING
no longer promises that new orders still arrive: a customer's order is a write too."""

from __future__ import annotations

import asyncio
import json
import os
import subprocess
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from o2o_tui.i18n import set_language, t
from o2o_tui.sync.model import SyncState
from o2o_tui.sync.read_model import ReadModel
from offline_cache import open_profile_cache
from screens.alerts import Alerts, Sound
from screens.source import LinkState, LinkStatus
from screens.widgets.status_bar import link_line_parts
from tests.support.platform import RunningPlatform, start_platform
from tests.support.postgres import PostgresCluster, PostgresUnavailable, start_cluster
from tests.test_server_database_down import _pg_ctl, _start_again
from tests.test_sync_engine import merchant_engine, place_orders


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of this test's own: it is stopped and started again, which the shared one must never be."""
    try:
        cluster = start_cluster()
    except PostgresUnavailable as error:
        pytest.skip(str(error))
    try:
        yield cluster
    finally:
        cluster.stop()


def _o2o(home: Path, running: RunningPlatform, *args: str, lang: str = "en") -> subprocess.CompletedProcess[str]:
    assert running.seed is not None
    env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": lang, "O2O_URL": running.url}
    env["O2O_TOKEN"] = running.seed.tokens["merchant"]
    env.pop("O2O_PROFILE", None)
    return subprocess.run(["o2o", *args], env=env, capture_output=True, text=True, timeout=120, check=False)


def test_a_stopped_database_is_platform_down_in_the_cli_and_the_engine(
    own_cluster: PostgresCluster, tmp_path: Path
) -> None:
    running = start_platform(tmp_path, db_url=own_cluster.create_database())
    try:
        assert running.seed is not None
        home = tmp_path / "console"
        assert _o2o(home, running, "login").returncode == 0
        [order_id] = place_orders(running.url, running.seed, 1)
        assert _o2o(home, running, "sync", "--once").returncode == 0
        _pg_ctl(own_cluster, "-m", "fast", "-w", "stop")
        assert _o2o(home, running, "orders", "accept", order_id, "--prep", "10").returncode == 0  # queued
        synced = _o2o(home, running, "sync", "--once", "--json")
        assert synced.returncode == 3, synced.stdout + synced.stderr  # the queue stays
        report = json.loads(synced.stdout)
        assert report["state"] == "STORAGE_DOWN" and report["pending"] == 1, report
        set_language("en")
        assert report["error"] == t("sync.error.storage_down")
        said = _o2o(home, running, "sync", "--once")
        assert said.stdout.startswith("PLATFORM DOWN"), said.stdout
        assert "phone the platform" in said.stdout and "still arrive" not in said.stdout
        zh = _o2o(home, running, "sync", "status", lang="zh")
        assert zh.stdout.startswith("平台故障") and "致电平台" in zh.stdout, zh.stdout
        status = json.loads(_o2o(home, running, "sync", "status", "--json").stdout)
        assert status["state"] == "STORAGE_DOWN" and status["live"] is False, status

        # the console's engine: its polls are reads, refused: STORAGE_DOWN, and back ONLINE with the queue sent
        async def console() -> None:
            with open_profile_cache(tmp_path / "engine") as cache:
                client, engine = merchant_engine(running.url, running.seed, cache)
                async with client:
                    task = asyncio.create_task(engine.run())
                    try:
                        for _ in range(500):
                            if engine.status().state is SyncState.STORAGE_DOWN:
                                break
                            await asyncio.sleep(0.02)
                        assert engine.status().state is SyncState.STORAGE_DOWN, engine.status()
                        assert engine.status().last_error == t("sync.error.storage_down")
                        _start_again(own_cluster)
                        for _ in range(1500):
                            if engine.status().state is SyncState.ONLINE and ReadModel(cache).order(order_id):
                                break
                            await asyncio.sleep(0.02)
                        assert engine.status().state is SyncState.ONLINE, engine.status()
                    finally:
                        engine.stop()
                        await task

        asyncio.run(console())
        report = json.loads(_o2o(home, running, "sync", "--once", "--json").stdout)
        assert report["state"] == "ONLINE" and report["pushed"] == 1 and report["pending"] == 0, report
    finally:
        running.stop()


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_status_line_banner_and_toast_say_no_new_orders_and_what_to_do(lang: str) -> None:
    now = datetime.now(UTC)
    down = LinkStatus(LinkState.STORAGE_DOWN, pending=6, last_sync_at=now, error="x")
    try:
        set_language(lang)
        texts = [part.variants[0] for part in link_line_parts(down, None, now)]
        assert texts[0].strip() == t("ui.link.state.STORAGE_DOWN") != t("ui.link.state.NOT_STORING")
        assert t("ui.link.storage_down_hint") in texts and t("ui.link.not_storing_hint") not in texts
        narrow = [part.variants[-1] for part in link_line_parts(down, None, now)]
        assert t("status_line.no_new_orders") in narrow
        alerts = Alerts()
        alerts.link_changed(LinkStatus(LinkState.ONLINE, last_sync_at=now), now)
        sounds, toast = alerts.link_changed(down, now)
        assert toast == t("ui.link.went_storage_down") and Sound.OFFLINE in sounds  # as loud as an outage
        assert alerts.offline_banner == t("alerts.storage_down_banner")
        assert alerts.banner(30) == t("alerts.storage_down_short")
        assert alerts.link_changed(down, now) == ([], None)  # said once
        sounds, _ = alerts.link_changed(LinkStatus(LinkState.ONLINE, last_sync_at=now), now)
        assert Sound.BACK_ONLINE in sounds and alerts.offline_banner is None
        # NOT SAVING promises no new orders: a customer's order is a write too
        for key in ("ui.link.went_not_storing", "ui.link.not_storing_hint", "alerts.not_storing_banner"):
            assert "still arrive" not in t(key) and "照常到达" not in t(key), key
        for key in ("ui.link.went_storage_down", "alerts.storage_down_banner", "sync.error.storage_down"):
            assert ("phone the platform" if lang == "en" else "致电平台") in t(key), key
        assert t("simple.link.STORAGE_DOWN") != "simple.link.STORAGE_DOWN"
        assert t("handheld.link.storage_down") != "handheld.link.storage_down"
    finally:
        set_language("en")
