"""A read never creates a profile's cache. A profile just logged in whose platform does not answer: `o2o orders
list`, `store status` and `menu show` try their one pull and say nothing is synced, and leave no cache directory
(nor lock file) behind. When the platform answers, the pull fills the cache (0700, its files 0600). In the cache
itself: a read-only open creates nothing, and a cache removed after a pull that got nothing is only one that open
created and nobody used."""

from __future__ import annotations

import os
import stat
from pathlib import Path

from typer.testing import CliRunner

from o2o_tui.cli import app
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli


def _logged_in(platform: RunningPlatform, home: Path) -> Cli:
    assert platform.seed is not None
    cli = Cli(home, platform.seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    return cli


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_reads_of_a_profile_never_synced_leave_no_cache(platform: RunningPlatform, tmp_path: Path) -> None:
    cli = _logged_in(platform, tmp_path / "home")
    profiles = tmp_path / "home" / "cache" / "profiles"
    platform.stop()
    assert "Nothing synced yet" in cli("orders", "list").stdout
    cli("orders", "list", "--json")
    env = {
        "O2O_HOME": str(cli.home),
        "O2O_LANG": "en",
        "COLUMNS": "200",
        "O2O_PROFILE": None,
        "O2O_TOKEN": None,
    }
    for args in (["store", "status"], ["menu", "show"]):
        CliRunner().invoke(app, args, env=env, catch_exceptions=False)  # what they say is not this test's
    assert not (profiles / "default").exists(), sorted(str(path) for path in profiles.rglob("*"))


def test_a_pull_that_answers_keeps_the_cache_private(platform: RunningPlatform, tmp_path: Path) -> None:
    cli = _logged_in(platform, tmp_path / "home")
    cli("orders", "list")
    directory = tmp_path / "home" / "cache" / "profiles" / "default"
    assert _mode(directory) == 0o700
    files = sorted(directory.iterdir())
    assert {path.name for path in files} >= {"cache-v1.json", "outbox-v1.json", "lock", "open.lock"}
    assert all(_mode(path) == 0o600 for path in files), [(path.name, oct(_mode(path))) for path in files]


def test_a_read_only_open_creates_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "missing"
    with open_profile_cache(missing, read_only=True) as cache:
        assert cache.table_names() == []
    assert not missing.exists()
    empty = tmp_path / "empty"
    empty.mkdir(mode=0o700)
    with open_profile_cache(empty, read_only=True):
        pass
    assert os.listdir(empty) == []


def test_only_a_cache_this_open_created_and_nobody_used_goes(tmp_path: Path) -> None:
    created = open_profile_cache(tmp_path / "a")
    assert created.close_removing_if_created() and not (tmp_path / "a").exists()
    queued = open_profile_cache(tmp_path / "b")  # something queued: the only copy of unsynced work
    queued.outbox.append("order.confirm", "o1", "{}")
    assert not queued.close_removing_if_created() and (tmp_path / "b" / "outbox-v1.json").exists()
    open_profile_cache(tmp_path / "c").close()  # there before: not this open's to remove
    again = open_profile_cache(tmp_path / "c")
    assert not again.close_removing_if_created() and (tmp_path / "c" / "cache-v1.json").exists()
    other = open_profile_cache(tmp_path / "d")
    (tmp_path / "d" / "drafts-v1.json").write_text("{}")  # something else lives there
    assert not other.close_removing_if_created() and (tmp_path / "d" / "drafts-v1.json").exists()
    held = open_profile_cache(tmp_path / "e")
    reader = open_profile_cache(tmp_path / "e", read_only=True)  # another process has it open
    try:
        assert not held.close_removing_if_created() and (tmp_path / "e").is_dir()
    finally:
        reader.close()
    written = open_profile_cache(tmp_path / "f")
    with open_profile_cache(tmp_path / "f") as another:
        another.meta_set("sync.last_sync_at", "2026-12-06T00:00:00Z")  # another process wrote it since
    assert not written.close_removing_if_created() and (tmp_path / "f" / "cache-v1.json").exists()
