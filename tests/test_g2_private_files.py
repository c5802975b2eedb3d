"""A profile, settings or cache file someone made readable by others (`chmod 644`, a copy under umask 022) is made
private again when a command reads it (0600, folders 0700) and said once on stderr; one that cannot be changed is
said with its reason and the command goes on. A real server, a real profile and a real cache in a temp dir."""

from __future__ import annotations

import json
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest

import o2o_tui.paths
from o2o_tui.i18n import set_language
from offline_cache import open_profile_cache
from offline_cache.private import make_private
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


@pytest.fixture(autouse=True)
def _fresh_notes() -> Iterator[None]:
    o2o_tui.paths._said.clear()  # each command of a test runs in this process: "once per process" is per test
    yield
    o2o_tui.paths._said.clear()
    set_language(None)


def mode(path: Path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_profile_file_made_0644_is_private_again_and_said_once(cli: Cli) -> None:
    config = cli.home / "config"
    profiles = config / "profiles.json"
    (config / "settings.json").write_text('{"voice": false}')
    for path in (profiles, config / "settings.json", config / ".profiles.lock"):
        if path.exists():
            os.chmod(path, 0o644)
    os.chmod(config, 0o755)

    shown = cli("whoami")
    assert mode(profiles) == 0o600 and mode(config / "settings.json") == 0o600 and mode(config) == 0o700
    if (config / ".profiles.lock").exists():
        assert mode(config / ".profiles.lock") == 0o600
    said = " ".join(shown.stderr.split())  # a long line may be folded at the width
    assert "readable by other users were made private" in said
    assert f"{profiles} 0644 -> 0600" in said.replace("\n", "") and f"{config} 0755 -> 0700" in said
    assert shown.stderr.count("made private") == 1

    again = cli("whoami")
    assert "made private" not in again.stderr  # private now: nothing to say


def test_the_cache_files_and_folders_are_made_private_by_a_read_and_said_in_json(
    running: RunningPlatform, cli: Cli
) -> None:
    place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    root = cli.home / "cache"
    profile_dir = root / "profiles" / "default"
    files = sorted(path for path in profile_dir.iterdir() if path.is_file())
    names = {path.name for path in files}
    assert {"cache-v1.json", "outbox-v1.json", "lock"} <= names
    for path in files:
        os.chmod(path, 0o644)
    for folder in (root, root / "profiles", profile_dir):
        os.chmod(folder, 0o755)

    listed = cli("orders", "list", "--json")
    assert len(json.loads(listed.stdout)) == 1
    for path in files:
        assert mode(path) == 0o600, path
    for folder in (root, root / "profiles", profile_dir):
        assert mode(folder) == 0o700, folder
    [warning] = [json.loads(line) for line in listed.stderr.splitlines() if '"made_private"' in line]
    assert warning["warning"] == "made_private"
    assert f"{profile_dir / 'outbox-v1.json'} 0644 -> 0600" in warning["message"]
    assert f"{root} 0755 -> 0700" in warning["message"]


def test_the_words_are_chinese_in_chinese(cli: Cli, monkeypatch: pytest.MonkeyPatch) -> None:
    profiles = cli.home / "config" / "profiles.json"
    os.chmod(profiles, 0o640)
    from typer.testing import CliRunner

    from o2o_tui.cli import app

    env = {"O2O_HOME": str(cli.home), "O2O_LANG": "zh", "NO_COLOR": "1", "COLUMNS": "400"}
    result = CliRunner().invoke(app, ["whoami"], env=env, catch_exceptions=False)
    assert result.exit_code == 0
    assert "已改为仅所有者可访问" in result.stderr and f"{profiles} 0640 -> 0600" in result.stderr
    assert mode(profiles) == 0o600


def test_a_file_that_cannot_be_changed_is_said_with_its_reason_and_the_command_goes_on(
    cli: Cli, monkeypatch: pytest.MonkeyPatch
) -> None:
    profiles = cli.home / "config" / "profiles.json"
    os.chmod(profiles, 0o644)
    real_chmod = os.chmod

    def not_the_owner(path: object, mode: int, *args: object, **kwargs: object) -> None:
        if Path(str(path)) == profiles:
            raise PermissionError(1, "Operation not permitted")
        real_chmod(path, mode, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(os, "chmod", not_the_owner)  # another user's file: chmod is refused
    shown = cli("whoami")  # goes on: exit 0, the profile shown
    said = " ".join(shown.stderr.split())
    assert f"{profiles} is readable by other users (mode 0644) and cannot be made private" in said
    assert "Operation not permitted" in said and "chmod it 600" in said
    assert "merchant" in shown.stdout.lower() or shown.stdout.strip()


def test_the_cache_itself_makes_its_files_private_when_opened(tmp_path: Path) -> None:
    """offline_cache on its own (a caller that opens it directly, not through `profile_cache_dir`)."""
    directory = tmp_path / "profile"
    with open_profile_cache(directory) as cache:
        cache.meta_set("k", 1)
    for path in directory.iterdir():
        os.chmod(path, 0o644)
    os.chmod(directory, 0o755)
    with open_profile_cache(directory, read_only=True) as cache:
        done = {item.path.name: (item.mode, item.new_mode) for item in cache.made_private}
    assert done["cache-v1.json"] == (0o644, 0o600) and done["profile"] == (0o755, 0o700)
    assert all(mode(path) == 0o600 for path in directory.iterdir()) and mode(directory) == 0o700


def test_make_private_leaves_symlinks_and_private_files_alone(tmp_path: Path) -> None:
    target = tmp_path / "elsewhere"
    target.write_text("x")
    os.chmod(target, 0o644)
    link = tmp_path / "link"
    link.symlink_to(target)
    assert make_private(link) is None and mode(target) == 0o644  # not followed
    private = tmp_path / "private"
    private.write_text("x")
    os.chmod(private, 0o600)
    assert make_private(private) is None
