"""Smaller defects from a restaurant manager's day (an English-speaking UK store), against the real platform on
loopback and a real cache in tmp_path:

1. `o2o store hours closed 2/1` read 2/1 as month/day and saved 1 Feb at once, while the manager meant 2 Jan: in
   English a numeric date that reads two ways is refused (both dates said, and how to write either), month names
   are taken (2 Jan, Jan 2), and the confirmation names the date with its weekday, month and year; Chinese, which
   writes month/day, keeps 2/1, and so does the console's `n` (it says the date in words before saving).
2. `o2o orders preparing` of an order the cache shows Ready was sent, refused and filed among the conflicts: now
   refused at once, nothing sent, exit 4.
4. The refund dialog at 40x15 after handoff cut its hint and what `4` ("The customer asked") was refused for.
5. `o2o conflicts list` named a refused voucher redemption by its reason only (`"name": null`): now as the
   console's `!` does, "voucher …1234".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.cli.exits import Exit
from o2o_tui.i18n import set_language
from o2o_tui.store_hours import HoursError, parse_date
from screens.detail_screen import DetailScreen
from screens.refund_dialog import RefundDialog
from screens.source import QueueEntry
from tests.support.platform import RunningPlatform, api, start_platform
from tests.test_cli_redeem import bought_code
from tests.test_refund_after_handoff import _app, _handed_off
from tests.test_sync_engine import place_orders

MONDAY = date(2026, 12, 7)


class Cli:
    """`o2o ARGS` in this process, in English unless `lang` says otherwise."""

    def __init__(self, home: Path, token: str) -> None:
        self.home = home
        self.token = token

    def __call__(self, *args: str, code: int = 0, lang: str = "en") -> Any:
        env: dict[str, str | None] = {"O2O_HOME": str(self.home), "O2O_LANG": lang, "NO_COLOR": "1"}
        env |= {"COLUMNS": "200", "O2O_PROFILE": None, "O2O_TOKEN": None}
        result = CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)
        assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
        return result

    def json(self, *args: str, code: int = 0, lang: str = "en") -> Any:
        return json.loads(self(*args, "--json", code=code, lang=lang).stdout)


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def cli(running: RunningPlatform, tmp_path: Path) -> Cli:
    assert running.seed is not None
    runner = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    runner("login", "--url", running.url, "--token", runner.token)
    runner("sync", "--once")
    return runner


@pytest.fixture
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _store(running: RunningPlatform) -> dict[str, Any]:
    assert running.seed is not None
    return dict(api(running, "merchant").get(f"/v1/stores/{running.seed.store_id}").json())


def _store_today(running: RunningPlatform) -> date:
    return datetime.now(UTC).astimezone(ZoneInfo(_store(running)["timezone"])).date()


def _two_way_date(today: date) -> date:
    """A date after the store's today whose month and day are both 1-12 and differ (2/1): it reads two ways."""
    day = today + timedelta(days=2)
    while day.day > 12 or day.day == day.month:
        day += timedelta(days=1)
    return day


# --- 1. dates that read two ways -------------------------------------------------------------------------------


def test_a_date_that_reads_two_ways_is_refused_in_english_and_named_names_are_taken(english: None) -> None:
    with pytest.raises(HoursError) as refused:
        parse_date("2/1", MONDAY, strict=True)
    said = refused.value.message
    assert "Mon 1 Feb 2027" in said and "Sat 2 Jan 2027" in said and "nothing was saved" in said
    for hint in ("2027-01-02", "2 Jan", "Jan 2", "2027-02-01", "1 Feb"):
        assert hint in said, hint
    for typed in ("2 Jan", "Jan 2", "2 January", "2nd Jan", "January 2, 2027", "2027-01-02", "1月2日"):
        assert parse_date(typed, MONDAY, strict=True) == "2027-01-02", typed
    assert parse_date("26/12", MONDAY, strict=True) == "2026-12-26"  # day/month: the only way it reads
    assert parse_date("12/15", MONDAY, strict=True) == "2026-12-15"  # month/day: the only way it reads
    assert parse_date("5/5", MONDAY, strict=True) == "2027-05-05"  # the same both ways
    assert parse_date("2/1", MONDAY) == "2027-02-01"  # the console's `n`: said in words before it is saved
    set_language("zh")
    assert parse_date("2/1", MONDAY, strict=True) == "2027-02-01"  # Chinese writes month/day


def test_the_cli_refuses_a_two_way_date_in_english_and_says_the_date_it_saves(
    running: RunningPlatform, cli: Cli
) -> None:
    today = _store_today(running)
    day = _two_way_date(today)
    refused = cli("store", "hours", "closed", f"{day.month}/{day.day}", "--note", "2 Jan", code=Exit.USAGE).stderr
    month_first, day_first = day, date(day.year, day.day, day.month)
    if day_first < today:  # the nearest from the store's today on
        day_first = date(day.year + 1, day.day, day.month)
    assert f"{month_first:%a} {month_first.day} {month_first:%b}" in refused
    assert f"{day_first:%a} {day_first.day} {day_first:%b}" in refused
    assert f"{day.day} {day:%b}" in refused and "nothing was saved" in refused
    assert _store(running)["hours_exceptions"] == []  # nothing was saved

    done = cli("store", "hours", "closed", f"{day.day} {day:%b}", "--note", "holiday").stdout
    assert "Opening hours saved." in done
    assert f"Closed all day on {day:%a} {day.day} {day:%b} {day.year}." in done
    assert [e["date"] for e in _store(running)["hours_exceptions"]] == [day.isoformat()]
    opened = cli("store", "hours", "open", day.isoformat(), "10:00-14:00").stdout
    assert f"Open 10:00-14:00 on {day:%a} {day.day} {day:%b} {day.year}." in opened

    # Chinese: month/day as it is written there, and the date said in its words
    cleared = cli("store", "hours", "clear", f"{day.month}/{day.day}", lang="zh").stdout
    assert f"{day.year}年{day.month}月{day.day}日" in cleared and "恢复按星期的营业时间" in cleared
    assert _store(running)["hours_exceptions"] == []


# --- 2. a step the order went past ------------------------------------------------------------------------------


def test_preparing_an_order_already_ready_is_refused_at_once_and_nothing_is_sent(
    running: RunningPlatform, cli: Cli
) -> None:
    assert running.seed is not None
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("sync", "--once")
    cli("orders", "accept", order_id, "--prep", "10")
    cli("orders", "ready", order_id)
    merchant = api(running, "merchant")
    before = merchant.get(f"/v1/orders/{order_id}").json()
    refused = cli("orders", "preparing", order_id, code=Exit.REJECTED).stderr
    number = f"#{before['number']:04d}"
    assert f"Cannot start preparing {number}: it is Ready. Nothing was sent." in refused, refused
    assert "when your" not in refused
    assert cli.json("conflicts", "list") == []  # nothing was sent, so nothing was refused
    after = merchant.get(f"/v1/orders/{order_id}").json()
    assert (after["status"], after["version"]) == ("READY_FOR_PICKUP", before["version"])
    said = cli("orders", "preparing", order_id, code=Exit.REJECTED, lang="zh").stderr
    assert "未发送任何操作" in said
    cli("orders", "ready", order_id)  # where the order is already: done, as before


# --- 4. the refund dialog on a short terminal -------------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_refund_dialog_at_40x15_shows_its_hint_and_why_4_is_refused(lang: str) -> None:
    set_language(lang)
    try:
        order = _handed_off(timedelta(hours=5))
        app = _app(QueueEntry(order))
        async with app.run_test(size=(40, 15)) as pilot:
            await pilot.pause()
            app.push_screen(DetailScreen(order.id))
            await pilot.pause()
            await pilot.press("dollar_sign", "1", "enter", "4")
            await pilot.pause()
            dialog = app.screen
            assert isinstance(dialog, RefundDialog) and dialog.reason is None
            error, hint = dialog.query_one("#error"), dialog.query_one(".hint")
            words = "choose what went wrong" if lang == "en" else "请选择出了什么问题"
            assert words in str(error.render())
            footer_row = app.size.height - 1
            for shown in (error, hint):  # on the screen, above the key footer: never cut off
                assert shown.region.height >= 1 and shown.region.bottom <= footer_row, (shown, shown.region)
            assert hint.region.height >= (2 if lang == "en" else 1)  # the whole hint, folded
            await pilot.press("2", "enter")  # what went wrong: sent
            await pilot.pause()
            assert not isinstance(app.screen, RefundDialog)
    finally:
        set_language(None)


async def test_the_refund_dialog_keeps_its_lines_where_there_is_room(english: None) -> None:
    order = _handed_off(timedelta(hours=5))
    app = _app(QueueEntry(order))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.push_screen(DetailScreen(order.id))
        await pilot.pause()
        await pilot.press("dollar_sign", "1", "enter")
        await pilot.pause()
        assert app.screen.query_one("#lines").display


# --- 5. a refused voucher named ---------------------------------------------------------------------------------


def test_a_refused_voucher_redemption_is_named_by_its_codes_end(running: RunningPlatform, cli: Cli) -> None:
    code = bought_code(running, cli)  # type: ignore[arg-type]
    cli("redeem", code)
    cli("redeem", code, code=Exit.REJECTED)  # redeemed before: refused
    [row] = cli.json("conflicts", "list")
    assert row["action"] == "voucher.redeem" and row["name"] == f"voucher …{code[-4:]}"
    assert row["explanation"].startswith(f"voucher …{code[-4:]}: The voucher was not redeemed")
    listed = cli("conflicts", "list").stdout
    assert f"voucher …{code[-4:]}: The voucher was not redeemed: it was redeemed before" in listed
    assert code not in listed  # the rest of the code is the customer's
    chinese = cli("conflicts", "list", lang="zh").stdout
    assert f"券码 …{code[-4:]}：团购券未核销" in chinese
