"""Menus: read, publish (atomic, conditional on the version it was edited from), patch one item."""

from __future__ import annotations

import msgspec
from sqlalchemy import Connection, bindparam, select, update

from o2o_tui.domain.events import EntityKind
from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import TIME_RANGE_MESSAGE, time_in_range
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.requests import ItemPatchBody, MenuIn, menu_of
from o2o_tui.platform import db, stores
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import conflict, not_found, stale_version, validation

_decode = msgspec.json.Decoder(Menu).decode
_encode = msgspec.json.Encoder().encode


_LOAD = select(db.menus.c.doc).where(db.menus.c.store_id == bindparam("b_id"))


def load(conn: Connection, store_id: str) -> Menu | None:
    doc = conn.execute(_LOAD, {"b_id": store_id}).scalar_one_or_none()
    return None if doc is None else _decode(doc)


def insert(conn: Connection, menu: Menu) -> None:
    conn.execute(db.menus.insert().values(store_id=menu.store_id, version=menu.version, doc=_encode(menu)))


def get(ctx: Ctx, store_id: str) -> Menu:
    stores.visible_store(
        ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT, Role.DISPATCHER, Role.CUSTOMER)
    )
    menu = load(ctx.conn, store_id)
    if menu is None:
        raise not_found("menu")
    return menu


def _save(ctx: Ctx, before: Menu, after: Menu) -> Menu:
    after = msgspec.structs.replace(after, version=before.version + 1, updated_at=ctx.now)
    result = ctx.conn.execute(
        update(db.menus)
        .where(db.menus.c.store_id == before.store_id, db.menus.c.version == before.version)
        .values(version=after.version, doc=_encode(after))
    )
    if result.rowcount != 1:
        raise stale_version(before.version + 1)
    ctx.emit("menu.updated", EntityKind.MENU, after.store_id, after.version, store_id=after.store_id)
    return after


def check_menu(menu: Menu, currency: str) -> None:
    """A menu that would break ordering is refused with the field at fault."""
    if menu.currency != currency:
        raise validation("currency", f"the store sells in {currency}")
    group_ids = set()
    for index, group in enumerate(menu.option_groups):
        where = f"option_groups[{index}]"
        if group.id in group_ids:
            raise validation(f"{where}.id", "duplicate option group id")
        group_ids.add(group.id)
        if group.min < 0 or group.max < group.min or group.max < 1:
            raise validation(f"{where}.max", "need 0 <= min <= max and max >= 1")
        for option_index, option in enumerate(group.options):
            if option.price.currency != currency or option.price.amount < 0:
                raise validation(
                    f"{where}.options[{option_index}].price", "price in the store currency, >= 0"
                )
    item_ids = set()
    for c_index, category in enumerate(menu.categories):
        for i_index, item in enumerate(category.items):
            where = f"categories[{c_index}].items[{i_index}]"
            if item.id in item_ids:
                raise validation(f"{where}.id", "duplicate item id")
            item_ids.add(item.id)
            if item.price.currency != currency or item.price.amount < 0:
                raise validation(f"{where}.price", "price in the store currency, >= 0")
            if item.snooze_until is not None and not time_in_range(item.snooze_until):
                raise validation(f"{where}.snooze_until", TIME_RANGE_MESSAGE)
            for group_id in item.option_group_ids:
                if group_id not in group_ids:
                    raise validation(f"{where}.option_group_ids", f"no option group {group_id}")


def publish(ctx: Ctx, store_id: str, body: MenuIn, if_match: str | None) -> Menu:
    """Publish the menu `body` (decoded strictly as `MenuIn`) if the menu is still at the If-Match version."""
    store = stores.visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT,))
    menu = menu_of(body)
    if if_match is None or not if_match.strip('"W/ ').isdigit():
        raise validation("If-Match", "publishing needs the menu version it was edited from in If-Match")
    base_version = int(if_match.strip('"W/ '))
    if menu.store_id != store_id:
        raise validation("store_id", "the menu belongs to another store")
    check_menu(menu, store.currency)
    current = load(ctx.conn, store_id)
    if current is None:
        raise not_found("menu")
    if current.version != base_version:
        if _same_content(current, menu):
            return current  # a replay of a publish that already went through
        raise stale_version(current.version)
    if _same_content(current, menu):
        return current
    ctx.record("menu", store_id, "publish")
    return _save(ctx, current, menu)


def _same_content(a: Menu, b: Menu) -> bool:
    return (a.categories, a.option_groups, a.currency) == (b.categories, b.option_groups, b.currency)


def patch_item(ctx: Ctx, store_id: str, item_id: str, body: ItemPatchBody) -> Menu:
    stores.visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT,))
    if body.clear_snooze and body.snooze_until is not None:
        raise validation("clear_snooze", "either snooze_until or clear_snooze, not both")
    if body.snooze_until is not None and not time_in_range(body.snooze_until):
        raise validation("snooze_until", TIME_RANGE_MESSAGE)
    current = load(ctx.conn, store_id)
    if current is None:
        raise not_found("menu")
    categories = []
    found = False
    for category in current.categories:
        items = []
        for item in category.items:
            if item.id == item_id:
                found = True
                changes: dict[str, object] = {}
                if body.status is not None:
                    changes["status"] = body.status
                if body.snooze_until is not None:
                    changes["snooze_until"] = body.snooze_until
                if body.clear_snooze:
                    changes["snooze_until"] = None
                if body.hidden is not None:
                    changes["hidden"] = body.hidden
                item = msgspec.structs.replace(item, **changes)
            items.append(item)
        categories.append(msgspec.structs.replace(category, items=items))
    if not found:
        raise not_found("menu item")
    after = msgspec.structs.replace(current, categories=categories)
    if after == current:
        return current
    ctx.record("menu", store_id, f"item:{item_id}")
    try:
        return _save(ctx, current, after)
    except Exception as error:  # a concurrent publish won: tell the caller to re-read
        if getattr(error, "status", None) == 412:
            raise conflict("the menu changed at the same time; retry") from error
        raise
