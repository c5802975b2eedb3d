"""The menu rules shared by the server, the editor and the import: each problem names its field and its code,
every code has its text in both languages, and `normalize` keeps `name` in step with `names`."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2o_tui.domain.limits import DESCRIPTION_MAX, NAME_MAX, PRICE_MAX
from o2o_tui.domain.menu import Category, Item, Menu, Names, Option, OptionGroup
from o2o_tui.domain.menu_rules import (
    CODES,
    Problem,
    group_problems,
    item_problems,
    menu_problems,
    normalize,
    option_problems,
    problem_text,
)
from o2o_tui.domain.money import Money
from o2o_tui.i18n import catalog, set_language
from o2o_tui.platform.seed import demo_menu


def _cny(amount: int) -> Money:
    return Money(amount, "CNY")


def _menu() -> Menu:
    return msgspec.structs.replace(demo_menu(), store_id="st_1")


def _replace_item(menu: Menu, c_index: int, i_index: int, **changes: object) -> Menu:
    categories = list(menu.categories)
    items = list(categories[c_index].items)
    items[i_index] = msgspec.structs.replace(items[i_index], **changes)
    categories[c_index] = msgspec.structs.replace(categories[c_index], items=items)
    return msgspec.structs.replace(menu, categories=categories)


def _fields(problems: list[Problem]) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in problems]


def test_the_demo_menu_has_no_problem() -> None:
    assert menu_problems(_menu(), "CNY") == []


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": " "}, ("categories[0].items[0].name", "empty_name")),
        ({"price": _cny(-1)}, ("categories[0].items[0].price", "negative_price")),
        ({"price": _cny(PRICE_MAX + 1)}, ("categories[0].items[0].price", "price_too_high")),
        ({"price": Money(100, "USD")}, ("categories[0].items[0].price", "currency")),
        ({"name": "菜" * (NAME_MAX + 1)}, ("categories[0].items[0].name", "too_long")),
        ({"names": Names(en="x" * (NAME_MAX + 1))}, ("categories[0].items[0].names.en", "too_long")),
        (
            {"descriptions": Names(zh="长" * (DESCRIPTION_MAX + 1))},
            ("categories[0].items[0].descriptions.zh", "too_long"),
        ),
        ({"prep_minutes": 0}, ("categories[0].items[0].prep_minutes", "prep_minutes")),
        ({"id": "a b"}, ("categories[0].items[0].id", "invalid_id")),
        ({"id": "mapo-tofu"}, ("categories[0].items[1].id", "duplicate_id")),  # the second one
        (
            {"option_group_ids": ["ghost"]},
            ("categories[0].items[0].option_group_ids", "unknown_option_group"),
        ),
        (
            {"option_group_ids": ["spice", "spice"]},
            ("categories[0].items[0].option_group_ids", "duplicate_id"),
        ),
        (
            {"snooze_until": datetime(2100, 1, 1, tzinfo=UTC)},
            ("categories[0].items[0].snooze_until", "time_range"),
        ),
        ({"name": "Evil \x1b]0;TITLE\x07"}, ("categories[0].items[0].name", "control_character")),
        ({"names": Names(en="two\nlines")}, ("categories[0].items[0].names.en", "control_character")),
        ({"descriptions": Names(zh="\u202eevil")}, ("categories[0].items[0].descriptions.zh", "control_character")),
    ],
)
def test_an_item_problem_names_its_field_and_code(changes: dict, expected: tuple[str, str]) -> None:
    menu = _menu()
    assert menu.categories[0].items[1].id == "mapo-tofu"  # the duplicate case reuses it
    problems = menu_problems(_replace_item(menu, 0, 0, **changes), "CNY")
    assert _fields(problems) == [expected]
    assert problems[0].message  # English, for the server's answer


def test_a_description_may_hold_line_breaks() -> None:
    menu = _replace_item(_menu(), 0, 0, descriptions=Names(zh="第一行\r\n第二行\n\t第三行"))
    assert menu_problems(menu, "CNY") == []


def test_a_name_in_one_language_is_enough() -> None:
    menu = _replace_item(_menu(), 0, 0, name="", names=Names(en="Cucumber"))
    assert menu_problems(menu, "CNY") == []


def test_option_group_and_option_rules() -> None:
    group = OptionGroup(
        id="size",
        name="Size",
        min=2,
        max=1,
        options=[Option(id="big", name="", price=_cny(-5), max_qty=0)],
    )
    assert _fields(group_problems(group, "CNY", "option_groups[0]")) == [
        ("option_groups[0].min", "group_min_over_max"),
        ("option_groups[0].options[0].name", "empty_name"),
        ("option_groups[0].options[0].price", "negative_price"),
        ("option_groups[0].options[0].max_qty", "option_max_qty"),
    ]
    unsatisfiable = msgspec.structs.replace(
        group, min=3, max=5, options=[Option(id="a", name="A", price=_cny(0))]
    )
    assert _fields(group_problems(unsatisfiable, "CNY")) == [("option_group.min", "group_min_over_options")]
    no_max = msgspec.structs.replace(group, min=0, max=0, options=[])
    assert ("option_group.max", "group_bounds") in _fields(group_problems(no_max, "CNY"))
    option = Option(id="o", name="O", price=_cny(1), max_qty=100)
    assert option_problems(option, "CNY")[0].limit == 99


def test_ids_are_unique_across_the_menu() -> None:
    menu = _menu()
    groups = list(menu.option_groups)
    options = list(groups[1].options)
    options[0] = msgspec.structs.replace(options[0], id=groups[0].options[0].id)  # an option id in two groups
    groups[1] = msgspec.structs.replace(groups[1], options=options)
    groups.append(groups[0])  # a group twice
    categories = [*menu.categories, menu.categories[0]]  # a category (and its items) twice
    broken = msgspec.structs.replace(menu, option_groups=groups, categories=categories)
    found = _fields(menu_problems(broken, "CNY"))
    assert ("option_groups[1].options[0].id", "duplicate_id") in found
    assert (f"option_groups[{len(groups) - 1}].id", "duplicate_id") in found
    assert (f"categories[{len(categories) - 1}].id", "duplicate_id") in found
    assert (f"categories[{len(categories) - 1}].items[0].id", "duplicate_id") in found


def test_the_menu_currency_is_the_stores() -> None:
    assert _fields(menu_problems(msgspec.structs.replace(_menu(), currency="USD"), "CNY"))[0] == (
        "currency",
        "currency",
    )


def test_item_problems_without_the_menu_skip_references() -> None:
    item = Item(id="x", name="X", price=_cny(100), option_group_ids=["ghost"])
    assert item_problems(item, "CNY") == []
    assert _fields(item_problems(item, "CNY", group_ids=["spice"])) == [
        ("item.option_group_ids", "unknown_option_group")
    ]


def test_every_code_has_a_text_in_both_languages() -> None:
    for lang in ("en", "zh"):
        texts = catalog(lang)
        assert {key for key in texts if key.startswith("menu.problem.")} == {
            f"menu.problem.{c}" for c in CODES
        }
    try:
        set_language("zh")
        assert "100" in problem_text(Problem("categories[0].name", "too_long", "x", 100))
        set_language("en")
        assert problem_text(Problem("price", "negative_price", "x")) == "A price cannot be negative."
    finally:
        set_language(None)


def test_normalize_takes_the_first_name_given() -> None:
    menu = _replace_item(
        _menu(), 0, 0, name="old", names=Names(zh="", en="Cucumber"), descriptions=Names(zh="凉拌", en="cold")
    )
    item = normalize(menu).categories[0].items[0]
    assert (item.name, item.description) == ("Cucumber", "凉拌")
    plain = _replace_item(_menu(), 0, 0, name="only one")
    assert normalize(plain).categories[0].items[0].name == "only one"  # no names: unchanged


_text = st.text(st.characters(codec="utf-8", exclude_categories=("Cs",)), max_size=8)


@given(name=_text, zh=_text, en=_text, group_zh=_text)
def test_normalize_is_idempotent_and_keeps_names(name: str, zh: str, en: str, group_zh: str) -> None:
    menu = _replace_item(_menu(), 0, 0, name=name, names=Names(zh=zh, en=en))
    menu = msgspec.structs.replace(
        menu,
        option_groups=[msgspec.structs.replace(menu.option_groups[0], names=Names(zh=group_zh))],
    )
    once = normalize(menu)
    assert normalize(once) == once
    item = once.categories[0].items[0]
    assert item.names == Names(zh=zh, en=en)
    assert item.name == (zh or en or name)
    assert once.option_groups[0].name == (group_zh or menu.option_groups[0].name)
    assert isinstance(once.categories[0], Category)
