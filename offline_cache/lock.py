"""One writer per profile: an exclusive `flock` on the profile's lock file, held for the life of the process.

The holder writes who it is (pid, host, command line, since when) into the lock file so that a second process can
say who is in the way. The kernel drops the lock when the holder dies, so a crash never leaves a stale lock.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import socket
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import orjson

from offline_cache.errors import CacheError, CacheLockedError

LOCK_NAME = "lock"
_LOCK_MODE = 0o600
_HOLDER_READ_RETRIES = 5


_SECRET_OPTION = re.compile(r"token|password|secret|key", re.IGNORECASE)


def redact(parts: list[str]) -> list[str]:
    """The command line with the values of secret-looking options hidden (it ends up in error messages)."""
    shown = []
    hide_next = False
    for part in parts:
        if hide_next:
            shown.append("***")
            hide_next = False
        elif part.startswith("-") and _SECRET_OPTION.search(part):
            name, eq, _value = part.partition("=")
            shown.append(f"{name}=***" if eq else part)
            hide_next = not eq
        else:
            shown.append(part)
    return shown


def _command_line() -> str:
    try:
        raw = Path("/proc/self/cmdline").read_bytes()
        parts = [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    except OSError:
        parts = [sys.executable, *sys.argv]
    return " ".join(redact(parts))[:500]


def _holder_info() -> bytes:
    return orjson.dumps(
        {
            "pid": os.getpid(),
            "host": socket.gethostname(),
            "command": _command_line(),
            "since": datetime.now(UTC).isoformat(timespec="seconds"),
        }
    )


def _read_holder(fd: int) -> dict[str, object]:
    # The holder writes its details right after taking the lock; give it a moment if we raced it.
    for _ in range(_HOLDER_READ_RETRIES):
        raw = os.pread(fd, 4096, 0)
        if raw:
            try:
                info = orjson.loads(raw)
            except orjson.JSONDecodeError:
                info = None
            if isinstance(info, dict):
                return info
        time.sleep(0.02)
    return {}


class ProfileLock:
    """The exclusive lock of one profile directory. `acquire()` raises CacheLockedError naming the holder."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / LOCK_NAME
        self._fd: int | None = None

    @property
    def held(self) -> bool:
        return self._fd is not None

    def acquire(self) -> None:
        try:
            fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, _LOCK_MODE)
        except OSError as exc:
            raise CacheError(
                f"Cannot open the lock file {self.path}: {exc.strerror or exc}",
                code="open_failed",
                path=self.path,
                errno=exc.errno,
            ) from exc
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            info = _read_holder(fd)
            os.close(fd)
            pid = info.get("pid")
            raise CacheLockedError(
                self.path.parent,
                pid=pid if isinstance(pid, int) else None,
                command=str(info["command"]) if info.get("command") else None,
                since=str(info["since"]) if info.get("since") else None,
                host=str(info["host"]) if info.get("host") else None,
            ) from None
        try:
            os.fchmod(fd, _LOCK_MODE)
            os.ftruncate(fd, 0)
            os.pwrite(fd, _holder_info(), 0)
        except OSError:
            # The lock is ours even if the note about who holds it could not be written.
            pass
        self._fd = fd

    def release(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
        with contextlib.suppress(OSError):
            fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
