"""The `~` lines of `o2o menu import` (its preview with --dry-run, and what it says it changed) name an item's
option groups by their names in the console's language, as the editor's diff does, not by their ids
(`o2o_tui.menu_shown_names.group_words`); a group the menus do not know keeps its id. No server needed: the
lines are built from two menus."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest

from o2o_tui.cli.menu import change_lines
from o2o_tui.domain.menu import Menu, Names
from o2o_tui.i18n import set_language
from o2o_tui.menu_draft import diff
from o2o_tui.platform.seed import demo_menu


@pytest.fixture(autouse=True)
def _language() -> Iterator[None]:
    yield
    set_language(None)


def _with_groups(menu: Menu, item_id: str, groups: list[str]) -> Menu:
    categories = [
        msgspec.structs.replace(
            c,
            items=[msgspec.structs.replace(i, option_group_ids=groups) if i.id == item_id else i for i in c.items],
        )
        for c in menu.categories
    ]
    return msgspec.structs.replace(menu, categories=categories)


def _named_groups(menu: Menu) -> Menu:
    """The demo's groups with per-language names (the demo's have one name in both languages)."""
    texts = {"spice": Names(zh="辣度", en="Spice level"), "rice": Names(zh="加米饭", en="Add rice")}
    groups = [msgspec.structs.replace(g, names=texts.get(g.id, g.names)) for g in menu.option_groups]
    return msgspec.structs.replace(menu, option_groups=groups)


@pytest.mark.parametrize(("lang", "before", "after"), [("en", "Spice level, Add rice", "Spice level"), ("zh", "辣度，加米饭", "辣度")])
def test_a_change_of_option_groups_names_them(lang: str, before: str, after: str) -> None:
    set_language(lang)
    published = _named_groups(demo_menu())
    imported = _with_groups(published, "mapo-tofu", ["spice"])
    [line] = change_lines(diff(published, imported), imported, published)
    assert line.startswith("~ ") and "mapo-tofu" in line
    assert line.endswith(f"{before} -> {after}"), line
    assert "spice, rice" not in line


def test_a_group_no_menu_has_keeps_its_id() -> None:
    set_language("en")
    published = _named_groups(demo_menu())
    imported = _with_groups(published, "mapo-tofu", ["spice", "gone-group"])
    [line] = change_lines(diff(published, imported), imported, published)
    assert line.endswith("Spice level, Add rice -> Spice level, gone-group"), line
