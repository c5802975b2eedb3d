"""Menu files: JSON and CSV export then import is the identity (hypothesis menus, CJK and emoji), and a bad file
is refused whole with the line and column of every problem.

The property tests draw fewer menus in the suite than in `python -m bench deep` (`size`: 20-30 against 40-70; new
ones every run)."""

from __future__ import annotations

import json
import re
import string
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import msgspec
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from o2o_tui import menu_io
from o2o_tui.domain.limits import PREP_MINUTES_MAX, PREP_MINUTES_MIN, PRICE_MAX, blank
from o2o_tui.domain.menu import Availability, Category, Item, Menu, Names, Option, OptionGroup
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from o2o_tui.menu_io import CSV_COLUMNS, ImportProblem, MenuImportError
from o2o_tui.platform.seed import demo_menu
from tests.support.deep import size


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


# --- generated menus --------------------------------------------------------------------------------------------

_ID_CHARS = string.ascii_letters + string.digits + "_-"
_CJK_EMOJI = "宫保鸡丁麻婆豆腐酸辣汤米饭饮料冰镇🌶️🍜🥟😀👨‍🍳"
# any printable text, CJK and emoji, and the characters a CSV or a spreadsheet treats specially
texts = st.text(
    alphabet=st.one_of(
        st.characters(blacklist_categories=("Cs",)),
        st.sampled_from(_CJK_EMOJI),
        st.sampled_from(list("=+-@'\t\r\n\",;")),
    ),
    max_size=15,
)
# a name is one line without control characters, a description may break lines (o2o_tui.domain.menu_rules)
_NOT_IN_A_NAME = re.compile("[\x00-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
_NOT_IN_A_DESCRIPTION = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")
# and not blank: spaces or zero-width characters alone name nothing (o2o_tui.domain.limits.blank)
named_texts = texts.map(lambda text: _NOT_IN_A_NAME.sub("", text)).filter(lambda text: not blank(text))
description_texts = texts.map(lambda text: _NOT_IN_A_DESCRIPTION.sub("", text))
moments = st.datetimes(
    min_value=datetime(2001, 1, 1),
    max_value=datetime(2098, 12, 31),
    timezones=st.sampled_from(
        [UTC, timezone(timedelta(hours=8)), timezone(timedelta(hours=-5, minutes=-30))]
    ),
)


def ids(prefix: str) -> st.SearchStrategy[str]:
    return st.text(alphabet=_ID_CHARS, min_size=1, max_size=10).map(lambda text: f"{prefix}{text}")


@st.composite
def names_and_name(draw: st.DrawFn) -> tuple[str, Names]:
    """Per-language names (name = the first non-empty, as a publish stores it), or an older single name."""
    if draw(st.booleans()):
        zh, en = draw(st.one_of(named_texts, st.just(""))), draw(named_texts)
        if draw(st.booleans()):
            zh, en = en, zh
        return (zh or en), Names(zh=zh, en=en)
    return draw(named_texts), Names()


@st.composite
def descriptions(draw: st.DrawFn) -> tuple[str, Names]:
    if draw(st.booleans()):
        zh, en = draw(description_texts), draw(description_texts)
        return (zh or en), Names(zh=zh, en=en)
    return draw(description_texts), Names()


@st.composite
def menus(draw: st.DrawFn) -> Menu:
    currency = draw(st.sampled_from(["CNY", "JPY", "USD"]))
    groups = []
    option_number = 0
    for index in range(draw(st.integers(0, 3))):
        options = []
        for _ in range(draw(st.integers(1, 3))):
            option_number += 1
            name, names = draw(names_and_name())
            options.append(
                Option(
                    id=f"o{option_number}",
                    name=name,
                    names=names,
                    price=Money(draw(st.integers(0, 5000)), currency),
                    max_qty=draw(st.integers(1, 3)),
                    status=draw(st.sampled_from(Availability)),
                    snooze_until=draw(st.none() | moments),
                    hidden=draw(st.booleans()),
                )
            )
        maximum = draw(st.integers(1, 5))
        name, names = draw(names_and_name())
        groups.append(
            OptionGroup(
                id=draw(ids(f"g{index}")),
                name=name,
                names=names,
                min=draw(st.integers(0, min(maximum, len(options)))),
                max=maximum,
                options=options,
            )
        )
    group_ids = [group.id for group in groups]
    categories = []
    item_number = 0
    for index in range(draw(st.integers(0, 4))):
        items = []
        for _ in range(draw(st.integers(0, 4))):
            item_number += 1
            name, names = draw(names_and_name())
            description, texts_by_language = draw(descriptions())
            items.append(
                Item(
                    id=draw(ids(f"i{item_number}-")),
                    name=name,
                    names=names,
                    description=description,
                    descriptions=texts_by_language,
                    price=Money(draw(st.integers(0, PRICE_MAX)), currency),
                    status=draw(st.sampled_from(Availability)),
                    snooze_until=draw(st.none() | moments),
                    hidden=draw(st.booleans()),
                    option_group_ids=draw(st.lists(st.sampled_from(group_ids), unique=True))
                    if group_ids
                    else [],
                    prep_minutes=draw(st.none() | st.integers(PREP_MINUTES_MIN, PREP_MINUTES_MAX)),
                )
            )
        name, names = draw(names_and_name())
        categories.append(Category(id=draw(ids(f"c{index}-")), name=name, names=names, items=items))
    return Menu(
        store_id=draw(ids("s")),
        version=draw(st.integers(1, 10**6)),
        currency=currency,
        categories=categories,
        option_groups=groups,
        updated_at=draw(st.none() | moments),
    )


@settings(max_examples=size(30, 70), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(menus())
def test_json_export_then_import_is_the_identity(menu: Menu) -> None:
    assert menu_io.import_json(menu_io.export_json(menu)) == menu


@settings(max_examples=size(30, 70), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(menus())
def test_csv_export_then_import_is_the_identity(menu: Menu) -> None:
    sheet = menu_io.export_csv(menu)
    assert menu_io.import_csv(sheet, menu) == menu
    # and applied to a menu whose items are gone (a sheet is the whole item list): the same items come back
    emptied = msgspec.structs.replace(
        menu, categories=[msgspec.structs.replace(c, items=[]) for c in menu.categories]
    )
    rebuilt = menu_io.import_csv(sheet, emptied)
    assert [[i.id for i in c.items] for c in rebuilt.categories] == [
        [i.id for i in c.items] for c in menu.categories
    ]


@settings(max_examples=size(20, 40), deadline=None)
@given(menus())
def test_gb18030_and_bom_less_sheets_read_the_same(menu: Menu) -> None:
    text = menu_io.export_csv(menu).decode("utf-8-sig")
    assert menu_io.import_csv(text.encode("utf-8"), menu) == menu
    assert menu_io.import_csv(text.encode("gb18030"), menu) == menu


# --- fixed cases ------------------------------------------------------------------------------------------------


def demo() -> Menu:
    return msgspec.structs.replace(demo_menu(), store_id="store-1")


def sheet_rows(menu: Menu) -> list[list[str]]:
    import csv
    import io

    return list(csv.reader(io.StringIO(menu_io.export_csv(menu).decode("utf-8-sig"), newline="")))


def sheet_bytes(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    import csv
    import io

    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def problems_of(data: bytes, base: Menu) -> list[ImportProblem]:
    with pytest.raises(MenuImportError) as caught:
        menu_io.import_csv(data, base)
    return caught.value.problems


def col(name: str) -> int:
    return CSV_COLUMNS.index(name) + 1


def test_the_sheet_has_the_documented_columns_a_bom_and_prices_as_decimals() -> None:
    data = menu_io.export_csv(demo())
    assert data.startswith(b"\xef\xbb\xbf") and b"\r\n" in data
    rows = sheet_rows(demo())
    assert rows[0] == list(CSV_COLUMNS)
    # the demo's texts are single (an older menu's): the Chinese cell, the English one empty, as the editor has it
    assert rows[1][:4] == ["hot-dishes", "热菜 Hot dishes", "", "kung-pao-chicken"]
    assert rows[1][col("price") - 1] == "38.00" and rows[1][col("option_group_ids") - 1] == "spice;rice"
    assert rows[1][col("availability") - 1] == "available" and rows[1][col("hidden") - 1] == "no"
    assert len(rows) == 1 + sum(len(c.items) for c in demo().categories)


def test_bad_rows_name_line_and_column_and_nothing_is_applied() -> None:
    rows = sheet_rows(demo())
    rows[2][col("price") - 1] = "-3.00"  # line 3: negative price
    rows[3][col("category_id") - 1] = "desserts"  # line 4: unknown category
    rows[4][col("option_group_ids") - 1] = "spice;sauce"  # line 5: unknown option group
    rows[5] = rows[5][:-2]  # line 6: missing cells
    rows[6][col("price") - 1] = "12.345"  # line 7: more decimals than CNY has
    rows[7][col("availability") - 1] = "gone"  # line 8
    found = {(p.line, p.column) for p in problems_of(sheet_bytes(rows), demo())}
    assert found == {
        (3, col("price")),
        (4, col("category_id")),
        (5, col("option_group_ids")),
        (6, 0),
        (7, col("price")),
        (8, col("availability")),
    }
    texts = [menu_io.describe(p) for p in problems_of(sheet_bytes(rows), demo())]
    assert texts[0].startswith("row 3, column 9 (price): ") and "negative" in texts[0]
    assert any("desserts" in text for text in texts) and any("sauce" in text for text in texts)


def test_a_missing_or_unknown_column_is_named_on_line_1() -> None:
    rows = sheet_rows(demo())
    without_price = [row[: col("price") - 1] + row[col("price") :] for row in rows]
    [problem] = problems_of(sheet_bytes(without_price), demo())
    assert (problem.line, problem.column) == (1, 0) and "price" in problem.message
    renamed = [list(row) for row in rows]
    renamed[0][col("price") - 1] = "pirce"
    found = problems_of(sheet_bytes(renamed), demo())
    assert {(p.line, p.column) for p in found} == {(1, 0), (1, col("price"))}
    assert problems_of(b"", demo())[0].line == 1


def test_bytes_that_are_neither_utf8_nor_gb18030_are_refused_with_their_place() -> None:
    data = menu_io.export_csv(demo()).replace("麻婆豆腐".encode(), b"\xff\xfe\x80", 1)
    [problem] = problems_of(data, demo())
    assert problem.line == 3 and problem.column > 1 and "0xFF" in problem.message


def test_a_file_over_10_mb_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.csv"
    head = menu_io.export_csv(demo())
    with big.open("wb") as out:
        out.write(head)
        row = head.splitlines()[1] + b"\r\n"
        out.write(row * (50 * 1024 * 1024 // len(row) + 1))
    assert big.stat().st_size > 50 * 1024 * 1024
    [problem] = problems_of(big.read_bytes(), demo())
    assert problem.line == 0 and "10 MB" in problem.message
    with pytest.raises(MenuImportError):
        menu_io.import_json(b" " * (menu_io.MAX_BYTES + 1))


def test_formula_cells_are_quoted_for_spreadsheets_and_round_trip_exactly() -> None:
    menu = demo()
    first = menu.categories[0].items[0]
    tricky = msgspec.structs.replace(
        first,
        name='=HYPERLINK("http://evil.example","click")',
        names=Names(zh='=HYPERLINK("http://evil.example","click")', en="'quoted"),
        descriptions=Names(zh="+1", en="@SUM(A1)"),
        description="+1",
    )
    menu = msgspec.structs.replace(
        menu,
        categories=[
            msgspec.structs.replace(menu.categories[0], items=[tricky, *menu.categories[0].items[1:]]),
            *menu.categories[1:],
        ],
    )
    row = sheet_rows(menu)[1]
    assert row[col("name_zh") - 1] == '\'=HYPERLINK("http://evil.example","click")'
    assert row[col("name_en") - 1] == "''quoted"
    assert row[col("description_zh") - 1] == "'+1" and row[col("description_en") - 1] == "'@SUM(A1)"
    assert not any(cell.startswith(("=", "+", "-", "@")) for r in sheet_rows(menu) for cell in r)
    assert menu_io.import_csv(menu_io.export_csv(menu), menu) == menu


def test_a_spreadsheet_edit_changes_only_what_it_changed() -> None:
    """New row with an empty id, a renamed item, a price, sold out until a time, hidden; an item left out goes."""
    base = demo()
    rows = sheet_rows(base)
    rows[1][col("name_en") - 1] = "Kung Pao Chicken"
    rows[1][col("name_zh") - 1] = "宫保鸡丁"
    rows[2][col("price") - 1] = "27.5"
    rows[3][col("availability") - 1] = "sold-out"
    rows[3][col("snooze_until") - 1] = "2030-01-01T14:30:00+08:00"
    rows[4][col("hidden") - 1] = "yes"
    del rows[5]
    rows.append(
        ["drinks", *rows[-1][1:3], "", "豆浆", "Soy milk", "", "", "4", "", "available", "", "no", "ice"]
    )
    menu = menu_io.import_csv(sheet_bytes(rows, "gb18030"), base)
    items = {item.id: item for c in menu.categories for item in c.items}
    old = {item.id: item for c in base.categories for item in c.items}
    assert items["kung-pao-chicken"].names == Names("宫保鸡丁", "Kung Pao Chicken")
    assert items["kung-pao-chicken"].name == "宫保鸡丁"
    assert items["mapo-tofu"].price == Money(2750, "CNY")
    assert items["yuxiang-pork"].snooze_until == datetime(2030, 1, 1, 6, 30, tzinfo=UTC)
    assert items["twice-cooked-pork"].hidden is True
    assert "boiled-fish" not in items
    [new_id] = set(items) - set(old)
    assert items[new_id].names == Names("豆浆", "Soy milk") and items[new_id].price == Money(400, "CNY")
    assert menu.categories[-1].items[-1].id == new_id and items[new_id].option_group_ids == ["ice"]
    unchanged = set(old) - {
        "kung-pao-chicken",
        "mapo-tofu",
        "yuxiang-pork",
        "twice-cooked-pork",
        "boiled-fish",
    }
    assert all(
        items[item_id] == old[item_id] for item_id in unchanged
    )  # older single names kept as they were


def test_json_problems_name_the_field_and_the_line() -> None:
    with pytest.raises(MenuImportError) as caught:
        menu_io.import_json(b'{"store_id": "s", "version": 1,\n  "currency": }')
    [problem] = caught.value.problems
    assert (problem.line, problem.column) == (2, 15)
    data = menu_io.export_json(demo()).replace(b'"amount": 3800', b'"amount": -3800', 1)
    with pytest.raises(MenuImportError) as caught:
        menu_io.import_json(data)
    [problem] = caught.value.problems
    assert problem.field == "categories[0].items[0].price.amount"
    unnamed = menu_io.export_json(demo()).replace('"name": "热菜 Hot dishes"'.encode(), b'"name": " "', 1)
    with pytest.raises(MenuImportError) as caught:
        menu_io.import_json(unnamed)
    assert [(p.field, p.message) for p in caught.value.problems] == [
        ("categories[0].name", "A name is needed, in at least one language.")
    ]
    with pytest.raises(MenuImportError) as caught:
        menu_io.import_json(menu_io.export_json(demo()), currency="USD")
    assert caught.value.problems[0].field == "currency"


def test_prices_are_typed_as_the_editor_takes_them() -> None:
    """The sheet reads prices with the editor's parser (o2o_tui.menu_edits): one rule for both."""
    rows = sheet_rows(demo())
    rows[1][col("price") - 1] = "¥ 1,200.5"
    rows[2][col("price") - 1] = "abc"
    assert menu_io.import_csv(sheet_bytes(rows[:2]), demo()).categories[0].items[0].price == Money(
        120050, "CNY"
    )
    [problem] = problems_of(sheet_bytes(rows), demo())
    assert (problem.line, problem.column) == (3, col("price")) and "abc" in problem.message


# --- sheets with fewer columns, in any order (a new store's menu from a spreadsheet) -------------------------------

_OPTIONAL = ("category_name_zh", "category_name_en", "name_zh", "description_zh", "description_en", "prep_minutes",
             "availability", "snooze_until", "hidden", "option_group_ids")


@settings(max_examples=size(25, 60), deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(menus(), st.sets(st.sampled_from(_OPTIONAL)), st.randoms(use_true_random=False))
def test_columns_left_out_keep_what_the_menu_has_in_any_order(menu: Menu, left_out: set[str], rnd) -> None:  # type: ignore[no-untyped-def]
    rows = sheet_rows(menu)
    kept = [index for index, name in enumerate(rows[0]) if name not in left_out]
    rnd.shuffle(kept)
    assert menu_io.import_csv(sheet_bytes([[row[i] for i in kept] for row in rows]), menu) == menu


def test_problems_name_the_files_own_columns_when_they_are_reordered() -> None:
    rows = sheet_rows(demo())
    order = list(reversed(range(len(CSV_COLUMNS))))  # price is column 7 of this file, not 9
    reordered = [[row[i] for i in order] for row in rows]
    reordered[2][order.index(col("price") - 1)] = "-3.00"
    [problem] = problems_of(sheet_bytes(reordered), demo())
    assert (problem.line, problem.column, problem.field) == (3, order.index(col("price") - 1) + 1, "price")
    assert menu_io.describe(problem).startswith("row 3, column 7 (price): ")


def test_a_new_stores_menu_from_three_columns() -> None:
    """What a merchant types from scratch: category, name, price (headers as people write them). Categories are
    added by name (rows with the same name share one), items get ids, everything else takes its default."""
    empty = Menu(store_id="store-1", version=1, currency="CNY", categories=[])
    sheet = "Category Name EN,name-en,Price\r\nNoodles,Beef noodles,12.50\r\nDrinks,Cola,3\r\nNoodles,Veg noodles,9.9\r\n"
    menu = menu_io.import_csv(sheet.encode(), empty)
    assert [(c.name, [(i.name, i.price.amount) for i in c.items]) for c in menu.categories] == [
        ("Noodles", [("Beef noodles", 1250), ("Veg noodles", 990)]),
        ("Drinks", [("Cola", 300)]),
    ]
    assert len({c.id for c in menu.categories}) == 2 and len({i.id for c in menu.categories for i in c.items}) == 3
    cola = menu.categories[1].items[0]
    assert cola.names == Names(zh="", en="Cola") and cola.status is Availability.AVAILABLE and not cola.hidden
    # the same sheet applied again to what it made changes nothing: rows find their items and categories by name
    assert menu_io.import_csv(sheet.encode(), menu) == menu


def test_without_item_ids_rows_update_the_items_of_the_same_name() -> None:
    base = demo()
    rows = sheet_rows(base)
    keep = [col("category_id") - 1, col("name_zh") - 1, col("name_en") - 1, col("price") - 1]
    narrow = [[row[i] for i in keep] for row in rows]
    narrow[1][3] = "40.00"
    menu = menu_io.import_csv(sheet_bytes(narrow), base)
    old = {item.id: item for c in base.categories for item in c.items}
    items = {item.id: item for c in menu.categories for item in c.items}
    assert set(items) == set(old)  # the same ids: matched by name, nothing deleted and added again
    first = base.categories[0].items[0]
    assert items[first.id] == msgspec.structs.replace(first, price=Money(4000, "CNY"))  # options etc. kept


def test_a_category_is_found_by_id_or_name_and_a_mistyped_id_is_refused() -> None:
    base = demo()
    rows = sheet_rows(base)
    rows[2][col("category_id") - 1] = "hot-dishs"  # a typo, with the hot dishes' own names: refused
    rows[3][col("category_id") - 1] = ""  # no id: found by its names
    rows[4][col("category_id") - 1] = "desserts"  # a new id with names of its own: a new category
    rows[4][col("category_name_zh") - 1] = "甜品"
    rows[4][col("category_name_en") - 1] = "Desserts"
    rows[5][col("category_id") - 1] = ""  # neither an id nor a name
    rows[5][col("category_name_zh") - 1] = rows[5][col("category_name_en") - 1] = ""
    found = problems_of(sheet_bytes(rows), base)
    assert {(p.line, p.column) for p in found} == {(3, col("category_id")), (6, col("category_id"))}
    assert "hot-dishs" in found[0].message and "no category" in found[1].message
    del rows[5]
    rows[2][col("category_id") - 1] = "hot-dishes"
    menu = menu_io.import_csv(sheet_bytes(rows), base)
    assert [c.id for c in menu.categories] == [c.id for c in base.categories] + ["desserts"]
    assert menu.categories[-1].names == Names(zh="甜品", en="Desserts") and len(menu.categories[-1].items) == 1
    assert rows[3][col("item_id") - 1] in {i.id for i in menu.categories[0].items}


def test_a_partial_sheet_changes_the_items_it_names_and_keeps_the_rest() -> None:
    """`partial`: two prices by name and one new item; every other item exactly as it was, in its place."""
    base = demo()
    first, second = base.categories[0].items[0], base.categories[0].items[1]
    sheet = f"category_id,name_en,price\r\n{base.categories[0].id},{second.name},99\r\n" \
        f"{base.categories[0].id},{first.name},1\r\n{base.categories[-1].id},Lemon tea,6\r\n"
    menu = menu_io.import_csv(sheet.encode(), base, partial=True)
    old = [[i.id for i in c.items] for c in base.categories]
    new = [[i.id for i in c.items] for c in menu.categories]
    assert new[:-1] == old[:-1] and new[-1][:-1] == old[-1] and len(new[-1]) == len(old[-1]) + 1
    items = {i.id: i for c in menu.categories for i in c.items}
    assert items[first.id] == msgspec.structs.replace(first, price=Money(100, "CNY"))
    assert items[second.id].price == Money(9900, "CNY") and items[new[-1][-1]].name == "Lemon tea"
    untouched = [i for c in base.categories for i in c.items if i.id not in (first.id, second.id)]
    assert all(items[i.id] == i for i in untouched)
    # the same sheet as the whole item list: everything it does not name is gone
    assert sum(len(c.items) for c in menu_io.import_csv(sheet.encode(), base).categories) == 3


def test_a_partial_sheet_moves_an_item_it_names_under_another_category() -> None:
    base = demo()
    moved = base.categories[0].items[1]
    sheet = f"category_id,item_id,name_en,price\r\n{base.categories[-1].id},{moved.id},{moved.name},5\r\n"
    menu = menu_io.import_csv(sheet.encode(), base, partial=True)
    assert moved.id not in [i.id for i in menu.categories[0].items]
    assert menu.categories[-1].items[-1] == msgspec.structs.replace(moved, price=Money(500, "CNY"))
    assert sum(len(c.items) for c in menu.categories) == sum(len(c.items) for c in base.categories)


def test_a_json_menu_reports_every_problem_not_only_the_first_bound() -> None:
    document = json.loads(menu_io.export_json(demo()))
    document["categories"][0]["items"][0]["price"]["amount"] = -5  # a bound the decoder stops at
    document["categories"][0]["items"][1]["option_group_ids"] = ["nope"]  # a rule only the menu rules see
    with pytest.raises(MenuImportError) as caught:
        menu_io.import_json(json.dumps(document).encode(), "CNY")
    fields = [problem.field for problem in caught.value.problems]
    assert fields[0] == "categories[0].items[0].price.amount"
    assert "categories[0].items[1].option_group_ids" in fields
    assert "categories[0].items[0].price" not in fields  # said once


def test_too_many_items_in_a_category_is_said_on_the_first_row_over_naming_the_category() -> None:
    from o2o_tui.domain.limits import MENU_ITEMS_MAX

    rows = sheet_rows(demo())
    template = rows[1]  # hot-dishes, line 2
    extra = []
    for number in range(MENU_ITEMS_MAX):
        row = list(template)
        row[col("item_id") - 1] = f"dish-{number}"
        extra.append(row)
    rows = [rows[0], *extra, *rows[1:]]  # the category's real items now come after 500 new ones
    [problem] = [p for p in problems_of(sheet_bytes(rows), demo()) if p.field == "category_id"]
    assert problem.line == 2 + MENU_ITEMS_MAX  # the 501st row of hot-dishes
    assert problem.column == col("category_id")
    assert "hot-dishes" in menu_io.describe(problem) and str(MENU_ITEMS_MAX) in menu_io.describe(problem)


def test_a_bad_name_is_one_problem_though_it_is_both_name_and_names_zh() -> None:
    """A row's name_zh becomes the item's `names.zh` and its `name`: one broken cell is said once."""
    base = demo()
    category = base.categories[0].id
    bad = ["Tab\tName", "Esc\x1b[31mRed", "New\nLine", "\u202eRLO", "NUL\x00", "C1\x9bx"]
    sheet = "category_id,name_zh,name_en,price\r\n" + "".join(
        f'{category},"{name}",n{index},1.00\r\n' for index, name in enumerate(bad)
    )
    for partial in (False, True):
        with pytest.raises(MenuImportError) as caught:
            menu_io.import_csv(sheet.encode(), base, partial=partial)
        found = [(p.line, p.column) for p in caught.value.problems]
        assert found == [(line, 2) for line in (2, 3, 4, 5, 6, 7)], found  # spreadsheet rows: the third row is row 4, though it takes lines 4 and 5
