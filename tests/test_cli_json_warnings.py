"""With `--json`, what a command warns about on stderr (a cache file that cannot be used or was set aside, figures
kept from an earlier fetch, a station name nobody could check) is one JSON object per line,
`{"warning": code, "message": text}`, so a script parses both streams; without `--json` it is the same sentence as
before. The real `o2o` commands against the real platform on loopback."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli
from tests.test_sync_engine import place_orders


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert platform.seed is not None
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    yield runner
    assert all(runner.token not in text for text in runner.outputs)


def json_lines(stderr: str) -> list[dict[str, Any]]:
    """Every line of stderr, each of which must be a JSON object."""
    return [json.loads(line) for line in stderr.splitlines() if line.strip()]


def test_cache_warnings_are_json_lines_with_json(platform: RunningPlatform, cli: Cli) -> None:
    assert platform.seed is not None
    [order_id] = place_orders(platform.url, platform.seed, 1)
    cli("sync", "--once")
    [cache_file] = (cli.home / "cache" / "profiles" / "default").glob("cache-v*.json")
    cache_file.write_bytes(b'{"orders": {"half a docu')

    listed = cli("orders", "list", "--json")  # opened read-only: said, not moved
    assert json.loads(listed.stdout) == []
    [warning] = json_lines(listed.stderr)
    assert warning["warning"] == "cache_unreadable" and "cannot be used" in warning["message"]
    assert str(cache_file) in warning["message"]
    plain = cli("orders", "list")
    assert "cannot be used" in plain.stderr and not plain.stderr.lstrip().startswith("{")

    synced = cli("sync", "--once", "--json")  # the writer sets the file aside and fetches everything again
    assert json.loads(synced.stdout)["resynced"] is True
    [moved] = json_lines(synced.stderr)
    assert moved["warning"] == "cache_set_aside" and "moved to" in moved["message"]
    shown = cli("orders", "show", order_id, "--json")
    assert json.loads(shown.stdout)["id"] == order_id and shown.stderr == ""


def test_kept_figures_and_an_unchecked_station_are_json_lines_with_json(
    platform: RunningPlatform, cli: Cli
) -> None:
    cli("report", "day")  # fetched once: kept on the device
    platform.stop()  # offline from here

    report = cli("report", "day", "--json")
    assert json.loads(report.stdout)["cached"] is True
    [kept] = json_lines(report.stderr)
    assert kept["warning"] == "figures_cached" and kept["message"].startswith("As of ")
    assert cli("report", "day").stderr.startswith("As of ")  # for a person, as before

    queued = cli("store", "auto-accept", "--station", "kitchen", "--json")
    assert json.loads(queued.stdout)["outcome"] == "queued"
    [unchecked] = json_lines(queued.stderr)
    assert unchecked["warning"] == "station_unchecked" and "'kitchen'" in unchecked["message"]
    plain = cli("store", "auto-accept", "--station", "pantry").stderr  # "kitchen" is the queued station now
    assert "'pantry'" in plain and not plain.lstrip().startswith("{")
