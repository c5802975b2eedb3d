"""Whether a menu sheet (CSV) lists its categories in another order than the menu has them.

`menu_io.read_csv` takes the order of the items within a category from the sheet, but never the order of the
categories (they keep the menu's; a new one goes last): a person who moved a category's block in a spreadsheet
otherwise sees "0 changes" and no word why. `o2o menu import` says once where category order is set (the menu
editor's K / J). No I/O, no Textual.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def sheet_category_order_differs(imported: Any, lines: Mapping[str, int]) -> bool:
    """True when the categories the sheet's rows name come in the sheet (by the first line of each) in another
    order than in `imported` (the sheet applied to the menu: the menu's category order). `lines`: the CSV line of
    each item a row named (`read_csv`'s `lines`); a category no row names (a partial sheet) is left out."""
    firsts: list[tuple[int, str]] = []
    for category in imported.categories:
        named = [lines[item.id] for item in category.items if item.id in lines]
        if named:
            firsts.append((min(named), category.id))
    return [category_id for _, category_id in firsts] != [category_id for _, category_id in sorted(firsts)]
