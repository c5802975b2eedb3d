"""`o2o menu` given what a Chinese input method types, against the real platform on loopback, in Chinese: a sold-out
`--until '１４：００'` (full-width digits and colon) is 14:00 store time on the platform, an empty `--until` is said
as empty (never "不是时间：。"); a CSV price typed "３９。５" (the IME's "。" for the decimal point) imports as ¥39.50.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform
from tests.test_cli_menu import COL, Cli, cli, rows_of, server_item, write_rows

__all__ = ["cli"]  # the fixture, shared with test_cli_menu


def _next_two_pm(moment: datetime) -> datetime:
    """14:00 store time next after `moment` (a time already past today is tomorrow's)."""
    local = moment.astimezone(ZoneInfo("Asia/Shanghai"))
    wanted = local.replace(hour=14, minute=0, second=0, microsecond=0)
    return wanted + timedelta(days=1) if wanted <= local else wanted


def test_sold_out_until_a_full_width_time_and_an_empty_one(platform: RunningPlatform, cli: Cli) -> None:
    cli("sync", "--once")
    asked_at = datetime.now(UTC)
    cli("menu", "item", "status", "mapo-tofu", "sold-out", "--until", "１４：００", lang="zh")
    answered_at = datetime.now(UTC)  # the command read its clock in between: 14:00 may have passed meanwhile
    snooze = server_item(platform, "mapo-tofu")["snooze_until"]
    assert snooze is not None
    assert datetime.fromisoformat(snooze) in {_next_two_pm(asked_at), _next_two_pm(answered_at)}

    cli("menu", "item", "status", "rice", "sold-out", "--until", "９：３０", lang="zh")  # one hour digit
    rice = datetime.fromisoformat(server_item(platform, "rice")["snooze_until"])
    assert rice.astimezone(ZoneInfo("Asia/Shanghai")).strftime("%H:%M") == "09:30"

    empty = cli("menu", "item", "status", "cola", "sold-out", "--until", "", code=Exit.USAGE, lang="zh")
    assert "--until 为空" in empty.stderr and "不是时间" not in empty.stderr
    blank = cli("menu", "item", "status", "cola", "sold-out", "--until", " ", code=Exit.USAGE)
    assert "--until is empty" in blank.stderr
    refused = cli(
        "menu", "item", "status", "cola", "sold-out", "--until", "２５：００", code=Exit.USAGE, lang="zh"
    )
    assert "不是时间：２５：００。" in refused.stderr  # quoted as typed
    assert server_item(platform, "cola")["snooze_until"] is None  # nothing sent


def test_a_csv_price_with_the_ime_decimal_point(platform: RunningPlatform, cli: Cli, tmp_path: Path) -> None:
    cli("sync", "--once")
    sheet = tmp_path / "menu.csv"
    cli("menu", "export", "-o", str(sheet))
    rows = rows_of(sheet.read_bytes())
    mapo = next(r for r in rows if r[COL["item_id"]] == "mapo-tofu")
    mapo[COL["price"]] = "３９。５"
    write_rows(sheet, rows)
    cli("menu", "import", str(sheet), lang="zh")
    assert server_item(platform, "mapo-tofu")["price"]["amount"] == 3950
