"""What a restaurant keeping its menu in Excel/WPS meets importing the CSV, through the real `o2o` CLI against
the real platform on loopback: the same file imported twice is the same menu (a row with an empty item_id is the
item of its name in its category), trailing empty columns a spreadsheet adds are ignored, an item_id changed by
mistake is refused, and the same name twice in one category is refused naming both rows."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli, rows_of, server_item, server_menu, write_rows


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Cli:
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    return runner


def items_named(platform: RunningPlatform, name: str) -> list[dict[str, Any]]:
    return [i for c in server_menu(platform)["categories"] for i in c["items"] if i["name"] == name]


def test_a_partial_sheet_with_a_new_row_imported_twice_adds_one_dish(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    cli("sync", "--once")
    sheet = tmp_path / "pp.csv"
    sheet.write_bytes("item_id,category_name_zh,name_zh,price\r\n,主食 Staples,葱油饼,8\r\n".encode("gbk"))
    cli("menu", "import", str(sheet), "--partial")
    first = items_named(platform, "葱油饼")
    assert len(first) == 1
    again = cli.json("menu", "import", str(sheet), "--partial", "--dry-run")
    assert again["changes"] == [] and again["availability"] == []
    cli("menu", "import", str(sheet), "--partial")
    assert [i["id"] for i in items_named(platform, "葱油饼")] == [first[0]["id"]]


def test_a_whole_sheet_with_a_new_row_imported_again_keeps_the_dish_and_its_sold_out(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    cli("sync", "--once")
    exported = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(exported))
    rows = rows_of(exported.read_bytes())
    header = rows[0]
    # the new dish's row: a staple's row copied, its id emptied and its name and price changed
    staple = next(row for row in rows if row[header.index("category_id")] == "staples")
    new = dict(zip(header, staple, strict=True)) | {"item_id": "", "name_zh": "葱油饼", "price": "8"}
    sheet = write_rows(tmp_path / "whole.csv", [*rows, [new[name] for name in header]])
    cli("menu", "import", str(sheet))
    [added] = items_named(platform, "葱油饼")
    cli("menu", "item", "status", added["id"], "sold-out", "--until", "23:59")
    cli("sync", "--once")
    assert server_item(platform, added["id"])["snooze_until"] is not None
    dry = cli.json("menu", "import", str(sheet), "--dry-run")
    # the sheet says available, but it is older than the sold-out (its rows' menu_version): the live sold-out is
    # kept, and the preview names the dish by the id it has now
    assert dry["availability"] == [] and dry["changes"] == []
    assert [kept["id"] for kept in dry["kept"]] == [added["id"]]
    cli("menu", "import", str(sheet))
    cli("sync", "--once")
    assert [i["id"] for i in items_named(platform, "葱油饼")] == [added["id"]]
    assert server_item(platform, added["id"])["snooze_until"] is not None  # as the preview said


def test_two_new_rows_with_one_name_in_a_category_are_refused_naming_both(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    cli("sync", "--once")
    sheet = tmp_path / "twice.csv"
    sheet.write_bytes(
        "\ufeffitem_id,category_name_zh,name_zh,price\r\n,主食 Staples,葱油饼,8\r\n,主食 Staples,葱油饼,8\r\n".encode()
    )
    refused = cli("menu", "import", str(sheet), "--partial", code=Exit.USAGE)
    assert "葱油饼" in refused.stdout and "row 3" in refused.stdout and "row 2" in refused.stdout
    assert items_named(platform, "葱油饼") == []
    zh = cli("menu", "import", str(sheet), "--partial", code=Exit.USAGE, lang="zh")
    assert "已在第 2 行出现" in zh.stdout


def test_an_item_id_changed_by_mistake_is_refused_naming_both_ids(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    cli("sync", "--once")
    exported = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(exported))
    rows = rows_of(exported.read_bytes())
    column = rows[0].index("item_id")
    line = next(number for number, row in enumerate(rows, 1) if row[column] == "mapo-tofu")
    rows[line - 1][column] = "mapo-tofo"
    sheet = write_rows(tmp_path / "typo.csv", rows)
    refused = cli("menu", "import", str(sheet), code=Exit.USAGE)
    said = refused.stdout
    assert f"row {line}, column {column + 1} (item_id)" in said and "mapo-tofo" in said and "mapo-tofu" in said
    assert server_item(platform, "mapo-tofu")["name"] == "麻婆豆腐 Mapo Tofu"
    # with the old row kept as well, the new id is a new dish of its own: not refused
    copy = list(rows[line - 1])
    rows[line - 1][column] = "mapo-tofu"
    copy[rows[0].index("name_zh")] = "麻婆豆腐 大份"
    cli("menu", "import", str(write_rows(tmp_path / "both.csv", [*rows, copy])), "--dry-run")


def gbk_sheet(path: Path, rows: list[list[str]]) -> Path:
    """As WPS saves a sheet: GB18030 (GBK), no byte-order mark, CRLF."""
    text = "".join(",".join(f'"{c}"' if ("," in c or '"' in c) else c for c in row) + "\r\n" for row in rows)
    path.write_bytes(text.encode("gb18030"))
    return path


def test_trailing_empty_columns_from_a_spreadsheet_are_ignored(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    cli("sync", "--once")
    exported = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(exported))
    rows = rows_of(exported.read_bytes())
    one = gbk_sheet(tmp_path / "one.csv", [[*row, ""] for row in rows])  # a `,` at the end of every line
    assert cli.json("menu", "import", str(one), "--dry-run")["changes"] == []
    two = gbk_sheet(tmp_path / "two.csv", [[*row, "", ""] for row in rows])
    assert cli.json("menu", "import", str(two), "--dry-run")["changes"] == []
    data_only = gbk_sheet(tmp_path / "data.csv", [rows[0], *([*row, "", " "] for row in rows[1:])])
    assert cli.json("menu", "import", str(data_only), "--dry-run")["changes"] == []
    # a value under no header is still a mistake, said at its cell
    stray = [[*row, ""] for row in rows]
    stray[2][-1] = "辣"
    refused = cli("menu", "import", str(gbk_sheet(tmp_path / "stray.csv", stray)), code=Exit.USAGE)
    assert f"row 3, column {len(rows[0]) + 1}: a value past the header's last column: '辣'" in refused.stdout
    cli("menu", "import", str(two))


def test_a_problem_is_said_at_the_row_a_spreadsheet_shows_after_a_cell_with_line_breaks(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    cli("sync", "--once")
    first = tmp_path / "first.csv"
    cli("menu", "export", "-o", str(first))
    rows = rows_of(first.read_bytes())
    header = rows[0]
    rows[1][header.index("description_zh")] = "第一行\r\n第二行\r\n第三行"  # row 2 holds two line breaks
    cli("menu", "import", str(write_rows(tmp_path / "multi.csv", rows)))
    exported = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(exported))
    assert exported.read_bytes().count(b"\r\n") == len(rows) + 2  # the export writes the breaks in the cell
    rows = rows_of(exported.read_bytes())
    rows[3][header.index("price")] = "-1"  # the spreadsheet's row 4 (the file's line 6)
    bad = write_rows(tmp_path / "bad.csv", rows)
    price = header.index("price") + 1
    refused = cli("menu", "import", str(bad), code=Exit.USAGE)
    assert f"row 4, column {price} (price)" in refused.stdout, refused.stdout
    zh = cli("menu", "import", str(bad), code=Exit.USAGE, lang="zh")
    assert f"第 4 行第 {price} 列（price）" in zh.stdout, zh.stdout
    as_json = cli("menu", "import", str(bad), "--json", code=Exit.USAGE).stderr
    assert json.loads(as_json)["error"]["errors"][0]["line"] == 4


def test_option_groups_by_any_separator_and_prices_written_with_yuan(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    cli("sync", "--once")
    head = "item_id,price,option_group_ids\r\n"
    sheet = tmp_path / "wps.csv"  # as WPS saves it: GBK, CRLF
    sheet.write_bytes(
        (head + 'mapo-tofu,39.50元,"spice, rice"\r\nkung-pao-chicken,５元,spice，rice\r\n'
         "yuxiang-pork,12块,spice；rice\r\ndan-dan-noodles,9 元,spice、rice\r\n").encode("gbk")
    )
    cli("menu", "import", str(sheet), "--partial")
    for item_id, amount in (("mapo-tofu", 3950), ("kung-pao-chicken", 500), ("yuxiang-pork", 1200),
                            ("dan-dan-noodles", 900)):
        item = server_item(platform, item_id)
        assert (item["price"]["amount"], item["option_group_ids"]) == (amount, ["spice", "rice"]), item_id
    bad = tmp_path / "bad.csv"
    bad.write_bytes((head + "mapo-tofu,2000000元,spice|rice\r\n").encode("utf-8-sig"))
    refused = cli("menu", "import", str(bad), "--partial", code=Exit.USAGE)
    assert "no option group spice|rice" in refused.stdout and "; or ," in refused.stdout
    assert "Price too high: at most ¥1000000.00." in refused.stdout
    zh = cli("menu", "import", str(bad), "--partial", code=Exit.USAGE, lang="zh")
    assert "价格过高：最多 ¥1000000.00。" in zh.stdout and "；" in zh.stdout


def test_snooze_until_is_written_in_the_stores_time_and_read_in_either_form(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    import msgspec

    from o2o_tui import menu_io
    from o2o_tui.domain.menu import Menu

    cli("sync", "--once")
    later = datetime.now(ZoneInfo("Asia/Shanghai")).replace(microsecond=0, second=0).replace(year=2099)
    stamp = later.isoformat()
    utc = later.astimezone(ZoneInfo("UTC")).isoformat().replace("+00:00", "Z")
    assert stamp.endswith("+08:00") and utc.endswith("Z")
    sheet = tmp_path / "sold.csv"  # sold out until a UTC time (as `o2o menu item status --until` stores it)
    sheet.write_bytes(f"item_id,availability,snooze_until\r\nmapo-tofu,sold-out,{utc}\r\n".encode("gbk"))
    cli("menu", "import", str(sheet), "--partial")
    assert server_item(platform, "mapo-tofu")["snooze_until"].endswith(("Z", "+00:00"))
    menu = msgspec.convert(server_menu(platform), Menu)
    rows = rows_of(menu_io.export_csv(menu, ZoneInfo("Asia/Shanghai")))
    row = next(r for r in rows if r[rows[0].index("item_id")] == "mapo-tofu")
    assert row[rows[0].index("snooze_until")] == stamp  # in the store's time, with its offset
    # the store-time form reads back to the same moment: nothing to change
    sheet.write_bytes(f"item_id,availability,snooze_until\r\nmapo-tofu,sold-out,{stamp}\r\n".encode())
    assert cli.json("menu", "import", str(sheet), "--partial", "--dry-run")["availability"] == []
    cli("menu", "import", str(sheet), "--partial")
    item = server_item(platform, "mapo-tofu")
    assert datetime.fromisoformat(item["snooze_until"].replace("Z", "+00:00")) == later
