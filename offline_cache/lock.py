"""Three locks per profile, so the console and any number of scripts share one profile (DESIGN section 5):

- the WRITE lock (`lock`): an exclusive `flock` held for one read-modify-write of the cache, outbox or drafts
  file (milliseconds). A writer takes it, reloads the file if another process replaced it, applies its change,
  writes (temp, fsync, replace) and releases. Readers never take it. A process that cannot get it within `wait`
  seconds (another one is stuck holding it) gets `CacheLockedError` naming the holder.
- the PUSH lock (`push.lock`): held by the one process that sends the outbox, while it sends; taken without
  waiting. A process that cannot take it leaves its new entries to the holder.
- the OPEN lock (`open.lock`): held shared by every process that has the profile open, for as long as it does.
  The profile's directory is removed (a logout, a login as someone else) only by a process that takes it
  exclusively (`nobody_has_open`): never under a running console.

Each holder writes who it is (pid, host, command line, since when) into its lock file, so that a process kept
waiting can say who is in the way. The kernel drops a lock when its holder dies, so a crash never leaves a stale
lock. Both are reentrant within one lock object (several threads of one process queue on a thread lock first);
two objects on the same file, even in one process, exclude each other like two processes.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import re
import socket
import sys
import threading
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import orjson

from offline_cache.errors import CacheError, CacheLockedError

LOCK_NAME = "lock"
PUSH_LOCK_NAME = "push.lock"
OPEN_LOCK_NAME = "open.lock"
DEFAULT_WAIT = 5.0  # seconds a writer waits for the write lock before saying who holds it
_LOCK_MODE = 0o600
_HOLDER_READ_RETRIES = 5
_FIRST_POLL = 0.0005
_LAST_POLL = 0.02


_COMMAND_WORD = re.compile(r"[a-z]+(?:-[a-z]+)*")  # what a subcommand's name looks like: `chase-reply`
_OPTION_NAME = re.compile(r"--?[A-Za-z][A-Za-z0-9_-]*")
_COMMAND_DEPTH = 3  # `o2o orders cancellation accept`: at most this many subcommand words after the program
_HIDDEN = "…"


def _program(parts: list[str]) -> tuple[list[str], int]:
    """The program's words (the script's name when run by Python: `o2o`, `python3 -m pytest`) and where its
    arguments begin."""
    shown = [os.path.basename(parts[0])]
    if not shown[0].startswith("python") or len(parts) < 2:
        return shown, 1
    if parts[1] == "-m" and len(parts) > 2:
        return [*shown, "-m", parts[2]], 3
    if not parts[1].startswith("-"):
        return [os.path.basename(parts[1])], 2
    return shown, 1


def redact(parts: list[str], command: list[str] | None = None) -> list[str]:
    """The command line as the holder note keeps it (it ends up in another process's error message): the program,
    its subcommand words and the option names, never a value (an option's or a positional one, which may be a
    customer's note, a voucher code or a token): `o2o orders chase-reply … --text … --profile …`.

    `command`: the subcommand words, when the caller knows them (the CLI's parser); else the leading words that
    look like subcommand names (at most three, before any option or other value) are taken for them."""
    if not parts:
        return []
    shown, start = _program(parts)
    rest = parts[start:]
    if command is None:  # guess: the leading subcommand-like words
        command = []
        while rest and len(command) < _COMMAND_DEPTH and _COMMAND_WORD.fullmatch(rest[0]):
            command.append(rest.pop(0))
    else:  # known: drop them from the arguments, where they stand (an option of the program may come first)
        expected = list(command)
        kept = []
        for part in rest:
            if expected and part == expected[0]:
                expected.pop(0)
            else:
                kept.append(part)
        rest = kept
    shown.extend(command)
    values_only = False  # after `--`: everything is a value
    for part in rest:
        name, eq, _value = part.partition("=")
        if not values_only and part == "--":
            values_only = True
            shown.append(part)
        elif not values_only and _OPTION_NAME.fullmatch(name):
            shown.append(f"{name}={_HIDDEN}" if eq else name)
        elif shown[-1] != _HIDDEN:
            shown.append(_HIDDEN)
    return shown


def _command_words() -> list[str] | None:
    """The subcommand words of the running click (typer) command, when there is one on this thread."""
    click = sys.modules.get("click")
    context = click.get_current_context(silent=True) if click is not None else None
    return context.command_path.split()[1:] if context is not None else None


def _command_line() -> str:
    try:
        raw = Path("/proc/self/cmdline").read_bytes()
        parts = [part.decode(errors="replace") for part in raw.split(b"\0") if part]
    except OSError:
        parts = [sys.executable, *sys.argv]
    return " ".join(redact(parts, _command_words()))[:500]


_who: tuple[int, str, str] | None = None  # (pid, host, command line) of this process, read once


def _holder_info() -> bytes:
    global _who
    if _who is None or _who[0] != os.getpid():  # a forked child is someone else
        _who = (os.getpid(), socket.gethostname(), _command_line())
    pid, host, command = _who
    since = datetime.now(UTC).isoformat(timespec="seconds")
    return orjson.dumps({"pid": pid, "host": host, "command": command, "since": since})


def read_holder(fd: int) -> dict[str, object]:
    """The note of the lock file's holder ({} when there is none or it cannot be read)."""
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


def _locked_error(directory: Path, info: dict[str, object], waited: float) -> CacheLockedError:
    pid = info.get("pid")
    return CacheLockedError(
        directory,
        pid=pid if isinstance(pid, int) else None,
        command=str(info["command"]) if info.get("command") else None,
        since=str(info["since"]) if info.get("since") else None,
        host=str(info["host"]) if info.get("host") else None,
        waited=waited,
    )


class _LockFile:
    """One lock file, opened once; `flock` on it, reentrant within this object."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._depth = 0
        try:
            self._fd: int | None = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, _LOCK_MODE)
        except OSError as exc:
            raise CacheError(
                f"Cannot open the lock file {path}: {exc.strerror or exc}",
                code="open_failed",
                path=path,
                errno=exc.errno,
            ) from exc
        with contextlib.suppress(OSError):
            os.fchmod(self._fd, _LOCK_MODE)

    @property
    def held(self) -> bool:
        return self._depth > 0

    def _file(self) -> int:
        if self._fd is None:
            raise CacheError(f"{self.path} is closed.", code="closed", path=self.path)
        return self._fd

    def _try_flock(self) -> bool:
        try:
            fcntl.flock(self._file(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _write_note(self) -> None:
        fd = self._file()
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, _holder_info(), 0)
        except OSError:
            pass  # the lock is ours even if the note about who holds it could not be written

    def _unlock(self) -> None:
        with contextlib.suppress(OSError):
            fcntl.flock(self._file(), fcntl.LOCK_UN)

    def holder(self) -> dict[str, object]:
        return read_holder(self._file())

    def close(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        self._depth = 0
        os.close(fd)  # drops any flock held through it


class WriteLock(_LockFile):
    """The profile's write lock. `with lock.held_for_write():` around one read-modify-write."""

    def __init__(self, directory: Path, *, wait: float = DEFAULT_WAIT) -> None:
        super().__init__(directory / LOCK_NAME)
        self.directory = directory
        self.wait = wait
        self._rlock = threading.RLock()  # threads of this process queue here before the file lock

    def acquire(self) -> None:
        """Raises CacheLockedError naming the holder when the lock stays taken for `wait` seconds."""
        self._rlock.acquire()
        try:
            if self._depth == 0:
                self._acquire_file()
                self._write_note()
            self._depth += 1
        except BaseException:
            self._rlock.release()
            raise

    def _acquire_file(self) -> None:
        if self._try_flock():
            return
        deadline = time.monotonic() + self.wait
        pause = _FIRST_POLL
        while True:
            time.sleep(pause)
            if self._try_flock():
                return
            if time.monotonic() >= deadline:
                raise _locked_error(self.directory, self.holder(), self.wait) from None
            pause = min(pause * 2, _LAST_POLL)

    def release(self) -> None:
        if self._depth <= 0:
            raise RuntimeError("the write lock is not held")
        self._depth -= 1
        if self._depth == 0 and self._fd is not None:
            self._unlock()
        self._rlock.release()

    @contextlib.contextmanager
    def held_for_write(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()


class TryLock(_LockFile):
    """One holder at a time, taken without waiting (`try_acquire`), released from any thread."""

    # what a second `try_acquire` by the holder answers: True (it holds it already) or False (refused: not reentrant)
    HOLDER_TRIES_AGAIN = False

    def __init__(self, path: Path) -> None:
        super().__init__(path)
        self._mutex = threading.Lock()  # not reentrant, and released from any thread

    def try_acquire(self) -> bool:
        """True when this object now holds it; False at once when another object or process does."""
        if self.HOLDER_TRIES_AGAIN and self.held:
            return True
        if not self._mutex.acquire(blocking=False):
            return False
        try:
            if self._depth > 0 or not self._try_flock():
                self._mutex.release()
                return False
            self._write_note()
            self._depth = 1
        except BaseException:
            self._mutex.release()
            raise
        return True

    def release(self) -> None:
        if self._depth <= 0:
            return
        self._depth = 0
        if self._fd is not None:
            with contextlib.suppress(OSError):
                os.ftruncate(self._fd, 0)
            self._unlock()
        self._mutex.release()

    def close(self) -> None:
        self.release()
        super().close()


class PushLock(TryLock):
    """The right to send the outbox: one process at a time, taken without waiting."""

    def __init__(self, directory: Path) -> None:
        super().__init__(directory / PUSH_LOCK_NAME)


class OpenLock:
    """This process has the profile open: a shared `flock` on `open.lock` until `close()`. Taken after the
    directory is ready; if the directory was removed meanwhile (a logout took it exclusively first), `reopened`
    says so and the caller prepares the directory again."""

    def __init__(self, directory: Path) -> None:
        self.path = directory / OPEN_LOCK_NAME
        try:
            self._fd: int | None = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, _LOCK_MODE)
        except OSError as exc:
            raise CacheError(
                f"Cannot open the lock file {self.path}: {exc.strerror or exc}",
                code="open_failed",
                path=self.path,
                errno=exc.errno,
            ) from exc
        fcntl.flock(self._fd, fcntl.LOCK_SH)  # waits only while a removal holds it (milliseconds)

    @property
    def stale(self) -> bool:
        """The lock file was removed (with its directory) before this process got it."""
        if self._fd is None:
            return True
        try:
            return os.fstat(self._fd).st_ino != os.stat(self.path).st_ino
        except OSError:
            return True

    def close(self) -> None:
        if self._fd is None:
            return
        fd, self._fd = self._fd, None
        os.close(fd)


@contextlib.contextmanager
def nobody_has_open(directory: Path) -> Iterator[bool]:
    """Whether no process has the profile at `directory` open; while True is held, none can open it (remove the
    directory inside the block). True when the directory does not exist."""
    if not directory.is_dir():
        yield True
        return
    fd = os.open(directory / OPEN_LOCK_NAME, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, _LOCK_MODE)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield False
            return
        yield True
    finally:
        os.close(fd)
