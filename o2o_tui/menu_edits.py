"""Edits on a `Menu`: each takes a menu and returns a new one (menus are frozen; nothing is changed in place).

What the menu editor and the CLI import call; the draft (`menu_draft`) keeps the menus these return. Pure: no I/O.

Four kinds of entity, each with a parent list it is ordered in: a `category` in the menu, an `item` in its
category, an option `group` in the menu, an `option` in its group. An unknown id raises `EditError("unknown_id")`,
a clash `EditError("duplicate_id")`. Giving `names` without `name` keeps `name` the first non-empty of
`names.zh`, `names.en` (so the tree always shows what a publish will send).

Prices are typed as decimal text in the store's currency and kept as minor units: `price_from_text("12.5", "CNY")`
is 1250; more decimals than the currency has (CNY/USD/EUR 2, JPY/KRW 0) are refused, never rounded.
"""

from __future__ import annotations

import decimal
import re
import secrets
import string
import unicodedata
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any, Literal, TypeVar

import msgspec

from o2o_tui.domain.menu import Availability, Category, Item, Menu, Names, Option, OptionGroup
from o2o_tui.domain.money import Money, minor_digits
from o2o_tui.i18n import t
from o2o_tui.typed_text import ascii_typed

Kind = Literal["category", "item", "group", "option"]
KINDS: tuple[Kind, ...] = ("category", "item", "group", "option")
PRICE_TEXT_MAX = 32  # characters of a typed price
_ID_SAFE = re.compile(r"[^A-Za-z0-9_-]+")
_SYMBOLS = "¥$€£￥"
# what separates option group ids wherever a person types a list of them (the editor's field, a sheet's cell): `;`
# as a sheet is exported, `,` as the editor shows them, their full-width forms, the Chinese enumeration comma 、
# and spaces (an id has none)
GROUP_SEPARATORS = re.compile(r"[\s;；,，、]+")
ID_SUFFIX_LENGTH = 6  # of a new entity's id (`new_id`)
_SUFFIX_ALPHABET = string.ascii_lowercase + string.digits
_COPY_ID = re.compile(rf"_copy(-[a-z0-9]{{{ID_SUFFIX_LENGTH}}})?$")

E = TypeVar("E", Category, Item, OptionGroup, Option)


class EditError(ValueError):
    """An edit that cannot be made. `code`: `unknown_id`, `duplicate_id`, `unknown_kind`, `not_a_number`,
    `negative_price`, `too_many_decimals`; `text()` is the message in the current language."""

    def __init__(self, code: str, message: str, **values: object) -> None:
        super().__init__(message)
        self.code = code
        self.values = values

    def text(self) -> str:
        key = f"menu_draft.error.{self.code}"
        if self.values.get("digits") == 0:  # JPY, KRW: no decimals at all, whole amounts only
            found = t(f"{key}.whole", **self.values)
            if found != f"{key}.whole":
                return found
        if self.values.get("currency"):  # a currency's own words where the catalog has them (CNY: "to the fen")
            own = f"{key}.{self.values['currency']}"
            found = t(own, **self.values)
            if found != own:
                return found
        found = t(key, **self.values)
        return str(self) if found == key else found


# -- prices -----------------------------------------------------------------------------------------------------


def _decimal_point(text: str) -> str | None:
    """Digits with "." as the decimal point, from a price written with thousands separators and either mark:
    "1,200.50" and "1.200,50" -> "1200.50"; "12,50" (a decimal comma: two digits after one comma) -> "12.50";
    "1,500" (a group of three) -> "1500". None when the commas fit neither reading ("1,5,0")."""
    if "," not in text:
        return text
    if "." in text:  # both marks: the last one is the decimal point
        if text.rfind(",") > text.rfind("."):
            return text.replace(".", "").replace(",", ".")
        return text.replace(",", "")
    head, *groups = text.split(",")
    if len(groups) == 1 and 1 <= len(groups[0]) <= 2:
        return f"{head}.{groups[0]}"
    if all(len(group) == 3 for group in groups):
        return text.replace(",", "")
    return None


def group_ids_from_text(text: str) -> list[str]:
    """The option group ids of a typed list ("sugar，ice、topping" -> ["sugar", "ice", "topping"])."""
    return [part for part in GROUP_SEPARATORS.split(text) if part]


# -- option groups by name ----------------------------------------------------------------------------------------

# what separates the groups of a typed list for certain (a name may hold spaces: "Spice level")
_LIST_SEPARATORS = re.compile(r"[;；,，、]+")
GROUPS_NAMED_MAX = 8  # groups a message lists ("could be: ...") before "..."


def _typed_key(text: str) -> str:
    """A name as a person types it, for matching: full-width letters and digits as their plain forms (NFKC), case
    folded, runs of spaces as one."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _group_keys(group: OptionGroup) -> set[str]:
    """A group's id and names, and each name from each of its words on (the one name of an older bilingual menu,
    "辣度 Spice level", is typed as "Spice level" too)."""
    keys = {_typed_key(group.id)}
    for name in (group.name, group.names.zh, group.names.en):
        words = _typed_key(name).split(" ")
        keys.update(" ".join(words[i:]) for i in range(len(words)))
    return keys - {""}


def groups_matching(menu: Menu, term: str) -> list[OptionGroup]:
    """The groups `term` names: those whose id, Chinese or English name it is (case and width aside; a name from
    one of its words on too), else those whose id or a name starts with it (one: a unique prefix; more:
    ambiguous; none: unknown)."""
    key = _typed_key(term)
    if not key:
        return []
    exact = [group for group in menu.option_groups if key in _group_keys(group)]
    if exact:
        return exact
    return [group for group in menu.option_groups if any(k.startswith(key) for k in _group_keys(group))]


def _sheet_keys(group: OptionGroup) -> set[str]:
    """`_group_keys`, and the Chinese half of the one name of an older bilingual menu ("辣度 Spice level": "辣度")."""
    keys = _group_keys(group)
    for name in (group.name, group.names.zh, group.names.en):
        words = _typed_key(name).split(" ")
        latin = next((i for i, word in enumerate(words) if re.search("[a-z]", word)), 0)
        keys.add(" ".join(words[:latin]))
    return keys - {""}


def groups_named(menu: Menu, text: str) -> tuple[list[str], list[GroupTypo]]:
    """The option group ids of a list as a sheet's cell writes it: ids, or the groups' names in either language
    (exactly, case and width aside, as `groups_matching` takes them first, and the Chinese half of an older
    one-field bilingual name; no start of a name: a sheet names a group whole). An id as written wins over a
    name. Parts are separated as in `groups_from_text`; the parts that name no group or several come back as
    typos. Each id once, in the order written."""
    by_id = {group.id for group in menu.option_groups}

    def named(term: str) -> list[str]:
        if term in by_id:
            return [term]
        key = _typed_key(term)
        return [group.id for group in menu.option_groups if key in _sheet_keys(group)]

    return _split_groups(text, named)


class GroupTypo(msgspec.Struct, frozen=True):
    """A part of a typed list of option groups that names no group (`candidates` empty) or more than one."""

    term: str
    candidates: list[str]  # group ids


def groups_from_text(menu: Menu, text: str) -> tuple[list[str], list[GroupTypo]]:
    """The option group ids of a typed list of names or ids ("辣度、米饭", "spice level, Rice", "spice rice") and
    the parts that name no group or several. Parts are separated by `, ， 、 ; ；`, or by spaces where the words
    between do not make one name (the longest run of words that names one group is taken). Each id once, in the
    order typed."""
    return _split_groups(text, lambda term: [group.id for group in groups_matching(menu, term)])


def _split_groups(text: str, find: Callable[[str], list[str]]) -> tuple[list[str], list[GroupTypo]]:
    """`text` cut into the groups `find` names (the ids of the groups a term names): by the list separators, then
    within a part the longest run of words naming one group first; a run naming none or several is a typo."""
    ids: list[str] = []
    typos: list[GroupTypo] = []
    for chunk in _LIST_SEPARATORS.split(text):
        words = chunk.split()
        start = 0
        while start < len(words):
            ambiguous: GroupTypo | None = None
            for end in range(len(words), start, -1):
                term = " ".join(words[start:end])
                found = find(term)
                if len(found) == 1:
                    if found[0] not in ids:
                        ids.append(found[0])
                    start = end
                    break
                if found and ambiguous is None:
                    ambiguous = GroupTypo(term, found)
            else:
                typo = ambiguous or GroupTypo(words[start], [])
                typos.append(typo)
                start += len(typo.term.split())
    return ids, typos


def group_list_text(menu: Menu, ids: Iterable[str], lang: str, separator: str) -> str:
    """An item's option groups as a person reads and types them back: each by its name in `lang` (the other
    language's if it has none), or by its id where the name would not name it alone (two groups of one name, a
    name holding a separator)."""
    from o2o_tui.domain.menu import localized

    by_id = {group.id: group for group in menu.option_groups}
    shown: list[str] = []
    for group_id in ids:
        group = by_id.get(group_id)
        name = localized(group.name, group.names, lang).strip() if group is not None else ""
        shown.append(name if name and groups_from_text(menu, name) == ([group_id], []) else group_id)
    return separator.join(shown)


def price_from_text(text: str, currency: str) -> Money:
    """`"12.5"` in CNY -> `Money(1250, "CNY")`. Accepts what a Chinese input method types (full-width digits, "。"
    for the decimal point: `ascii_typed`), a currency symbol or code before or after, spaces, thousands separators
    and a decimal comma ("12,50", as European spreadsheets write it; not "12,500", which is twelve thousand five
    hundred); refuses negative prices, text that is not a number and more decimals than the currency has."""
    cleaned = ascii_typed(text).strip().replace(" ", "")
    if cleaned.upper().startswith(currency.upper()) or cleaned.upper().endswith(currency.upper()):
        cleaned = cleaned.upper().replace(currency.upper(), "", 1)
    cleaned = _decimal_point(cleaned.strip(_SYMBOLS).strip()) or "?"
    if cleaned.startswith("+"):
        cleaned = cleaned[1:]
    if not cleaned or len(cleaned) > PRICE_TEXT_MAX or not re.fullmatch(r"-?(\d+(\.\d*)?|\.\d+)", cleaned):
        raise EditError("not_a_number", f"not a price: {text!r}", text=text)
    value = decimal.Decimal(cleaned)
    if value < 0:
        raise EditError("negative_price", "a price is never negative", text=text)
    digits = minor_digits(currency)
    exponent = value.normalize().as_tuple().exponent
    if isinstance(exponent, int) and -exponent > digits:
        raise EditError(
            "too_many_decimals",
            f"{currency} prices have {digits} decimals at most"
            if digits
            else f"{currency} prices are whole amounts",
            currency=currency,
            digits=digits,
        )
    return Money(int(value.scaleb(digits)), currency)


def price_text(money: Money) -> str:
    """`Money(1250, "CNY")` -> `"12.50"` (the currency's decimals, no symbol): what `price_from_text` reads."""
    digits = minor_digits(money.currency)
    sign = "-" if money.amount < 0 else ""
    value = abs(money.amount)
    if not digits:
        return f"{sign}{value}"
    return f"{sign}{value // 10**digits}.{value % 10**digits:0{digits}d}"


# -- names ------------------------------------------------------------------------------------------------------


def name_of(names: Names, default: str) -> str:
    """The single `name` a publish sends: the first non-empty of names.zh, names.en, else `default`."""
    return names.zh or names.en or default


def _with_fields(entity: E, fields: dict[str, Any]) -> E:
    if not fields:
        return entity
    allowed = set(entity.__struct_fields__)
    unknown = sorted(set(fields) - allowed)
    if unknown:
        raise TypeError(f"{type(entity).__name__} has no field {unknown[0]!r}")
    if "names" in fields and "name" not in fields:
        fields = {**fields, "name": name_of(fields["names"], entity.name)}
    if isinstance(entity, Item) and "descriptions" in fields and "description" not in fields:
        fields = {**fields, "description": name_of(fields["descriptions"], entity.description)}
    return msgspec.structs.replace(entity, **fields)


# -- lookups ----------------------------------------------------------------------------------------------------


NEW_KINDS: tuple[Kind, ...] = ("item", "option")  # the lines a customer orders
# names the editor gave a new line before its catalog changed words (an option was a 规格): a draft or menu may
# still hold one
_OLDER_PLACEHOLDERS = frozenset({"新规格"})


def placeholder_names() -> frozenset[str]:
    """The names the editor gives a new item or option (`menu_editor.new.*`), in every language, and those it
    gave before: a line still called that was never named (`menu_rules.menu_warnings`)."""
    from o2o_tui.i18n import SUPPORTED, catalog

    return _OLDER_PLACEHOLDERS | frozenset(
        text
        for lang in SUPPORTED
        for kind in NEW_KINDS
        if (text := catalog(lang).get(f"menu_editor.new.{kind}"))
    )


def all_ids(menu: Menu) -> set[str]:
    ids: set[str] = set()
    for category in menu.categories:
        ids.add(category.id)
        ids.update(item.id for item in category.items)
    for group in menu.option_groups:
        ids.add(group.id)
        ids.update(option.id for option in group.options)
    return ids


def _id_suffix() -> str:
    """Six random letters and digits (36**6, two billion): what makes a new id one no menu of the store had."""
    return "".join(secrets.choice(_SUFFIX_ALPHABET) for _ in range(ID_SUFFIX_LENGTH))


def new_id(menu: Menu, prefix: str, taken: Iterable[str] = ()) -> str:
    """A new entity's id: `prefix` cleaned to the id alphabet, `-` and a random suffix (`item-k3x9q2`), never one
    of `menu`'s ids nor of `taken` (the editor gives the published menu's and its undo history's). Never counted
    from the ids the menu has now: `item_3` came back for the next new dish once item_3 was deleted, another dish
    under the id of the orders already made (and the day report counted the two as one). The platform keeps no
    list of the ids a store's menus had, so the suffix is what keeps a deleted entity's id from coming back: a
    clash with one of them is one in hundreds of millions. Short (a new option group's id is typed in an item's
    groups field) and within the platform's id rule (1-64 of letters, digits, `_`, `-`)."""
    base = _ID_SAFE.sub("_", prefix).strip("_")[: 63 - ID_SUFFIX_LENGTH] or "id"
    used = all_ids(menu) | set(taken)
    while (made := f"{base}-{_id_suffix()}") in used:
        pass
    return made


def copy_prefix(entity_id: str) -> str:
    """What a copy's id starts with: the original's with `_copy` (a copy of a copy: `rice_copy-k3x9q2` ->
    `rice_copy`, not `rice_copy-k3x9q2_copy`)."""
    return f"{_COPY_ID.sub('', entity_id)}_copy"


def find(menu: Menu, kind: Kind, entity_id: str) -> Category | Item | OptionGroup | Option | None:
    if kind == "category":
        return next((c for c in menu.categories if c.id == entity_id), None)
    if kind == "item":
        return next((i for c in menu.categories for i in c.items if i.id == entity_id), None)
    if kind == "group":
        return next((g for g in menu.option_groups if g.id == entity_id), None)
    if kind == "option":
        return next((o for g in menu.option_groups for o in g.options if o.id == entity_id), None)
    raise EditError("unknown_kind", f"no kind {kind!r}", kind=kind)


def parent_of(menu: Menu, kind: Kind, entity_id: str) -> str | None:
    """The category id of an item, the group id of an option; None for categories and groups (and unknowns)."""
    if kind == "item":
        return next((c.id for c in menu.categories for i in c.items if i.id == entity_id), None)
    if kind == "option":
        return next((g.id for g in menu.option_groups for o in g.options if o.id == entity_id), None)
    return None


def _unknown(kind: str, entity_id: str) -> EditError:
    return EditError("unknown_id", f"no {kind} {entity_id!r}", kind=kind, id=entity_id)


def _check_new(menu: Menu, entity_id: str) -> None:
    if entity_id in all_ids(menu):
        raise EditError("duplicate_id", f"the id {entity_id!r} is taken", id=entity_id)


def _insert(entities: list[E], entity: E, index: int | None) -> list[E]:
    position = len(entities) if index is None else max(0, min(index, len(entities)))
    result = list(entities)
    result.insert(position, entity)
    return result


def _replace_in(entities: list[E], entity_id: str, fn: Callable[[E], E | None]) -> tuple[list[E], bool]:
    """`entities` with the one whose id is `entity_id` replaced by `fn(it)` (None removes it)."""
    result: list[E] = []
    found = False
    for entity in entities:
        if entity.id == entity_id:
            found = True
            replaced = fn(entity)
            if replaced is not None:
                result.append(replaced)
        else:
            result.append(entity)
    return result, found


def _map_items(menu: Menu, item_id: str, fn: Callable[[Item], Item | None]) -> Menu:
    categories = []
    found = False
    for category in menu.categories:
        items, hit = _replace_in(category.items, item_id, fn)
        found = found or hit
        categories.append(msgspec.structs.replace(category, items=items) if hit else category)
    if not found:
        raise _unknown("item", item_id)
    return msgspec.structs.replace(menu, categories=categories)


def _map_options(menu: Menu, option_id: str, fn: Callable[[Option], Option | None]) -> Menu:
    groups = []
    found = False
    for group in menu.option_groups:
        options, hit = _replace_in(group.options, option_id, fn)
        found = found or hit
        groups.append(msgspec.structs.replace(group, options=options) if hit else group)
    if not found:
        raise _unknown("option", option_id)
    return msgspec.structs.replace(menu, option_groups=groups)


def _map_categories(menu: Menu, category_id: str, fn: Callable[[Category], Category | None]) -> Menu:
    categories, found = _replace_in(menu.categories, category_id, fn)
    if not found:
        raise _unknown("category", category_id)
    return msgspec.structs.replace(menu, categories=categories)


def _map_groups(menu: Menu, group_id: str, fn: Callable[[OptionGroup], OptionGroup | None]) -> Menu:
    groups, found = _replace_in(menu.option_groups, group_id, fn)
    if not found:
        raise _unknown("group", group_id)
    return msgspec.structs.replace(menu, option_groups=groups)


# -- add --------------------------------------------------------------------------------------------------------


def add_category(menu: Menu, category: Category, index: int | None = None) -> Menu:
    _check_new(menu, category.id)
    for item in category.items:
        _check_new(menu, item.id)
    return msgspec.structs.replace(menu, categories=_insert(menu.categories, category, index))


def add_item(menu: Menu, category_id: str, item: Item, index: int | None = None) -> Menu:
    _check_new(menu, item.id)
    return _map_categories(
        menu, category_id, lambda c: msgspec.structs.replace(c, items=_insert(c.items, item, index))
    )


def add_option_group(menu: Menu, group: OptionGroup, index: int | None = None) -> Menu:
    _check_new(menu, group.id)
    for option in group.options:
        _check_new(menu, option.id)
    return msgspec.structs.replace(menu, option_groups=_insert(menu.option_groups, group, index))


def add_option(menu: Menu, group_id: str, option: Option, index: int | None = None) -> Menu:
    _check_new(menu, option.id)
    return _map_groups(
        menu, group_id, lambda g: msgspec.structs.replace(g, options=_insert(g.options, option, index))
    )


# -- update -----------------------------------------------------------------------------------------------------


def update_category(menu: Menu, category_id: str, **fields: Any) -> Menu:
    return _map_categories(menu, category_id, lambda c: _with_fields(c, fields))


def update_item(menu: Menu, item_id: str, **fields: Any) -> Menu:
    return _map_items(menu, item_id, lambda i: _with_fields(i, fields))


def update_group(menu: Menu, group_id: str, **fields: Any) -> Menu:
    return _map_groups(menu, group_id, lambda g: _with_fields(g, fields))


def update_option(menu: Menu, option_id: str, **fields: Any) -> Menu:
    return _map_options(menu, option_id, lambda o: _with_fields(o, fields))


def update(menu: Menu, kind: Kind, entity_id: str, **fields: Any) -> Menu:
    """`update_<kind>(menu, entity_id, **fields)`."""
    if kind == "category":
        return update_category(menu, entity_id, **fields)
    if kind == "item":
        return update_item(menu, entity_id, **fields)
    if kind == "group":
        return update_group(menu, entity_id, **fields)
    if kind == "option":
        return update_option(menu, entity_id, **fields)
    raise EditError("unknown_kind", f"no kind {kind!r}", kind=kind)


def set_hidden(menu: Menu, item_ids: Iterable[str], hidden: bool) -> Menu:
    """Hide (or show) several items or options at once; an unknown id raises before anything changes."""
    for entity_id in item_ids:
        if find(menu, "item", entity_id) is not None:
            menu = update_item(menu, entity_id, hidden=hidden)
        elif find(menu, "option", entity_id) is not None:
            menu = update_option(menu, entity_id, hidden=hidden)
        else:
            raise _unknown("item", entity_id)
    return menu


# -- delete, duplicate, move ------------------------------------------------------------------------------------


def delete(menu: Menu, kind: Kind, entity_id: str) -> Menu:
    """Remove one entity (a category with its items; a group also from every item's option_group_ids)."""
    if kind == "category":
        return _map_categories(menu, entity_id, lambda c: None)
    if kind == "item":
        return _map_items(menu, entity_id, lambda i: None)
    if kind == "option":
        return _map_options(menu, entity_id, lambda o: None)
    if kind == "group":
        menu = _map_groups(menu, entity_id, lambda g: None)
        categories = [
            msgspec.structs.replace(
                category,
                items=[
                    msgspec.structs.replace(
                        item, option_group_ids=[g for g in item.option_group_ids if g != entity_id]
                    )
                    if entity_id in item.option_group_ids
                    else item
                    for item in category.items
                ],
            )
            for category in menu.categories
        ]
        return msgspec.structs.replace(menu, categories=categories)
    raise EditError("unknown_kind", f"no kind {kind!r}", kind=kind)


def _fresh_availability(entity: E) -> E:
    """A copy starts available: availability belongs to the live menu, not to what a copy was made from."""
    if isinstance(entity, (Item, Option)):
        return msgspec.structs.replace(entity, status=Availability.AVAILABLE, snooze_until=None)
    return entity


def duplicate(menu: Menu, kind: Kind, entity_id: str, taken: Iterable[str] = ()) -> tuple[Menu, str]:
    """A copy placed right after the original, with a new id (`new_id`, none of `taken`; a category's items get new
    ids too); it starts available. Returns the menu and the copy's id."""
    original = find(menu, kind, entity_id)
    if original is None:
        raise _unknown(kind, entity_id)
    taken = set(taken)
    copy_id = new_id(menu, copy_prefix(entity_id), taken)
    if isinstance(original, Item):
        copy_item = _fresh_availability(msgspec.structs.replace(original, id=copy_id))
        category_id = parent_of(menu, "item", entity_id)
        assert category_id is not None  # found above
        index = next(c.items for c in menu.categories if c.id == category_id).index(original) + 1
        return add_item(menu, category_id, copy_item, index), copy_id
    if isinstance(original, Option):
        copy_option = _fresh_availability(msgspec.structs.replace(original, id=copy_id))
        group_id = parent_of(menu, "option", entity_id)
        assert group_id is not None
        index = next(g.options for g in menu.option_groups if g.id == group_id).index(original) + 1
        return add_option(menu, group_id, copy_option, index), copy_id
    if isinstance(original, Category):
        scratch = add_category(menu, msgspec.structs.replace(original, id=copy_id, items=[]))
        items = []
        for item in original.items:
            item_id = new_id(scratch, copy_prefix(item.id), taken)
            copied = _fresh_availability(msgspec.structs.replace(item, id=item_id))
            scratch = add_item(scratch, copy_id, copied)
            items.append(copied)
        copy_category = msgspec.structs.replace(original, id=copy_id, items=items)
        return add_category(menu, copy_category, menu.categories.index(original) + 1), copy_id
    scratch = add_option_group(menu, msgspec.structs.replace(original, id=copy_id, options=[]))
    options = []
    for option in original.options:
        option_id = new_id(scratch, copy_prefix(option.id), taken)
        copied_option = _fresh_availability(msgspec.structs.replace(option, id=option_id))
        scratch = add_option(scratch, copy_id, copied_option)
        options.append(copied_option)
    copy_group = msgspec.structs.replace(original, id=copy_id, options=options)
    return add_option_group(menu, copy_group, menu.option_groups.index(original) + 1), copy_id


def duplicate_item(menu: Menu, item_id: str) -> tuple[Menu, str]:
    return duplicate(menu, "item", item_id)


def _moved(entities: list[E], entity_id: str, delta: int) -> list[E] | None:
    index = next((i for i, e in enumerate(entities) if e.id == entity_id), None)
    if index is None:
        return None
    target = max(0, min(len(entities) - 1, index + delta))
    if target == index:
        return entities
    result = [e for e in entities if e.id != entity_id]
    result.insert(target, entities[index])
    return result


def move(menu: Menu, kind: Kind, entity_id: str, delta: int) -> Menu:
    """Move an entity `delta` places within its parent (negative: up), stopping at either end."""
    if kind == "category":
        categories = _moved(menu.categories, entity_id, delta)
        if categories is None:
            raise _unknown(kind, entity_id)
        return menu if categories is menu.categories else msgspec.structs.replace(menu, categories=categories)
    if kind == "group":
        groups = _moved(menu.option_groups, entity_id, delta)
        if groups is None:
            raise _unknown(kind, entity_id)
        return menu if groups is menu.option_groups else msgspec.structs.replace(menu, option_groups=groups)
    if kind == "item":
        for c_index, category in enumerate(menu.categories):
            items = _moved(category.items, entity_id, delta)
            if items is not None:
                if items is category.items:
                    return menu
                categories = list(menu.categories)
                categories[c_index] = msgspec.structs.replace(category, items=items)
                return msgspec.structs.replace(menu, categories=categories)
        raise _unknown(kind, entity_id)
    if kind == "option":
        for g_index, group in enumerate(menu.option_groups):
            options = _moved(group.options, entity_id, delta)
            if options is not None:
                if options is group.options:
                    return menu
                groups = list(menu.option_groups)
                groups[g_index] = msgspec.structs.replace(group, options=options)
                return msgspec.structs.replace(menu, option_groups=groups)
        raise _unknown(kind, entity_id)
    raise EditError("unknown_kind", f"no kind {kind!r}", kind=kind)


def move_item_to(menu: Menu, item_id: str, category_id: str, index: int | None = None) -> Menu:
    """Move an item into another category (at `index`, else last)."""
    item = find(menu, "item", item_id)
    if not isinstance(item, Item):
        raise _unknown("item", item_id)
    if find(menu, "category", category_id) is None:
        raise _unknown("category", category_id)
    return add_item(delete(menu, "item", item_id), category_id, item, index)


# -- search -----------------------------------------------------------------------------------------------------


def _matches(needle: str, entity: Category | Item | OptionGroup | Option) -> bool:
    return any(needle in text.casefold() for text in (entity.name, entity.names.zh, entity.names.en) if text)


def search(menu: Menu, text: str) -> list[tuple[Kind, str]]:
    """Every entity whose name (either language, or the single name) contains `text`, ignoring case; in tree
    order (categories with their items, then groups with their options). Empty text finds nothing."""
    needle = unicodedata.normalize("NFKC", text).strip().casefold()
    if not needle:
        return []
    found: list[tuple[Kind, str]] = []
    for category in menu.categories:
        if _matches(needle, category):
            found.append(("category", category.id))
        found.extend(("item", item.id) for item in category.items if _matches(needle, item))
    for group in menu.option_groups:
        if _matches(needle, group):
            found.append(("group", group.id))
        found.extend(("option", option.id) for option in group.options if _matches(needle, option))
    return found


# -- availability (not part of a draft: what a queued item/option PATCH will do, shown at once) --------------------


def apply_patch(menu: Menu, kind: Literal["item", "option"], entity_id: str, body: dict[str, Any]) -> Menu:
    """`menu` as the server will have it once the PATCH `body` (an ItemPatchBody's JSON) of one item or option
    is applied: `status`, `snooze_until` or `clear_snooze`, `hidden`. An unknown id or a body that does not read
    changes nothing (the server will decide)."""
    fields: dict[str, Any] = {}
    try:
        if body.get("status") is not None:
            fields["status"] = Availability(body["status"])
        if body.get("snooze_until") is not None:
            fields["snooze_until"] = msgspec.convert(body["snooze_until"], datetime)
        if body.get("clear_snooze"):
            fields["snooze_until"] = None
        if isinstance(body.get("hidden"), bool):
            fields["hidden"] = body["hidden"]
    except (ValueError, msgspec.ValidationError):
        return menu
    if not fields or find(menu, kind, entity_id) is None:
        return menu
    if kind == "item":
        return _map_items(menu, entity_id, lambda i: msgspec.structs.replace(i, **fields))
    return _map_options(menu, entity_id, lambda o: msgspec.structs.replace(o, **fields))
