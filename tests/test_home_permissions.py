"""Everything o2o leaves under O2O_HOME is the owner's alone: after `o2o login` and a sync every directory is 0700
(the parents `mkdir(parents=True)` would make too, such as `cache/profiles`) and every file 0600, whatever the
umask."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

from tests.support.platform import RunningPlatform

ROOT = Path(__file__).resolve().parent.parent


def _o2o(home: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("O2O_")}
    env.update({"O2O_HOME": str(home), "O2O_LANG": "en"})
    # the usual umask, under which a directory made without a mode is 0755
    code = "import os; os.umask(0o022); from o2o_tui.cli import main; main()"
    return subprocess.run(
        [sys.executable, "-c", code, *args], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60
    )


def test_login_and_sync_leave_only_private_directories_and_files(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    assert shared_platform.seed is not None
    home = tmp_path / "home"  # o2o creates it too
    token = shared_platform.seed.tokens["merchant"]
    login = _o2o(home, "login", "--url", shared_platform.url, "--token", token)
    assert login.returncode == 0, login.stderr
    synced = _o2o(home, "sync", "--once")
    assert synced.returncode == 0, synced.stderr
    listed = _o2o(home, "orders", "list", "--json")
    assert listed.returncode == 0, listed.stderr

    directories = [home, *(path for path in home.rglob("*") if path.is_dir())]
    files = [path for path in home.rglob("*") if not path.is_dir()]
    assert home / "cache" / "profiles" in directories and files  # the sync wrote a cache
    assert {str(path.relative_to(home)): oct(stat.S_IMODE(path.stat().st_mode)) for path in directories} == {
        str(path.relative_to(home)): "0o700" for path in directories
    }
    assert {str(path.relative_to(home)): oct(stat.S_IMODE(path.lstat().st_mode)) for path in files} == {
        str(path.relative_to(home)): "0o600" for path in files
    }


def test_cache_opened_where_no_folder_is_yet_makes_its_parents_private(tmp_path: Path) -> None:
    from offline_cache import open_profile_cache

    profile = tmp_path / "fresh" / "profiles" / "counter"  # none of the three exists yet
    old = os.umask(0o022)
    try:
        with open_profile_cache(profile) as cache:
            cache.table("orders").upsert("o1", {"id": "o1"})
    finally:
        os.umask(old)
    for path in (tmp_path / "fresh", tmp_path / "fresh" / "profiles", profile):
        assert stat.S_IMODE(path.stat().st_mode) == 0o700, path
