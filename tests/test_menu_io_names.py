"""A sheet without an `item_id` column names each item by its name: the same name twice in one category is one
item on two lines (a row copied to correct its price, say), refused like an id twice, naming both lines; the
same name in two categories is two items, and a name the menu has in several categories finds the row's own."""

from __future__ import annotations

import pytest

from o2o_tui import menu_io
from o2o_tui.domain.menu import Category, Item, Menu, Names
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from o2o_tui.menu_io import MenuImportError


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def noodle_bar() -> Menu:
    def item(item_id: str, zh: str, en: str, price: int) -> Item:
        return Item(id=item_id, name=zh, names=Names(zh=zh, en=en), price=Money(price, "CNY"))

    return Menu(
        store_id="store-1",
        version=3,
        currency="CNY",
        categories=[
            Category(
                id="category-1",
                name="面",
                names=Names(zh="面", en="Noodles"),
                items=[
                    item("item-1", "牛肉面", "Beef noodle soup", 2900),
                    item("item-2", "可乐", "Cola", 500),
                ],
            ),
            Category(
                id="category-2",
                name="套餐",
                names=Names(zh="套餐", en="Combos"),
                items=[item("item-3", "可乐", "Cola", 400)],
            ),
        ],
    )


def problems(sheet: str, *, partial: bool = True) -> list[menu_io.ImportProblem]:
    with pytest.raises(MenuImportError) as caught:
        menu_io.import_csv(sheet.encode(), noodle_bar(), partial=partial)
    return caught.value.problems


def test_a_name_twice_in_one_category_is_refused_naming_both_lines() -> None:
    sheet = "category_name_en,name_en,price\r\nNoodles,Beef noodle soup,30\r\nNoodles,Beef noodle soup,31\r\n"
    (problem,) = problems(sheet)
    assert (problem.line, problem.column, problem.field) == (3, 2, "name_en")
    text = menu_io.describe(problem)
    assert text.startswith("row 3, column 2 (name_en): ") and "Beef noodle soup" in text and "row 2" in text
    # spaces and case do not make it another item; a new name twice is refused the same way
    again = (
        "category_name_en,name_en,price\r\nNoodles,Beef noodle soup,30\r\nNoodles,  beef NOODLE  soup ,31\r\n"
    )
    assert [(p.line, p.field) for p in problems(again)] == [(3, "name_en")]
    new = "category_name_en,name_en,price\r\nNoodles,Lamb noodles,30\r\nNoodles,Lamb noodles,31\r\n"
    assert [(p.line, p.field) for p in problems(new, partial=False)] == [(3, "name_en")]


def test_a_name_twice_with_both_languages_points_at_the_chinese_name() -> None:
    sheet = (
        "category_id,name_zh,name_en,price\r\ncategory-1,牛肉面,Beef noodle soup,30\r\n"
        "category-1,牛肉面,Beef noodle soup,31\r\n"
    )
    (problem,) = problems(sheet)
    assert (problem.line, problem.column, problem.field) == (3, 2, "name_zh") and "牛肉面" in problem.message


def test_the_same_name_in_two_categories_is_each_categorys_own_item() -> None:
    sheet = "category_id,name_en,price\r\ncategory-2,Cola,4.50\r\ncategory-1,Cola,5.50\r\n"
    menu = menu_io.import_csv(sheet.encode(), noodle_bar(), partial=True)
    items = {
        item.id: (category.id, item.price.amount) for category in menu.categories for item in category.items
    }
    assert items == {
        "item-1": ("category-1", 2900),
        "item-2": ("category-1", 550),
        "item-3": ("category-2", 450),
    }
