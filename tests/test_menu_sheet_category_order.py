"""A sheet whose categories come in another order than the menu's is noticed (menu_io takes item order from a
sheet, never category order): `sheet_category_order_differs` on what `read_csv` makes of real sheets."""

from __future__ import annotations

from pathlib import Path

from o2o_tui import menu_io
from o2o_tui.cli.menu_sheet_order import sheet_category_order_differs
from o2o_tui.i18n import catalog
from o2o_tui.platform.seed import demo_menu
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli, cli  # noqa: F401


def _blocks() -> tuple[str, dict[str, list[str]]]:
    """The demo menu's sheet: its header line and each category's rows, in the menu's order."""
    text = menu_io.export_csv(demo_menu()).decode("utf-8-sig")
    header, *rows = text.splitlines()
    blocks: dict[str, list[str]] = {}
    for row in rows:
        blocks.setdefault(row.split(",", 1)[0], []).append(row)
    return header, blocks


def _differs(header: str, rows: list[str], *, partial: bool = False) -> bool:
    data = ("\r\n".join([header, *rows]) + "\r\n").encode("utf-8")
    sheet = menu_io.read_csv(data, demo_menu(), "CNY", partial=partial)
    return sheet_category_order_differs(sheet.menu, sheet.lines)


def test_a_moved_category_block_is_noticed_and_nothing_else_is() -> None:
    header, blocks = _blocks()
    order = list(blocks)
    assert len(order) >= 3
    as_is = [row for category in order for row in blocks[category]]
    assert not _differs(header, as_is)
    moved = [row for category in [order[-1], *order[:-1]] for row in blocks[category]]
    assert _differs(header, moved)
    # items reordered within their category: taken by the import, not a category move
    hot = blocks[order[0]]
    reordered = [*reversed(hot), *[row for category in order[1:] for row in blocks[category]]]
    assert not _differs(header, reordered)
    # a partial sheet of two categories in the menu's order, then the other way round
    assert not _differs(header, [*blocks[order[0]], *blocks[order[2]]], partial=True)
    assert _differs(header, [*blocks[order[2]], *blocks[order[0]]], partial=True)


def test_the_note_is_in_both_languages_and_names_the_keys() -> None:
    for lang in ("en", "zh"):
        note = catalog(lang)["menu_cli.import.category_order"]
        assert "o2o menu edit" in note and "K" in note


def test_the_import_says_it_once_and_export_writes_the_stores_clock(
    platform: RunningPlatform,
    cli: Cli,  # noqa: F811
    tmp_path: Path,
) -> None:
    sheet = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(sheet))
    header, *rows = sheet.read_text(encoding="utf-8-sig").splitlines()
    blocks: dict[str, list[str]] = {}
    for row in rows:
        blocks.setdefault(row.split(",", 1)[0], []).append(row)
    order = list(blocks)
    moved = [row for category in [order[-1], *order[:-1]] for row in blocks[category]]
    sheet.write_text("\r\n".join([header, *moved]) + "\r\n", encoding="utf-8-sig")
    said = cli("menu", "import", str(sheet), "--dry-run")
    assert said.stderr.count("o2o menu edit") == 1, said.stderr
    # sold out until 23:30 on the store's clock (Asia/Shanghai; the platform keeps UTC): the sheet says it as the
    # store's time with its offset
    cli("menu", "item", "status", "mapo-tofu", "sold-out", "--until", "23:30")
    cli("menu", "export", "-o", str(sheet))
    [row] = [row for row in sheet.read_text(encoding="utf-8-sig").splitlines() if ",mapo-tofu," in row]
    assert "T23:30:00+08:00" in row and "Z," not in row, row
