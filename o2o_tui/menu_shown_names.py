"""Menu entities by their names in the console's language, as the editor's tree names them (`localized`: the
language's own text, else the other's, else the single stored one of older menus), for the lines of a menu's diff:
the editor's `D` and publish preview (screens/menu_diff.py) and the `o2o menu` commands' own lines
(o2o_tui/cli/menu.py). A diff's `Change` carries the single stored text (`name`, and a move's `before` and `after`:
the parents' names), the Chinese one of a bilingual menu. Plain text made safe (`safe_text`); no Textual here."""

from __future__ import annotations

from collections.abc import Mapping

from o2o_tui.domain.menu import Category, Item, Menu, Option, OptionGroup, localized
from o2o_tui.i18n import current_language, t
from o2o_tui.menu_draft import Change
from o2o_tui.safe_text import safe_text

# (entity kind, id) -> its name in the console's language; (kind + FROM, id) -> the name of the category or group
# an item or option sat in in the older menu (`shown_names`), which a move to another one says it left
Names = Mapping[tuple[str, str], str]
FROM = "\0from"  # no entity kind holds a NUL
_PARENT_KIND = {"item": "category", "option": "group"}


def shown_name(entity: Category | Item | OptionGroup | Option, lang: str | None = None) -> str:
    return safe_text(localized(entity.name, entity.names, lang or current_language()), one_line=True)


def shown_names(*menus: Menu, lang: str | None = None) -> dict[tuple[str, str], str]:
    """Each entity of `menus`, the newer first (a draft, then the published menu it is compared with), by its name
    in the console's language, from the first menu that has it; and where each item and option sat in the last
    menu that has it (the older one: what a move to another category or group left)."""
    names: dict[tuple[str, str], str] = {}
    parents: dict[tuple[str, str], tuple[str, str]] = {}
    for menu in menus:
        for group in menu.option_groups:
            names.setdefault(("group", group.id), shown_name(group, lang))
            for option in group.options:
                names.setdefault(("option", option.id), shown_name(option, lang))
                parents[("option", option.id)] = ("group", group.id)  # the last group, as the diff's records
        for category in menu.categories:
            names.setdefault(("category", category.id), shown_name(category, lang))
            for item in category.items:
                names.setdefault(("item", item.id), shown_name(item, lang))
                parents[("item", item.id)] = ("category", category.id)
    for (kind, entity_id), parent in parents.items():
        names[(kind + FROM, entity_id)] = names[parent]
    return names


def change_name(change: Change, names: Names | None) -> str:
    """The changed entity's name as the tree shows it, else the change's own (made safe)."""
    shown = (names or {}).get((change.entity, change.id))
    return shown if shown else safe_text(change.name or change.id, one_line=True)


def moved_words(change: Change, names: Names | None) -> tuple[str, str] | None:
    """A move to another category or group: the one it left and the one it is in now, by their names in the
    console's language (None where `names` does not know one, or for any other change: its own words stand)."""
    parent_kind = _PARENT_KIND.get(change.entity)
    if change.kind != "moved" or parent_kind is None or change.fields != [parent_kind] or not names:
        return None
    before = names.get((change.entity + FROM, change.id))
    after = names.get((parent_kind, change.parent_id or ""))
    return (before, after) if before and after else None


def group_words(change: Change, names: Names | None) -> tuple[str, str] | None:
    """An item's option groups before and after, by their names in the console's language as the tree shows
    them ("Spice level, Add rice", not "group-upzjsr"); a group `names` does not know keeps its id. None for any
    other change, or without `names`. Made safe."""
    if change.fields != ["option_group_ids"] or not names:
        return None

    def named(text: str | None) -> str:
        ids = [part.strip() for part in (text or "").split(",") if part.strip()]  # `menu_draft._value_text`
        shown = [names.get(("group", group_id)) or safe_text(group_id, one_line=True) for group_id in ids]
        return t("menu_publish.list_sep").join(shown)

    return named(change.before), named(change.after)
