"""`o2o menu import SHEET --partial` that changes only availability says the changes it sent, not "nothing to
publish", against the real platform with a real cache; --json keeps its `availability` list."""

from __future__ import annotations

import json
from pathlib import Path

from o2o_tui.i18n import set_language, t
from tests.support.platform import RunningPlatform, api
from tests.test_menu_import_scripts import Cli, seed


def _status(platform: RunningPlatform, item_id: str) -> tuple[str, object]:
    staff = api(platform, "merchant")
    try:
        menu = staff.get(f"/v1/stores/{seed(platform).store_id}/menu").json()
    finally:
        staff.close()
    item = next(i for c in menu["categories"] for i in c["items"] if i["id"] == item_id)
    return item["status"], item["snooze_until"]


def test_an_availability_only_sheet_says_what_it_sent(platform: RunningPlatform, tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home", seed(platform).tokens["merchant"])
    cli.login(platform.url)
    cli("sync", "--once")
    sheet = tmp_path / "86.csv"
    sheet.write_text("item_id,availability\ncola,unavailable\n", encoding="utf-8")
    said = cli("menu", "import", str(sheet), "--partial").stdout
    assert _status(platform, "cola")[0] == "UNAVAILABLE"
    assert t("menu_cli.publish.nothing") not in said
    assert t("menu_cli.import.availability_only", count=1) in said

    sheet.write_text("item_id,availability\ncola,available\n", encoding="utf-8")
    said = cli("menu", "import", str(sheet), "--partial", lang="zh").stdout
    assert _status(platform, "cola")[0] == "AVAILABLE"
    set_language("zh")
    try:
        assert t("menu_cli.import.availability_only", count=1) in said
    finally:
        set_language(None)

    sheet.write_text("item_id,availability\ncola,unavailable\n", encoding="utf-8")
    answer = json.loads(cli("menu", "import", str(sheet), "--partial", "--json").stdout)
    assert answer["availability"] == ["cola"] and answer["outcome"] == "unchanged"
    assert _status(platform, "cola")[0] == "UNAVAILABLE"


def test_a_sheet_changing_nothing_still_says_nothing_to_publish(platform: RunningPlatform, tmp_path: Path) -> None:
    cli = Cli(tmp_path / "home", seed(platform).tokens["merchant"])
    cli.login(platform.url)
    cli("sync", "--once")
    sheet = tmp_path / "same.csv"
    sheet.write_text("item_id,availability\ncola,available\n", encoding="utf-8")
    said = cli("menu", "import", str(sheet), "--partial").stdout
    assert t("menu_cli.publish.nothing") in said
