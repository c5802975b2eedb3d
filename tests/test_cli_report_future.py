"""`o2o report day --date` after the store's today (on its clock, Shanghai) is a usage error (exit 2) that says so,
not a page of zeros: with nothing synced (the platform's report tells the store's today) and with the store cached
(said before asking, offline too). Against the real server."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from o2o_tui.cli.exits import Exit
from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli


def test_a_day_after_the_stores_today_is_a_usage_error(platform: RunningPlatform, tmp_path: Path) -> None:
    seed = platform.seed
    assert seed is not None
    cli = Cli(tmp_path / "home", seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    today = datetime.now(UTC).astimezone(ZoneInfo("Asia/Shanghai")).date()
    tomorrow = (today + timedelta(days=1)).isoformat()

    said = cli("report", "day", "--date", tomorrow, code=Exit.USAGE).stderr
    assert f"{tomorrow} is after the store's today ({today.isoformat()})" in said
    assert not list((tmp_path / "home").rglob("reports-v1.json"))  # zeros are not kept either
    assert cli.json("report", "day", "--date", today.isoformat())["report"]["date"] == today.isoformat()

    cli("sync", "--once")
    platform.stop()  # the cached store's clock says it, offline too (not "nothing kept", exit 3)
    said = cli("report", "day", "--date", date(2030, 1, 1).isoformat(), code=Exit.USAGE).stderr
    assert "2030-01-01 is after the store's today" in said
