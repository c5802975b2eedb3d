"""A menu sheet's `option_group_ids` cell takes the option groups' names as well as their ids, as the menu editor's
field does (`o2o_tui/menu_io.py`, `menu_edits.groups_named`): a name in either language, exactly, case and width
aside ("辣度", "Spice level", "ＲＩＣＥ"). A name that finds no group, or two, is a bad row with its line number and
nothing of the sheet is applied. An export still writes ids."""

from __future__ import annotations

from pathlib import Path

import msgspec
import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.domain.menu import OptionGroup
from o2o_tui.menu_io import MenuImportError, describe, export_csv, import_csv
from o2o_tui.platform.seed import demo_menu
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli, rows_of, server_item

HEAD = "item_id,option_group_ids\r\n"


def _groups_of(data: str, base: object = None) -> list[str]:
    menu = import_csv((HEAD + data).encode("utf-8"), base or demo_menu(), partial=True)
    return next(i for c in menu.categories for i in c.items if i.id == "mapo-tofu").option_group_ids


@pytest.mark.parametrize(
    ("cell", "ids"),
    [
        ("spice;rice", ["spice", "rice"]),  # ids, as before
        ("辣度、加米饭", ["spice", "rice"]),
        ('"Spice level, Add rice"', ["spice", "rice"]),
        ("spice level；ADD RICE", ["spice", "rice"]),  # case aside
        ("ＳＰＩＣＥ　ＬＥＶＥＬ，加米饭", ["spice", "rice"]),  # full-width letters and space
        ("辣度 Spice level;rice", ["spice", "rice"]),  # the whole one-field name
        ("spice rice", ["spice", "rice"]),  # ids apart by a space, as before
        ("辣度;spice", ["spice"]),  # each group once
        ("", []),
    ],
)
def test_a_cell_takes_group_names_and_ids(cell: str, ids: list[str]) -> None:
    assert _groups_of(f"mapo-tofu,{cell}\r\n") == ids


def _problems(data: str, base: object = None) -> list[str]:
    with pytest.raises(MenuImportError) as refused:
        import_csv((HEAD + data).encode("utf-8"), base or demo_menu(), partial=True)
    return [describe(problem) for problem in refused.value.problems]


def test_an_unknown_name_is_a_bad_row_with_its_line() -> None:
    said = _problems("kung-pao-chicken,辣度\r\nmapo-tofu,辣度;甜度\r\n")
    assert len(said) == 1 and "3" in said[0] and "甜度" in said[0], said


def test_the_start_of_a_name_is_no_name_in_a_sheet() -> None:
    # the editor takes a unique start of a name; a sheet names a group whole
    said = _problems("mapo-tofu,Spi\r\n")
    assert len(said) == 1 and "Spi" in said[0], said


def test_a_name_two_groups_share_is_refused_naming_both() -> None:
    base = demo_menu()
    twin = OptionGroup(id="spice-2", name="辣度 Spice level", min=0, max=1, options=base.option_groups[0].options)
    twin = msgspec.structs.replace(twin, options=[msgspec.structs.replace(o, id=f"{o.id}-2") for o in twin.options])
    base = msgspec.structs.replace(base, option_groups=[*base.option_groups, twin])
    said = _problems("mapo-tofu,Spice level\r\n", base)
    assert len(said) == 1 and "spice, spice-2" in said[0] and "2" in said[0], said
    assert _groups_of("mapo-tofu,spice-2\r\n", base) == ["spice-2"]  # its id still says which


def test_an_export_writes_ids() -> None:
    rows = rows_of(export_csv(demo_menu()))
    column = rows[0].index("option_group_ids")
    assert {row[column] for row in rows[1:]} <= {"", "spice", "rice", "ice", "spice;rice"}


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Cli:
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    return runner


def test_a_sheet_by_names_imports_and_a_bad_name_changes_nothing(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    cli("sync", "--once")
    sheet = tmp_path / "names.csv"
    sheet.write_bytes((HEAD + "mapo-tofu,加米饭、辣度\r\n").encode("utf-8-sig"))
    cli("menu", "import", str(sheet), "--partial")
    assert server_item(platform, "mapo-tofu")["option_group_ids"] == ["rice", "spice"]
    bad = tmp_path / "bad.csv"
    bad.write_bytes((HEAD + "mapo-tofu,辣度\r\nkung-pao-chicken,辣度;Sweetness\r\n").encode("utf-8-sig"))
    refused = cli("menu", "import", str(bad), "--partial", code=Exit.USAGE)
    assert "row 3, column 2 (option_group_ids): no option group Sweetness" in refused.stdout, refused.stdout
    zh = cli("menu", "import", str(bad), "--partial", code=Exit.USAGE, lang="zh")
    assert "第 3 行" in zh.stdout and "菜单中没有选项组 Sweetness" in zh.stdout, zh.stdout
    assert server_item(platform, "mapo-tofu")["option_group_ids"] == ["rice", "spice"]  # nothing applied
