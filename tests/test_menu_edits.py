"""Menu edits (o2o_tui/menu_edits.py): each returns a new menu; prices typed as text become minor units."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from o2o_tui import menu_edits as edits
from o2o_tui.domain.menu import Availability, Category, Item, Menu, Names, Option, OptionGroup
from o2o_tui.domain.money import Money


def _menu() -> Menu:
    cny = "CNY"
    return Menu(
        store_id="s1",
        version=3,
        currency=cny,
        categories=[
            Category(
                id="mains",
                name="主食",
                names=Names(zh="主食", en="Mains"),
                items=[
                    Item(id="noodles", name="牛肉面", names=Names(zh="牛肉面", en="Beef noodles"),
                         price=Money(2800, cny), option_group_ids=["size", "spice"]),
                    Item(id="rice", name="Fried rice", price=Money(2200, cny), option_group_ids=["size"]),
                    Item(id="dumplings", name="饺子", price=Money(1800, cny),
                         status=Availability.UNAVAILABLE),
                ],
            ),
            Category(id="drinks", name="Drinks", items=[Item(id="tea", name="Tea", price=Money(600, cny))]),
        ],
        option_groups=[
            OptionGroup(id="size", name="Size", min=1, max=1, options=[
                Option(id="small", name="Small", price=Money(0, cny)),
                Option(id="large", name="Large", price=Money(500, cny)),
            ]),
            OptionGroup(id="spice", name="辣度", min=0, max=1, options=[
                Option(id="mild", name="微辣", price=Money(0, cny)),
            ]),
        ],
    )  # fmt: skip


def _item_ids(menu: Menu) -> list[str]:
    return [i.id for c in menu.categories for i in c.items]


@pytest.mark.parametrize(
    ("text", "currency", "amount"),
    [
        ("12.5", "CNY", 1250),
        ("12.50", "CNY", 1250),
        ("12", "CNY", 1200),
        (" ¥ 0.99 ", "CNY", 99),
        ("１２．５", "CNY", 1250),  # full-width, as a Chinese input method types it
        ("1,200", "JPY", 1200),
        ("1200.0", "JPY", 1200),
        (".5", "USD", 50),
        ("0", "EUR", 0),
        # as spreadsheets write them: a decimal comma (it read "12,50" as 1,250.00), groups, a symbol or code after
        ("12,50", "EUR", 1250),
        ("12,5", "EUR", 1250),
        ("1.200,50", "EUR", 120050),
        ("1,200.50", "USD", 120050),
        ("12,500", "CNY", 1250000),
        ("12.5 €", "EUR", 1250),
        ("EUR 4.5", "EUR", 450),
        ("4.5eur", "EUR", 450),
    ],
)
def test_price_from_text(text: str, currency: str, amount: int) -> None:
    assert edits.price_from_text(text, currency) == Money(amount, currency)


@pytest.mark.parametrize(
    ("text", "currency", "code"),
    [
        ("12.345", "CNY", "too_many_decimals"),
        ("12.5", "JPY", "too_many_decimals"),
        ("-1", "CNY", "negative_price"),
        ("", "CNY", "not_a_number"),
        ("abc", "CNY", "not_a_number"),
        ("1e5", "CNY", "not_a_number"),
        ("1" * 40, "CNY", "not_a_number"),
        ("NaN", "CNY", "not_a_number"),
        ("1,5,0", "EUR", "not_a_number"),
        ("12,50", "JPY", "too_many_decimals"),
        ("USD 4", "EUR", "not_a_number"),
    ],
)
def test_price_from_text_refuses(text: str, currency: str, code: str) -> None:
    with pytest.raises(edits.EditError) as caught:
        edits.price_from_text(text, currency)
    assert caught.value.code == code
    assert caught.value.text()  # a message in the current language


@given(st.integers(min_value=0, max_value=10**10), st.sampled_from(["CNY", "USD", "EUR", "JPY", "KRW"]))
def test_price_text_round_trips(amount: int, currency: str) -> None:
    money = Money(amount, currency)
    assert edits.price_from_text(edits.price_text(money), currency) == money


def test_price_text_uses_the_currency_decimals() -> None:
    assert edits.price_text(Money(1250, "CNY")) == "12.50"
    assert edits.price_text(Money(5, "USD")) == "0.05"
    assert edits.price_text(Money(1200, "JPY")) == "1200"


def test_edits_return_new_menus_and_leave_the_old_one() -> None:
    menu = _menu()
    before = _menu()
    edited = edits.update_item(
        menu, "rice", price=Money(2500, "CNY"), names=Names(zh="炒饭", en="Fried rice")
    )
    assert menu == before
    rice = edits.find(edited, "item", "rice")
    assert isinstance(rice, Item)
    assert rice.price.amount == 2500
    assert rice.name == "炒饭"  # the name follows names (zh first)
    with pytest.raises(edits.EditError) as caught:
        edits.update_item(menu, "nope", price=Money(1, "CNY"))
    assert caught.value.code == "unknown_id"
    with pytest.raises(TypeError):
        edits.update_item(menu, "rice", colour="red")


def test_add_refuses_a_taken_id_of_any_kind() -> None:
    menu = _menu()
    added = edits.add_item(menu, "drinks", Item(id="cola", name="Cola", price=Money(500, "CNY")), index=0)
    assert _item_ids(added)[-2:] == ["cola", "tea"]
    with pytest.raises(edits.EditError) as caught:
        edits.add_item(menu, "drinks", Item(id="size", name="x", price=Money(1, "CNY")))
    assert caught.value.code == "duplicate_id"
    added = edits.add_option(menu, "spice", Option(id="hot", name="特辣", price=Money(0, "CNY")))
    assert [o.id for o in added.option_groups[1].options] == ["mild", "hot"]
    added = edits.add_category(menu, Category(id="sides", name="Sides", items=[]), index=1)
    assert [c.id for c in added.categories] == ["mains", "sides", "drinks"]
    added = edits.add_option_group(menu, OptionGroup(id="extra", name="Extra", min=0, max=3, options=[]))
    assert [g.id for g in added.option_groups] == ["size", "spice", "extra"]


def test_deleting_a_group_removes_it_from_every_item() -> None:
    menu = edits.delete(_menu(), "group", "size")
    assert [g.id for g in menu.option_groups] == ["spice"]
    assert all("size" not in i.option_group_ids for c in menu.categories for i in c.items)
    assert edits.delete(_menu(), "category", "mains").categories[0].id == "drinks"
    assert "mild" not in edits.all_ids(edits.delete(_menu(), "option", "mild"))
    assert "tea" not in _item_ids(edits.delete(_menu(), "item", "tea"))


def test_duplicate_places_a_copy_after_the_original_with_a_new_id() -> None:
    menu, copy_id = edits.duplicate_item(_menu(), "dumplings")
    assert re.fullmatch(r"dumplings_copy-[a-z0-9]{6}", copy_id)
    assert _item_ids(menu) == ["noodles", "rice", "dumplings", copy_id, "tea"]
    copy = edits.find(menu, "item", copy_id)
    assert isinstance(copy, Item) and copy.name == "饺子"
    assert copy.status is Availability.AVAILABLE  # availability is the live menu's, not copied
    menu, second = edits.duplicate_item(menu, "dumplings")
    assert second != copy_id and second.startswith("dumplings_copy-")
    menu, of_copy = edits.duplicate_item(menu, copy_id)  # a copy of a copy: not dumplings_copy-..._copy-...
    assert of_copy not in (copy_id, second) and re.fullmatch(r"dumplings_copy-[a-z0-9]{6}", of_copy)
    menu, category_copy = edits.duplicate(_menu(), "category", "drinks")
    assert [c.id for c in menu.categories] == ["mains", "drinks", category_copy]
    assert len(edits.all_ids(menu)) == len(edits.all_ids(_menu())) + 2  # the category and its one item
    menu, group_copy = edits.duplicate(_menu(), "group", "size")
    assert len(edits.all_ids(menu)) == len(edits.all_ids(_menu())) + 3


def test_move_reorders_within_the_parent_and_stops_at_the_ends() -> None:
    menu = _menu()
    assert _item_ids(edits.move(menu, "item", "rice", -1))[:3] == ["rice", "noodles", "dumplings"]
    assert _item_ids(edits.move(menu, "item", "rice", 5))[:3] == ["noodles", "dumplings", "rice"]
    assert edits.move(menu, "item", "noodles", -1) is menu
    assert [c.id for c in edits.move(menu, "category", "drinks", -1).categories] == ["drinks", "mains"]
    assert [o.id for o in edits.move(menu, "option", "large", -1).option_groups[0].options] == [
        "large",
        "small",
    ]
    moved = edits.move_item_to(menu, "tea", "mains", 0)
    assert _item_ids(moved) == ["tea", "noodles", "rice", "dumplings"]


def test_set_hidden_for_a_selection_of_items_and_options() -> None:
    menu = edits.set_hidden(_menu(), ["rice", "tea", "large"], True)
    hidden = {i.id for c in menu.categories for i in c.items if i.hidden}
    assert hidden == {"rice", "tea"}
    assert [o.hidden for o in menu.option_groups[0].options] == [False, True]
    with pytest.raises(edits.EditError):
        edits.set_hidden(_menu(), ["rice", "ghost"], True)


def test_search_finds_names_in_either_language_ignoring_case() -> None:
    menu = _menu()
    assert edits.search(menu, "beef") == [("item", "noodles")]
    assert edits.search(menu, "牛肉") == [("item", "noodles")]
    assert edits.search(menu, "MAINS") == [("category", "mains")]
    assert edits.search(menu, "辣") == [("group", "spice"), ("option", "mild")]
    assert edits.search(menu, "  ") == []


def test_new_id_is_clean_and_unused() -> None:
    menu = _menu()
    assert re.fullmatch(r"rice-[a-z0-9]{6}", edits.new_id(menu, "rice"))
    assert re.fullmatch(r"id-[a-z0-9]{6}", edits.new_id(menu, "新 菜!"))
    assert re.fullmatch(r"Hot_Pot-[a-z0-9]{6}", edits.new_id(menu, "Hot Pot"))
    assert len(edits.new_id(menu, "x" * 100)) == 64  # the platform's id rule: 1 to 64
