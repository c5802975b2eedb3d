"""Words an outside tester (a dumpling-shop owner, zh) found wrong in the reports, the store's status, the price
error, the demo's help and the print test:

- `o2o report day` offline said "cannot reach the platform" twice (截至 …：无法连接平台（无法连接平台：…）): once now;
- a past day's figures said "today's refunds" (今日退款): "that day" (当日退款) on another day;
- `o2o store status` before the day's opening said 已打烊 (closed for the night): 休息中 (CLOSED FOR NOW) while the
  hours open the store later today, the effect's line saying when;
- the price error said "CNY 价格最多 2 位小数。": 价格最多两位小数（到分）。;
- the print test said "时间为 门店时间（Asia/Shanghai）" (a space in a Chinese sentence): 页上时间为门店时间（…）;
- `o2o demo --help` said "运行同样的组件 SECONDS 秒": what the check does.

The real platform on loopback and the real cache where a command is run; the pieces the screens share, pure."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from o2o_tui import figures_text
from o2o_tui.cli import app
from o2o_tui.domain.geo import Address
from o2o_tui.domain.money import Money
from o2o_tui.domain.report import DayReport
from o2o_tui.domain.store import OpeningHours, Store, StoreStatus
from o2o_tui.i18n import set_language
from o2o_tui.menu_edits import EditError, price_from_text
from o2o_tui.store_effect import effect, state_words, store_zone
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def language() -> Iterator[None]:
    yield
    set_language(None)


def _cli(home: Path, lang: str, *args: str, code: int = 0, **env: str) -> Any:
    chosen: dict[str, str | None] = {"O2O_HOME": str(home), "O2O_LANG": lang, "NO_COLOR": "1", "COLUMNS": "200"}
    chosen |= {"O2O_PROFILE": None, "O2O_TOKEN": None, **env}
    result = CliRunner().invoke(app, list(args), env=chosen, catch_exceptions=False)
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    return result


def test_offline_figures_say_the_platform_is_unreachable_once(platform: RunningPlatform, tmp_path: Path) -> None:
    assert platform.seed is not None
    home = tmp_path / "home"
    _cli(home, "en", "login", "--url", platform.url, "--token", platform.seed.tokens["merchant"])
    _cli(home, "en", "report", "day")  # fetched: kept on this device
    platform.stop()
    zh = _cli(home, "zh", "report", "day").stderr
    assert zh.count("无法连接平台") == 1 and zh.startswith("截至 ") and "（本机保存）" in zh, zh
    en = _cli(home, "en", "report", "day").stderr
    assert en.count("cannot be reached") == 1 and en.startswith("As of "), en


def _report(day: str, *, done: int = 5) -> DayReport:
    cny = "CNY"
    return DayReport(
        store_id="s1",
        date=day,
        timezone="Asia/Shanghai",
        currency=cny,
        generated_at=datetime(2026, 12, 6, 16, 0, tzinfo=UTC),
        placed=6,
        completed=6,
        done=done,
        refunded_today=Money(1200, cny),
    )


@pytest.mark.parametrize(
    ("lang", "today_words", "that_day_words"),
    [
        ("zh", ("今日退款 ¥12.00",), ("当日退款 ¥12.00",)),
        ("en", ("Refunded today ¥12.00",), ("Refunded that day ¥12.00",)),
    ],
)
def test_a_past_days_figures_say_that_day_not_today(
    lang: str, today_words: tuple[str, ...], that_day_words: tuple[str, ...], language: None
) -> None:
    set_language(lang)
    now = datetime(2026, 12, 6, 23, 14, tzinfo=UTC)  # 07:14 on 2026-12-07 in Shanghai
    today = "\n".join(figures_text.summary_lines(_report("2026-12-07"), now))
    past = "\n".join(figures_text.summary_lines(_report("2026-12-06"), now))
    for words in today_words:
        assert words in today, today
    for words in that_day_words:
        assert words in past, past
    assert "今日退款" not in past and "Refunded today" not in past


def _store(hours: list[OpeningHours]) -> Store:
    return Store(
        id="s1",
        name="饺子馆",
        address=Address("x"),
        currency="CNY",
        timezone="Asia/Shanghai",
        status=StoreStatus(),
        version=1,
        opening_hours=hours,
    )


@pytest.mark.parametrize(
    ("hour", "zh", "en"),
    [
        (7, "休息中", "CLOSED FOR NOW"),  # before the day's opening (Monday 10:00)
        (15, "休息中", "CLOSED FOR NOW"),  # the break between lunch and dinner
        (12, "营业中", "OPEN"),
        (23, "已打烊", "CLOSED"),  # the day is over: it opens tomorrow
    ],
)
def test_the_store_before_its_opening_is_resting_not_closed_for_the_night(
    hour: int, zh: str, en: str, language: None
) -> None:
    store = _store([OpeningHours(day, "10:00", "14:00") for day in range(7)]
                   + [OpeningHours(day, "17:00", "21:30") for day in range(7)])  # fmt: skip
    now = datetime(2026, 12, 7, hour, 14, tzinfo=SHANGHAI).astimezone(UTC)
    found = effect(store, now)
    for lang, words in (("zh", zh), ("en", en)):
        set_language(lang)
        assert state_words(found, store_zone(store), now) == words


def test_the_price_error_says_two_decimals_to_the_fen(language: None) -> None:
    said = {}
    for lang in ("zh", "en"):
        set_language(lang)
        for currency in ("CNY", "CHF"):
            with pytest.raises(EditError) as raised:
                price_from_text("12.345", currency)
            said[lang, currency] = raised.value.text()
    assert said["zh", "CNY"] == "价格最多两位小数（到分）。"
    assert said["en", "CNY"] == "A price in yuan has at most 2 decimals (to the fen)."
    assert said["zh", "CHF"] == "价格最多 2 位小数（CHF）。"  # a currency without words of its own
    assert said["en", "CHF"] == "CHF prices have at most 2 decimals."


def test_the_print_test_says_the_stores_local_time(shared_platform: RunningPlatform, tmp_path: Path) -> None:
    assert shared_platform.seed is not None
    home = tmp_path / "home"
    with FakePrinter() as printer:
        _cli(home, "en", "login", "--url", shared_platform.url, "--token", shared_platform.seed.tokens["merchant"])
        _cli(home, "en", "sync", "--once")
        zh = _cli(home, "zh", "print", "test", O2O_PRINTER=printer.target).stdout
        en = _cli(home, "en", "print", "test", O2O_PRINTER=printer.target).stdout
        printer.wait_for_cuts(2)
    assert "页上时间为门店时间（Asia/Shanghai），与小票一致。" in zh, zh
    assert "its time is on the store's clock (Asia/Shanghai), as on its tickets." in " ".join(en.split()), en


def test_the_demos_check_says_what_it_does(tmp_path: Path) -> None:
    env = {**os.environ, "O2O_LANG": "zh", "COLUMNS": "300", "O2O_HOME": str(tmp_path)}
    command = [sys.executable, "-c", "from o2o_tui.cli import main; main()", "demo", "--help"]
    shown = subprocess.run(command, env=env, capture_output=True, text=True, timeout=60)
    assert shown.returncode == 0, shown.stderr
    assert "在后台运行平台和模拟器" in shown.stdout and "SECONDS" not in shown.stdout, shown.stdout

