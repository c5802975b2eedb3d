"""Where o2o keeps its files. `O2O_HOME` overrides every location (tests and scripts use it)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "o2o"


def _home() -> Path | None:
    value = os.environ.get("O2O_HOME")
    return Path(value).expanduser() if value else None


def make_private_dirs(path: Path) -> Path:
    """Create `path` and any missing parents, each 0700 (`mkdir(parents=True)` would leave the parents it creates
    at the umask's default, 0755); a directory that already exists keeps its mode."""
    missing: list[Path] = []
    level = path
    while not level.is_dir() and level != level.parent:
        missing.append(level)
        level = level.parent
    for level in reversed(missing):
        try:
            level.mkdir(mode=0o700)
        except FileExistsError:
            if not level.is_dir():
                raise
            continue
        os.chmod(level, 0o700)  # the umask may have taken bits away from the mode
    return path


def _ensure(path: Path) -> Path:
    return make_private_dirs(path)


def config_dir() -> Path:
    home = _home()
    return _ensure(home / "config" if home else Path(platformdirs.user_config_dir(APP_NAME)))


def data_dir() -> Path:
    home = _home()
    return _ensure(home / "data" if home else Path(platformdirs.user_data_dir(APP_NAME)))


def cache_dir() -> Path:
    home = _home()
    return _ensure(home / "cache" if home else Path(platformdirs.user_cache_dir(APP_NAME)))


def state_dir() -> Path:
    """Logs and runtime files."""
    home = _home()
    return _ensure(home / "state" if home else Path(platformdirs.user_state_dir(APP_NAME)))
