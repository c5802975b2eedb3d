"""Dates and lengths of time typed as a Chinese shop owner types them, in either language of the console: the store
screen's `n` showed "留空回车即今天：2026-12-07（12月7日周一）" yet refused "12月15日", and `p` refused "30分钟".
One parser each (`store_hours.parse_date`, `store_hours.parse_minutes`) for the CLI and the screen's prompts; the
refusal names the forms taken. The real platform on loopback, a real cache in tmp_path, keys as a person presses."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.widgets import Input, Label
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.cli.exits import Exit
from o2o_tui.config import Profile
from o2o_tui.i18n import set_language
from o2o_tui.store_hours import HoursError, parse_date, parse_minutes, pause_until
from screens.app import MerchantApp
from screens.dialogs import NumberPrompt
from screens.launch import open_source
from screens.store_screen import TextPrompt
from tests.support.platform import RunningPlatform
from tests.test_cli_orders import Cli
from tests.test_ui_live import wait_until
from tests.test_ui_store import _open_store_screen, _server_store, platform, profile  # noqa: F401

MONDAY = date(2026, 12, 7)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_dates_as_people_type_them_in_either_language(lang: str) -> None:
    set_language(lang)
    try:
        for typed in ("12月15日", "12月15号", "2026年12月15日", "12-15", "12/15", "１２月１５日", "2026-12-15", "2026/12/15"):
            assert parse_date(typed, MONDAY) == "2026-12-15", typed
        # a month and day alone: the nearest such date not before the store's today
        assert parse_date("12月7日", MONDAY) == "2026-12-07"
        assert parse_date("1月2日", MONDAY) == "2027-01-02"
        assert parse_date("12/6", MONDAY) == "2027-12-06"
        assert parse_date("2月29日", MONDAY) == "2028-02-29"
        for wrong in ("2026-02-30", "13月1日", "someday", "12月"):
            with pytest.raises(HoursError) as refused:
                parse_date(wrong, MONDAY)
            assert ("12月15日" in refused.value.message) and ("12-15" in refused.value.message)
    finally:
        set_language(None)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_lengths_as_people_type_them_in_either_language(lang: str) -> None:
    set_language(lang)
    try:
        for typed, minutes in [
            ("30", 30), ("30分钟", 30), ("30分", 30), ("３０分钟", 30), ("1小时", 60), ("1.5小时", 90),
            ("1h30", 90), ("90m", 90), ("90 min", 90), ("1小时30分", 90), ("半小时", 30),
        ]:  # fmt: skip
            assert parse_minutes(typed) == minutes, typed
        for wrong in ("14:30", "abc", "1.33h", "1h75"):
            assert parse_minutes(wrong) is None, wrong
        now = datetime(2026, 12, 7, 12, 0, tzinfo=UTC)
        zone = ZoneInfo("Asia/Shanghai")
        assert pause_until("30分钟", now, zone) == now + timedelta(minutes=30)
        assert pause_until("1.5小时", now, zone) == now + timedelta(minutes=90)
        assert pause_until("21:00", now, zone) == datetime(2026, 12, 7, 13, 0, tzinfo=UTC)  # 21:00 in Shanghai
        with pytest.raises(HoursError) as refused:
            pause_until("一会儿", now, zone)
        assert "30分钟" in refused.value.message and "1.5小时" in refused.value.message
    finally:
        set_language(None)


# --- the CLI ---------------------------------------------------------------------------------------------------


class ZhCli(Cli):
    def __call__(self, *args: str, code: int = 0) -> Any:
        env = {"O2O_HOME": str(self.home), "O2O_LANG": "zh", "NO_COLOR": "1", "COLUMNS": "200"}
        env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)
        self.outputs.append(result.stdout + result.stderr)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result


@pytest.fixture(params=["en", "zh"])
def cli(platform: RunningPlatform, tmp_path: Path, request: pytest.FixtureRequest) -> Iterator[Cli]:  # noqa: F811
    assert platform.seed is not None
    runner = (ZhCli if request.param == "zh" else Cli)(tmp_path / "home", platform.seed.tokens["merchant"])
    runner("login", "--url", platform.url, "--token", runner.token)
    runner("sync", "--once")
    yield runner
    runner("store", "resume")
    runner("store", "hours", "reset")


def _store_today(platform: RunningPlatform) -> date:  # noqa: F811
    return datetime.now(UTC).astimezone(ZoneInfo(_server_store(platform)["timezone"])).date()


def test_cli_takes_chinese_dates_and_lengths(platform: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    ahead = _store_today(platform) + timedelta(days=30)
    cli("store", "hours", "closed", f"{ahead.month}月{ahead.day}日", "--note", "春节")
    assert [e["date"] for e in _server_store(platform)["hours_exceptions"]] == [ahead.isoformat()]
    # month/day as Chinese writes it (in English, numbers that read two ways, 1/6, are refused: the day named)
    cli("store", "hours", "clear", f"{ahead.month}/{ahead.day}" if isinstance(cli, ZhCli) else f"{ahead.day} {ahead:%b}")
    assert _server_store(platform)["hours_exceptions"] == []
    refused = cli("store", "hours", "closed", "下周一", code=Exit.USAGE).stderr
    assert "12月15日" in refused and "12-15" in refused

    before = datetime.now(UTC)
    cli("store", "pause", "--minutes", "1.5小时")
    until = datetime.fromisoformat(_server_store(platform)["status"]["until"])
    assert timedelta(minutes=89) <= until - before <= timedelta(minutes=91)
    cli("store", "pause", "--until", "30分钟")
    until = datetime.fromisoformat(_server_store(platform)["status"]["until"])
    assert timedelta(minutes=29) <= until - before <= timedelta(minutes=31)
    cli("store", "busy", "--extra", "15分钟")
    status = _server_store(platform)["status"]
    assert (status["state"], status["extra_minutes"]) == ("BUSY", 15)
    refused = cli("store", "busy", "--extra", "一会儿", code=Exit.USAGE).stderr
    assert "15分钟" in refused and "1-240" in refused
    cli("store", "busy", "--extra", "300", code=Exit.USAGE)  # the bound still holds


# --- the store screen -----------------------------------------------------------------------------------------


async def _answer(pilot: Any, kind: type, text: str) -> None:
    await wait_until(pilot, lambda: isinstance(pilot.app.screen, kind))
    pilot.app.screen.query_one("#answer", Input).value = ""
    await pilot.press(*text, "enter")


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_store_screen_takes_chinese_dates_and_lengths(
    platform: RunningPlatform,  # noqa: F811
    profile: Profile,  # noqa: F811
    lang: str,
) -> None:
    set_language(lang)
    ahead = _store_today(platform) + timedelta(days=30)
    app = MerchantApp(open_source(profile))
    async with app.run_test(size=(80, 24)) as pilot:
        await _open_store_screen(pilot, app)
        # `n`: a refused date names the forms taken, the Chinese one then goes through
        await pilot.press("n")
        await _answer(pilot, TextPrompt, "下周一")
        error = str(app.screen.query_one("#error", Label).render())
        assert "12月15日" in error and "12-15" in error
        await _answer(pilot, TextPrompt, f"{ahead.month}月{ahead.day}日")
        await _answer(pilot, TextPrompt, "")  # no hours: closed all day
        await _answer(pilot, TextPrompt, "")  # no note
        expected = [{"date": ahead.isoformat(), "hours": [], "note": ""}]
        await wait_until(pilot, lambda: _server_store(platform)["hours_exceptions"] == expected)

        # `p`: "30分钟"
        before = datetime.now(UTC)
        await pilot.press("p")
        await _answer(pilot, TextPrompt, "30分钟")
        await _answer(pilot, TextPrompt, "")  # no reason
        await wait_until(pilot, lambda: _server_store(platform)["status"]["state"] == "PAUSED")
        until = datetime.fromisoformat(_server_store(platform)["status"]["until"])
        assert timedelta(minutes=29) <= until - before <= timedelta(minutes=31)

        # `b`: "20分钟", after a refused length that names the forms
        await pilot.press("b")
        await _answer(pilot, NumberPrompt, "一会儿")
        error = str(app.screen.query_one("#error", Label).render())
        assert "15分钟" in error
        await _answer(pilot, NumberPrompt, "20分钟")
        await wait_until(pilot, lambda: _server_store(platform)["status"]["extra_minutes"] == 20)
        await pilot.press("escape")
