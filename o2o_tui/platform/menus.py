"""Menus: read, publish (atomic, conditional on the version it was edited from; the current availability of
every item and option is kept), patch one item's or one option's availability."""

from __future__ import annotations

from typing import Literal

import msgspec
from sqlalchemy import Connection, bindparam, select, update

from o2o_tui import menu_edits
from o2o_tui.domain.events import EntityKind
from o2o_tui.domain.identity import Role
from o2o_tui.domain.limits import TIME_RANGE_MESSAGE, time_in_range
from o2o_tui.domain.menu import Availability, Item, Menu, Option
from o2o_tui.domain.menu_rules import menu_problems, normalize
from o2o_tui.domain.requests import ItemPatchBody, MenuIn, OptionPatchBody, menu_of
from o2o_tui.platform import db, stores
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.errors import ApiError, conflict, not_found, stale_version, validation

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


def _save(ctx: Ctx, before: Menu, after: Menu, *, content_changed: bool) -> Menu:
    version = before.version + 1
    content_version = version if content_changed else content_version_of(before)
    after = msgspec.structs.replace(
        after, version=version, updated_at=ctx.now, content_version=content_version
    )
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
    """A menu that would break ordering is refused with the field at fault (`domain/menu_rules.py`: the same
    rules the editor and the import check before sending)."""
    problems = menu_problems(menu, currency)
    if problems:
        raise validation(problems[0].field, problems[0].message)


def _with_current_availability(current: Menu, menu: Menu) -> Menu:
    """`menu` with the availability (status, snooze_until) `current` has for every item and option it already
    had: availability changes through a single PATCH at once, so a draft never undoes a quick sold-out. New
    items and options keep the body's."""
    items = {item.id: item for category in current.categories for item in category.items}
    options = {option.id: option for group in current.option_groups for option in group.options}

    def item_of(item: Item) -> Item:
        now = items.get(item.id)
        if now is None:
            return item
        return msgspec.structs.replace(item, status=now.status, snooze_until=now.snooze_until)

    def option_of(option: Option) -> Option:
        now = options.get(option.id)
        if now is None:
            return option
        return msgspec.structs.replace(option, status=now.status, snooze_until=now.snooze_until)

    return msgspec.structs.replace(
        menu,
        categories=[
            msgspec.structs.replace(category, items=[item_of(item) for item in category.items])
            for category in menu.categories
        ],
        option_groups=[
            msgspec.structs.replace(group, options=[option_of(option) for option in group.options])
            for group in menu.option_groups
        ],
    )


def publish(ctx: Ctx, store_id: str, body: MenuIn, if_match: str | None) -> Menu:
    """Publish the menu `body` (decoded strictly as `MenuIn`) if the menu is still at the If-Match version."""
    store = stores.visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT,))
    menu = menu_of(body)
    if if_match is None or not if_match.strip('"W/ ').isdigit():
        raise validation("If-Match", "publishing needs the menu version it was edited from in If-Match")
    base_version = int(if_match.strip('"W/ '))
    if menu.store_id != store_id:
        raise validation("store_id", "the menu belongs to another store")
    menu = normalize(menu)
    check_menu(menu, store.currency)
    current = load(ctx.conn, store_id)
    if current is None:
        raise not_found("menu")
    menu = _with_current_availability(current, menu)
    if not content_version_of(current) <= base_version <= current.version:
        if _same_content(current, menu):
            return current  # a replay of a publish that already went through
        raise stale_version(current.version)
    if _same_content(current, menu):
        return current
    ctx.record("menu", store_id, "publish")
    return _save(ctx, current, menu, content_changed=True)


def content_version_of(menu: Menu) -> int:
    """The oldest version a draft may start from and still publish: the last publish or hide/show (availability
    PATCHes after it do not make a draft stale; a publish keeps the current availability anyway)."""
    return menu.content_version or menu.version


def _same_content(a: Menu, b: Menu) -> bool:
    return (a.categories, a.option_groups, a.currency) == (b.categories, b.option_groups, b.currency)


def _check_patch(ctx: Ctx, store_id: str, body: ItemPatchBody) -> Menu:
    stores.visible_store(ctx.conn, ctx.caller, store_id, staff_roles=(Role.MERCHANT,))
    if body.clear_snooze and body.snooze_until is not None:
        raise validation("clear_snooze", "either snooze_until or clear_snooze, not both")
    if body.snooze_until is not None and not time_in_range(body.snooze_until):
        raise validation("snooze_until", TIME_RANGE_MESSAGE)
    if body.snooze_until is not None and body.status is Availability.UNAVAILABLE:
        # a snooze is sold out until a time; UNAVAILABLE has no restore time: the pair would never end
        raise validation("snooze_until", "a snooze goes with status AVAILABLE (or none), not UNAVAILABLE")
    current = load(ctx.conn, store_id)
    if current is None:
        raise not_found("menu")
    return current


def _save_patch(ctx: Ctx, current: Menu, after: Menu, what: str, *, hides: bool) -> Menu:
    if after == current:
        return current
    ctx.record("menu", current.store_id, what)
    try:
        return _save(ctx, current, after, content_changed=hides)
    except ApiError as error:  # a concurrent publish won: tell the caller to re-read
        if error.status == 412:
            raise conflict("the menu changed at the same time; retry") from error
        raise


def patch_item(ctx: Ctx, store_id: str, item_id: str, body: ItemPatchBody) -> Menu:
    """Availability (status, snooze) and `hidden` of one item, at once; version + 1."""
    return _patch(ctx, store_id, "item", item_id, body)


def patch_option(ctx: Ctx, store_id: str, option_id: str, body: OptionPatchBody) -> Menu:
    """The same for one option (every option with that id: ids are unique in a published menu, but a menu stored
    before that rule may repeat one, and a sold-out option is sold out wherever it is offered)."""
    return _patch(ctx, store_id, "option", option_id, body)


def _patch(
    ctx: Ctx, store_id: str, kind: Literal["item", "option"], entity_id: str, body: ItemPatchBody
) -> Menu:
    # the console applies the same patch to its view of the menu while it is queued (menu_edits.apply_patch)
    current = _check_patch(ctx, store_id, body)
    if menu_edits.find(current, kind, entity_id) is None:
        raise not_found(f"menu {kind}")
    fields = msgspec.to_builtins(body)
    unavailable = any(entity.status is Availability.UNAVAILABLE for entity in _entities(current, kind, entity_id))
    if body.snooze_until is not None and body.status is None and unavailable:
        # it would stay UNAVAILABLE with a restore time that never restores it: say what to send instead (a snooze
        # alone never makes available what someone made UNAVAILABLE)
        raise validation(
            "snooze_until",
            f"the {kind} is UNAVAILABLE (no restore time): a snooze goes with status AVAILABLE; send"
            " status AVAILABLE with snooze_until to sell it out until then",
        )
    if body.status is Availability.UNAVAILABLE and body.snooze_until is None and not body.clear_snooze:
        fields["clear_snooze"] = True  # UNAVAILABLE has no restore time: a snooze left on it would never end
    after = menu_edits.apply_patch(current, kind, entity_id, fields)
    # hidden is part of the menu a draft edits; availability is not
    return _save_patch(ctx, current, after, f"{kind}:{entity_id}", hides=body.hidden is not None)


def _entities(menu: Menu, kind: Literal["item", "option"], entity_id: str) -> list[Item | Option]:
    """Every item (or option) with that id: a patch applies to each of them (`menu_edits.apply_patch`)."""
    if kind == "item":
        return [item for category in menu.categories for item in category.items if item.id == entity_id]
    return [option for group in menu.option_groups for option in group.options if option.id == entity_id]
