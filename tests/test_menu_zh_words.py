"""A dumpling shop's sheet says availability and hidden in the words its owner types: 停售, 售罄, 在售 (or 有货), and
是 / 否 (隐藏 / 显示), taken as the export's English codes are (the export still writes the codes); a word it does
not take is refused naming the words it does, in the console's language. `o2o menu item status` takes the same
words. Through the real `o2o` CLI against the real platform on loopback, with a real cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import Cli, rows_of, server_item, write_rows


@pytest.fixture
def cli(platform: RunningPlatform, tmp_path: Path) -> Cli:
    runner = Cli(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    return runner


def _sheet(cli: Cli, tmp_path: Path, cells: dict[str, dict[str, str]]) -> Path:
    """The exported sheet with `cells` (item id -> column -> text) written over it."""
    exported = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(exported))
    rows = rows_of(exported.read_bytes())
    header = rows[0]
    for row in rows[1:]:
        for column, text in cells.get(row[header.index("item_id")], {}).items():
            row[header.index(column)] = text
    return write_rows(tmp_path / "edited.csv", rows)


def test_a_sheet_takes_the_chinese_words_for_availability_and_hidden(
    platform: RunningPlatform, cli: Cli, tmp_path: Path
) -> None:
    sheet = _sheet(
        cli,
        tmp_path,
        {
            "mapo-tofu": {"availability": "停售"},
            "kung-pao-chicken": {"availability": "售罄", "snooze_until": "2099-01-01T10:00:00+08:00"},
            "cola": {"availability": " 在售 ", "hidden": "是"},
        },
    )
    cli("menu", "import", str(sheet), lang="zh")
    assert server_item(platform, "mapo-tofu")["status"] == "UNAVAILABLE"
    kung_pao = server_item(platform, "kung-pao-chicken")
    assert kung_pao["status"] == "AVAILABLE" and kung_pao["snooze_until"].startswith("2099-01-01")
    cola = server_item(platform, "cola")
    assert cola["status"] == "AVAILABLE" and cola["hidden"] is True

    again = _sheet(cli, tmp_path, {"cola": {"hidden": "否"}, "mapo-tofu": {"availability": "有货"}})
    cli("menu", "import", str(again))
    assert server_item(platform, "cola")["hidden"] is False
    assert server_item(platform, "mapo-tofu")["status"] == "AVAILABLE"

    exported = tmp_path / "after.csv"
    cli("menu", "export", "-o", str(exported))
    rows = rows_of(exported.read_bytes())
    header = rows[0]
    written = {row[header.index(column)] for row in rows[1:] for column in ("availability", "hidden")}
    assert written <= {"available", "sold-out", "unavailable", "yes", "no"}  # the export keeps the codes


def test_a_word_it_does_not_take_names_the_words_it_does(cli: Cli, tmp_path: Path) -> None:
    sheet = _sheet(cli, tmp_path, {"mapo-tofu": {"availability": "卖完了", "hidden": "不要"}})
    refused = cli("menu", "import", str(sheet), code=Exit.USAGE, lang="zh")
    said = refused.stdout + refused.stderr
    assert (
        "供应状态 '卖完了'：请写 在售、有货（available）；售罄（sold-out）；停售（unavailable） 之一" in said
    ), said
    assert "隐藏 '不要'：请写 是、隐藏、已隐藏（yes）；否、显示（no） 之一" in said, said
    refused = cli("menu", "import", str(sheet), code=Exit.USAGE)
    english = refused.stdout + refused.stderr
    assert "availability '卖完了': write one of available, sold-out, unavailable" in english, english


def test_the_status_command_takes_the_same_words(platform: RunningPlatform, cli: Cli) -> None:
    cli("menu", "item", "status", "mapo-tofu", "停售", "--online", lang="zh")
    assert server_item(platform, "mapo-tofu")["status"] == "UNAVAILABLE"
    cli("menu", "item", "status", "mapo-tofu", "在售", "--online", lang="zh")
    assert server_item(platform, "mapo-tofu")["status"] == "AVAILABLE"
