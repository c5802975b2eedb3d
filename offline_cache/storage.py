"""Crash-safe TinyDB storage: every write goes to a temp file in the same directory, is fsynced, `os.replace`d over
the old file and the directory is fsynced, so a kill at any moment leaves either the old or the new file, whole.

Reads come from a write-through memory copy. The memory copy is replaced only after the file write succeeded, so a
failed write (full disk) leaves both the file and the memory as they were.

Several processes share the file (DESIGN section 5). Each remembers the stamp (inode, size, mtime, ctime) of the
file it last read or wrote; a read checks the stamp (one `stat`) and parses the file again only when another
process replaced it. A write (`batch()`, or a single TinyDB write) runs under the profile's write lock: take it,
reload if the stamp moved, apply the change, replace the file, release. What another process changed is kept per
table (`take_external_changes()`), so an open console can show it.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import orjson
from tinydb.storages import Storage

from offline_cache.errors import CacheError, CorruptFileError
from offline_cache.lock import WriteLock

FILE_MODE = 0o600
TEMP_MARKER = ".tmp-"
_FULL_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT}

Tables = dict[str, dict[str, Any]]
FileStamp = tuple[int, int, int, int]  # inode, size, mtime and ctime in ns: any replace of the file moves it
External = dict[
    str, dict[str, Any]
]  # table -> {doc id: the document before the change, or after if it is new}


def file_stamp(path: Path) -> FileStamp | None:
    """None when the file does not exist (or cannot be looked at)."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)


def _diff(before: Tables, after: Tables, into: External) -> None:
    """Add to `into` the ids of documents added, changed or removed between `before` and `after`."""
    for name in before.keys() | after.keys():
        old, new = before.get(name, {}), after.get(name, {})
        if old is new:
            continue
        changed = into.setdefault(name, {})
        for doc_id in old.keys() | new.keys():
            was, now = old.get(doc_id), new.get(doc_id)
            if was != now and doc_id not in changed:
                changed[doc_id] = was if was is not None else now
        if not changed:
            del into[name]


def temp_name(path: Path) -> Path:
    return path.parent / f".{path.name}{TEMP_MARKER}{os.getpid()}-{os.urandom(4).hex()}"


def is_temp_name(name: str) -> bool:
    return name.startswith(".") and TEMP_MARKER in name


def fsync_directory(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _write_all(fd: int, payload: bytes) -> None:
    view = memoryview(payload)
    while view:
        written = os.write(fd, view)
        view = view[written:]


def atomic_write(path: Path, payload: bytes) -> None:
    """Replace `path` with `payload` durably. On failure the old file is untouched and no temp file is left."""
    temp = temp_name(path)
    try:
        fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_CLOEXEC, FILE_MODE)
        try:
            os.fchmod(fd, FILE_MODE)
            _write_all(fd, payload)
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(temp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            os.unlink(temp)
        if exc.errno in _FULL_DISK_ERRNOS:
            raise CacheError(
                f"The disk holding {path} is full: the change was not saved and the file is unchanged. "
                "Free some space and try again.",
                code="disk_full",
                path=path,
                errno=exc.errno,
            ) from exc
        raise CacheError(
            f"Could not save {path} ({exc.strerror or exc}): the change was not saved and the file is unchanged.",
            code="write_failed",
            path=path,
            errno=exc.errno,
        ) from exc
    try:
        fsync_directory(path.parent)
    except OSError as exc:
        raise CacheError(
            f"{path} was written but its directory could not be synced ({exc.strerror or exc}); "
            "the change may not survive a power loss.",
            code="write_not_durable",
            path=path,
            errno=exc.errno,
        ) from exc


@contextlib.contextmanager
def gc_paused() -> Iterator[None]:
    """Building thousands of documents at once triggers the cyclic GC over and over (it halves a 5,000-order
    parse); JSON documents hold no cycles, so pause it for the duration."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


_tables_decoder = msgspec.json.Decoder(dict[str, dict[str, dict[str, Any]]])


def load_tables(path: Path) -> Tables | None:
    """Parse a TinyDB file: `{table: {doc_id: {...}}}` (the shape is checked while parsing). None when the file
    does not exist."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptFileError(path, f"cannot be read: {exc.strerror or exc}") from exc
    try:
        with gc_paused():
            return _tables_decoder.decode(raw)
    except msgspec.ValidationError as exc:
        raise CorruptFileError(path, f"not an object of tables of documents: {exc}") from exc
    except msgspec.DecodeError as exc:
        detail = "the file is empty" if not raw.strip() else f"not valid JSON: {exc}"
        raise CorruptFileError(path, detail) from exc


_raw_tables_decoder = msgspec.json.Decoder(dict[str, msgspec.Raw])
_table_decoder = msgspec.json.Decoder(dict[str, dict[str, Any]])


def load_table(path: Path, name: str) -> dict[str, Any] | None:
    """One table of a TinyDB file (`{doc_id: {...}}`, {} when the file has none), without building the others'
    documents (a look at the cache's meta need not parse thousands of orders). None when the file does not
    exist; CorruptFileError as `load_tables`."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise CorruptFileError(path, f"cannot be read: {exc.strerror or exc}") from exc
    try:
        table = _raw_tables_decoder.decode(raw).get(name)
        return {} if table is None else _table_decoder.decode(table)
    except msgspec.ValidationError as exc:
        raise CorruptFileError(path, f"not an object of tables of documents: {exc}") from exc
    except msgspec.DecodeError as exc:
        detail = "the file is empty" if not raw.strip() else f"not valid JSON: {exc}"
        raise CorruptFileError(path, detail) from exc


class AtomicJSONStorage(Storage):
    """TinyDB storage for one JSON file: orjson, write-through memory copy, atomic durable writes, 0600.

    `read()` hands TinyDB a new outer dict each time; TinyDB builds new table dicts on every change, so the stored
    state is never edited in place (copy on write) and a failed write can simply keep the previous state. (TinyDB's
    `Table.update` edits documents in place; `DocTable` never uses it.)

    `batch()` groups several TinyDB writes into one durable file write at the end (or none, on an exception). It
    holds `write_lock` (when given) from start to end and reloads the file first if another process replaced it,
    so a read-modify-write inside it never loses another process's change: every change goes through a batch.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        read_only: bool = False,
        initial: Tables | None = None,
        stamp: FileStamp | None = None,
        write_lock: WriteLock | None = None,
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.lock = threading.RLock()
        self.write_lock = write_lock
        self._closed = False
        self._batch_depth = 0
        self._batch_dirty = False
        self._external: External = {}
        if initial is not None:
            self._stamp = stamp if stamp is not None else file_stamp(self.path)
            self._data: Tables = initial
        else:
            self._stamp = file_stamp(self.path)  # before the read: a change in between is read again later
            self._data = load_tables(self.path) or {}

    def read(self) -> Tables:
        self.refresh()
        return dict(self._data)

    def write(self, data: Tables) -> None:
        with self.lock:
            self._check_writable()
            if self._batch_depth:
                self._data = data
                self._batch_dirty = True
                return
            with self.batch():  # a lone TinyDB write: under the write lock like any other
                self._data = data
                self._batch_dirty = True

    @property
    def stamp(self) -> FileStamp | None:
        """The stamp of the file as this storage last read or wrote it (None: there was no file)."""
        return self._stamp

    def snapshot(self) -> Tables:
        """The current state (callers must not edit it)."""
        self.refresh()
        return self._data

    # -- other processes ----------------------------------------------------------------------------------

    def refresh(self, *, strict: bool = False) -> bool:
        """Read the file again if another process replaced it since we last read or wrote it. True when it did.
        Never inside a batch (the batch reloaded at its start, under the write lock). An unreadable new file
        is ignored (the memory copy stays) unless `strict`, which raises CorruptFileError: a writer must not
        replace a file it cannot read."""
        if self._batch_depth or self._closed:
            return False
        with self.lock:  # a batch of another thread holds it: that one is over once we have it
            stamp = file_stamp(self.path)
            if stamp == self._stamp or stamp is None:
                return False
            try:
                fresh = load_tables(self.path)
            except CorruptFileError:
                if strict:
                    raise
                return False
            if fresh is None:
                return False
            _diff(self._data, fresh, self._external)
            self._data, self._stamp = fresh, stamp
            return True

    def take_external_changes(self) -> External:
        """What other processes changed since the last call (reads the file again first if it moved)."""
        self.refresh()
        with self.lock:
            changes, self._external = self._external, {}
        return changes

    # -- writing ------------------------------------------------------------------------------------------

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        with self.lock:
            self._check_writable()
            if self._batch_depth:
                self._batch_depth += 1
                try:
                    yield
                finally:
                    self._batch_depth -= 1
                return
            with self._write_locked():
                self._reload_for_write()
                before = self._data
                self._batch_dirty = False
                self._batch_depth = 1
                try:
                    yield
                except BaseException:
                    self._batch_depth = 0
                    self._data = before
                    raise
                self._batch_depth = 0
                if self._batch_dirty:
                    try:
                        self._flush(self._data)
                    except CacheError as exc:
                        if exc.code != "write_not_durable":
                            self._data = before
                        raise
                    except BaseException:
                        self._data = before
                        raise

    def _write_locked(self) -> contextlib.AbstractContextManager[None]:
        return self.write_lock.held_for_write() if self.write_lock is not None else contextlib.nullcontext()

    def _reload_for_write(self) -> None:
        try:
            self.refresh(strict=True)
        except CorruptFileError as exc:
            raise CacheError(
                f"{self.path} was replaced by another program and cannot be read ({exc.detail}); it was left as "
                "it is and the change was not saved.",
                code="write_failed",
                path=self.path,
            ) from exc

    def _flush(self, data: Tables) -> None:
        try:
            payload = orjson.dumps(data)
        except TypeError as exc:
            raise CacheError(f"A document cannot be stored as JSON: {exc}", code="invalid_document") from exc
        try:
            atomic_write(self.path, payload)
        except CacheError as exc:
            if exc.code == "write_not_durable":
                # The new file is in place: memory follows what is on disk.
                self._data = data
                self._stamp = file_stamp(self.path)
            raise
        self._data = data
        self._stamp = file_stamp(self.path)  # still under the write lock: nobody replaced it since

    def _check_writable(self) -> None:
        if self._closed:
            raise CacheError(f"{self.path} is closed.", code="closed", path=self.path)
        if self.read_only:
            raise CacheError(
                f"{self.path} was opened read-only; changes are refused.", code="read_only", path=self.path
            )

    def close(self) -> None:
        self._closed = True
