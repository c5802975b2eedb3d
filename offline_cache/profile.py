"""One profile's offline store: a directory (0700) with `cache-v<N>.json` (the server's confirmed state, rebuildable
at any time), `outbox-v<N>.json` (unsynced work, the only copy), `lock` (the write lock, held for one write) and
`push.lock` (held by the one process sending the outbox). Any number of processes open it at once."""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import stat
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, TypeVar

import msgspec

from offline_cache.errors import CacheError, CacheLockedError, CorruptFileError, CorruptOutboxError
from offline_cache.lock import (
    DEFAULT_WAIT,
    LOCK_NAME,
    OPEN_LOCK_NAME,
    PUSH_LOCK_NAME,
    OpenLock,
    PushLock,
    WriteLock,
    nobody_has_open,
)
from offline_cache.outbox import ENTRIES_TABLE, Outbox, decode_entries
from offline_cache.private import Tightened, make_private_tree
from offline_cache.storage import (
    External,
    FileStamp,
    Tables,
    file_stamp,
    fsync_directory,
    is_temp_name,
    load_table,
    load_tables,
)
from offline_cache.tables import DocDB, DocTable, copy_doc

APP_MARK = "offline_cache"
FILE_TABLE = "_file"
FORMAT_DOC = "format"
META_TABLE = "_meta"
DIR_MODE = 0o700

T = TypeVar("T")


class CacheWarning(str):
    """A message about something the cache did on its own (a file set aside). A `str` with a stable `code` and
    the paths involved, so the CLI can translate it."""

    code: str
    path: Path | None
    moved_to: Path | None
    detail: str

    def __new__(
        cls,
        message: str,
        *,
        code: str,
        path: Path | None = None,
        moved_to: Path | None = None,
        detail: str = "",
    ) -> CacheWarning:
        warning = super().__new__(cls, message)
        warning.code = code
        warning.path = path
        warning.moved_to = moved_to
        warning.detail = detail
        return warning


def cache_file_name(schema_version: int) -> str:
    return f"cache-v{schema_version}.json"


def outbox_file_name(schema_version: int) -> str:
    return f"outbox-v{schema_version}.json"


def _format_doc(kind: str, schema_version: int) -> dict[str, Any]:
    return {"app": APP_MARK, "kind": kind, "schema_version": schema_version}


def _fresh_tables(kind: str, schema_version: int) -> Tables:
    return {FILE_TABLE: {FORMAT_DOC: _format_doc(kind, schema_version)}}


def _check_format(path: Path, tables: Tables, kind: str, schema_version: int) -> None:
    found = tables.get(FILE_TABLE, {}).get(FORMAT_DOC)
    if found != _format_doc(kind, schema_version):
        if isinstance(found, dict) and found.get("app") == APP_MARK:
            detail = (
                f"it is a {found.get('kind')} file of schema version {found.get('schema_version')}, "
                f"not a {kind} file of version {schema_version}"
            )
        else:
            detail = "it was not written by this program"
        raise CorruptFileError(path, detail)


def _utc_stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")


SET_ASIDE_MARK = ".corrupt-"


def set_aside(path: Path) -> Path:
    """Rename `path` to `<name>.corrupt-<UTC time>` without ever overwriting an existing file. Kept for a person
    to look at; a copy that may hold personal data goes with the purge (`remove_set_aside`)."""
    base = path.with_name(f"{path.name}{SET_ASIDE_MARK}{_utc_stamp()}")
    target, n = base, 0
    try:
        while True:
            try:
                os.link(path, target)  # fails rather than overwrite, unlike rename
                os.unlink(path)
                break
            except FileExistsError:
                n += 1
                target = base.with_name(f"{base.name}-{n}")
            except PermissionError:
                raise
            except OSError:
                # a file system without hard links: we hold the write lock, nobody else names files here
                if not target.exists():
                    os.rename(path, target)
                    break
                n += 1
                target = base.with_name(f"{base.name}-{n}")
        fsync_directory(path.parent)
    except OSError as exc:
        raise CacheError(
            f"Cannot move the unreadable file {path} aside: {exc.strerror or exc}",
            code="open_failed",
            path=path,
            errno=exc.errno,
        ) from exc
    return target


def remove_set_aside(directory: Path, names: tuple[str, ...], before: datetime) -> list[Path]:
    """Delete the set-aside copies (`set_aside`) of the files `names` (glob patterns: `cache-v*.json`) in
    `directory` last written before `before`: the purge of personal data reaches them too (a damaged cache holds
    the customers' names, phones and addresses the live one had). Their last write is the newest the data in them
    can be, so one is gone at most the purge window after that data would have been purged. The removed paths."""
    removed = []
    cutoff = before.timestamp()
    for pattern in names:
        for path in sorted(directory.glob(f"{pattern}{SET_ASIDE_MARK}*")):
            try:
                st = os.lstat(path)
                if not stat.S_ISREG(st.st_mode) or st.st_mtime >= cutoff:
                    continue
                os.unlink(path)
            except OSError:  # gone meanwhile (another process's purge), or not ours to delete: the next purge
                continue
            removed.append(path)
    if removed:
        with contextlib.suppress(OSError):
            fsync_directory(directory)
    return removed


def _hold_open(directory: Path, *, prepare: bool) -> OpenLock | None:
    """The profile's open lock, held while this cache is open (`nobody_has_open` lets a logout remove the
    directory only when no process has it open). A read-only open of a directory that does not exist holds none."""
    for _ in range(3):  # a removal that ran between preparing and locking: prepare again
        if prepare:
            _prepare_directory(directory)
        elif not directory.is_dir():
            return None
        lock = OpenLock(directory)
        if not lock.stale:
            return lock
        lock.close()
    raise CacheError(f"The cache directory {directory} keeps being removed.", code="open_failed", path=directory)


def _prepare_directory(directory: Path) -> None:
    try:
        created = not directory.is_dir()
        missing = [level for level in (directory, *directory.parents) if not level.is_dir()]
        for level in reversed(missing):  # each created parent 0700 too (`parents=True` would leave them 0755)
            level.mkdir(exist_ok=True, mode=DIR_MODE)
            os.chmod(level, DIR_MODE)
        os.chmod(directory, DIR_MODE)
        if created:
            fsync_directory(directory.parent)  # the new directory's own entry must survive a power loss too
    except OSError as exc:
        raise CacheError(
            f"Cannot create the cache directory {directory}: {exc.strerror or exc}",
            code="open_failed",
            path=directory,
            errno=exc.errno,
        ) from exc


def _remove_created(directory: Path, files: dict[Path, FileStamp | None]) -> bool:
    """Remove a cache directory holding only `files` (as their stamps say this process left them) and the lock
    files, when no process has the profile open nor holds its write lock (another may have begun meanwhile)."""
    own = {*(path.name for path in files), LOCK_NAME, PUSH_LOCK_NAME, OPEN_LOCK_NAME}
    with nobody_has_open(directory) as free:
        if not free or not directory.is_dir():
            return False
        try:
            write_lock = WriteLock(directory, wait=0.0)
        except CacheError:
            return False
        try:
            with write_lock.held_for_write():
                if any(file_stamp(path) != stamp for path, stamp in files.items()):
                    return False  # another process wrote it since
                names = set(os.listdir(directory))
                if not names <= own:
                    return False  # something else lives there (drafts, a print queue): left as it is
                for name in names:
                    with contextlib.suppress(FileNotFoundError):
                        os.unlink(directory / name)
                with contextlib.suppress(OSError):
                    os.rmdir(directory)
                    fsync_directory(directory.parent)
        except (CacheLockedError, OSError):
            return False
        finally:
            write_lock.close()
    return True


def _remove_stale_temps(directory: Path) -> list[Path]:
    """Temp files left by a writer killed mid-write (every write happens under the write lock, which we hold, so
    none is in use)."""
    removed = []
    for entry in os.scandir(directory):
        if entry.is_file(follow_symlinks=False) and is_temp_name(entry.name):
            with contextlib.suppress(FileNotFoundError):
                os.unlink(entry.path)
                removed.append(Path(entry.path))
    return removed


class ExternalChanges(msgspec.Struct, frozen=True):
    """What other processes changed since the last look: cache documents per table (`{doc id: the document before
    the change, or after it when new}`) and outbox entries (`{key: the entry's document, as before or as new}`)."""

    cache: External
    outbox: dict[str, Any]

    def __bool__(self) -> bool:
        return bool(self.cache or self.outbox)


class ProfileCache:
    """Open with `open_profile_cache()`. Writes to one file are serialized by a lock, but the cache is meant to
    be used from one thread: from async code run every call on `executor` (or `await cache.call(fn, ...)`), so
    the event loop never waits on the disk.

    Other processes may have the same profile open: each write takes the profile's write lock for its duration
    (waiting up to `lock_wait` seconds, then CacheLockedError naming the holder), and reads see what they wrote
    (the files are read again when their stamps move). `push_lock` is the right to send the outbox."""

    def __init__(
        self,
        directory: Path,
        *,
        read_only: bool = False,
        schema_version: int = 1,
        lock_wait: float = DEFAULT_WAIT,
    ) -> None:
        self.directory = directory
        self.read_only = read_only
        self.schema_version = schema_version
        self.cache_path = directory / cache_file_name(schema_version)
        self.outbox_path = directory / outbox_file_name(schema_version)
        self.warnings: list[CacheWarning] = []
        self.was_reset = False
        self.created = False
        self.removed_temp_files: list[Path] = []
        self._closed = False
        self._tables: dict[str, DocTable] = {}
        self.write_lock: WriteLock | None = None
        self.push_lock: PushLock | None = None
        # a read-only open of a profile with neither file has nothing to guard: it creates no lock file either
        nothing = read_only and not (self.cache_path.exists() or self.outbox_path.exists())
        self.open_lock = None if nothing else _hold_open(directory, prepare=not read_only)
        # the folder and files (cache, outbox, drafts, print queue, locks) someone made readable by others (`chmod
        # 644`, a copy under the usual umask): private again, 0600 and 0700; the caller says what was done
        self.made_private: list[Tightened] = [] if self.open_lock is None else make_private_tree(directory)
        if not read_only:
            self.write_lock = WriteLock(directory, wait=lock_wait)
        try:
            with self.write_lock.held_for_write() if self.write_lock else contextlib.nullcontext():
                if not read_only:
                    self.removed_temp_files = _remove_stale_temps(directory)
                outbox_stamp = file_stamp(self.outbox_path)
                outbox_tables = self._load_outbox()
                cache_stamp = file_stamp(self.cache_path)
                cache_tables = self._load_cache()
                self._outbox_db = self._open_db(self.outbox_path, outbox_tables, outbox_stamp, "outbox")
                self._cache_db = self._open_db(self.cache_path, cache_tables, cache_stamp, "cache")
                self._warn_about_other_outboxes()
            if not read_only:
                self.push_lock = PushLock(directory)
        except BaseException:
            if self.write_lock is not None:
                self.write_lock.close()
            if self.open_lock is not None:
                self.open_lock.close()
            raise
        self._meta = DocTable(self._cache_db, self._cache_db.storage, META_TABLE)
        self.outbox = Outbox(self._outbox_db)
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="offline-cache")

    # -- opening ----------------------------------------------------------------------------------------------

    def _open_db(self, path: Path, tables: Tables | None, stamp: FileStamp | None, kind: str) -> DocDB:
        fresh = tables is None
        if fresh and kind == "cache" and not self.was_reset:
            self.created = True
        initial = _fresh_tables(kind, self.schema_version) if tables is None else tables
        db = DocDB(
            path,
            read_only=self.read_only,
            initial=initial,
            stamp=None if fresh else stamp,
            write_lock=self.write_lock,
        )
        if fresh and not self.read_only:
            db.storage.write(initial)
        return db

    def _load_outbox(self) -> Tables | None:
        path = self.outbox_path
        try:
            tables = load_tables(path)
            if tables is None:
                return None
            _check_format(path, tables, "outbox", self.schema_version)
            decode_entries(tables.get(ENTRIES_TABLE, {}))
        except CorruptFileError as exc:
            raise CorruptOutboxError(path, exc.detail) from exc
        except msgspec.ValidationError as exc:
            raise CorruptOutboxError(path, f"an entry has the wrong shape: {exc}") from exc
        return tables

    def _load_cache(self) -> Tables | None:
        path = self.cache_path
        try:
            tables = load_tables(path)
            if tables is not None:
                _check_format(path, tables, "cache", self.schema_version)
            return tables
        except CorruptFileError as exc:
            self.was_reset = True
            if self.read_only:
                self.warnings.append(
                    CacheWarning(
                        f"The cache file {path} cannot be used ({exc.detail}); showing an empty cache.",
                        code="cache_unreadable",
                        path=path,
                        detail=exc.detail,
                    )
                )
                return None
            moved_to = set_aside(path)
            self.warnings.append(
                CacheWarning(
                    f"The cache file {path} could not be used ({exc.detail}). It was moved to {moved_to} and a "
                    "new cache was started: everything is fetched again from the platform. The moved copy may hold "
                    "customers' personal data: it is deleted with the personal-data purge.",
                    code="cache_set_aside",
                    path=path,
                    moved_to=moved_to,
                    detail=exc.detail,
                )
            )
            return None

    def _warn_about_other_outboxes(self) -> None:
        for path in sorted(self.directory.glob("outbox-v*.json")):
            if path == self.outbox_path:
                continue
            try:
                tables = load_tables(path) or {}
            except CorruptFileError:
                tables = {ENTRIES_TABLE: {"?": {}}}
            if tables.get(ENTRIES_TABLE):
                self.warnings.append(
                    CacheWarning(
                        f"The outbox file {path} belongs to another version of this program and may hold actions "
                        "that were never sent; this version does not read it.",
                        code="other_outbox",
                        path=path,
                    )
                )

    # -- tables and meta ---------------------------------------------------------------------------------------

    def table(self, name: str) -> DocTable:
        if not name or name.startswith("_"):
            raise ValueError(f"table names starting with '_' are reserved: {name!r}")
        table = self._tables.get(name)
        if table is None:
            table = self._tables[name] = DocTable(self._cache_db, self._cache_db.storage, name)
        return table

    def table_names(self) -> list[str]:
        return sorted(name for name in self._cache_db.storage.snapshot() if not name.startswith("_"))

    def meta_get(self, key: str, default: Any = None) -> Any:
        doc = self._meta.get(key)
        return default if doc is None else doc["value"]

    def meta_set(self, key: str, value: Any) -> None:
        self.meta_set_many({key: value})

    def meta_set_many(self, values: dict[str, Any]) -> None:
        self._meta.upsert_many({key: {"value": copy_doc(value)} for key, value in values.items()})

    def external_changes(self) -> ExternalChanges:
        """What other processes wrote since the last call (one `stat` per file when nothing changed)."""
        cache = self._cache_db.storage.take_external_changes()
        outbox = self._outbox_db.storage.take_external_changes().get(ENTRIES_TABLE, {})
        return ExternalChanges(cache=cache, outbox=outbox)

    @contextlib.contextmanager
    def write_batch(self) -> Iterator[None]:
        """Table and meta writes inside become one durable write at exit (none if the block raises)."""
        with self._cache_db.storage.batch():
            yield

    # -- async helper ------------------------------------------------------------------------------------------

    async def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run `fn(*args, **kwargs)` (any cache call) on the cache's single thread."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    # -- life --------------------------------------------------------------------------------------------------

    @property
    def closed(self) -> bool:
        return self._closed

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self.executor.shutdown(wait=True)
        self._cache_db.close()
        self._outbox_db.close()
        if self.push_lock is not None:
            self.push_lock.close()
        if self.write_lock is not None:
            self.write_lock.close()
        if self.open_lock is not None:
            self.open_lock.close()

    def close_removing_if_created(self) -> bool:
        """Close; then, when this open created the cache (there was no cache file) and nothing was queued in it
        nor written to it by another process since, remove what it created: its files, and the directory when
        nothing else is in it (0700, as made at open). For a read that opened the cache to fill it and got
        nothing (the platform did not answer): a read leaves no cache behind. True when it was removed."""
        created = self.created and not self.read_only and not self._closed and not self.outbox.entries()
        stamps = {self.cache_path: self._cache_db.storage.stamp, self.outbox_path: self._outbox_db.storage.stamp}
        self.close()
        return created and _remove_created(self.directory, stamps)

    def __enter__(self) -> ProfileCache:
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        self.close()


def cached_meta(directory: str | os.PathLike[str], key: str, *, schema_version: int = 1) -> Any:
    """A meta value of the profile's cache as its file has it now, without opening the cache (no lock, nothing
    created, only the meta table built): None when there is no cache, no such key, or the file cannot be read
    (an open would say why). For a command that only needs to know whether to pull before it opens the cache."""
    try:
        meta = load_table(Path(directory) / cache_file_name(schema_version), META_TABLE)
    except CorruptFileError:
        return None
    doc = (meta or {}).get(key)
    return doc.get("value") if isinstance(doc, dict) else None


def open_profile_cache(
    directory: str | os.PathLike[str],
    *,
    read_only: bool = False,
    schema_version: int = 1,
    lock_wait: float = DEFAULT_WAIT,
) -> ProfileCache:
    """Open (creating if needed) the offline store of one profile. See ProfileCache and the package docs."""
    return ProfileCache(
        Path(directory), read_only=read_only, schema_version=schema_version, lock_wait=lock_wait
    )
