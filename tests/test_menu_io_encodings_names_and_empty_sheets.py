"""An outside tester's findings on menu files, each fixed:

- a CSV not all in one encoding (a UTF-8 sheet with one row pasted from a GB18030 one; a Latin-1 "Crème brûlée")
  is refused at the line and column where it stops being one, never read whole as GB18030 and published garbled
  (a GB18030 sheet, also one whose only non-ASCII text is a row of it, still reads);
- an English column added to a Chinese-only sheet renames the category and the item it finds by the name both
  have (ids and every other field kept), and a typo in one language neither adds a second category nor loses the
  item; a name matching two categories is refused at its row;
- a whole sheet with a header and no rows (an export that failed) is refused, exit 2, unless `--allow-empty`;
- a JSON menu's problems are all said in one go, an item with a bad required value included.
Against the real platform on loopback with a real cache where the CLI is the subject."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from o2o_tui import menu_io
from o2o_tui.cli.exits import Exit
from o2o_tui.domain.menu import Menu, Names
from o2o_tui.i18n import set_language, t
from o2o_tui.menu_io import MenuImportError
from tests.support.platform import RunningPlatform, api
from tests.test_menu_import_scripts import Cli, seed

EMPTY = Menu(store_id="s", version=1, currency="CNY", categories=[])


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def _problems(data: bytes, base: Menu = EMPTY) -> list[menu_io.ImportProblem]:
    with pytest.raises(MenuImportError) as refused:
        menu_io.import_csv(data, base)
    return refused.value.problems


# --- one encoding ----------------------------------------------------------------------------------------------

HEAD = "category_name_zh,name_zh,price\r\n"


def test_a_utf8_sheet_with_one_gb18030_row_is_refused_where_the_row_starts() -> None:
    for utf8_rows in ("面,牛肉面,18\r\n面,猪肉饺子,20\r\n", "面条,牛肉面条,18\r\n"):  # GB18030 reads the 2nd whole
        data = (HEAD + utf8_rows).encode() + "饭,扬州炒饭,15\r\n".encode("gb18030") + "饭,蛋炒饭,12\r\n".encode()
        [problem] = _problems(data)
        line = 2 + utf8_rows.count("\n")
        assert (problem.line, problem.column) == (line, 1), problem
        assert "UTF-8 (as line 2 is)" in problem.message and "0xB7" in problem.message  # 饭, as GB18030 writes it


def test_a_latin1_sheet_is_refused_at_its_first_accented_letter() -> None:
    data = "category_name_en,name_en,price\r\nDesserts,Cake,20\r\nDesserts,Crème brûlée,30\r\n".encode("latin-1")
    [problem] = _problems(data)
    assert (problem.line, problem.column) == (3, len("Desserts,Cr") + 1)
    assert "0xE8" in problem.message and "Latin-1" in problem.message
    set_language("zh")
    assert "西文编码" in menu_io.describe(_problems(data)[0])


def test_gb18030_sheets_still_read() -> None:
    whole = (HEAD + "面,牛肉面,18\r\n饺子,猪肉饺子,20\r\n").encode("gb18030")
    assert [c.name for c in menu_io.import_csv(whole, EMPTY).categories] == ["面", "饺子"]
    # ASCII is both: a sheet whose only text beyond it is GB18030 is a GB18030 sheet
    mostly_ascii = b"category_name_en,name_en,price\r\nRice,Plain rice,2\r\n" + "饭,扬州炒饭,15\r\n".encode("gb18030")
    assert [c.name for c in menu_io.import_csv(mostly_ascii, EMPTY).categories] == ["Rice", "饭"]


# --- one name is enough -------------------------------------------------------------------------------------------


def _one_item(menu: Menu) -> tuple[str, str, Names, Names]:
    [category] = menu.categories
    [item] = category.items
    return category.id, item.id, category.names, item.names


def test_an_english_column_added_to_a_chinese_sheet_renames_what_it_finds() -> None:
    first = menu_io.import_csv(f"{HEAD}面,牛肉面,18\r\n".encode(), EMPTY)
    category_id, item_id, _, _ = _one_item(first)
    first = _with_prep(first, 12)  # a field the sheet has no column for: kept when the item is found
    second = menu_io.import_csv("category_name_zh,category_name_en,name_zh,price\r\n面,Noodles,牛肉面,18\r\n".encode(), first)
    assert _one_item(second) == (category_id, item_id, Names("面", "Noodles"), Names("牛肉面", ""))
    third = menu_io.import_csv(
        "category_name_zh,category_name_en,name_zh,name_en,price\r\n面,Noodles,牛肉面,Beef noodles,18\r\n".encode(), second
    )
    assert _one_item(third) == (category_id, item_id, Names("面", "Noodles"), Names("牛肉面", "Beef noodles"))
    assert third.categories[0].items[0].prep_minutes == 12
    # a typo in one language: the same category and item, renamed (the preview says so), never a second one
    typo = menu_io.import_csv(
        "category_name_zh,category_name_en,name_zh,name_en,price\r\n面,Noodle,牛肉面,Beef noodle,18\r\n".encode(), third
    )
    assert _one_item(typo) == (category_id, item_id, Names("面", "Noodle"), Names("牛肉面", "Beef noodle"))


def _with_prep(menu: Menu, minutes: int) -> Menu:
    import msgspec

    [category] = menu.categories
    items = [msgspec.structs.replace(item, prep_minutes=minutes) for item in category.items]
    return msgspec.structs.replace(menu, categories=[msgspec.structs.replace(category, items=items)])


def test_a_second_row_with_a_typo_in_one_name_is_refused_not_a_second_category() -> None:
    base = menu_io.import_csv(
        "category_name_zh,category_name_en,name_zh,price\r\n饺子,Dumplings,猪肉饺子,20\r\n".encode(), EMPTY
    )
    sheet = "category_name_zh,category_name_en,name_zh,price\r\n饺子,Dumplings,猪肉饺子,20\r\n饺子,Dumpling,韭菜饺子,18\r\n"
    [problem] = _problems(sheet.encode(), base)
    assert (problem.line, problem.field) == (3, "category_name_en"), problem
    new = "category_name_zh,category_name_en,name_zh,price\r\n饭,Rice,炒饭,20\r\n饭,Rce,蛋饭,18\r\n"  # new ones too
    [problem] = _problems(new.encode(), base)
    assert (problem.line, problem.field) == (3, "category_name_en"), problem


def test_names_matching_two_categories_one_each_are_refused_at_their_row() -> None:
    base = menu_io.import_csv(
        "category_name_zh,category_name_en,name_zh,price\r\n饺子,Dumplings,猪肉饺子,20\r\n面,Noodles,牛肉面,18\r\n".encode(),
        EMPTY,
    )
    sheet = "category_name_zh,category_name_en,name_zh,price\r\n饺子,Noodles,猪肉饺子,20\r\n"
    [problem] = _problems(sheet.encode(), base)
    ids = [c.id for c in base.categories]
    assert problem.line == 2 and problem.field == "category_name_zh"
    assert problem.message == t("menu_cli.error.category_two_matches", ids=", ".join(ids))


def test_a_row_named_by_both_names_keeps_its_item_from_a_row_named_by_one() -> None:
    """Beef noodles (large) is a new dish sharing the Chinese name: the row with both names is the old item,
    whichever comes first."""
    sheet = "category_name_zh,name_zh,name_en,price\r\n面,牛肉面,Beef noodles,18\r\n"
    base = menu_io.import_csv(sheet.encode(), EMPTY)
    [old_id] = [i.id for c in base.categories for i in c.items]
    again = "category_name_zh,name_zh,name_en,price\r\n面,牛肉面,Beef noodles (large),22\r\n面,牛肉面,Beef noodles,18\r\n"
    menu = menu_io.import_csv(again.encode(), base)
    items = {item.names.en: item for c in menu.categories for item in c.items}
    assert items["Beef noodles"].id == old_id and items["Beef noodles (large)"].id != old_id


# --- a sheet with no rows ---------------------------------------------------------------------------------------


def test_a_header_only_sheet_is_refused_unless_allowed() -> None:
    base = menu_io.import_csv(f"{HEAD}面,牛肉面,18\r\n".encode(), EMPTY)
    [problem] = _problems(b"category_name_en,name_en,price\r\n", base)
    assert problem.message == t("menu_cli.error.no_rows") and "--allow-empty" in problem.message
    emptied = menu_io.import_csv(b"category_name_en,name_en,price\r\n", base, allow_empty=True)
    assert [c.items for c in emptied.categories] == [[]]
    # a partial sheet with no rows changes nothing; nor does an empty sheet of an empty menu
    assert menu_io.import_csv(b"item_id,price\r\n", base, partial=True) == base
    assert menu_io.import_csv(b"category_name_en,name_en,price\r\n", EMPTY) == EMPTY


def test_the_cli_refuses_a_header_only_sheet_and_imports_it_with_allow_empty(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    cli = Cli(tmp_path / "home", seed(platform).tokens["merchant"])
    cli.login(platform.url)
    cli("sync", "--once")
    sheet = tmp_path / "failed-export.csv"
    sheet.write_text("category_name_en,name_en,price\n", encoding="utf-8")
    refused = cli("menu", "import", str(sheet), code=Exit.USAGE)
    assert t("menu_cli.error.no_rows") in refused.stdout
    errors = json.loads(cli("menu", "import", str(sheet), "--json", code=Exit.USAGE).stderr.splitlines()[-1])
    assert errors["error"]["errors"][0]["message"] == t("menu_cli.error.no_rows")
    cli("menu", "import", str(sheet), "--dry-run", code=Exit.USAGE)
    assert _published_items(platform)  # nothing applied
    cli("menu", "import", str(sheet), "--allow-empty")
    assert _published_items(platform) == []


def _published_items(platform: RunningPlatform) -> list[str]:
    staff = api(platform, "merchant")
    try:
        menu = staff.get(f"/v1/stores/{seed(platform).store_id}/menu").json()
    finally:
        staff.close()
    return [item["id"] for category in menu["categories"] for item in category["items"]]


def test_the_cli_preview_of_an_added_english_column_is_a_rename(platform: RunningPlatform, tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home", seed(platform).tokens["merchant"])
    cli.login(platform.url)
    cli("sync", "--once")
    chinese = tmp_path / "zh.csv"
    chinese.write_text("category_name_zh,name_zh,price\n面,牛肉面,18\n", encoding="utf-8")
    cli("menu", "import", str(chinese))
    before = _published_items(platform)
    both = tmp_path / "both.csv"
    both.write_text("category_name_zh,category_name_en,name_zh,name_en,price\n面,Noodles,牛肉面,Beef noodles,18\n", "utf-8")
    changes = cli.json("menu", "import", str(both), "--dry-run")["changes"]
    assert changes and {change["kind"] for change in changes} == {"changed"}, changes  # no item added, none removed
    cli("menu", "import", str(both))
    assert _published_items(platform) == before


# --- JSON: every problem at once ------------------------------------------------------------------------------------


def test_an_item_with_a_bad_required_value_has_its_other_problems_said_too() -> None:
    menu = {
        "store_id": "s", "version": 1, "currency": "CNY",
        "categories": [{"id": "c", "name": "C", "items": [
            {"id": "a", "name": 5, "price": {"amount": 12.5, "currency": "CNY"}, "prep_minutes": "ten", "hidden": "x"},
            {"id": "b", "price": {"amount": -1, "currency": "CNY"}, "status": "NOPE"},
            {"id": "d", "name": "D", "price": {"amount": 100, "currency": "CNY"}, "option_group_ids": ["nope"]},
        ]}],
        "option_groups": [{"id": "g", "name": "G", "min": "1", "max": "x", "options": [{"id": "o", "name": "O"}]}],
    }
    with pytest.raises(MenuImportError) as refused:
        menu_io.import_json(json.dumps(menu, indent=2).encode())
    assert [p.field for p in refused.value.problems] == [
        "categories[0].items[0].name",
        "categories[0].items[0].price.amount",
        "categories[0].items[0].prep_minutes",
        "categories[0].items[0].hidden",
        "categories[0].items[1]",  # its name is missing
        "categories[0].items[1].price.amount",
        "categories[0].items[1].status",
        "categories[0].items[2].option_group_ids",
        "option_groups[0].min",
        "option_groups[0].max",
        "option_groups[0].options[0]",  # its price is missing
    ]
    assert all(p.line > 0 and p.column > 0 for p in refused.value.problems)
