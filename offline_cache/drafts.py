"""Drafts: local work on a document that is not sent yet (a menu being edited), one per key (a store id).

A draft is the only copy of a person's edits, so it is kept like the outbox and not in the snapshot cache (which is
rebuildable and set aside when unreadable): its own file `drafts-v<N>.json` in the profile directory, written
through `AtomicJSONStorage` (temp file, fsync, replace, directory fsync; 0600), so a crash or a kill at any moment
leaves the previous save or the new one, whole; a quit loses nothing. A drafts file that does not parse or was not
written by this program is treated as a damaged outbox is: `DraftStore(cache)` raises `CorruptDraftsError`
(code `corrupt_drafts`, with `path` and `detail`) and the file is left exactly as it is (it may hold edits never
published); every reader says so, and the CLI exits 8, until a person moves it aside. One draft in a good file
that no longer decodes (written by another version) is noted in `warnings` (`draft_unreadable`) and, before a save
replaces it or a discard drops it, copied as it is to a file of its own beside the drafts file (`save` returns that
copy's path; both leave it in `copied`, for the caller to say where it is).

The cache knows JSON documents, not menus: what a draft is comes from a codec, `(key, encode, decode)`, given to
`DraftStore(cache, codec)` or registered once by the code that owns the type (`o2o_tui.menu_draft` registers the
menu draft's, so `DraftStore(cache).load(store_id)` is a `MenuDraft`).

Saves are made under the profile's write lock (held for the one write), so any process with the profile open for
writing saves drafts, and a store sees what another process saved; a read-only cache reads drafts and refuses saves.

A draft has one editor at a time: `DraftLock(directory, key)` (`draft-<key>.lock`) is held by the process that
changes it, an editor for as long as it is open, a command for the moment of its change. It is taken without
waiting; whoever cannot take it reads `holder()` (pid, host, command line, since when: the note every lock of the
profile writes, offline_cache/lock.py) to say who has the draft. The kernel drops it when its holder dies.
"""

from __future__ import annotations

import contextlib
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Generic, TypeVar, overload

import msgspec

from offline_cache.errors import CacheError, CorruptFileError
from offline_cache.lock import TryLock, WriteLock
from offline_cache.profile import APP_MARK, FILE_TABLE, FORMAT_DOC, CacheWarning
from offline_cache.storage import Tables, atomic_write, file_stamp, load_tables
from offline_cache.tables import DocDB, DocTable

DRAFTS_TABLE = "drafts"
KIND = "drafts"
T = TypeVar("T")


def draft_lock_name(key: str) -> str:
    """`draft-<key>.lock`, the key kept to letters, digits, `-`, `_` and `.` (a store id)."""
    return "draft-" + re.sub(r"[^A-Za-z0-9_.-]", "_", key)[:100] + ".lock"


class DraftLock(TryLock):
    """The right to change the draft of one key: one holder at a time, taken without waiting."""

    HOLDER_TRIES_AGAIN = True

    def __init__(self, directory: Path, key: str) -> None:
        super().__init__(Path(directory) / draft_lock_name(key))
        self.key = key


class CorruptDraftsError(CacheError):
    """The drafts file cannot be read. It is left exactly as it is: it may hold menu edits never published."""

    code = "corrupt_drafts"

    def __init__(self, path: Path, detail: str) -> None:
        self.detail = detail
        message = (
            f"The drafts file {path} cannot be read ({detail}). It may hold menu edits that were never published, "
            "so it was left exactly as it is. Keep a copy of it, then move it aside to start with no drafts."
        )
        super().__init__(message, path=path)


class DraftCodec(msgspec.Struct, Generic[T], frozen=True):
    key: Callable[[T], str]  # the draft's key (a store id)
    encode: Callable[[T], dict[str, Any]]  # to a JSON document
    decode: Callable[
        [dict[str, Any]], T
    ]  # raises msgspec.ValidationError (or ValueError) when it does not fit


_registered: DraftCodec[Any] | None = None


def register_codec(codec: DraftCodec[Any]) -> None:
    """The codec `DraftStore(cache)` uses when given none (set by the module that defines the draft type)."""
    global _registered
    _registered = codec


def drafts_file_name(schema_version: int) -> str:
    return f"drafts-v{schema_version}.json"


def unreadable_copy_path(path: Path, key: str) -> Path:
    """Where a draft that no longer decodes is copied before it is replaced: beside the drafts file,
    `drafts-v<N>.unreadable-<key>-<UTC time>.json`, never over an earlier copy."""
    safe_key = re.sub(r"[^A-Za-z0-9_.-]", "_", key)[:100]
    base = f"{path.stem}.unreadable-{safe_key}-{time.strftime('%Y%m%dT%H%M%SZ', time.gmtime())}"
    candidate, number = path.with_name(base + ".json"), 1
    while candidate.exists():
        number += 1
        candidate = path.with_name(f"{base}-{number}.json")
    return candidate


def _format_doc(schema_version: int) -> dict[str, Any]:
    return {"app": APP_MARK, "kind": KIND, "schema_version": schema_version}


def _checked(path: Path, schema_version: int) -> Tables | None:
    tables = load_tables(path)
    if tables is None:
        return None
    found = tables.get(FILE_TABLE, {}).get(FORMAT_DOC)
    if found != _format_doc(schema_version):
        raise CorruptFileError(path, "it is not a drafts file of this version")
    return tables


class DraftStore(Generic[T]):
    """The drafts of one profile. Cheap to create (one small file is read); use from the cache's thread."""

    @overload
    def __init__(self: DraftStore[Any], cache: Any) -> None: ...
    @overload
    def __init__(self, cache: Any, codec: DraftCodec[T]) -> None: ...
    def __init__(self, cache: Any, codec: DraftCodec[T] | None = None) -> None:
        chosen = codec if codec is not None else _registered
        if chosen is None:
            raise RuntimeError("no draft codec: pass one, or import the module that registers it")
        self._codec: DraftCodec[T] = chosen
        self.read_only: bool = bool(getattr(cache, "read_only", False))
        schema_version = int(getattr(cache, "schema_version", 1))
        self.path = Path(cache.directory) / drafts_file_name(schema_version)
        self._schema_version = schema_version
        self.warnings: list[CacheWarning] = []
        self.copied: Path | None = None  # where the last save or discard copied an unreadable draft before its change
        write_lock = getattr(cache, "write_lock", None)
        lock: WriteLock | None = (
            write_lock if isinstance(write_lock, WriteLock) and not self.read_only else None
        )
        with lock.held_for_write() if lock is not None else contextlib.nullcontext():
            stamp = file_stamp(self.path)
            tables = self._open(schema_version)
        initial = {FILE_TABLE: {FORMAT_DOC: _format_doc(schema_version)}} if tables is None else tables
        self._db = DocDB(
            self.path,
            read_only=self.read_only,
            initial=initial,
            stamp=None if tables is None else stamp,
            write_lock=lock,
        )
        self._table = DocTable(self._db, self._db.storage, DRAFTS_TABLE)

    def _open(self, schema_version: int) -> Tables | None:
        """The drafts file's tables (None: none yet); `CorruptDraftsError` for an unreadable one, left in place."""
        try:
            return _checked(self.path, schema_version)
        except CorruptFileError as exc:
            raise CorruptDraftsError(self.path, exc.detail) from exc

    def load(self, key: str) -> T | None:
        """The saved draft, or None (none saved, or one that no longer decodes: it is noted in `warnings`, code
        `draft_unreadable`, and kept in the file; the next save of that key copies it aside first, `save`)."""
        doc = self._table.get(key)
        if doc is None:
            return None
        try:
            return self._codec.decode(doc)
        except (msgspec.ValidationError, ValueError, TypeError, KeyError) as exc:
            self.warnings.append(
                CacheWarning(
                    f"The saved draft {key!r} in {self.path} cannot be read: {exc}",
                    code="draft_unreadable",
                    path=self.path,
                    detail=str(exc),
                )
            )
            return None

    def keys(self) -> list[str]:
        return sorted(self._table.ids())

    def save(self, draft: T) -> Path | None:
        """Durably (fsynced before it returns); replaces the previous draft of the same key.

        A previous draft of that key that no longer decodes (`load` said `draft_unreadable`) may be the only copy
        of someone's edits: it is first written, as it is, to a drafts file of its own beside this one
        (`unreadable_copy_path`; the same format, so a program that reads it can open it there), and that path is
        returned (None: nothing was copied). The copy failing (a full disk) fails the save: nothing is replaced."""
        self._check_writable()
        key = self._codec.key(draft)
        kept = self._keep_unreadable(key)
        self._table.upsert(key, self._codec.encode(draft))
        self.copied = kept
        return kept

    def _keep_unreadable(self, key: str) -> Path | None:
        """The saved draft of `key`, when it no longer decodes, copied aside (durably); its copy's path."""
        doc = self._table.get(key)
        if doc is None:
            return None
        try:
            self._codec.decode(doc)
        except (msgspec.ValidationError, ValueError, TypeError, KeyError):
            pass
        else:
            return None
        copy = unreadable_copy_path(self.path, key)
        tables = {FILE_TABLE: {FORMAT_DOC: _format_doc(self._schema_version)}, DRAFTS_TABLE: {key: doc}}
        atomic_write(copy, msgspec.json.encode(tables))  # CacheError (disk_full, write_failed): not replaced
        return copy

    def discard(self, key: str) -> bool:
        """Forget the draft of `key`; False when there was none. One that no longer decodes is copied aside first,
        as `save` does (`copied`: where; the copy failing fails the discard: nothing is dropped)."""
        self._check_writable()
        self.copied = None
        if key not in self._table:
            return False
        kept = self._keep_unreadable(key)
        self._table.remove(key)
        self.copied = kept
        return True

    def _check_writable(self) -> None:
        if self.read_only:
            raise CacheError(
                f"{self.path} was opened read-only; changes are refused.", code="read_only", path=self.path
            )
