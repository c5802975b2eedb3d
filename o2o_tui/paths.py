"""Where o2o keeps its files. `O2O_HOME` overrides every location (tests and scripts use it)."""

from __future__ import annotations

import os
from pathlib import Path

import platformdirs

APP_NAME = "o2o"


def _home() -> Path | None:
    value = os.environ.get("O2O_HOME")
    return Path(value).expanduser() if value else None


def _ensure(path: Path) -> Path:
    path.mkdir(parents=True, exist_ok=True, mode=0o700)
    return path


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
