"""A damaged cache moved aside (`cache-v1.json.corrupt-<time>`, kept for a person to look at) holds the customers'
names, phones and addresses the live cache had: the retention purge deletes it once it was last written longer
than the purge window ago (`O2O_PURGE_PERSONAL_HOURS`), and the warning that moved it says how long it is kept. A
damaged menu drafts file holds no customer's data and stays. A real server and a real cache in a temp dir."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.platform import RunningPlatform, start_platform
from tests.test_cli_orders import Cli
from tests.test_sync_engine import place_orders


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def cli(running: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert running.seed is not None
    runner = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    runner("login", "--url", running.url, "--token", runner.token)
    yield runner
    assert all(runner.token not in text for text in runner.outputs)


def damage(profile_dir: Path) -> None:
    cache_file = profile_dir / "cache-v1.json"
    text = cache_file.read_text()
    cache_file.write_text(text[: len(text) // 2])  # cut in half by hand: the customer's data is still in it


def test_a_set_aside_cache_is_kept_within_the_window_and_deleted_after_it(
    running: RunningPlatform, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("O2O_PURGE_PERSONAL_HOURS", raising=False)
    place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    profile_dir = cli.home / "cache" / "profiles" / "default"
    damage(profile_dir)
    drafts_copy = profile_dir / "drafts-v1.json.corrupt-20260101T000000Z"  # a menu's edits: no customer in it
    drafts_copy.write_text("{}")
    queue_copy = profile_dir / "print-queue.json.corrupt-20260101T000000Z"  # tickets: names and addresses
    queue_copy.write_text("{}")

    synced = cli("sync", "--once")
    said = " ".join(synced.stderr.split())
    assert "moved to" in said and "may hold customers' personal data and is deleted within 6 h" in said
    [copy] = profile_dir.glob("cache-v1.json.corrupt-*")
    assert copy.exists() and drafts_copy.exists() and queue_copy.exists()  # all written just now: kept

    long_ago = time.time() - 6 * 3600 - 60  # last written longer than the window ago
    for path in (copy, drafts_copy, queue_copy):
        os.utime(path, (long_ago, long_ago))
    cli("sync", "--once")
    assert not copy.exists() and not queue_copy.exists()
    assert drafts_copy.exists()
    assert [o["status"] for o in cli.json("orders", "list")]  # the live cache was rebuilt, untouched


def test_with_a_zero_window_the_copy_goes_at_the_next_purge_and_the_words_say_so_in_chinese(
    running: RunningPlatform, cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("O2O_PURGE_PERSONAL_HOURS", "0")
    place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    profile_dir = cli.home / "cache" / "profiles" / "default"
    damage(profile_dir)
    monkeypatch.setenv("O2O_LANG", "zh")
    from typer.testing import CliRunner

    from o2o_tui.cli import app

    env = {"O2O_HOME": str(cli.home), "O2O_LANG": "zh", "NO_COLOR": "1", "COLUMNS": "400"}
    result = CliRunner().invoke(app, ["sync", "--once", "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    [warning] = [json.loads(line) for line in result.stderr.splitlines() if "cache_set_aside" in line]
    assert "最多保留 0 小时" in warning["message"]
    assert not list(profile_dir.glob("cache-v1.json.corrupt-*"))  # the same run's purge took it
