"""Which merchant consoles run on a profile. Two consoles may share one (a counter at 80x24, a phone over SSH at
40x15): both ring its orders and either sends its outbox, so the quit dialog of one says that the other keeps
ringing and sending, not that nobody hears the orders once it is closed.

Each running console holds an exclusive `flock` on a file of its own, `consoles/<pid>-<random>` in the profile's
cache directory. The kernel drops the lock when its process ends, however it ends, so a file whose lock is free
is a console that is gone (killed, crashed): the next console that looks removes it. A file is made under a name
starting with "." and renamed only once locked, so no console ever sees another's file before it is held.
No Textual here: the console (screens/app.py) holds one from its first frame until it ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
from pathlib import Path

CONSOLES_DIR = "consoles"
_FILE_MODE = 0o600
_DIR_MODE = 0o700


def _held_by_a_running_console(path: Path) -> bool:
    """Whether a console holds `path`'s lock; a file nobody holds is removed (its console ended)."""
    try:
        fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    except OSError:
        return False  # removed meanwhile: that console ended
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        except OSError:
            return False
        with contextlib.suppress(OSError):
            os.unlink(path)  # while we hold it: no running console holds a file that has no name
        return False
    finally:
        os.close(fd)


def running_consoles(directory: Path, *, besides: Path | None = None) -> int:
    """How many consoles run on the profile at `directory` now, leaving out the one holding `besides` (on this
    machine: a profile's cache directory is its own)."""
    folder = directory / CONSOLES_DIR
    try:
        names = os.listdir(folder)
    except OSError:
        return 0
    return sum(
        1
        for name in names
        if not name.startswith(".")
        and (besides is None or name != besides.name)
        and _held_by_a_running_console(folder / name)
    )


class ConsolePresence:
    """This console on the profile at `directory`, from `open` until `close`."""

    def __init__(self, folder: Path, path: Path, fd: int) -> None:
        self.folder = folder
        self.path = path
        self._fd: int | None = fd

    @classmethod
    def open(cls, directory: Path) -> ConsolePresence | None:
        """This console's file, locked; None where it cannot be made (the console runs on without saying so)."""
        folder = directory / CONSOLES_DIR
        name = f"{os.getpid()}-{secrets.token_hex(4)}"
        new, path = folder / f".{name}", folder / name
        try:
            folder.mkdir(mode=_DIR_MODE, exist_ok=True)
            fd = os.open(new, os.O_RDWR | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, _FILE_MODE)
        except OSError:
            return None
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # a new file: nobody else has it open
            os.rename(new, path)
        except OSError:
            os.close(fd)
            with contextlib.suppress(OSError):
                os.unlink(new)
            return None
        return cls(folder, path, fd)

    def others(self) -> int:
        """How many other consoles run on this profile now."""
        return running_consoles(self.folder.parent, besides=self.path)

    def close(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.unlink(self.path)
        os.close(fd)
