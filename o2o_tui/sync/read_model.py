"""What screens and commands show: the last server snapshot with this device's pending outbox applied on top.

Synchronous (the CLI reads it straight from a `ProfileCache`; async code calls it on the cache's executor).
Documents are decoded into domain structs once per (id, version, personal data blanked or not) and kept, so
repeated reads stay cheap.

One rule for a cached document that does not decode (a file from another version, a disk error), in every reader:
it is left out, noted in `unreadable` (the CLI says so once on stderr, the consoles once as a line), and marked
for the sync engine to fetch again (sync/skipped.py; the engine also checks the cache itself once at start, for
readers that cannot write).
"""

from __future__ import annotations

import contextlib
import weakref
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, Literal, TypeVar

import msgspec

from o2o_tui.domain.fleet import Courier, Delivery
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import ENDED_STATUSES, Order, OrderStatus
from o2o_tui.domain.personal_data import DELIVERY_PERSONAL, ORDER_PERSONAL, needs_blanking
from o2o_tui.domain.store import Store, StoreStatus
from o2o_tui.sync import skipped as skips
from o2o_tui.sync import tables
from o2o_tui.sync.overlay import apply_to_delivery, apply_to_order, apply_to_store
from offline_cache.storage import gc_paused

T = TypeVar("T")
_MENU_PATCHES: dict[str, Literal["item", "option"]] = {
    "menu.item.patch": "item",
    "menu.option.patch": "option",
}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
KINDS: dict[str, type[Any]] = {
    tables.ORDERS: Order,
    tables.STORES: Store,
    tables.MENUS: Menu,
    tables.COURIERS: Courier,
    tables.DELIVERIES: Delivery,
}
# per cache: (table, id) -> why, every unreadable document any reader of that cache met (for the CLI's warning)
_UNREADABLE: weakref.WeakKeyDictionary[Any, dict[tuple[str, str], str]] = weakref.WeakKeyDictionary()


# `o2o orders list --json`: the cache file's tables with each document left as its stored JSON bytes (no dicts)
_RAW_TABLES = msgspec.json.Decoder(dict[str, dict[str, msgspec.Raw]])
_ORDER_DECODER = msgspec.json.Decoder(Order)
# the keys a listed row adds to the stored order document (OrderView.to_json adds the same)
ROW_EXTRA_FIELDS = ("display_number", "pending_actions", "is_pending")
_EXTRA_KEYS = tuple(f'"{name}"'.encode() for name in ROW_EXTRA_FIELDS)


def order_row_fields() -> list[str]:
    """Every top-level field of an `orders list --json` row, in the order a row holds them."""
    return [*(f.encode_name for f in msgspec.structs.fields(Order)), *ROW_EXTRA_FIELDS]


class OrderView(msgspec.Struct, frozen=True):
    order: Order
    pending: list[str] = []  # action names of this device's queued, not yet confirmed entries
    is_pending: bool = False

    def to_json(self) -> dict[str, Any]:
        """The order as `--json` gives it, with the row fields; `pickup_code` null once the order ended (the
        platform gives a freed code to a new order: an old one read out at the counter would mislead)."""
        data = msgspec.to_builtins(self.order)
        if self.order.status in ENDED_STATUSES:
            data["pickup_code"] = None
        data["display_number"] = self.order.display_number
        data["pending_actions"] = list(self.pending)
        data["is_pending"] = self.is_pending
        return data


class Resolution(msgspec.Struct, frozen=True):
    """What a reference a person typed names: one entity (`found`, its id), several (`candidates`, their ids:
    an id prefix they share, or with `number` set a day number two live ones share, which is never guessed), or
    nothing (neither)."""

    found: str | None = None
    candidates: tuple[str, ...] = ()
    number: int | None = None  # the day number the candidates share (None: they share an id prefix)

    @property
    def ambiguous(self) -> bool:
        return bool(self.candidates)


class AmbiguousReference(LookupError):
    """A reference that names several orders: an id prefix, or a day number (`number`) two live orders share."""

    def __init__(self, reference: str, candidates: list[str], number: int | None = None) -> None:
        super().__init__(reference)
        self.reference = reference
        self.candidates = candidates
        self.number = number


def _docs(table: Any) -> list[dict[str, Any]]:
    found = table.all()
    return list(found.values()) if isinstance(found, dict) else list(found)


def _items(table: Any) -> list[tuple[str, Any]]:
    """(cache id, document) pairs: the id under which a document is stored, even when the document is bad."""
    if hasattr(table, "items"):
        return list(table.items())
    return [(str(doc.get("id", doc.get("store_id", ""))), doc) for doc in _docs(table)]


def _patch_body(entry: Any) -> dict[str, Any]:
    try:
        body: object = msgspec.json.decode(entry.body)
    except (msgspec.DecodeError, TypeError):
        return {}
    return body if isinstance(body, dict) else {}


def _pick(row: dict[str, Any], fields: list[str]) -> dict[str, Any]:
    return {name: row[name] for name in fields if name in row}


def _why(error: Exception) -> str:
    return skips.clean_reason(str(error) or type(error).__name__)


def unreadable_docs(cache: Any) -> dict[tuple[str, str], str]:
    """Every cached document that does not decode into its domain type: (table, id) -> why."""
    found: dict[tuple[str, str], str] = {}
    for table, kind in KINDS.items():
        for doc_id, doc in _items(cache.table(table)):
            try:
                msgspec.convert(doc, kind)
            except (msgspec.ValidationError, TypeError) as error:
                found[(table, doc_id)] = _why(error)
    return found


def unreadable_texts(cache: Any) -> list[str]:
    """One line per cached document the readers of `cache` had to leave out, for a person."""
    found = _UNREADABLE.get(cache, {})
    return [
        skips.describe(skips.Skipped(table=table, id=doc_id, reason=why, source="cache"))
        for (table, doc_id), why in sorted(found.items())
    ]


def _instant(value: object) -> datetime:
    """Sort key of a stored ISO time (documents are written by msgspec, so the format is uniform)."""
    if isinstance(value, str):
        try:
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            return _EPOCH
        return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
    return _EPOCH


def parse_day_number(reference: str) -> int | None:
    """`#0042` or `42` -> 42; anything else -> None."""
    text = reference.strip().removeprefix("#")
    return int(text) if text.isdigit() and len(text) <= 6 else None


_PERSONAL = {tables.ORDERS: ORDER_PERSONAL, tables.DELIVERIES: DELIVERY_PERSONAL}
_ENDED = frozenset(status.value for status in ENDED_STATUSES)  # as stored: only what the platform confirmed


class ReadModel:
    def __init__(self, cache: Any, unsaved: Callable[[str], Mapping[str, Any]] | None = None) -> None:
        """`unsaved`: the platform's documents of a table that the sync engine fetched but could not write (CANNOT
        SAVE, `SyncEngine.unsaved_docs`); the store is read from them where they are newer than the cached copy."""
        self._cache = cache
        self._unsaved = unsaved
        self._decoded: dict[tuple[str, str], tuple[tuple[Any, bool], Any]] = {}
        self.unreadable: dict[tuple[str, str], str] = {}  # (table, id) -> why, left out by this reader
        self._told: set[tuple[str, str]] = set()

    # -- decoding -----------------------------------------------------------------------------------------
    def _decode(self, table: str, doc_id: str, doc: Any, kind: type[T]) -> T | None:
        """The document as `kind`, or None when it does not decode (then it is left out, noted and marked)."""
        key = (table, doc_id)
        # the personal-data purge blanks a document without a new version: a copy decoded while it still held
        # personal data is stale once the stored one holds none (the purge never puts data back, so a copy decoded
        # without any needs no check)
        rule = _PERSONAL.get(table)
        version = doc.get("version", -1) if isinstance(doc, dict) else None
        memo = self._decoded.get(key)
        current = memo is not None and memo[0][0] == version
        if memo is not None and current and (not memo[0][1] or (rule is not None and needs_blanking(doc, rule))):
            return memo[1]
        stamp = (version, rule is not None and isinstance(doc, dict) and needs_blanking(doc, rule))
        try:
            value = msgspec.convert(doc, kind)
        except (msgspec.ValidationError, TypeError) as error:
            self._left_out(table, doc_id, _why(error))
            return None
        self._decoded[key] = (stamp, value)
        return value

    def _left_out(self, table: str, doc_id: str, why: str) -> None:
        key = (table, doc_id)
        if key in self.unreadable:
            return
        self.unreadable[key] = why
        _UNREADABLE.setdefault(self._cache, {})[key] = why
        with contextlib.suppress(Exception):  # a reader still shows the rest when the mark cannot be written
            skips.mark_unreadable(self._cache, {key: why})  # the engine fetches it again at its next round

    def take_unreadable(self) -> list[str]:
        """Lines for a person about documents left out since the last call (a console shows each once)."""
        new = sorted(k for k in self.unreadable if k not in self._told)
        self._told.update(new)
        return [
            skips.describe(skips.Skipped(table=t_, id=i, reason=self.unreadable[(t_, i)], source="cache"))
            for t_, i in new
        ]

    def _all(self, table: str, kind: type[T]) -> list[T]:
        with gc_paused():  # thousands of new structs: the cyclic GC would run over and over (3x slower)
            # msgspec.convert builds new frozen structs: the stored documents need no copy first (2-4x faster)
            shared = getattr(self._cache.table(table), "items_shared", None)
            pairs = shared() if shared is not None else _items(self._cache.table(table))
            values = (self._decode(table, i, doc, kind) for i, doc in pairs)
            return [v for v in values if v is not None]

    def _newer_unsaved(self, table: str, cached: list[T], kind: type[T]) -> list[T]:
        """`cached` with the platform's newer documents that could not be written (`unsaved`) in their place."""
        docs = self._unsaved(table) if self._unsaved is not None else {}
        if not docs:
            return cached
        found = list(cached)
        at = {getattr(value, "id", None): index for index, value in enumerate(found)}
        for entity_id, doc in docs.items():
            index = at.get(entity_id)
            version = doc.get("version", -1) if isinstance(doc, dict) else -1
            if index is not None and version <= getattr(found[index], "version", -1):
                continue  # the cache caught up (another process wrote it, or this one did since)
            try:
                value = msgspec.convert(doc, kind)
            except (msgspec.ValidationError, TypeError):
                continue  # the fetch decoded it once: never expected; the cached copy stands
            if index is None:
                found.append(value)
            else:
                found[index] = value
        return found

    def _one(self, table: str, entity_id: str, kind: type[T]) -> T | None:
        doc = self._cache.table(table).get(entity_id)
        return None if doc is None else self._decode(table, entity_id, doc, kind)

    def _pending_by_target(self) -> dict[str, list[Any]]:
        grouped: dict[str, list[Any]] = {}
        for entry in self._cache.outbox.pending():
            grouped.setdefault(entry.target, []).append(entry)
        return grouped

    # -- orders -------------------------------------------------------------------------------------------
    def _view(self, order: Order, entries: Iterable[Any]) -> OrderView:
        names = []
        for entry in entries:
            status: StoreStatus | None = None  # the store's, read only for a queued accept (its promise)
            if entry.action == "order.confirm":
                # as the store will be when this accept reaches the platform (the outbox goes out in order): the
                # store changes queued before it applied, not those queued after (a resume tapped later must not
                # shorten a promise the platform makes while the store is still busy)
                store = self._store_as_of(order.store_id, getattr(entry, "seq", None))
                status = store.status if store is not None else StoreStatus()
            order = apply_to_order(order, entry, status)
            names.append(entry.action)
        return OrderView(order=order, pending=names, is_pending=bool(names))

    def orders(self, status: OrderStatus | str | None = None) -> list[OrderView]:
        """Every cached order (oldest first), optionally only those whose shown status is `status`."""
        pending = self._pending_by_target()
        views = [self._view(o, pending.get(o.id, ())) for o in self._all(tables.ORDERS, Order)]
        if status is not None:
            views = [v for v in views if v.order.status == status]
        views.sort(key=lambda v: (v.order.created_at, v.order.number))
        return views

    def order_rows(self, status: OrderStatus | str | None = None) -> list[dict[str, Any]]:
        """`orders()` as JSON-ready dicts, for `--json` output: an order without queued actions is the cached
        document as it is (checked, as every reader does, but not rebuilt), so listing thousands stays cheap."""
        pending = self._pending_by_target()
        rows = []
        with gc_paused():
            checked = [
                (doc_id, doc, order)
                for doc_id, doc in _items(self._cache.table(tables.ORDERS))
                if (order := self._decode(tables.ORDERS, doc_id, doc, Order)) is not None
            ]
        for doc_id, doc, order in checked:
            entries = pending.get(doc_id)
            if entries:
                row = self._view(order, entries).to_json()
            else:
                row = doc
                row["display_number"] = f"#{doc.get('number', 0):04d}"
                row["pending_actions"] = []
                row["is_pending"] = False
            if status is None or row.get("status") == status:
                rows.append(row)
        rows.sort(key=lambda r: (_instant(r.get("created_at")), r.get("number", 0)))
        return rows

    def order_rows_json(
        self, status: OrderStatus | str | None = None, fields: list[str] | None = None
    ) -> bytes:
        """`order_rows()` as one JSON array, byte for byte what encoding it gives (before `json_escaped`), built
        from the cache file's stored bytes: an order without queued actions is its stored JSON with the three
        row fields appended, never decoded into dicts and encoded again. Each order is still checked as every
        reader checks it (decoded into `Order`, straight from its bytes); when anything is not plain (the file
        changed shape, an order does not decode, a document already holds a row field), the whole list comes
        from `order_rows()`, which leaves out, notes and marks what it must. `fields`: only these top-level
        fields of each row, in that order (a row without one leaves it out)."""
        rows = self._raw_order_rows(status, fields)
        if rows is None:
            full = self.order_rows(status)
            listed: list[Any] = full if fields is None else [_pick(row, fields) for row in full]
            return msgspec.json.encode(listed)
        return b"[" + b",".join(rows) + b"]"

    def _raw_order_rows(
        self, status: OrderStatus | str | None, fields: list[str] | None
    ) -> list[bytes] | None:
        path = getattr(self._cache, "cache_path", None)
        if path is None:
            return None
        try:
            data = path.read_bytes()
            stored = _RAW_TABLES.decode(data).get(tables.ORDERS, {})
        except (OSError, msgspec.DecodeError):  # msgspec.ValidationError is a DecodeError
            return None
        # a document that already holds a row field would get it twice: checked per document only if the file
        # holds one of those names at all (three scans of the file instead of three per document)
        check_extra = any(key in data for key in _EXTRA_KEYS)
        pending = self._pending_by_target()
        keyed: list[tuple[datetime, int, bytes]] = []
        with gc_paused():
            for doc_id, raw in stored.items():
                blob = bytes(raw)
                try:
                    order = _ORDER_DECODER.decode(blob)
                except msgspec.DecodeError:
                    return None
                entries = pending.get(doc_id)
                if entries:
                    view = self._view(order, entries)
                    if status is not None and view.order.status != status:
                        continue
                    row: dict[str, Any] = view.to_json()
                    encoded = msgspec.json.encode(row if fields is None else _pick(row, fields))
                else:
                    if status is not None and order.status != status:
                        continue
                    if not blob.endswith(b"}") or (check_extra and any(key in blob for key in _EXTRA_KEYS)):
                        return None
                    extra = (
                        b',"display_number":"#%04d","pending_actions":[],"is_pending":false}' % order.number
                    )
                    if order.pickup_code is not None and order.status.value in _ENDED:
                        code = b'"pickup_code":' + msgspec.json.encode(order.pickup_code)
                        if blob.count(code) != 1:
                            return None  # not where it is expected: the decoded path says it
                        blob = blob.replace(code, b'"pickup_code":null')
                    encoded = blob[:-1] + extra
                    if fields is not None:
                        encoded = msgspec.json.encode(_pick(msgspec.json.decode(encoded), fields))
                created = (
                    order.created_at if order.created_at.tzinfo else order.created_at.replace(tzinfo=UTC)
                )
                keyed.append((created, order.number, encoded))
        keyed.sort(key=lambda k: (k[0], k[1]))
        return [row_bytes for _, _, row_bytes in keyed]

    def resolve_order(self, reference: str) -> Resolution:
        """A full id, a unique id prefix (4+ characters) or a day number (`#0042`/`42`). A day number names the
        newest order with it while every other one with it has ended; while another is still open (two open
        orders, one for later numbered on its due day) it names them all, newest first: the person says which."""
        table = self._cache.table(tables.ORDERS)
        reference = reference.strip()
        if reference and table.get(reference) is not None:
            return Resolution(found=reference)
        docs = _docs(table)
        number = parse_day_number(reference)
        if number is not None:
            matching = [d for d in docs if d.get("number") == number]
            matching.sort(key=lambda d: _instant(d.get("created_at")), reverse=True)
            if matching:
                ids = tuple(str(d.get("id")) for d in matching)
                if any(d.get("status") not in _ENDED for d in matching[1:]):
                    return Resolution(candidates=ids, number=number)
                return Resolution(found=ids[0])
        return _by_prefix(reference, [str(d.get("id", "")) for d in docs])

    def order(self, reference: str) -> OrderView | None:
        """The order `reference` names (see `resolve_order`), or None; AmbiguousReference when it names several."""
        found = self.resolve_order(reference)
        if found.ambiguous:
            raise AmbiguousReference(reference, list(found.candidates), found.number)
        return None if found.found is None else self.order_by_id(found.found)

    def order_by_id(self, order_id: str) -> OrderView | None:
        """The order with exactly this id (what a screen holds), or None: never read as a number or a prefix."""
        order = self._one(tables.ORDERS, order_id, Order)
        if order is None:
            return None
        return self._view(order, self._cache.outbox.pending_for(order_id))

    # -- store, menu, fleet -------------------------------------------------------------------------------
    def store(self, store_id: str | None = None) -> Store | None:
        """The cached store with every queued change of this device applied."""
        return self._store_as_of(store_id, None)

    def _store_as_of(self, store_id: str | None, before: int | None) -> Store | None:
        """The cached store with this device's queued changes applied: all of them (`before` None), or only those
        queued before the outbox entry numbered `before` (what the platform will hold when that entry arrives)."""
        stores = self._newer_unsaved(tables.STORES, self._all(tables.STORES, Store), Store)
        if store_id is not None:
            stores = [s for s in stores if s.id == store_id]
        if not stores:
            return None
        store = stores[0]
        for entry in self._cache.outbox.pending_for(store.id):
            if before is not None and entry.seq >= before:
                break  # pending_for keeps the outbox order (by seq)
            store = apply_to_store(store, entry)
        return store

    def menu(self, store_id: str | None = None) -> Menu | None:
        """The cached menu with this device's queued availability changes (item/option PATCHes) applied."""
        menus = self._all(tables.MENUS, Menu)
        if store_id is not None:
            menus = [m for m in menus if m.store_id == store_id]
        if not menus:
            return None
        from o2o_tui.menu_edits import apply_patch  # here: the order readers (`orders list`) never need it

        menu = menus[0]
        for entry in self._cache.outbox.pending():
            kind = _MENU_PATCHES.get(entry.action)
            store, _, entity_id = entry.target.partition("/")
            if kind is not None and store == menu.store_id:
                menu = apply_patch(menu, kind, entity_id, _patch_body(entry))
        return menu

    def couriers(self) -> list[Courier]:
        return sorted(self._all(tables.COURIERS, Courier), key=lambda c: c.name)

    def deliveries(self) -> list[Delivery]:
        pending = self._pending_by_target()
        shown = []
        for delivery in self._all(tables.DELIVERIES, Delivery):
            for entry in pending.get(delivery.id, ()):
                delivery = apply_to_delivery(delivery, entry)
            shown.append(delivery)
        return sorted(shown, key=lambda d: d.created_at)

    def resolve_delivery(self, reference: str) -> Resolution:
        """A delivery id, a unique id prefix (4+ characters) or its order's day number (`#0042`/`42`: the active
        delivery with it, else the newest). Numbers are per store and per day, so a platform courier may carry
        two #0012 (two stores, or one for later): while two active deliveries share it, it names them all."""
        from o2o_tui.courier_tasks import is_active, route_order

        shown = route_order(self.deliveries(), include_ended=True)
        reference = reference.strip()
        if any(d.id == reference for d in shown):
            return Resolution(found=reference)
        number = parse_day_number(reference)
        if number is not None:
            matching = [d for d in shown if d.order_number == number]
            active = [d.id for d in matching if is_active(d)]
            if len(active) > 1:
                return Resolution(candidates=tuple(active), number=number)
            if matching:
                return Resolution(found=matching[0].id)
        return _by_prefix(reference, [d.id for d in shown])


def _by_prefix(reference: str, ids: list[str]) -> Resolution:
    """The one id that starts with `reference` (4 characters or more), the several, or none."""
    if len(reference) < 4:
        return Resolution()
    found = sorted(i for i in ids if i.startswith(reference))
    if len(found) > 1:
        return Resolution(candidates=tuple(found))
    return Resolution(found=found[0] if found else None)
