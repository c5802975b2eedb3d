"""Fetching from the platform what the cache should hold: changed entities for an event page, or a full snapshot.

Only fetches: the result is a `Delta` the engine writes in one batch, so a failed or malformed answer halfway
changes nothing in the cache.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime
from typing import Any

import msgspec

from o2o_tui.client.errors import Forbidden, NotFound
from o2o_tui.domain.events import EntityKind, Event
from o2o_tui.domain.fleet import Courier, Delivery
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order
from o2o_tui.domain.store import Store
from o2o_tui.sync import tables
from o2o_tui.sync.model import Change
from o2o_tui.sync.scope import Scope

FETCH_CONCURRENCY = 8


class Delta(msgspec.Struct):
    """Documents to write (table -> id -> doc) and ids to drop; `replace` tables are replaced as a whole."""

    upserts: dict[str, dict[str, dict[str, Any]]] = {}
    removals: dict[str, set[str]] = {}
    replace: set[str] = set()

    def put(self, table: str, entity_id: str, entity: msgspec.Struct) -> None:
        self.upserts.setdefault(table, {})[entity_id] = msgspec.to_builtins(entity)
        self.removals.get(table, set()).discard(entity_id)

    def drop(self, table: str, entity_id: str) -> None:
        self.removals.setdefault(table, set()).add(entity_id)
        self.upserts.get(table, {}).pop(entity_id, None)

    def size(self) -> int:
        return sum(len(v) for v in self.upserts.values()) + sum(len(v) for v in self.removals.values())

    def changes(self) -> list[Change]:
        kinds = {tables.TABLE_FOR[k]: k.value for k in EntityKind}
        touched: dict[str, set[str]] = {}
        for table, docs in self.upserts.items():
            touched.setdefault(table, set()).update(docs)
        for table, ids in self.removals.items():
            touched.setdefault(table, set()).update(ids)
        return [Change(kind=kinds[table], ids=frozenset(ids)) for table, ids in touched.items() if ids]


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


async def fetch_entities(client: Any, wanted: Iterable[tuple[EntityKind, str, bool]]) -> Delta:
    """Fetch each (kind, id) not marked deleted; a 404/403 answer means the entity left our view: drop it."""
    delta = Delta(upserts={}, removals={}, replace=set())
    gate = asyncio.Semaphore(FETCH_CONCURRENCY)

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
        delta.put(table, entity_key(entity), entity)

    await asyncio.gather(*(one(k, i, d) for k, i, d in wanted))
    return delta


async def fetch_snapshot(client: Any, scope: Scope, orders_since: datetime) -> Delta:
    """Everything the scope sees; orders updated since `orders_since` (older ended ones are pruned anyway)."""
    delta = Delta(upserts={}, removals={}, replace=set())
    delta.replace.update({tables.ORDERS, tables.STORES, tables.MENUS, tables.COURIERS, tables.DELIVERIES})
    for table in delta.replace:
        delta.upserts[table] = {}

    async def optional(call: Awaitable[Any]) -> Any:
        try:
            return await call
        except (NotFound, Forbidden):
            return None

    if scope.store_id is not None and scope.sees_store:
        store = await optional(client.get_store(scope.store_id))
        if store is not None:
            delta.put(tables.STORES, store.id, store)
        menu = await optional(client.get_menu(scope.store_id))
        if menu is not None:
            delta.put(tables.MENUS, menu.store_id, menu)
    if scope.courier_id is not None:
        courier = await optional(client.get_courier(scope.courier_id))
        if courier is not None:
            delta.put(tables.COURIERS, courier.id, courier)
    if scope.sees_fleet and scope.store_id is not None:
        for courier in await optional(client.list_couriers(scope.store_id)) or []:
            delta.put(tables.COURIERS, courier.id, courier)
    if scope.sees_deliveries:
        for delivery in await optional(client.list_deliveries(scope.courier_id, True)) or []:
            delta.put(tables.DELIVERIES, delivery.id, delivery)
    if scope.courier_id is None:
        async for order in client.aiter_orders(
            store_id=scope.store_id, updated_after=orders_since, limit=500
        ):
            delta.put(tables.ORDERS, order.id, order)
    return delta
