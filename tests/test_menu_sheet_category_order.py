"""h22: a sheet whose categories come in another order than the menu's is noticed (menu_io takes item order from a
sheet, never category order): `sheet_category_order_differs` on what `read_csv` makes of real sheets."""

from __future__ import annotations

from o2o_tui import menu_io
from o2o_tui.cli.menu_sheet_order import sheet_category_order_differs
from o2o_tui.i18n import catalog
from o2o_tui.platform.seed import demo_menu


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
