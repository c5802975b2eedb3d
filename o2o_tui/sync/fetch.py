"""Fetching from the platform what the cache should hold: changed entities for an event page, or a full snapshot.

Only fetches: the result is a `Delta` the engine writes in one batch, so a failed or malformed answer halfway
changes nothing in the cache. One exception is made per entity: an answer for one entity that arrived whole but
is over the size cap or does not fit its type (the entity is bad, not the link) is left out of the delta and
listed in `Delta.skipped`, so one bad order cannot stop the sync of all the others (see sync/skipped.py).
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

import msgspec

from o2o_tui.client import calls
from o2o_tui.client.errors import Forbidden, MalformedResponse, NotFound, PlatformError
from o2o_tui.client.wire import Call
from o2o_tui.domain.events import EntityKind, Event
from o2o_tui.domain.fleet import Courier, Delivery
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order
from o2o_tui.domain.store import Store
from o2o_tui.sync import tables
from o2o_tui.sync.model import Change
from o2o_tui.sync.scope import Scope

# The entity model of this client: the cache keeps each entity as `msgspec.to_builtins` of the structs of the
# version that fetched it (`Delta.put`), so a field added to a cached entity (Order, Store, Menu, Courier, Delivery,
# or any struct inside them) is missing from every copy an older version wrote, and the events never fetch those
# again. RULE: bump this whenever a cached entity gains a field (or a field's meaning or shape changes). The
# engine then resyncs a cache written by an older version once, in full, on first open (`tables.META_MODEL_VERSION`).
# 1: the first marked model (food_with_courier, delay minutes, store_timezone on deliveries, ...).
# 2: Order.refused_by (the couriers who rejected an offer of the order).
MODEL_VERSION = 2
FETCH_CONCURRENCY = 8
SNAPSHOT_PAGE = 500
LISTING = "*"  # the id of a skipped listing (a snapshot table that could not be listed to its end)
# MalformedResponse codes that blame the entity, not the link: the whole answer came, but it is over the size cap
# or it is JSON of the wrong shape. A proxy's HTML page, an empty or cut answer is still a fault of the link.
ENTITY_FAULTS = frozenset({"answer_too_big", "unexpected_answer"})


def is_entity_fault(error: PlatformError) -> bool:
    status = error.status or 0
    return isinstance(error, MalformedResponse) and error.code in ENTITY_FAULTS and 200 <= status < 300


class _Ident(msgspec.Struct):
    """Just the id of an entity that does not decode (to say which one was skipped)."""

    id: str = ""
    store_id: str = ""


class _RawOrderPage(msgspec.Struct):
    orders: list[msgspec.Raw]
    next_cursor: str | None = None


class _RawCourierList(msgspec.Struct):
    couriers: list[msgspec.Raw]


class _RawDeliveryList(msgspec.Struct):
    deliveries: list[msgspec.Raw]


class Delta(msgspec.Struct):
    """Documents to write (table -> id -> doc) and ids to drop; `replace` tables are replaced as a whole.
    `skipped` (table -> id -> reason) are entities whose answer could not be taken: their cached copy is kept."""

    upserts: dict[str, dict[str, dict[str, Any]]] = {}
    removals: dict[str, set[str]] = {}
    replace: set[str] = set()
    skipped: dict[str, dict[str, str]] = {}

    def put(self, table: str, entity_id: str, entity: msgspec.Struct) -> None:
        self.upserts.setdefault(table, {})[entity_id] = msgspec.to_builtins(entity)
        self.removals.get(table, set()).discard(entity_id)
        self.skipped.get(table, {}).pop(entity_id, None)

    def drop(self, table: str, entity_id: str) -> None:
        self.removals.setdefault(table, set()).add(entity_id)
        self.upserts.get(table, {}).pop(entity_id, None)
        self.skipped.get(table, {}).pop(entity_id, None)

    def skip(self, table: str, entity_id: str, reason: str) -> None:
        """Leave an entity out (its cached copy stays). `*` is a listing that could not be read to its end: the
        table is then updated, not replaced, so what the cache holds beyond the listed part stays too."""
        self.skipped.setdefault(table, {})[entity_id] = reason
        if entity_id == LISTING:
            self.replace.discard(table)

    def settled(self) -> set[tuple[str, str]]:
        """(table, id) of every entity this delta has an answer for (written or dropped)."""
        done = {(table, i) for table, docs in self.upserts.items() for i in docs}
        return done | {(table, i) for table, ids in self.removals.items() for i in ids}

    def size(self) -> int:
        return sum(len(v) for v in self.upserts.values()) + sum(len(v) for v in self.removals.values())

    def changes(self) -> list[Change]:
        """What to tell observers. A replaced table says so with no ids ("all of this kind"): the entities it
        dropped (orders a restored platform no longer has) are in no list of the delta, and a view that only
        re-read the listed ids would keep showing them."""
        kinds = {tables.TABLE_FOR[k]: k.value for k in EntityKind}
        touched: dict[str, set[str]] = {}
        for table, docs in self.upserts.items():
            touched.setdefault(table, set()).update(docs)
        for table, ids in self.removals.items():
            touched.setdefault(table, set()).update(ids)
        found = [
            Change(kind=kinds[table], ids=frozenset(ids))
            for table, ids in touched.items()
            if ids and table not in self.replace
        ]
        return found + [Change(kind=kinds[table]) for table in sorted(self.replace)]


def entity_key(entity: Any) -> str:
    """The cache id of an entity: its id, or its store id for a menu."""
    return entity.store_id if isinstance(entity, Menu) else entity.id


def table_of(entity: Any) -> str | None:
    for kind, table in (
        (Order, tables.ORDERS),
        (Store, tables.STORES),
        (Menu, tables.MENUS),
        (Courier, tables.COURIERS),
        (Delivery, tables.DELIVERIES),
    ):
        if isinstance(entity, kind):
            return table
    return None


def getter_for(client: Any, kind: EntityKind) -> Callable[[str], Awaitable[Any]]:
    return {
        EntityKind.ORDER: client.get_order,
        EntityKind.STORE: client.get_store,
        EntityKind.MENU: client.get_menu,
        EntityKind.COURIER: client.get_courier,
        EntityKind.DELIVERY: client.get_delivery,
    }[kind]


def newest_per_entity(events: Iterable[Event]) -> dict[tuple[EntityKind, str], Event]:
    newest: dict[tuple[EntityKind, str], Event] = {}
    for event in events:
        key = (event.entity, event.entity_id)
        if key not in newest or event.version >= newest[key].version:
            newest[key] = event
    return newest


async def _listed(
    client: Any, listed: Call[Any], raw: type[Any], kind: type[Any], ids: set[str]
) -> dict[str, Any]:
    """Those of `ids` in one listing (one request for a burst of events). Empty when the listing is refused (a
    store without its own fleet) or is not whole; an entity missing from it (a courier of another fleet carrying
    our order, an order past the listing's page, one that does not decode) is left to be asked for alone."""
    call = Call(listed.method, listed.path, raw, params=listed.params)
    try:
        page = await client.call(call)
    except (NotFound, Forbidden):
        return {}
    except MalformedResponse as error:
        if not is_entity_fault(error):
            raise
        return {}
    found = {}
    for item in page.couriers if raw is _RawCourierList else page.orders:
        try:
            entity = msgspec.json.decode(item, type=kind)
        except msgspec.ValidationError:
            continue
        if entity.id in ids:
            found[entity.id] = entity
    return found


async def fetch_entities(
    client: Any,
    wanted: Iterable[tuple[EntityKind, str, bool]],
    *,
    fleet_store: str | None = None,
    orders_since: datetime | None = None,
    orders_store: str | None = None,
) -> Delta:
    """Fetch each (kind, id) not marked deleted; a 404/403 answer means the entity left our view: drop it.
    Several couriers or orders wanted (a burst of events) are read in one listing instead of one request each:
    couriers when `fleet_store` is a store whose fleet this scope may list, orders when `orders_since` is given
    (no later than their events; `orders_store` the store to list, if any). What a listing lacks is asked for
    alone."""
    delta = Delta(upserts={}, removals={}, replace=set(), skipped={})
    gate = asyncio.Semaphore(FETCH_CONCURRENCY)
    wanted = list(wanted)
    couriers = {i for k, i, deleted in wanted if k is EntityKind.COURIER and not deleted}
    orders = {i for k, i, deleted in wanted if k is EntityKind.ORDER and not deleted}
    listed: dict[tuple[EntityKind, str], Any] = {}
    if fleet_store is not None and len(couriers) > 1:
        found = await _listed(client, calls.list_couriers(fleet_store), _RawCourierList, Courier, couriers)
        listed.update(((EntityKind.COURIER, i), courier) for i, courier in found.items())
    if orders_since is not None and len(orders) > 1:
        limit = min(SNAPSHOT_PAGE, len(orders) + 50)  # others changed since then too
        listing = calls.list_orders(orders_store, None, orders_since, limit, None)
        found = await _listed(client, listing, _RawOrderPage, Order, orders)
        listed.update(((EntityKind.ORDER, i), order) for i, order in found.items())
    for (kind, entity_id), entity in listed.items():
        delta.put(tables.TABLE_FOR[kind], entity_id, entity)
    wanted = [w for w in wanted if (w[0], w[1]) not in listed or w[2]]

    async def one(kind: EntityKind, entity_id: str, deleted: bool) -> None:
        table = tables.TABLE_FOR[kind]
        if deleted:
            delta.drop(table, entity_id)
            return
        async with gate:
            try:
                entity = await getter_for(client, kind)(entity_id)
            except (NotFound, Forbidden):
                delta.drop(table, entity_id)
                return
            except MalformedResponse as error:
                if not is_entity_fault(error):
                    raise
                delta.skip(table, entity_id, error.message)
                return
        delta.put(table, entity_key(entity), entity)

    await asyncio.gather(*(one(k, i, d) for k, i, d in wanted))
    return delta


def _decode_each(delta: Delta, table: str, raws: list[msgspec.Raw], kind: type[Any], where: str) -> list[Any]:
    """Decode the entities of a listing one by one: one that does not fit is skipped, not the whole listing."""
    decoded = []
    for raw in raws:
        try:
            decoded.append(msgspec.json.decode(raw, type=kind))
        except msgspec.ValidationError as error:
            try:
                ident = msgspec.json.decode(raw, type=_Ident)
            except msgspec.ValidationError:
                ident = _Ident()
            entity_id = ident.store_id if table == tables.MENUS else ident.id
            delta.skip(table, entity_id or "?", f"{where}: unexpected answer: {error}")
    return decoded


async def _list_orders(client: Any, delta: Delta, scope: Scope, since: datetime) -> None:
    """Every order of the scope changed since `since`, page by page. A page over the size cap is asked for again
    with half the limit; a single order over it cannot be listed past (its id and the cursor after it are in the
    refused answer), so the listing stops there, says so, and is tried again at the next resync."""
    cursor: str | None = None
    limit = SNAPSHOT_PAGE
    while True:
        call = calls.list_orders(scope.store_id, None, since, limit, cursor)
        call = call._replace(result_type=_RawOrderPage)
        try:
            page = await client.call(call)
        except MalformedResponse as error:
            if error.code == "answer_too_big" and is_entity_fault(error) and limit > 1:
                limit = max(1, limit // 2)
                continue
            if not is_entity_fault(error):
                raise
            delta.skip(tables.ORDERS, LISTING, error.message)
            return
        for order in _decode_each(delta, tables.ORDERS, page.orders, Order, "GET /v1/orders"):
            delta.put(tables.ORDERS, order.id, order)
        if not page.next_cursor or page.next_cursor == cursor:
            return
        cursor = page.next_cursor
        limit = min(SNAPSHOT_PAGE, limit * 2)


async def fetch_snapshot(client: Any, scope: Scope, orders_since: datetime) -> Delta:
    """Everything the scope sees; orders updated since `orders_since` (older ended ones are pruned anyway), the
    active deliveries only (an ended delivery whose food is still with the courier stays cached all the same:
    sync/writes.py `write_delta`)."""
    delta = Delta(upserts={}, removals={}, replace=set(), skipped={})
    delta.replace.update({tables.ORDERS, tables.STORES, tables.MENUS, tables.COURIERS, tables.DELIVERIES})
    for table in delta.replace:
        delta.upserts[table] = {}

    async def optional(call: Awaitable[Any], table: str, entity_id: str) -> Any:
        try:
            return await call
        except (NotFound, Forbidden):
            return None
        except MalformedResponse as error:
            if not is_entity_fault(error):
                raise
            delta.skip(table, entity_id, error.message)
            return None

    async def listing(call: Any, table: str, field: str, kind: type[Any]) -> list[Any]:
        page = await optional(client.call(call), table, LISTING)
        if page is None:
            return []
        return _decode_each(delta, table, getattr(page, field), kind, f"{call.method} {call.path}")

    if scope.store_id is not None and scope.sees_store:
        store = await optional(client.get_store(scope.store_id), tables.STORES, scope.store_id)
        if store is not None:
            delta.put(tables.STORES, store.id, store)
        menu = await optional(client.get_menu(scope.store_id), tables.MENUS, scope.store_id)
        if menu is not None:
            delta.put(tables.MENUS, menu.store_id, menu)
    if scope.courier_id is not None:
        courier = await optional(client.get_courier(scope.courier_id), tables.COURIERS, scope.courier_id)
        if courier is not None:
            delta.put(tables.COURIERS, courier.id, courier)
    if scope.sees_fleet and scope.store_id is not None:
        call = calls.list_couriers(scope.store_id)._replace(result_type=_RawCourierList)
        for courier in await listing(call, tables.COURIERS, "couriers", Courier):
            delta.put(tables.COURIERS, courier.id, courier)
    if scope.sees_deliveries:
        call = calls.list_deliveries(scope.courier_id, True)._replace(result_type=_RawDeliveryList)
        for delivery in await listing(call, tables.DELIVERIES, "deliveries", Delivery):
            delta.put(tables.DELIVERIES, delivery.id, delivery)
    if scope.courier_id is None:
        await _list_orders(client, delta, scope, orders_since)
    return delta
