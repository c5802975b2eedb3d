"""`o2o menu import` keeps what the file says and names what it cannot take, against the real platform with a real
cache: a JSON `name` that is none of its `names` becomes the Chinese text when there is none (the dry run shows
it, the platform stores it), and leaves `names.zh` as it is where there is one; an empty price cell is said as
empty; `--json` errors carry the sheet's `row` (and `line`, the same, for older scripts); a sheet's option groups
take the Chinese enumeration comma."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from o2o_tui.cli.exits import Exit
from o2o_tui.menu_edits import group_ids_from_text
from tests.support.platform import RunningPlatform, api
from tests.test_menu_import_scripts import Cli, seed


def _server_menu(platform: RunningPlatform) -> Any:
    staff = api(platform, "merchant")
    try:
        return staff.get(f"/v1/stores/{seed(platform).store_id}/menu").json()
    finally:
        staff.close()


def _logged_in(platform: RunningPlatform, tmp_path: Path) -> Cli:
    cli = Cli(tmp_path / "home", seed(platform).tokens["merchant"])
    cli.login(platform.url)
    cli("sync", "--once")
    return cli


def test_a_json_name_that_is_none_of_its_names_is_kept_as_the_chinese_one(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    cli = _logged_in(platform, tmp_path)
    exported = tmp_path / "cur.json"
    cli("menu", "export", "-o", str(exported))
    menu = json.loads(exported.read_text(encoding="utf-8"))
    group = next(g for g in menu["option_groups"] if g["id"] == "rice")
    group["name"], group["names"] = "小料", {"en": "Toppings"}
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(menu, ensure_ascii=False), encoding="utf-8")

    dry = cli("menu", "import", str(edited), "--dry-run", lang="zh").stdout
    assert "-> 小料" in dry and "-> Toppings" in dry  # what will really be stored, not "-> " (lost)
    cli("menu", "import", str(edited))
    stored = next(g for g in _server_menu(platform)["option_groups"] if g["id"] == "rice")
    assert stored["name"] == "小料" and stored["names"] == {"zh": "小料", "en": "Toppings"}


def test_a_json_name_beside_a_chinese_one_leaves_the_chinese_one(platform: RunningPlatform, tmp_path: Path) -> None:
    """An export with per-language names added keeps its old single `name` beside them: `names.zh` is what the
    platform stores (the dry run says so), and the import is not refused for it."""
    cli = _logged_in(platform, tmp_path)
    exported = tmp_path / "cur.json"
    cli("menu", "export", "-o", str(exported))
    menu = json.loads(exported.read_text(encoding="utf-8"))
    menu["option_groups"][1]["name"], menu["option_groups"][1]["names"] = "小料", {"zh": "加料", "en": "Toppings"}
    edited = tmp_path / "edited.json"
    edited.write_text(json.dumps(menu, ensure_ascii=False), encoding="utf-8")

    cli("menu", "import", str(edited), "--json")
    stored = _server_menu(platform)["option_groups"][1]
    assert stored["name"] == "加料" and stored["names"] == {"zh": "加料", "en": "Toppings"}


def test_an_empty_price_cell_is_said_empty_and_json_errors_carry_the_row(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    cli = _logged_in(platform, tmp_path)
    sheet = tmp_path / "prices.csv"
    # row 3's description holds a line break: row 4 (a spreadsheet's numbering) starts on text line 5
    sheet.write_text(
        "item_id,price,description_en\n"
        "cola,5.00,\n"
        'rice,3.00,"two\nlines"\n'
        "tsingtao,,\n",
        encoding="utf-8",
    )
    said = cli("menu", "import", str(sheet), "--partial", code=Exit.USAGE).stdout
    assert "row 4" in said and "price is empty" in said and ": ." not in said
    zh = cli("menu", "import", str(sheet), "--partial", code=Exit.USAGE, lang="zh").stdout
    assert "价格为空" in zh
    refused = cli("menu", "import", str(sheet), "--partial", "--json", code=Exit.USAGE)
    errors = json.loads(refused.stderr.splitlines()[-1])["error"]["errors"]
    assert [(e["row"], e["line"], e["field"]) for e in errors] == [(4, 4, "price")]


def test_a_sheet_and_the_editor_split_option_groups_alike(platform: RunningPlatform, tmp_path: Path) -> None:
    assert group_ids_from_text("spice，ice、rice; x ；y,z") == ["spice", "ice", "rice", "x", "y", "z"]
    cli = _logged_in(platform, tmp_path)
    sheet = tmp_path / "groups.csv"
    sheet.write_text("item_id,option_group_ids\ncola,ice、spice\n", encoding="utf-8")
    cli("menu", "import", str(sheet), "--partial")
    cola = next(i for c in _server_menu(platform)["categories"] for i in c["items"] if i["id"] == "cola")
    assert cola["option_group_ids"] == ["ice", "spice"]
    sheet.write_text("item_id,option_group_ids\ncola,ice、topping\n", encoding="utf-8")
    said = cli("menu", "import", str(sheet), "--partial", code=Exit.USAGE).stdout
    assert "topping" in said
