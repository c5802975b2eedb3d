"""A menu sheet's name and description columns are one per language: editing one column changes only that
language, a column left as exported keeps what the menu has, and the import's preview shows the old text. The
demo menu's texts are single (one `name` for both languages, an older menu's): the sheet has them as the Chinese
text with the English cell empty, as the editor does. Real CSV round trips: export, edit one cell, import (and, at
the end, `o2o menu import --dry-run` and the import itself against the real platform on loopback)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import msgspec
import pytest
from typer.testing import CliRunner

from o2o_tui import menu_io
from o2o_tui.cli import app
from o2o_tui.domain.menu import Item, Menu, Names
from o2o_tui.i18n import set_language
from o2o_tui.menu_draft import diff
from o2o_tui.menu_io import CSV_COLUMNS
from o2o_tui.platform.seed import demo_menu
from tests.support.platform import RunningPlatform, api

COL = {name: index for index, name in enumerate(CSV_COLUMNS)}
BEANS = "干煸四季豆 Dry-Fried Green Beans"  # the demo's single name
SMALL = "干煸四季豆（小份）"


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def rows_of(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def sheet(rows: list[list[str]], encoding: str = "utf-8-sig") -> bytes:
    out = io.StringIO()
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode(encoding)


def row(rows: list[list[str]], item_id: str) -> list[str]:
    return next(r for r in rows if r[COL["item_id"]] == item_id)


def item(menu: Menu, item_id: str) -> Item:
    return next(i for c in menu.categories for i in c.items if i.id == item_id)


def demo() -> Menu:
    return msgspec.structs.replace(demo_menu(), store_id="store-1")


def changed(old: Menu, new: Menu) -> set[tuple[str, tuple[str, ...], str | None, str | None]]:
    """(id, fields, before, after) of each change the import's preview says."""
    return {(c.id, tuple(c.fields), c.before, c.after) for c in diff(old, new) if c.kind == "changed"}


def test_a_single_name_is_exported_as_the_chinese_one_and_its_english_cell_empty() -> None:
    beans = row(rows_of(menu_io.export_csv(demo())), "dry-fried-beans")
    assert (beans[COL["name_zh"]], beans[COL["name_en"]]) == (BEANS, "")
    assert (beans[COL["category_name_zh"]], beans[COL["category_name_en"]]) == ("热菜 Hot dishes", "")


@pytest.mark.parametrize("encoding", ["utf-8-sig", "gb18030"])
def test_editing_only_the_chinese_name_of_a_single_name_sets_no_english_one(encoding: str) -> None:
    base = demo()
    rows = rows_of(menu_io.export_csv(base))
    row(rows, "dry-fried-beans")[COL["name_zh"]] = SMALL
    imported = menu_io.import_csv(sheet(rows, encoding), base)
    beans = item(imported, "dry-fried-beans")
    assert beans.name == SMALL and beans.names.en == "" and beans.names == Names()
    assert changed(base, imported) == {("dry-fried-beans", ("name",), BEANS, SMALL)}  # the old name shown
    # exported again: still no English name, and the same sheet changes nothing more
    assert row(rows_of(menu_io.export_csv(imported)), "dry-fried-beans")[COL["name_en"]] == ""
    assert menu_io.import_csv(sheet(rows, encoding), imported) == imported


def test_a_sheet_exported_with_the_single_name_in_both_columns_reads_the_same() -> None:
    """What the export wrote before: the single name under name_en too. That cell untouched is no English name."""
    base = demo()
    rows = rows_of(menu_io.export_csv(base))
    for r in rows[1:]:
        r[COL["name_en"]] = r[COL["name_zh"]]
        r[COL["category_name_en"]] = r[COL["category_name_zh"]]
    assert menu_io.import_csv(sheet(rows), base) == base
    row(rows, "dry-fried-beans")[COL["name_zh"]] = SMALL
    imported = menu_io.import_csv(sheet(rows, "gb18030"), base)
    assert item(imported, "dry-fried-beans") == msgspec.structs.replace(
        item(base, "dry-fried-beans"), name=SMALL
    )
    assert changed(base, imported) == {("dry-fried-beans", ("name",), BEANS, SMALL)}


def test_editing_only_the_english_cell_of_a_single_text_keeps_the_chinese_one() -> None:
    base = demo()
    rows = rows_of(menu_io.export_csv(base))
    row(rows, "dry-fried-beans")[COL["name_en"]] = "Dry-Fried Green Beans"
    row(rows, "yuxiang-pork")[COL["description_en"]] = "Sweet, sour and spicy"
    imported = menu_io.import_csv(sheet(rows), base)
    beans = item(imported, "dry-fried-beans")
    assert beans.names == Names(zh=BEANS, en="Dry-Fried Green Beans") and beans.name == BEANS
    pork = item(imported, "yuxiang-pork")
    assert pork.descriptions == Names(zh=item(base, "yuxiang-pork").description, en="Sweet, sour and spicy")
    assert pork.names == Names() and pork.name == item(base, "yuxiang-pork").name  # its name untouched


def bilingual() -> Menu:
    """The demo menu after someone gave the first category and item a name per language."""
    menu = demo()
    first = menu.categories[0]
    chicken = msgspec.structs.replace(
        first.items[0], name="宫保鸡丁", names=Names(zh="宫保鸡丁", en="Kung Pao Chicken")
    )
    category = msgspec.structs.replace(
        first, name="热菜", names=Names(zh="热菜", en="Hot dishes"), items=[chicken, *first.items[1:]]
    )
    return msgspec.structs.replace(menu, categories=[category, *menu.categories[1:]])


@pytest.mark.parametrize(
    ("column", "text", "names"),
    [
        ("name_zh", "宫保鸡丁（微辣）", Names(zh="宫保鸡丁（微辣）", en="Kung Pao Chicken")),
        ("name_en", "Kung Pao Chicken (mild)", Names(zh="宫保鸡丁", en="Kung Pao Chicken (mild)")),
    ],
)
def test_one_language_of_a_bilingual_name_changes_only_that_language(
    column: str, text: str, names: Names
) -> None:
    base = bilingual()
    rows = rows_of(menu_io.export_csv(base))
    old = row(rows, "kung-pao-chicken")[COL[column]]
    row(rows, "kung-pao-chicken")[COL[column]] = text
    imported = menu_io.import_csv(sheet(rows, "gb18030"), base)
    assert item(imported, "kung-pao-chicken").names == names
    language = column.removeprefix("name_")
    assert changed(base, imported) == {("kung-pao-chicken", (f"names.{language}",), old, text)}


def test_a_category_name_cell_changes_only_its_language() -> None:
    base = demo()
    rows = rows_of(menu_io.export_csv(base))
    for r in rows[1:]:
        if r[COL["category_id"]] == "soups":
            r[COL["category_name_zh"]] = "汤羹"
    imported = menu_io.import_csv(sheet(rows), base)
    soups = next(c for c in imported.categories if c.id == "soups")
    assert (soups.name, soups.names) == ("汤羹", Names())
    assert changed(base, imported) == {("soups", ("name",), "汤 Soups", "汤羹")}
    for r in rows[1:]:
        if r[COL["category_id"]] == "soups":
            r[COL["category_name_en"]] = "Soup"
    soups = next(c for c in menu_io.import_csv(sheet(rows), base).categories if c.id == "soups")
    assert soups.names == Names(zh="汤羹", en="Soup")
    # found by its names (no id), as exported or as sheets exported before had them
    rows = rows_of(menu_io.export_csv(base))
    for r in rows[1:]:
        r[COL["category_id"]] = ""
    assert menu_io.import_csv(sheet(rows), base) == base
    for r in rows[1:]:
        r[COL["category_name_en"]] = r[COL["category_name_zh"]]
    assert menu_io.import_csv(sheet(rows), base) == base


def test_rows_without_ids_find_single_name_items_by_either_export() -> None:
    base = demo()
    rows = rows_of(menu_io.export_csv(base))
    keep = [COL["category_id"], COL["name_zh"], COL["name_en"], COL["price"]]
    narrow = [[r[i] for i in keep] for r in rows]
    assert menu_io.import_csv(sheet(narrow), base) == base
    both = [narrow[0]] + [[r[0], r[1], r[1], r[3]] for r in narrow[1:]]
    assert menu_io.import_csv(sheet(both), base) == base


# --- the report's steps, with the CLI and the real platform ------------------------------------------------------


class Cli:
    def __init__(self, home: Path) -> None:
        self.home = home

    def __call__(self, *args: str, lang: str = "en") -> Any:
        env: dict[str, str | None] = {"O2O_HOME": str(self.home), "O2O_LANG": lang, "NO_COLOR": "1"}
        env |= {"COLUMNS": "200", "O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.exit_code, result.stdout, result.stderr)
        return result


def server_item(platform: RunningPlatform, item_id: str) -> dict[str, Any]:
    assert platform.seed is not None
    merchant = api(platform, "merchant")
    try:
        menu = merchant.get(f"/v1/stores/{platform.seed.store_id}/menu").json()
    finally:
        merchant.close()
    return next(i for c in menu["categories"] for i in c["items"] if i["id"] == item_id)


def test_import_of_a_chinese_name_edit_previews_the_old_name_and_sets_no_english_one(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    cli = Cli(tmp_path / "home")
    cli("login", "--url", platform.url, "--token", platform.seed.tokens["merchant"])
    exported = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(exported))
    rows = rows_of(exported.read_bytes())
    assert row(rows, "dry-fried-beans")[COL["name_en"]] == ""
    row(rows, "dry-fried-beans")[COL["name_zh"]] = SMALL
    edited = tmp_path / "menu_gb.csv"
    edited.write_bytes(sheet(rows, "gb18030"))  # as a Chinese spreadsheet saves it

    dry = cli("menu", "import", str(edited), "--dry-run", lang="zh").stdout
    said = [line for line in dry.splitlines() if line.startswith("~")]
    assert said == [f"~ 菜品 dry-fried-beans {SMALL}：名称：{BEANS} -> {SMALL}"]
    assert server_item(platform, "dry-fried-beans")["name"] == BEANS  # a dry run changes nothing

    done = json.loads(cli("menu", "import", str(edited), "--json").stdout)
    assert [(c["id"], c["fields"]) for c in done["changes"]] == [("dry-fried-beans", ["name"])]
    beans = server_item(platform, "dry-fried-beans")
    assert beans["name"] == SMALL and beans.get("names", {}).get("en", "") == ""

    # then only the English cell: the Chinese name stays, the preview shows the English one was empty
    again = tmp_path / "again.csv"
    cli("menu", "export", "-o", str(again))
    rows = rows_of(again.read_bytes())
    assert (
        row(rows, "dry-fried-beans")[COL["name_zh"]] == SMALL
        and row(rows, "dry-fried-beans")[COL["name_en"]] == ""
    )
    row(rows, "dry-fried-beans")[COL["name_en"]] = "Dry-Fried Green Beans (small)"
    again.write_bytes(sheet(rows))
    dry = cli("menu", "import", str(again), "--dry-run").stdout
    assert "name (en):  -> Dry-Fried Green Beans (small)" in dry
    cli("menu", "import", str(again))
    beans = server_item(platform, "dry-fried-beans")
    assert beans["names"] == {"zh": SMALL, "en": "Dry-Fried Green Beans (small)"} and beans["name"] == SMALL
