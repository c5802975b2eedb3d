"""`o2o store auto-accept` against the real platform: on with a cap and this console as the station, shown with
today's count; turned off while the platform is unreachable it is queued, then sent once when the link is back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api
from tests.test_cli_orders import Cli


@pytest.fixture
def cli(shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    assert shared_platform.seed is not None
    monkeypatch.setenv("O2O_DEVICE", "front-counter")
    with FaultProxy(urlparse(shared_platform.url).port or 0) as proxy:
        runner = Cli(tmp_path / "home", shared_platform.seed.tokens["merchant"])
        runner("login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", runner.token)
        runner.proxy = proxy  # type: ignore[attr-defined]
        yield runner
    merchant = api(shared_platform, "merchant")
    merchant.put(f"/v1/stores/{shared_platform.seed.store_id}/auto-accept", {"enabled": False, "station": ""})
    merchant.close()
    assert all(runner.token not in text for text in runner.outputs)


def _server_setting(platform: RunningPlatform) -> dict:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        return dict(merchant.get(f"/v1/stores/{platform.seed.store_id}").json()["auto_accept"])
    finally:
        merchant.close()


def test_on_with_a_cap_and_this_console_then_shown(shared_platform: RunningPlatform, cli: Cli) -> None:
    done = cli.json("store", "auto-accept", "on", "--cap", "40", "--this-console")
    assert done["outcome"] == "done" and done["auto_accept"]["station"] == "front-counter"
    assert _server_setting(shared_platform) == {
        "enabled": True,
        "daily_cap": 40,
        "station": "front-counter",
        "station_online": False,
        "station_printer_held": False,
    }
    shown = cli.json("store", "auto-accept")
    assert shown["enabled"] is True and shown["daily_cap"] == 40 and shown["from_platform"] is True
    assert shown["device"] == "front-counter" and isinstance(shown["accepted_today"], int)
    text = cli("store", "auto-accept").stdout
    assert f"Auto-accept: on, {shown['accepted_today']} of 40 auto-accepted today" in text
    assert "Printing station: front-counter, offline (this console)" in text
    cli("store", "auto-accept", "off")  # no console checks in now: the station is idle, not "offline"
    off = cli("store", "auto-accept").stdout
    assert "Printing station: front-counter, idle while auto-accept is off (this console)" in off
    cli("store", "auto-accept", "maybe", code=Exit.USAGE)
    cli("store", "auto-accept", "--station", "a", "--this-console", code=Exit.USAGE)
    cli("store", "auto-accept", "--station", "x" * 65, code=Exit.USAGE)


def test_off_while_offline_is_queued_then_sent_once(shared_platform: RunningPlatform, cli: Cli) -> None:
    assert shared_platform.seed is not None
    kitchen = api(shared_platform, "merchant")  # the kitchen's console has asked: the platform knows its name
    kitchen.get(f"/v1/stores/{shared_platform.seed.store_id}/auto-accept", device="kitchen")
    kitchen.close()
    cli("store", "auto-accept", "on", "--station", "kitchen")
    proxy: FaultProxy = cli.proxy  # type: ignore[attr-defined]
    proxy.drop()
    queued = cli.json("store", "auto-accept", "off")
    assert queued["outcome"] == "queued"
    cli("store", "auto-accept", "on", "--online", code=Exit.OFFLINE)  # refused, not queued
    assert _server_setting(shared_platform)["enabled"] is True
    shown = cli.json("store", "auto-accept")  # from the cached store (the platform is not reachable)
    assert shown["from_platform"] is False
    proxy.pass_through()
    report = cli.json("sync", "--once")
    assert report["pushed"] == 1 and report["pending"] == 0
    assert _server_setting(shared_platform)["enabled"] is False
    assert cli.json("sync", "--once")["pushed"] == 0  # sent once


def test_with_no_station_chosen_the_command_names_its_own_options(platform: RunningPlatform, tmp_path: Path) -> None:
    assert platform.seed is not None
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    text = runner("store", "auto-accept").stdout
    assert "Printing station: none chosen (--this-console, or --station NAME)" in text
    assert "(t:" not in text  # the store screen's key means nothing to a script
