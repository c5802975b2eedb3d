"""Files readable by the owner only: a profile's cache holds customers' names, phones and addresses and its outbox
the actions not yet sent, so its files are 0600 and its directory 0700. Every write makes them so (storage.py); a
file someone made 0644 by hand (`cp`, `chmod`, a restore under the usual umask 022) is made private again when it
is opened, as the platform server does with its SQLite file (o2o_tui/platform/sqlite_lock.py `make_private`).
Only the group's and others' bits are taken away (0644 -> 0600, 0755 -> 0700). Knows no words: the caller says
what was done.
"""

from __future__ import annotations

import os
import stat
from dataclasses import dataclass
from pathlib import Path

OTHERS = 0o077  # the group's and others' bits


@dataclass(frozen=True)
class Tightened:
    """A file or directory that others could read: `mode` what it was, `new_mode` what it is now; `error` the
    system's reason when it could not be changed (another user's file), `new_mode` then equals `mode`."""

    path: Path
    mode: int
    new_mode: int
    error: OSError | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None

    def said(self) -> str:
        """`/path 0644 -> 0600` (or `/path 0644` when it could not be changed)."""
        if self.error is not None:
            return f"{self.path} {self.mode:04o}"
        return f"{self.path} {self.mode:04o} -> {self.new_mode:04o}"


def make_private(path: Path) -> Tightened | None:
    """Take the group's and others' access from `path` (a regular file or a directory; a symlink, a missing path
    or anything else is left alone: None). None when it was private already; else what was done or why not."""
    try:
        st = os.lstat(path)
    except OSError:
        return None
    if not (stat.S_ISREG(st.st_mode) or stat.S_ISDIR(st.st_mode)):
        return None
    mode = stat.S_IMODE(st.st_mode)
    if not mode & OTHERS:
        return None
    try:
        os.chmod(path, mode & ~OTHERS)  # no symlink (looked at above): nothing else is followed
    except OSError as error:  # not the owner, a read-only file system
        return Tightened(path, mode, mode, error)
    return Tightened(path, mode, mode & ~OTHERS)


def make_private_tree(directory: Path) -> list[Tightened]:
    """`make_private` on `directory` and on every file and folder directly in it (not below), the directory
    first."""
    found = [done] if (done := make_private(directory)) is not None else []
    try:
        entries = list(os.scandir(directory))
    except OSError:
        return found
    for entry in sorted(entries, key=lambda entry: entry.name):  # a symlink is left alone (`make_private`)
        if (done := make_private(Path(entry.path))) is not None:
            found.append(done)
    return found
