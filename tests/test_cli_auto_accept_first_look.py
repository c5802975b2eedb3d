"""`o2o store auto-accept` on a profile just logged in pulls once first, as the other store commands do
(`common.fill_new_cache`): looked at once while the platform answers, it still answers from the cache once the
link is gone, instead of exit 6 "not cached". The real command against the real platform behind a fault proxy."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli


def test_a_first_look_keeps_the_store_for_the_next_offline_one(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    assert shared_platform.seed is not None
    with FaultProxy(urlparse(shared_platform.url).port or 0) as proxy:
        cli = Cli(tmp_path / "home", shared_platform.seed.tokens["merchant"])
        cli("login", "--url", f"http://127.0.0.1:{proxy.port}", "--token", cli.token)
        online = cli.json("store", "auto-accept")  # never synced: pulled once, then asked
        assert online["from_platform"] is True
        proxy.drop()
        offline = cli.json("store", "auto-accept")
        assert offline["from_platform"] is False
        assert offline["enabled"] == online["enabled"] and offline["daily_cap"] == online["daily_cap"]
        assert "Auto-accept:" in cli("store", "auto-accept").stdout
    assert all(cli.token not in text for text in cli.outputs)
