"""The Chinese menu preview says a hidden item in words (已隐藏 / 显示, as the menu editor says it), not yes/no,
and its field labels take the full-width colon ("价格："): the CLI's import/publish preview, the console's diff
and its rebase screen. `--json` keeps the yes/no and the field paths for scripts."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui import menu_draft, menu_edits
from o2o_tui.cli.menu import change_lines
from o2o_tui.domain.menu import Category, Item, Menu
from o2o_tui.domain.money import Money
from o2o_tui.i18n import set_language
from screens.menu_diff import diff_content
from screens.menu_rebase import fields_of
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import COL, Cli, cli, rows_of, write_rows  # noqa: F401


@pytest.fixture
def chinese() -> Iterator[None]:
    set_language("zh")
    yield
    set_language(None)


def _changes() -> list[menu_draft.Change]:
    base = Menu(
        "store-1",
        3,
        "CNY",
        [Category("hot", "热菜", [Item("mapo", "麻婆豆腐", Money(2600, "CNY")), Item("tea", "茶", Money(800, "CNY"))])],
        [],
    )
    mine = menu_edits.update_item(base, "mapo", hidden=True, price=Money(2800, "CNY"))
    return menu_draft.diff(base, mine)


def test_the_console_diff_says_hidden_in_words_with_a_full_width_colon(chinese: None) -> None:
    text = str(diff_content(_changes()))
    assert "隐藏：显示 → 已隐藏" in text, text
    assert "价格：" in text and "价格:" not in text
    assert "是" not in text and "否" not in text and "yes" not in text


def test_the_cli_preview_says_hidden_in_words(chinese: None) -> None:
    lines = "\n".join(change_lines(_changes()))
    assert "隐藏：显示 -> 已隐藏" in lines, lines
    assert "yes" not in lines and "no" not in lines
    set_language("en")
    assert "hidden: shown -> hidden" in "\n".join(change_lines(_changes()))


def test_the_rebase_screen_says_hidden_in_words(chinese: None) -> None:
    hidden = menu_edits.update_item(_changes_base(), "mapo", hidden=True)
    fields = dict(fields_of(hidden.categories[0].items[0]))
    assert fields["hidden"] == "已隐藏"


def _changes_base() -> Menu:
    return Menu("store-1", 3, "CNY", [Category("hot", "热菜", [Item("mapo", "麻婆豆腐", Money(2600, "CNY"))])], [])


def test_a_zh_import_preview_of_a_hidden_item(platform: RunningPlatform, cli: Cli, tmp_path: Path) -> None:  # noqa: F811
    cli("sync", "--once")
    sheet = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(sheet))
    rows = rows_of(sheet.read_bytes())
    mapo = next(r for r in rows if r[COL["item_id"]] == "mapo-tofu")
    mapo[COL["hidden"]] = "yes"
    write_rows(sheet, rows)
    dry = cli("menu", "import", str(sheet), "--dry-run", lang="zh").stdout
    assert "隐藏：显示 -> 已隐藏" in dry, dry
    preview = json.loads(cli("menu", "import", str(sheet), "--dry-run", "--json").stdout)
    hidden = next(c for c in preview["changes"] if c["id"] == "mapo-tofu")
    assert (hidden["before"], hidden["after"]) == ("no", "yes")  # scripts keep the values
