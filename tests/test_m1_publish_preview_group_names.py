"""The menu editor's publish preview (and its `D` diff) names an item's option groups by their names in the
console's language, as the tree shows them, not by their ids ("option groups: ∅ -> group-upzjsr")."""

from __future__ import annotations

import msgspec
import pytest

from o2o_tui.domain.menu import Names, Option, OptionGroup
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language, t
from o2o_tui.menu_draft import diff
from o2o_tui.menu_shown_names import shown_names
from screens.menu_diff import diff_content
from screens.terminal import ASCII, FULL
from tests.test_menu_io import demo


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def _with_new_group() -> tuple[object, object]:
    published = demo()
    group = OptionGroup(
        id="group-upzjsr",
        name="辣度",
        names=Names(zh="辣度", en="Heat"),
        min=0,
        max=1,
        options=[Option(id="heat-mild", name="微辣", price=Money(0, published.currency))],
    )
    categories = [
        msgspec.structs.replace(
            category,
            items=[
                msgspec.structs.replace(item, option_group_ids=[*item.option_group_ids, "group-upzjsr"])
                if item.id == "mapo-tofu"
                else item
                for item in category.items
            ],
        )
        for category in published.categories
    ]
    draft = msgspec.structs.replace(
        published, categories=categories, option_groups=[*published.option_groups, group]
    )
    return published, draft


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_preview_names_an_items_groups(lang: str) -> None:
    published, draft = _with_new_group()
    set_language(lang)
    changes = diff(published, draft)  # type: ignore[arg-type]
    text = diff_content(changes, FULL, shown_names(draft, published)).plain  # type: ignore[arg-type]
    line = next(line for line in text.splitlines() if t("menu_publish.field.option_group_ids") in line)
    assert "group-upzjsr" not in line, line
    heat = "Heat" if lang == "en" else "辣度"
    sep = t("menu_publish.list_sep")
    assert line.rstrip().endswith(f"→ {heat}") or line.rstrip().endswith(f"{sep}{heat}"), line
    before_groups = next(i for i in published.categories[0].items if i.id == "mapo-tofu").option_group_ids  # type: ignore[attr-defined]
    names = shown_names(published)
    assert all(names[("group", g)] in line for g in before_groups), line
    # ASCII terminals: the same names, the arrow as "->"
    ascii_text = diff_content(changes, ASCII, shown_names(draft, published)).plain  # type: ignore[arg-type]
    assert "-> " in ascii_text and "group-upzjsr" not in ascii_text


def test_a_group_no_menu_knows_keeps_its_id() -> None:
    published, draft = _with_new_group()
    changes = diff(published, draft)  # type: ignore[arg-type]
    text = diff_content(changes, FULL, shown_names(published)).plain  # type: ignore[arg-type]
    assert "group-upzjsr" in text  # only the published menu's names: the new group is said by its id
