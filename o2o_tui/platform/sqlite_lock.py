"""One server process per SQLite file: an advisory lock file beside the database, held while the server runs.

The server's SQLite code counts on being the only server on its file. `db.lock_writers` is a no-op there because
one process runs its transactions one after another; pysqlite starts a transaction only at the first write, so
what a handler read before it is not protected against a second process's commit in between; and a long poll of
one process learns of another's events only at its next re-read (`O2O_EVENT_RECHECK_SECONDS`). Several processes
on one database is what PostgreSQL is for (docs/operations.md).

The lock is `flock` on `<database>.server-lock`: the kernel drops it when the process ends, however it ends, so a
lock left by a killed server is simply taken by the next one (the pid in the file is only there to name the
holder in the refusal). `o2o admin` commands do not take it: they may run beside the server.
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
import stat
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from o2o_tui.i18n import t
from o2o_tui.safe_text import safe_text

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: no advisory lock, one server per file is left to the operator
    fcntl = None  # type: ignore[assignment]

SUFFIX = ".server-lock"


class SqliteInUse(RuntimeError):
    """Another server process holds this SQLite file."""

    def __init__(self, database: str, pid: str, host: str) -> None:
        super().__init__(f"{database} is in use by pid {pid or '?'} on {host or '?'}")
        self.database = database
        self.pid = pid  # both "" when the file did not say (the holder had not written it yet)
        self.host = host

    def message(self) -> str:
        """One line for the operator, naming the file and the process that serves it."""
        holder = t("server.sqlite_in_use.holder", pid=self.pid, host=self.host) if self.pid else ""
        return t("server.sqlite_in_use", database=self.database, holder=holder or t("server.sqlite_in_use.other"))


class SqliteLockFailed(SqliteInUse):
    """The lock file beside the database could not be made or written (a read-only directory, a full disk): the
    server does not start, naming the file and the system's reason. A kind of `SqliteInUse` so every start-up that
    reports a refused lock (`o2o serve`, `python -m o2o_tui.platform`) reports this one too, exit 2."""

    def __init__(self, path: Path, error: OSError) -> None:
        RuntimeError.__init__(self, f"{path}: {error}")
        self.database = str(path)
        self.pid = self.host = ""
        self.path = path
        self.reason = error.strerror or str(error)

    def message(self) -> str:
        return t("server.sqlite_lock_failed", path=str(self.path), reason=self.reason)


class SqliteModeFailed(SqliteLockFailed):
    """The database file (or its -wal, -shm) is readable by other users and could not be made private (not the
    server's own file): the server does not start, exit 2, naming the file, its mode and the system's reason."""

    def __init__(self, path: Path, mode: int, error: OSError) -> None:
        super().__init__(path, error)
        self.mode = mode

    def message(self) -> str:
        return t("server.sqlite_mode_failed", path=str(self.path), mode=f"{self.mode:04o}", reason=self.reason)


log = logging.getLogger("o2o.platform")
# the database holds customers' names, full phone numbers and addresses and every token's hash: its owner only
OTHERS = 0o077
SIDE_FILES = ("", "-wal", "-shm")


def make_private(database: Path) -> None:
    """Take the group's and others' access from the database file and its -wal and -shm (a restore or a backup
    copied in place with the umask's 0644, say), saying once in the log which files and modes; SQLite gives a
    new -wal or -shm the database file's mode, so they stay private after. SqliteModeFailed if one cannot be."""
    changed = []
    for suffix in SIDE_FILES:
        path = database.with_name(database.name + suffix)
        try:
            mode = stat.S_IMODE(os.stat(path).st_mode)
        except FileNotFoundError:
            continue
        except OSError as error:
            raise SqliteModeFailed(path, 0, error) from None
        if not mode & OTHERS:
            continue
        try:
            os.chmod(path, mode & ~OTHERS)
        except OSError as error:  # another user's file
            raise SqliteModeFailed(path, mode, error) from None
        changed.append(f"{path} {mode:04o} -> {mode & ~OTHERS:04o}")
    if changed:
        log.warning(t("server.sqlite_mode_tightened", files="; ".join(changed)))


def sqlite_file(db_url: str) -> Path | None:
    """The file a SQLite URL names, else None (PostgreSQL, in-memory, a URI, a URL that is none: refused by
    `db.check_db_url` before the lock is asked for)."""
    try:
        url = make_url(db_url)
    except (ArgumentError, ValueError):
        return None
    if url.get_backend_name() != "sqlite" or "uri" in url.query:
        return None
    if url.database in (None, "", ":memory:"):
        return None
    return Path(str(url.database))


def _holder(fd: int) -> tuple[str, str]:
    """(pid, host) the holder wrote, else ("", "")."""
    words = os.pread(fd, 300, 0).decode("utf-8", errors="replace").split()
    if len(words) >= 2 and words[0].isdigit():
        return words[0], safe_text(words[1])[:100]
    return "", ""


@contextlib.contextmanager
def server_lock(db_url: str) -> Iterator[None]:
    """Hold the server lock of the SQLite file `db_url` names for the block; SqliteInUse if another holds it."""
    database = sqlite_file(db_url)
    if database is None or fcntl is None:
        yield
        return
    try:
        database.parent.mkdir(parents=True, exist_ok=True)
    except OSError as error:  # the lock file's directory: the database's own
        raise SqliteLockFailed(database.with_name(database.name + SUFFIX), error) from None
    real = database.resolve()  # a symlink to the file shares its lock
    lock_path = real.with_name(real.name + SUFFIX)
    try:
        fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    except OSError as error:  # a read-only directory, a full disk (no inode left), not ours
        raise SqliteLockFailed(lock_path, error) from None
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SqliteInUse(str(database), *_holder(fd)) from None
        except OSError as error:  # no locks on this file system (some network mounts)
            raise SqliteLockFailed(lock_path, error) from None
        # a full disk: the lock is held all the same, only the holder's line is missing (a second server is told
        # "another server process"); the database's own writes are answered 503 until there is room
        with contextlib.suppress(OSError):
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()} {socket.gethostname()}\n".encode(), 0)
        make_private(real)  # the file is this server's now: nobody else's to read
        yield  # the file keeps its last holder's line after a stop: it is read only while someone holds the lock
    finally:
        os.close(fd)  # releases the lock
