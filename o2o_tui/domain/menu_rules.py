"""What makes a menu publishable, stated once for the server (422 naming the field), the editor's form and the
CSV/JSON import. Pure: no I/O, no clock.

Every check answers `Problem(field, code, message, limit)`: `field` is the JSON path of the publish body
(`categories[2].items[0].price`), `code` one of `CODES` (a client shows its own text per code: the i18n keys
`menu.problem.<code>`, see `problem_text`), `message` English for logs and the server's answer, `limit` the bound
that was broken when there is one. The request types (`o2o_tui.domain.requests`) carry the same bounds for the
wire; these rules also cover what a type cannot say (a group's min over its max, unique ids, references) and
check menus a console builds before they are ever encoded.

`normalize(menu)` is what a publish stores: `name` becomes the first non-empty of `names.zh`, `names.en` when
`names` are given (so consoles that know only `name` show the same text), and `description` likewise.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Iterator

import msgspec

from o2o_tui.domain.limits import (
    CURRENCY_PATTERN,
    DESCRIPTION_MAX,
    ID_PATTERN,
    ITEM_OPTION_GROUPS_MAX,
    MENU_CATEGORIES_MAX,
    MENU_ITEMS_MAX,
    MENU_OPTION_GROUPS_MAX,
    MENU_OPTIONS_MAX,
    NAME_MAX,
    PREP_MINUTES_MAX,
    PREP_MINUTES_MIN,
    PRICE_MAX,
    QUANTITY_MAX,
    TIME_RANGE_MESSAGE,
    blank,
    time_in_range,
)
from o2o_tui.domain.menu import Category, Item, Menu, Names, Option, OptionGroup
from o2o_tui.domain.money import Money
from o2o_tui.safe_text import holds_unsafe

CODES = (
    "empty_name",  # no name in any language
    "too_long",  # a name or description over its length (limit: characters)
    "invalid_id",  # an id that is not 1-64 letters, digits, '_' or '-'
    "duplicate_id",  # two categories, items, option groups or options with one id
    "negative_price",
    "price_too_high",  # over PRICE_MAX minor units (limit)
    "currency",  # a price (or the menu) not in the store's currency
    "group_min_over_max",  # an option group's min above its max
    "group_bounds",  # min outside 0..99 or max outside 1..99 (limit: 99)
    "group_min_over_options",  # min above what the group's options can add up to: nothing could be ordered
    "option_max_qty",  # an option's max quantity outside 1..99 (limit: 99)
    "prep_minutes",  # an item's prep time outside 1..240 (limit: 240)
    "unknown_option_group",  # an item offers an option group the menu does not have
    "too_many",  # more categories, items, groups, options or an item's groups than allowed (limit)
    "time_range",  # a snooze time without a zone or outside the years 2000-2099
    "control_character",  # a control or bidi character in a name (a line break too) or description
)

_ID = re.compile(ID_PATTERN)
_CURRENCY = re.compile(CURRENCY_PATTERN)


class Problem(msgspec.Struct, frozen=True):
    field: str  # JSON path into the publish body: "categories[2].items[0].price"
    code: str  # one of CODES
    message: str  # English, for logs and the server's 422
    limit: int | None = None


def problem_text(problem: Problem) -> str:
    """The problem in the console's language (`menu.problem.<code>`, with `{limit}`)."""
    from o2o_tui.i18n import t

    return t(f"menu.problem.{problem.code}", limit="" if problem.limit is None else problem.limit)


# --- one entity at a time (the editor's form checks the entity it edits) -----------------------------------------


def _length_problems(where: str, field: str, text: str, texts: Names, limit: int) -> Iterator[Problem]:
    """`field` ("name", "description") and its per-language twin (`names.zh`, `descriptions.en`) of `where`: the
    length, and no control or bidi character (menu text is shown on every device and printed on tickets; a
    description may hold line breaks, a name may not)."""
    for path, value in ((field, text), (f"{field}s.zh", texts.zh), (f"{field}s.en", texts.en)):
        if len(value) > limit:
            yield Problem(f"{where}.{path}", "too_long", f"at most {limit} characters", limit)
        if holds_unsafe(value, one_line=field == "name"):
            yield Problem(f"{where}.{path}", "control_character", "no control or bidi characters")


def _name_problems(where: str, name: str, names: Names) -> Iterator[Problem]:
    if blank(name) and blank(names.zh) and blank(names.en):  # zero-width characters alone name nothing either
        yield Problem(f"{where}.name", "empty_name", "a name is needed (in at least one language)")
    yield from _length_problems(where, "name", name, names, NAME_MAX)


def _id_problems(where: str, entity_id: str) -> Iterator[Problem]:
    if not _ID.match(entity_id):
        yield Problem(f"{where}.id", "invalid_id", "letters, digits, '_' and '-'; 1 to 64 of them")


def price_problems(where: str, price: Money, currency: str) -> list[Problem]:
    """Problems of one price (`where` is the price's own path)."""
    problems = []
    if price.currency != currency:
        problems.append(Problem(where, "currency", f"prices are in the store's currency {currency}"))
    if price.amount < 0:
        problems.append(Problem(where, "negative_price", "a price cannot be negative"))
    elif price.amount > PRICE_MAX:
        problems.append(Problem(where, "price_too_high", f"at most {PRICE_MAX} minor units", PRICE_MAX))
    return problems


def _snooze_problems(where: str, entity: Item | Option) -> Iterator[Problem]:
    if entity.snooze_until is not None and not time_in_range(entity.snooze_until):
        yield Problem(f"{where}.snooze_until", "time_range", TIME_RANGE_MESSAGE)


def option_problems(option: Option, currency: str, where: str = "option") -> list[Problem]:
    problems = [*_id_problems(where, option.id), *_name_problems(where, option.name, option.names)]
    problems += price_problems(f"{where}.price", option.price, currency)
    if not 1 <= option.max_qty <= QUANTITY_MAX:
        problems.append(
            Problem(f"{where}.max_qty", "option_max_qty", f"from 1 to {QUANTITY_MAX}", QUANTITY_MAX)
        )
    problems += _snooze_problems(where, option)
    return problems


def group_problems(group: OptionGroup, currency: str, where: str = "option_group") -> list[Problem]:
    """The group, its options, and that an order can satisfy it (options and unique option ids: see
    `menu_problems` for ids across groups)."""
    problems = [*_id_problems(where, group.id), *_name_problems(where, group.name, group.names)]
    if not 0 <= group.min <= QUANTITY_MAX:
        problems.append(Problem(f"{where}.min", "group_bounds", f"from 0 to {QUANTITY_MAX}", QUANTITY_MAX))
    if not 1 <= group.max <= QUANTITY_MAX:
        problems.append(Problem(f"{where}.max", "group_bounds", f"from 1 to {QUANTITY_MAX}", QUANTITY_MAX))
    if group.min > group.max:
        problems.append(Problem(f"{where}.min", "group_min_over_max", "min cannot be above max"))
    elif group.min > sum(max(option.max_qty, 0) for option in group.options):
        problems.append(
            Problem(f"{where}.min", "group_min_over_options", "the options cannot add up to the group's min")
        )
    if len(group.options) > MENU_OPTIONS_MAX:
        problems.append(
            Problem(f"{where}.options", "too_many", f"at most {MENU_OPTIONS_MAX}", MENU_OPTIONS_MAX)
        )
    for index, option in enumerate(group.options):
        problems += option_problems(option, currency, f"{where}.options[{index}]")
    return problems


def item_problems(
    item: Item, currency: str, where: str = "item", group_ids: Iterable[str] | None = None
) -> list[Problem]:
    """One item; `group_ids` (the menu's option group ids) checks its references when given."""
    problems = [*_id_problems(where, item.id), *_name_problems(where, item.name, item.names)]
    problems += _length_problems(where, "description", item.description, item.descriptions, DESCRIPTION_MAX)
    problems += price_problems(f"{where}.price", item.price, currency)
    if item.prep_minutes is not None and not PREP_MINUTES_MIN <= item.prep_minutes <= PREP_MINUTES_MAX:
        problems.append(
            Problem(
                f"{where}.prep_minutes",
                "prep_minutes",
                f"from {PREP_MINUTES_MIN} to {PREP_MINUTES_MAX} minutes",
                PREP_MINUTES_MAX,
            )
        )
    problems += _snooze_problems(where, item)
    refs = f"{where}.option_group_ids"
    if len(item.option_group_ids) > ITEM_OPTION_GROUPS_MAX:
        problems.append(
            Problem(refs, "too_many", f"at most {ITEM_OPTION_GROUPS_MAX}", ITEM_OPTION_GROUPS_MAX)
        )
    if len(set(item.option_group_ids)) != len(item.option_group_ids):
        problems.append(Problem(refs, "duplicate_id", "an option group is offered twice"))
    if group_ids is not None:
        known = set(group_ids)
        for group_id in item.option_group_ids:
            if group_id not in known:
                problems.append(Problem(refs, "unknown_option_group", f"no option group {group_id}"))
                break
    return problems


def category_problems(category: Category, where: str = "category") -> list[Problem]:
    """The category's own fields (its items: `item_problems`)."""
    problems = [*_id_problems(where, category.id), *_name_problems(where, category.name, category.names)]
    if len(category.items) > MENU_ITEMS_MAX:
        problems.append(Problem(f"{where}.items", "too_many", f"at most {MENU_ITEMS_MAX}", MENU_ITEMS_MAX))
    return problems


# --- the whole menu --------------------------------------------------------------------------------------------


def menu_problems(menu: Menu, currency: str) -> list[Problem]:
    """Every problem of `menu` for a store selling in `currency`, in body order (the first is the one a server
    names). Empty: the menu can be published."""
    problems: list[Problem] = []
    if menu.currency != currency or not _CURRENCY.match(menu.currency):
        problems.append(Problem("currency", "currency", f"the store sells in {currency}"))
    if len(menu.option_groups) > MENU_OPTION_GROUPS_MAX:
        problems.append(
            Problem("option_groups", "too_many", f"at most {MENU_OPTION_GROUPS_MAX}", MENU_OPTION_GROUPS_MAX)
        )
    group_ids: set[str] = set()
    option_ids: set[str] = set()
    for g_index, group in enumerate(menu.option_groups):
        where = f"option_groups[{g_index}]"
        if group.id in group_ids:
            problems.append(Problem(f"{where}.id", "duplicate_id", f"option group {group.id} twice"))
        group_ids.add(group.id)
        problems += group_problems(group, currency, where)
        for o_index, option in enumerate(group.options):
            if option.id in option_ids:
                problems.append(
                    Problem(f"{where}.options[{o_index}].id", "duplicate_id", f"option {option.id} twice")
                )
            option_ids.add(option.id)
    if len(menu.categories) > MENU_CATEGORIES_MAX:
        problems.append(
            Problem("categories", "too_many", f"at most {MENU_CATEGORIES_MAX}", MENU_CATEGORIES_MAX)
        )
    category_ids: set[str] = set()
    item_ids: set[str] = set()
    for c_index, category in enumerate(menu.categories):
        where = f"categories[{c_index}]"
        if category.id in category_ids:
            problems.append(Problem(f"{where}.id", "duplicate_id", f"category {category.id} twice"))
        category_ids.add(category.id)
        problems += category_problems(category, where)
        for i_index, item in enumerate(category.items):
            item_where = f"{where}.items[{i_index}]"
            if item.id in item_ids:
                problems.append(Problem(f"{item_where}.id", "duplicate_id", f"item {item.id} twice"))
            item_ids.add(item.id)
            problems += item_problems(item, currency, item_where, group_ids)
    return problems


# --- what a publish asks about (allowed, but likely a mistake: the person confirms) ---------------------------

WARNING_CODES = (
    "free_item",  # an item customers can see at a price of 0 (chopsticks are fine; a forgotten price is not)
    "placeholder_name",  # an item or option customers can see under the name the editor gave it when added
)
_WARNED_FIELD = {"free_item": "price", "placeholder_name": "name"}


class MenuWarning(msgspec.Struct, frozen=True):
    field: str  # JSON path into the publish body, as `Problem.field`
    code: str  # one of WARNING_CODES
    kind: str  # "item" or "option"
    entity_id: str


def warning_text(warning: MenuWarning) -> str:
    """The warning in the console's language (`menu.warning.<code>`)."""
    from o2o_tui.i18n import t

    return t(f"menu.warning.{warning.code}")


def line_warnings(line: Item | Option, placeholders: Collection[str] = ()) -> list[str]:
    """The warning codes of one item or option as if it were on sale (whether it is hidden is the caller's)."""
    codes = []
    if any(
        text.strip() in placeholders for text in (line.name, line.names.zh, line.names.en) if text.strip()
    ):
        codes.append("placeholder_name")
    if isinstance(line, Item) and line.price.amount == 0:
        codes.append("free_item")
    return codes


def menu_warnings(menu: Menu, placeholders: Collection[str] = ()) -> list[MenuWarning]:
    """What `menu` would put on sale that is allowed but rarely meant: a visible item at 0, a visible item or option
    still called one of `placeholders` (the names an editor gives new lines). Not a platform rule: a free item can
    be legitimate (chopsticks, a free soup), so a client shows these and asks before publishing."""
    warnings: list[MenuWarning] = []
    for c_index, category in enumerate(menu.categories):
        for i_index, item in enumerate(category.items):
            if not item.hidden:
                where = f"categories[{c_index}].items[{i_index}]"
                warnings += [
                    MenuWarning(f"{where}.{_WARNED_FIELD[code]}", code, "item", item.id)
                    for code in line_warnings(item, placeholders)
                ]
    for g_index, group in enumerate(menu.option_groups):
        for o_index, option in enumerate(group.options):
            if not option.hidden:
                where = f"option_groups[{g_index}].options[{o_index}]"
                warnings += [
                    MenuWarning(f"{where}.{_WARNED_FIELD[code]}", code, "option", option.id)
                    for code in line_warnings(option, placeholders)
                ]
    return warnings


def added_warnings(base: Menu, menu: Menu, placeholders: Collection[str] = ()) -> list[MenuWarning]:
    """The warnings `menu` has that the published `base` has not: a free item on sale already (chopsticks) is not
    asked about at every publish, only when a publish (the editor's, an import's) puts it on sale."""
    known = {(w.code, w.kind, w.entity_id) for w in menu_warnings(base, placeholders)}
    return [w for w in menu_warnings(menu, placeholders) if (w.code, w.kind, w.entity_id) not in known]


# --- what a publish stores ---------------------------------------------------------------------------------------


def _named(name: str, names: Names) -> str:
    return names.zh or names.en or name


def _option(option: Option) -> Option:
    return msgspec.structs.replace(option, name=_named(option.name, option.names))


def _group(group: OptionGroup) -> OptionGroup:
    return msgspec.structs.replace(
        group, name=_named(group.name, group.names), options=[_option(option) for option in group.options]
    )


def _item(item: Item) -> Item:
    return msgspec.structs.replace(
        item,
        name=_named(item.name, item.names),
        description=_named(item.description, item.descriptions),
    )


def normalize(menu: Menu) -> Menu:
    """`menu` with every `name` (and item `description`) equal to the first non-empty of its zh, en texts when
    any is given; otherwise unchanged. Idempotent."""
    categories = [
        msgspec.structs.replace(
            category,
            name=_named(category.name, category.names),
            items=[_item(item) for item in category.items],
        )
        for category in menu.categories
    ]
    return msgspec.structs.replace(
        menu, categories=categories, option_groups=[_group(group) for group in menu.option_groups]
    )
