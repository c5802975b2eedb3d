"""`o2o store auto-accept --station NAME` names a console the platform has heard from: a typo ("nosuch") would leave
every console saying "accept by hand", so it is exit 2 with the names the platform knows; this console's own name,
the current station and `--force` (a console not started yet) are taken; offline it is said to be unchecked. A
console introduces itself once at start even with auto-accept off. Against the real platform."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.domain.auto_accept import AutoAcceptState
from screens.auto_accept_station import Station
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api
from tests.test_cli_orders import Cli
from tests.test_ui_samples import sample_store


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    assert platform.seed is not None
    monkeypatch.setenv("O2O_DEVICE", "front-counter")
    with FaultProxy(urlparse(platform.url).port or 0) as proxy:
        runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
        runner("login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", runner.token)
        runner("sync", "--once")
        runner.proxy = proxy  # type: ignore[attr-defined]
        yield runner


def _station(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    return str(api(platform, "merchant").get(f"/v1/stores/{platform.seed.store_id}").json()["auto_accept"]["station"])


def test_only_a_console_the_platform_knows_becomes_the_station(platform: RunningPlatform, cli: Cli) -> None:
    assert platform.seed is not None
    said = cli("store", "auto-accept", "on", "--station", "nosuch", code=Exit.USAGE).stderr
    assert "No console named 'nosuch' has checked in" in said and "Consoles it knows: none yet" in said
    assert _station(platform) == "" and cli.json("sync", "status")["pending"] == 0  # nothing queued

    merchant = api(platform, "merchant")
    path = f"/v1/stores/{platform.seed.store_id}/auto-accept"
    for device in ("kitchen", "bar"):  # two consoles asked (as each does once at start)
        assert merchant.get(path, device=device).status_code == 200
    assert set(merchant.get(path).json()["devices"]) == {"kitchen", "bar"}
    said = cli("store", "auto-accept", "on", "--station", "kitchn", code=Exit.USAGE).stderr
    assert "Consoles it knows: bar, kitchen" in said or "Consoles it knows: kitchen, bar" in said

    cli("store", "auto-accept", "on", "--station", "kitchen")
    assert _station(platform) == "kitchen"
    cli("store", "auto-accept", "--station", " kitchen ")  # the current one, as typed with spaces
    cli("store", "auto-accept", "--station", "front-counter")  # this console's own name
    assert _station(platform) == "front-counter"
    cli("store", "auto-accept", "--station", "new-till", "--force")  # not started yet: on purpose
    assert _station(platform) == "new-till"
    cli("store", "auto-accept", "--station", "")  # none: always fine
    assert _station(platform) == ""

    proxy: FaultProxy = cli.proxy  # type: ignore[attr-defined]
    proxy.drop()  # offline: cannot be checked, said, and queued as any change
    queued = cli("store", "auto-accept", "--station", "somewhere")
    assert "'somewhere' was not checked" in queued.stderr


async def test_a_console_says_its_name_once_with_auto_accept_off() -> None:
    asked: list[str] = []

    async def check_in(store_id: str, device: str, printer_held: bool) -> AutoAcceptState:
        asked.append(device)
        return AutoAcceptState()

    source = MemoryOrderSource(store=sample_store(), link=LinkStatus(LinkState.ONLINE))
    assert not sample_store().auto_accept.enabled
    station = Station(source, "kitchen", clock=lambda: datetime.now(UTC), check_in=check_in)
    assert station.wants_check_in()
    for _ in range(3):
        await station.check_in_once()
    assert asked == ["kitchen"] and station.state is None  # once, and quiet after
    assert not station.wants_check_in()
