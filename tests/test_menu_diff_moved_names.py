"""A move to another category names the item and both categories in the console's language, as the editor's tree
names them (and as the diff's other lines already did), not by their single stored text (the Chinese one of a
bilingual menu): the console's diff (`D` and the publish preview) and the `o2o menu import` preview's own lines.
In memory for the words; through the real server and the CLI for the import's dry run."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui import menu_draft, menu_edits
from o2o_tui.cli.menu import change_lines
from o2o_tui.domain.menu import Category, Item, Menu, Names
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from screens.menu_diff import diff_content, shown_names
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import COL, Cli, cli, rows_of, write_rows  # noqa: F401


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _menus() -> tuple[Menu, Menu]:
    """The published menu and a draft that moves mapo tofu from hot dishes to soups (all named in both languages)."""

    def cny(amount: int) -> Money:
        return Money(amount, "CNY")

    mapo = Item("mapo", "麻婆豆腐", cny(2600), names=Names("麻婆豆腐", "Mapo Tofu"))
    hot = Category("hot", "热菜", [mapo], names=Names("热菜", "Hot dishes"))
    soups = Category("soups", "汤", [], names=Names("汤", "Soups"))
    base = Menu("store-1", 3, "CNY", [hot, soups], [])
    moved = Menu("store-1", 3, "CNY", [Category("hot", "热菜", [], names=hot.names), soups], [])
    return base, menu_edits.add_item(moved, "soups", mapo)


def test_the_console_diff_says_the_move_in_the_console_language(english: None) -> None:
    base, draft = _menus()
    changes = menu_draft.diff(base, draft)
    moved = [c for c in changes if c.kind == "moved"]
    assert moved and moved[0].fields == ["category"] and (moved[0].before, moved[0].after) == ("热菜", "汤")
    text = str(diff_content(changes, names=shown_names(draft, base)))
    assert "Mapo Tofu" in text and "category: Hot dishes → Soups" in text, text
    assert "热菜" not in text and "汤" not in text and "麻婆豆腐" not in text, text
    set_language("zh")
    zh = str(diff_content(changes, names=shown_names(draft, base)))
    assert "热菜 → 汤" in zh and "麻婆豆腐" in zh, zh


def test_the_cli_lines_say_the_move_in_the_console_language(english: None) -> None:
    base, draft = _menus()
    lines = change_lines(menu_draft.diff(base, draft), draft, base)
    assert lines == ["> item mapo Mapo Tofu: category Hot dishes -> Soups"], lines
    set_language("zh")
    assert change_lines(menu_draft.diff(base, draft), draft, base) == ["> 菜品 mapo 麻婆豆腐：分类 热菜 -> 汤"]


def test_an_import_preview_names_the_moved_item_in_english(
    platform: RunningPlatform, cli: Cli, tmp_path: Path  # noqa: F811
) -> None:
    cli("sync", "--once")
    sheet = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(sheet))
    rows = rows_of(sheet.read_bytes())
    for row in rows[1:]:
        if row[COL["category_id"]] == "soups":
            row[COL["category_name_en"]] = "Soups EN"
    mapo = next(r for r in rows if r[COL["item_id"]] == "mapo-tofu")
    mapo[COL["name_en"]] = "Mapo Tofu EN"
    soup_row = next(r for r in rows if r[COL["category_id"]] == "soups")
    mapo[COL["category_id"]] = "soups"
    for column in ("category_name_zh", "category_name_en"):
        mapo[COL[column]] = soup_row[COL[column]]
    write_rows(sheet, rows)
    dry = cli("menu", "import", str(sheet), "--dry-run").stdout
    moved = [line for line in dry.splitlines() if line.startswith("> item mapo-tofu")]
    assert moved == ["> item mapo-tofu Mapo Tofu EN: category 热菜 Hot dishes -> Soups EN"], dry
