"""Document tables keyed by string ids (an order id, a store id) on top of TinyDB tables.

Documents go in and come out as deep copies: a caller that edits a nested field of what it got never changes the
cache, and a caller that keeps editing what it stored never changes it either. Every write is one durable file
write (several, when grouped in `ProfileCache.write_batch()`), made under the profile's write lock after reading
the file again if another process changed it.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any, TypeVar, cast

import msgspec
import orjson
from tinydb import TinyDB
from tinydb.table import Document, Table

from offline_cache.errors import CacheError
from offline_cache.lock import WriteLock
from offline_cache.storage import AtomicJSONStorage, FileStamp, Tables, gc_paused

Doc = dict[str, Any]
T = TypeVar("T")


def _tinydb_id(doc_id: str) -> int:
    """A string id as TinyDB's signatures name it. With `document_id_class = str` TinyDB keeps and compares
    ids as the strings they are; its annotations say `int` throughout: this is the one place bridging them."""
    return cast(int, doc_id)


class StrKeyTable(Table):
    """A TinyDB table keyed by the cache's string ids (an order id, an outbox key). Ids go in only through the
    str-typed methods below."""

    document_id_class = str  # type: ignore[assignment]  # TinyDB's documented hook; it annotates it type[int]

    def get_doc(self, doc_id: str) -> Document | None:
        return self.get(doc_id=_tinydb_id(doc_id))

    def insert_doc(self, doc_id: str, doc: Doc) -> None:
        self.insert(Document(doc, _tinydb_id(doc_id)))

    def insert_docs(self, docs: dict[str, Doc]) -> None:
        self.insert_multiple(Document(doc, _tinydb_id(doc_id)) for doc_id, doc in docs.items())

    def remove_docs(self, doc_ids: list[str]) -> None:
        self.remove(doc_ids=[_tinydb_id(doc_id) for doc_id in doc_ids])


class DocDB(TinyDB):
    """One JSON file of string-keyed tables on `AtomicJSONStorage`."""

    table_class = StrKeyTable

    def __init__(
        self,
        path: Path,
        *,
        read_only: bool,
        initial: Tables,
        stamp: FileStamp | None = None,
        write_lock: WriteLock | None = None,
    ) -> None:
        super().__init__(
            path,
            storage=AtomicJSONStorage,
            read_only=read_only,
            initial=initial,
            stamp=stamp,
            write_lock=write_lock,
        )

    @property
    def storage(self) -> AtomicJSONStorage:
        storage = super().storage
        assert isinstance(storage, AtomicJSONStorage)  # the constructor's storage class
        return storage

    def table(self, name: str, **kwargs: Any) -> StrKeyTable:
        table = super().table(name, **kwargs)
        assert isinstance(table, StrKeyTable)  # table_class
        return table


@functools.lru_cache(maxsize=64)
def _cached_decoder(kind: type[Any]) -> msgspec.json.Decoder[Any]:
    return msgspec.json.Decoder(kind)


def _decoder(kind: type[T]) -> msgspec.json.Decoder[T]:
    """A decoder per kind, built once. (lru_cache's wrapper drops the kind's type: this gives it back.)"""
    # a class is hashable, but mypy does not see type[T] as Hashable (python/mypy#11470)
    return _cached_decoder(kind)  # type: ignore[arg-type]


def copy_doc(doc: Any) -> Any:
    """A deep copy through JSON, which also proves the value can be stored."""
    try:
        return orjson.loads(orjson.dumps(doc))
    except TypeError as exc:
        raise CacheError(f"A document cannot be stored as JSON: {exc}", code="invalid_document") from exc


def _checked_copy(doc_id: str, doc: Doc) -> Doc:
    if not isinstance(doc_id, str) or not doc_id:
        raise ValueError(f"document ids are non-empty strings, got {doc_id!r}")
    if not isinstance(doc, dict):
        raise TypeError(f"documents are dicts, got {type(doc).__name__} for {doc_id!r}")
    copied: Doc = copy_doc(doc)  # a dict, checked above, copied through JSON
    return copied


class DocTable:
    """One table of JSON documents (`orders`, `stores`, `menus`, ...)."""

    def __init__(self, db: DocDB, storage: AtomicJSONStorage, name: str) -> None:
        self.name = name
        self._table = db.table(name, cache_size=0)
        self._storage = storage

    def batch(self) -> AbstractContextManager[None]:
        """Group writes to this file (this table and its siblings) into one durable write."""
        return self._storage.batch()

    def _raw(self) -> dict[str, Doc]:
        return self._storage.snapshot().get(self.name, {})

    def get(self, doc_id: str) -> Doc | None:
        raw = self._table.get_doc(doc_id)
        return None if raw is None else copy_doc(raw)

    def all(self) -> list[Doc]:
        with gc_paused():
            return list(copy_doc(self._raw()).values())

    def items(self) -> list[tuple[str, Doc]]:
        with gc_paused():
            return list(copy_doc(self._raw()).items())

    def items_shared(self) -> list[tuple[str, Doc]]:
        """(id, document) pairs of the stored documents themselves, not copies: for a reader that only builds
        new objects from them (msgspec.convert into frozen Structs) and neither changes nor keeps them. Skipping
        the copy saves ~25 ms per 2,000 orders (the merchant console's first frame reads every order)."""
        return list(self._raw().items())

    def get_as(self, doc_id: str, kind: type[T]) -> T | None:
        """The document decoded straight into `kind` (e.g. a msgspec Struct): a fresh object, no dict copy first.
        Raises msgspec.ValidationError when it does not fit."""
        raw = self._raw().get(doc_id)
        return None if raw is None else _decoder(kind).decode(orjson.dumps(raw))

    def all_as(self, kind: type[T], *, skip_invalid: bool = False) -> list[T]:
        """Every document decoded into `kind`, faster than `all()` and then converting each dict. With
        `skip_invalid` a document that does not fit is left out instead of raising msgspec.ValidationError."""
        decoder = _decoder(kind)
        decoded = []
        with gc_paused():
            for raw in self._raw().values():
                try:
                    decoded.append(decoder.decode(orjson.dumps(raw)))
                except msgspec.ValidationError:
                    if not skip_invalid:
                        raise
        return decoded

    def ids(self) -> list[str]:
        return list(self._raw())

    def find(self, predicate: Callable[[Doc], bool]) -> list[Doc]:
        return [doc for doc in self.all() if predicate(doc)]

    def __contains__(self, doc_id: object) -> bool:
        return doc_id in self._raw()

    def __len__(self) -> int:
        return len(self._table)

    def __iter__(self) -> Iterator[Doc]:
        return iter(self.all())

    def upsert(self, doc_id: str, doc: Doc) -> None:
        """Store `doc` under `doc_id`, replacing (not merging into) any previous version."""
        self.upsert_many({doc_id: doc})

    def upsert_many(self, docs: dict[str, Doc]) -> None:
        copies = {doc_id: _checked_copy(doc_id, doc) for doc_id, doc in docs.items()}
        if not copies:
            return
        with self._storage.batch():
            self._table.remove_docs(list(copies))
            self._table.insert_docs(copies)

    def remove(self, doc_id: str) -> None:
        self.remove_many([doc_id])

    def remove_many(self, doc_ids: list[str]) -> int:
        with self._storage.batch():  # what is present is read under the write lock
            present = [doc_id for doc_id in doc_ids if doc_id in self._raw()]
            if present:
                self._table.remove_docs(present)
            return len(present)

    def replace_all(self, docs: dict[str, Doc]) -> None:
        """The full resync: the table holds exactly `docs` afterwards, in one write."""
        copies = {doc_id: _checked_copy(doc_id, doc) for doc_id, doc in docs.items()}
        with self._storage.batch():
            self._table.truncate()
            if copies:
                self._table.insert_docs(copies)

    def prune(self, predicate: Callable[[Doc], bool]) -> int:
        """Remove the documents `predicate` matches (it gets copies), in one write; returns how many."""
        with self._storage.batch():
            doomed = [doc_id for doc_id, doc in self.items() if predicate(doc)]
            if doomed:
                self._table.remove_docs(doomed)
            return len(doomed)

    def transform(self, predicate: Callable[[Doc], bool], fn: Callable[[Doc], Doc]) -> int:
        """Replace each matching document by `fn(copy)` (e.g. personal fields purged), in one write."""
        with self._storage.batch():
            changed = {doc_id: fn(doc) for doc_id, doc in self.items() if predicate(doc)}
            self.upsert_many(changed)
            return len(changed)
