"""Crash-safe TinyDB storage: every write goes to a temp file in the same directory, is fsynced, `os.replace`d over
the old file and the directory is fsynced, so a kill at any moment leaves either the old or the new file, whole.

Reads come from a write-through memory copy (the file is parsed once, at open). The memory copy is replaced only
after the file write succeeded, so a failed write (full disk) leaves both the file and the memory as they were.
"""

from __future__ import annotations

import contextlib
import errno
import gc
import os
import secrets
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import msgspec
import orjson
from tinydb.storages import Storage

from offline_cache.errors import CacheError, CorruptFileError

FILE_MODE = 0o600
TEMP_MARKER = ".tmp-"
_FULL_DISK_ERRNOS = {errno.ENOSPC, errno.EDQUOT}

Tables = dict[str, dict[str, Any]]


def temp_name(path: Path) -> Path:
    return path.parent / f".{path.name}{TEMP_MARKER}{os.getpid()}-{secrets.token_hex(4)}"


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


class AtomicJSONStorage(Storage):
    """TinyDB storage for one JSON file: orjson, write-through memory copy, atomic durable writes, 0600.

    `read()` hands TinyDB a new outer dict each time; TinyDB builds new table dicts on every change, so the stored
    state is never edited in place (copy on write) and a failed write can simply keep the previous state. (TinyDB's
    `Table.update` edits documents in place; `DocTable` never uses it.)

    `batch()` groups several TinyDB writes into one durable file write at the end (or none, on an exception).
    """

    def __init__(
        self, path: str | os.PathLike[str], *, read_only: bool = False, initial: Tables | None = None
    ) -> None:
        self.path = Path(path)
        self.read_only = read_only
        self.lock = threading.RLock()
        self._closed = False
        self._batch_depth = 0
        self._batch_dirty = False
        self._data: Tables = initial if initial is not None else (load_tables(self.path) or {})

    def read(self) -> Tables:
        return dict(self._data)

    def write(self, data: Tables) -> None:
        with self.lock:
            self._check_writable()
            if self._batch_depth:
                self._data = data
                self._batch_dirty = True
                return
            self._flush(data)

    def snapshot(self) -> Tables:
        """The current state (callers must not edit it)."""
        return self._data

    @contextlib.contextmanager
    def batch(self) -> Iterator[None]:
        with self.lock:
            self._check_writable()
            outermost = self._batch_depth == 0
            before = self._data
            if outermost:
                self._batch_dirty = False
            self._batch_depth += 1
            try:
                yield
            except BaseException:
                self._batch_depth -= 1
                if outermost:
                    self._data = before
                raise
            self._batch_depth -= 1
            if outermost and self._batch_dirty:
                try:
                    self._flush(self._data)
                except CacheError as exc:
                    if exc.code != "write_not_durable":
                        self._data = before
                    raise
                except BaseException:
                    self._data = before
                    raise

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
            raise
        self._data = data

    def _check_writable(self) -> None:
        if self._closed:
            raise CacheError(f"{self.path} is closed.", code="closed", path=self.path)
        if self.read_only:
            raise CacheError(
                f"{self.path} was opened read-only; changes are refused.", code="read_only", path=self.path
            )

    def close(self) -> None:
        self._closed = True
