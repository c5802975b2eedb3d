"""A read command on a synced profile opens its cache once: whether to pull first (`fill_new_cache`, for a
profile just logged in) is a look at the cache file's meta, not a second open (which parses every order). A
profile never synced still pulls once first."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from offline_cache import profile as cache_profile
from offline_cache.profile import cached_meta
from tests.support.platform import RunningPlatform, start_platform
from tests.test_cli_orders import Cli

READS = [["store", "status"], ["store", "hours"], ["menu", "show"], ["orders", "list"], ["report", "day"]]


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path_factory.mktemp("platform"))
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def opens(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """The read_only flag of every cache open made from here on."""
    made: list[bool] = []
    real = cache_profile.ProfileCache.__init__

    def counted(self: cache_profile.ProfileCache, directory: Path, **options: object) -> None:
        made.append(bool(options.get("read_only")))
        real(self, directory, **options)  # type: ignore[arg-type]

    monkeypatch.setattr(cache_profile.ProfileCache, "__init__", counted)
    return made


@pytest.mark.parametrize("args", READS, ids=" ".join)
def test_one_open_on_a_synced_profile(
    running: RunningPlatform, tmp_path: Path, args: list[str], opens: list[bool]
) -> None:
    assert running.seed is not None
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    cli("sync", "--once")
    opens.clear()
    cli(*args)
    assert opens == [True], opens


def test_a_profile_never_synced_still_pulls_first(running: RunningPlatform, tmp_path: Path) -> None:
    assert running.seed is not None
    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    directory = tmp_path / "home" / "cache" / "profiles" / "default"
    assert cached_meta(directory, "sync.last_sync_at") is None
    assert "Lao Wang" in cli("store", "status").stdout
    assert cached_meta(directory, "sync.last_sync_at") is not None


def test_cached_meta_reads_the_file_as_it_is(tmp_path: Path) -> None:
    from offline_cache import open_profile_cache

    assert cached_meta(tmp_path / "none", "sync.last_sync_at") is None and not (tmp_path / "none").exists()
    with open_profile_cache(tmp_path / "p") as cache:
        cache.meta_set("sync.last_sync_at", "2026-12-06T08:00:00Z")
    assert cached_meta(tmp_path / "p", "sync.last_sync_at") == "2026-12-06T08:00:00Z"
    assert cached_meta(tmp_path / "p", "other") is None
    (tmp_path / "p" / "cache-v1.json").write_text("{not json")
    assert cached_meta(tmp_path / "p", "sync.last_sync_at") is None  # unreadable: an open says why
