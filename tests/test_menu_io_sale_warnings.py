"""What an import would put on sale that the editor's publish asks about (a line at a price of 0, a line still
called "New item"): `menu_io.sale_warnings` names each by its CSV line, in the editor's words, and leaves alone what
the published menu already has on sale so."""

from __future__ import annotations

import msgspec
import pytest

from o2o_tui import menu_io
from o2o_tui.domain.menu import Menu
from o2o_tui.i18n import set_language, t
from o2o_tui.menu_io import CSV_COLUMNS
from tests.test_menu_io import demo, sheet_bytes, sheet_rows


@pytest.fixture(autouse=True)
def english() -> None:
    set_language("en")


def cell(name: str) -> int:
    return CSV_COLUMNS.index(name)


def _row_of(rows: list[list[str]], item_id: str) -> int:
    """The index in `rows` (the header is 0) of the item's row: its CSV line is this plus 1."""
    return next(index for index, row in enumerate(rows) if row[cell("item_id")] == item_id)


def _set_price(menu: Menu, item_id: str, amount: int) -> Menu:
    categories = [
        msgspec.structs.replace(
            category,
            items=[
                msgspec.structs.replace(item, price=msgspec.structs.replace(item.price, amount=amount))
                if item.id == item_id
                else item
                for item in category.items
            ],
        )
        for category in menu.categories
    ]
    return msgspec.structs.replace(menu, categories=categories)


def test_a_free_line_and_a_placeholder_line_are_named_by_their_csv_line() -> None:
    published = demo()
    rows = sheet_rows(published)
    free = _row_of(rows, "mapo-tofu")
    rows[free][cell("price")] = "0"
    new = list(rows[free])  # a new row (no id) still under the name the editor gives a new item
    new[cell("item_id")] = ""
    new[cell("name_zh")] = ""
    new[cell("name_en")] = t("menu_editor.new.item")
    new[cell("price")] = "12"
    rows.append(new)
    hidden = list(new)  # the same, hidden: not on sale, nothing to say
    hidden[cell("name_en")] = "Staff soup"
    hidden[cell("price")] = "0"
    hidden[cell("hidden")] = "yes"
    rows.append(hidden)

    sheet = menu_io.read_csv(sheet_bytes(rows), published)
    warned = menu_io.sale_warnings(published, sheet.menu, sheet.lines)

    assert [(w.line, w.codes) for w in warned] == [(free + 1, ("free_item",)), (len(rows) - 1, ("placeholder_name",))]
    assert warned[0].entity_id == "mapo-tofu"
    said = [menu_io.describe_warning(w) for w in warned]
    assert said[0].startswith(f"row {free + 1} (") and t("menu.warning.free_item") in said[0]
    assert said[1] == f"row {len(rows) - 1} (New item): {t('menu.warning.placeholder_name')}"
    set_language("zh")
    assert menu_io.describe_warning(warned[1]).startswith(f"第 {len(rows) - 1} 行（New item）：")
    assert menu_io.import_csv(sheet_bytes(rows), published) == sheet.menu  # the same menu as before


def test_a_line_already_on_sale_so_is_not_said_again() -> None:
    published = _set_price(demo(), "mapo-tofu", 0)  # free on the platform already (a free soup, say)
    rows = sheet_rows(published)
    sheet = menu_io.read_csv(sheet_bytes(rows), published)
    assert menu_io.sale_warnings(published, sheet.menu, sheet.lines) == []


def test_a_json_file_names_the_line_by_its_place() -> None:
    published = demo()
    imported = menu_io.import_json(menu_io.export_json(_set_price(published, "mapo-tofu", 0)))
    (warning,) = menu_io.sale_warnings(published, imported)
    assert warning.line == 0 and warning.field.startswith("categories[") and warning.field.endswith("]")
    assert menu_io.describe_warning(warning).startswith(warning.field + " (")
