"""Where o2o keeps its files. `O2O_HOME` overrides every location (tests and scripts use it)."""

from __future__ import annotations

import contextlib
import logging
import os
import stat
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import platformdirs

if TYPE_CHECKING:
    from offline_cache.private import Tightened

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


_OTHERS = 0o077  # the group's and others' bits (offline_cache/private.py)
_said: set[str] = set()  # the permission notes already given by this process (files are read again and again)
log = logging.getLogger("o2o")


def _say_once(message: str, code: str) -> None:
    """One line on stderr, once per process: through the CLI's `warn` when a command runs (a JSON line under
    `--json`), else in the log of a process that keeps one, else plainly (the console, before its screen opens), as
    `settings.py` says a bad settings file. Never a reason to stop."""
    if message in _said:
        return
    _said.add(message)
    output = sys.modules.get("o2o_tui.cli.output")
    if output is not None:
        output.warn(message, code)
        return
    if log.hasHandlers():  # a process that keeps a log (`o2o serve`'s)
        log.warning(message)
        return
    from o2o_tui.safe_text import safe_text

    with contextlib.suppress(OSError, ValueError, UnicodeError):  # no usable stderr: private all the same
        print(safe_text(message, one_line=True), file=sys.stderr, flush=True)


def keep_private(*paths: Path, files_in: Path | None = None) -> None:
    """Make `paths` (directories or files) and the files directly in `files_in` private again when someone made
    them readable by others (`chmod 644`, a copy under the usual umask): 0600 for a file, 0700 for a directory. They
    hold a login token, or customers' names, phones and addresses. What was changed is said once, as `o2o serve`
    says its SQLite file's (docs/operations.md, Backups); a file that cannot be changed (another user's) is said
    with the reason, and the command goes on."""
    if not any(map(_open_to_others, paths)) and (files_in is None or not _any_open_to_others(files_in)):
        return  # the usual case, a few `stat`s: the cache package is not imported for it
    from offline_cache.private import make_private, make_private_tree

    found = [done for path in paths if (done := make_private(path)) is not None]
    if files_in is not None:
        found += make_private_tree(files_in)
    say_made_private(found)


def _open_to_others(path: Path) -> bool:
    try:
        mode = os.lstat(path).st_mode
    except OSError:
        return False
    return (stat.S_ISREG(mode) or stat.S_ISDIR(mode)) and bool(mode & _OTHERS)


def _any_open_to_others(directory: Path) -> bool:
    if _open_to_others(directory):
        return True
    try:
        with os.scandir(directory) as entries:
            return any(_open_to_others(Path(entry.path)) for entry in entries)
    except OSError:
        return False


def say_made_private(found: list[Tightened]) -> None:
    """Say what `offline_cache.private.make_private` did, once per process: the files made private on one line,
    each one that could not be (another user's) on a line of its own."""
    from o2o_tui.i18n import t

    changed = [done.said() for done in found if done.error is None]
    if changed:
        _say_once(t("login.files.made_private", files="; ".join(changed)), "made_private")
    for done in found:
        if done.error is not None:
            reason = done.error.strerror or str(done.error)
            said = t("login.files.not_private", path=str(done.path), mode=f"{done.mode:04o}", reason=reason)
            _say_once(said, "not_private")


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
