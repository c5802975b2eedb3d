"""`o2o store auto-accept on|off` says the state it leaves the store in, not only "Auto-accept changed."."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.platform import RunningPlatform, api
from tests.test_cli_orders import Cli


@pytest.fixture
def cli(shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Cli]:
    assert shared_platform.seed is not None
    monkeypatch.setenv("O2O_DEVICE", "front-counter")
    runner = Cli(tmp_path / "home", shared_platform.seed.tokens["merchant"])
    runner("login", "--url", shared_platform.url, "--token", runner.token)
    yield runner
    merchant = api(shared_platform, "merchant")
    merchant.put(f"/v1/stores/{shared_platform.seed.store_id}/auto-accept", {"enabled": False, "station": ""})
    merchant.close()


def test_on_and_off_say_the_new_state(cli: Cli) -> None:
    on = cli("store", "auto-accept", "on", "--cap", "30", "--this-console").stdout
    assert "Auto-accept: on, 0 of 30 auto-accepted today" in on, on
    assert "Printing station: front-counter" in on, on
    off = cli("store", "auto-accept", "off").stdout
    assert "Auto-accept: off" in off, off
    assert "idle while auto-accept is off (this console)" in off, off


def test_the_status_says_the_stations_printer_holds_it(cli: Cli, shared_platform: RunningPlatform) -> None:
    """Another console (`o2o store auto-accept` here) says why orders ring while auto-accept is on: the station is
    online but its printer cannot print (its check-in said so), in words and in `--json`."""
    assert shared_platform.seed is not None
    path = f"/v1/stores/{shared_platform.seed.store_id}/auto-accept"
    merchant = api(shared_platform, "merchant")
    try:
        merchant.put(path, {"enabled": True, "station": "kitchen-pc", "daily_cap": 0})
        merchant.get(path, device="kitchen-pc", printer_held="true")  # the station's check-in
        said = cli("store", "auto-accept").stdout
        as_json = cli.json("store", "auto-accept")
        merchant.get(path, device="kitchen-pc")  # its printer back
        again = cli("store", "auto-accept").stdout
    finally:
        merchant.close()
    count = as_json["accepted_today"]  # the shared platform's day: other tests may have auto-accepted some
    assert f"Auto-accept: paused, station printer down ({count} today): accept by hand" in said, said
    assert "Printing station: kitchen-pc, online" in said, said
    assert as_json["station_printer_held"] is True and as_json["station_online"] is True
    assert "Auto-accept: on, " in again and "paused" not in again, again
