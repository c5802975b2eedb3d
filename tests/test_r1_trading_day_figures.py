"""The day's figures by the store's trading day, and the vouchers redeemed that day (r1):

- a store whose Sunday runs 13:30-03:00 reports Sunday until 03:00 on Monday (the end a sell-out defaults to), and
  Monday starts there; at 01:40 on Monday the store's today is Sunday; every order falls in exactly one day, also
  one placed at 02:30 after a day that closed at 02:00 (the next day's: one cutoff per day, no gap, no overlap);
  a store that closes by midnight keeps the calendar day;
- the header says "Sun 6 Dec, until 03:00 Mon" (12月6日 周日，至周一 03:00), the JSON has the bounds as times, the CSV
  has them as columns; the hours run from the trading day's first hour;
- vouchers redeemed at the counter that day are counted with their value: text, --json, --csv --what money.
"""

from __future__ import annotations

import csv
import io
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import msgspec
import pytest

from o2o_tui import figures_text
from o2o_tui.cli.report import What, csv_bytes, plain_lines
from o2o_tui.domain.hours import day_end
from o2o_tui.domain.money import Money
from o2o_tui.domain.order import OrderLine
from o2o_tui.domain.report import DayReport
from o2o_tui.domain.store import Store
from o2o_tui.figures import ReportCache, is_today
from o2o_tui.i18n import set_language
from o2o_tui.platform import reports
from tests.support.platform import RunningPlatform, api, start_platform
from tests.test_cli_orders import Cli

ZONE = ZoneInfo("Asia/Shanghai")


def _store(sunday_closes: str = "03:00", others: str = "22:00") -> Store:
    weekly = [
        {"weekday": day, "opens": "13:30", "closes": sunday_closes if day == 6 else others} for day in range(7)
    ]
    raw = {"id": "s1", "name": "S", "address": {"text": "x"}, "currency": "CNY", "timezone": "Asia/Shanghai",
           "status": {}, "version": 1, "opening_hours": weekly}
    return msgspec.convert(raw, Store)


def _at(day: int, hour: int, minute: int = 0) -> datetime:
    """December `day` 2026 at HH:MM in Shanghai (the 6th is a Sunday), as UTC."""
    return datetime(2026, 12, day, hour, minute, tzinfo=ZONE).astimezone(UTC)


def _doc(created: datetime, **fields: object) -> bytes:
    line = OrderLine("tea", "奶茶 Milk tea", 1, Money(1500, "CNY"), total=Money(1500, "CNY"))
    base: dict[str, object] = {"id": created.isoformat(), "status": "DELIVERED", "created_at": created.isoformat(),
                               "confirmed_at": created.isoformat(), "lines": [line]}
    return msgspec.json.encode({**base, **fields})


def _placed_in(store: Store, day: date, docs: list[bytes], now: datetime) -> int:
    return reports.compute(store, day, docs, now).placed


def test_a_late_sunday_runs_to_its_close_on_monday_and_monday_starts_there() -> None:
    store = _store()
    now = _at(7, 1, 40)  # 01:40 on Monday: Sunday's hours run to 03:00
    assert reports.store_day(store, now) == date(2026, 12, 6)
    # the same end a sell-out made now defaults to ("sold out until 03:00")
    sold_out_until = day_end(now, ZONE, store.opening_hours, store.hours_exceptions)
    start, end = reports.day_bounds(ZONE, date(2026, 12, 6), store)
    assert end == sold_out_until.astimezone(UTC) == _at(7, 3)
    assert start == _at(6, 0)  # Saturday closed at 22:00: Sunday starts at midnight
    assert reports.day_bounds(ZONE, date(2026, 12, 7), store) == (_at(7, 3), _at(8, 0))

    orders = {when: _doc(when) for when in (_at(5, 23, 30), _at(6, 14), _at(7, 1, 30), _at(7, 2, 59), _at(7, 3))}
    docs = list(orders.values())
    sunday = reports.compute(store, date(2026, 12, 6), docs, now)
    assert sunday.placed == 3 and sunday.completed == 0  # 14:00, 01:30 and 02:59; the docs carry no ended_at
    assert (sunday.starts_at, sunday.ends_at, sunday.today) == (_at(6, 0), _at(7, 3), "2026-12-06")
    # its hours from the day's first: 03 ... 23, then the night's 00, 01, 02 last
    assert [h.hour for h in sunday.hours] == [*range(3, 24), 0, 1, 2]
    assert [(h.hour, h.placed) for h in sunday.hours if h.placed] == [(14, 1), (1, 1), (2, 1)]
    assert _placed_in(store, date(2026, 12, 7), docs, now) == 1  # 03:00 on Monday is Monday's
    assert _placed_in(store, date(2026, 12, 5), docs, now) == 1
    # each order in exactly one day
    for when, doc in orders.items():
        days = [d for d in range(4, 9) if _placed_in(store, date(2026, 12, d), [doc], now) == 1]
        assert len(days) == 1, when


def test_an_order_after_a_close_at_two_is_the_next_days_and_no_moment_is_lost() -> None:
    store = _store(sunday_closes="02:00")
    late = _doc(_at(7, 2, 30))  # placed at 02:30 on Monday, after Sunday's hours ended at 02:00
    assert _placed_in(store, date(2026, 12, 6), [late], _at(7, 2, 30)) == 0
    assert _placed_in(store, date(2026, 12, 7), [late], _at(7, 2, 30)) == 1
    assert reports.store_day(store, _at(7, 1, 59)) == date(2026, 12, 6)
    assert reports.store_day(store, _at(7, 2, 0)) == date(2026, 12, 7)
    # the days follow one another: each ends where the next starts, over a week with a late Sunday
    bounds = [reports.day_bounds(ZONE, date(2026, 12, 1) + timedelta(days=n), store) for n in range(10)]
    assert all(end == later_start for (_, end), (later_start, _) in zip(bounds, bounds[1:], strict=False))


def test_a_store_that_closes_by_midnight_keeps_the_calendar_day() -> None:
    store = _store(sunday_closes="22:00")
    assert reports.day_bounds(ZONE, date(2026, 12, 6), store) == (_at(6, 0), _at(7, 0))
    assert reports.store_day(store, _at(7, 1, 40)) == date(2026, 12, 7)
    report = reports.compute(store, date(2026, 12, 6), [], _at(6, 20))
    assert [h.hour for h in report.hours] == list(range(24))
    set_language("en")
    assert figures_text.day_label(report) == "2026-12-06"
    assert plain_lines(report, "S")[0] == "Figures 2026-12-06 · S"


def test_the_header_json_csv_and_cache_say_the_trading_day(tmp_path: Path) -> None:
    store = _store()
    now = _at(7, 1, 40)
    report = reports.compute(store, date(2026, 12, 6), [_doc(_at(7, 1, 30))], now)
    try:
        set_language("en")
        assert plain_lines(report, "S", 80)[0] == "Figures Sun 6 Dec, until 03:00 Mon · S"
        assert figures_text.summary_lines(report, now)[2].startswith("Refunded today")  # Sunday's is today
        set_language("zh")
        assert plain_lines(report, "S", 80)[0] == "数据 12月6日 周日，至周一 03:00 · S"
    finally:
        set_language("en")
    data = msgspec.to_builtins(report)
    assert (data["starts_at"], data["ends_at"]) == ("2026-12-05T16:00:00Z", "2026-12-06T19:00:00Z")
    for what in (What.HOURS, What.MONEY):
        rows = list(csv.DictReader(io.StringIO(csv_bytes(report, what).decode("utf-8-sig"))))
        assert rows
        bounds = ("2026-12-06 00:00 Asia/Shanghai", "2026-12-07 03:00 Asia/Shanghai")  # with the zone (g7)
        assert (rows[0]["day_starts"], rows[0]["day_ends"]) == bounds, what
    hours = list(csv.DictReader(io.StringIO(csv_bytes(report, What.HOURS).decode("utf-8-sig"))))
    assert [row["hour"] for row in hours][:2] == ["03:00", "04:00"] and hours[-1]["hour"] == "02:00"
    # the device: Sunday's figures are today's at 01:40 on Monday, and no longer at 03:00
    assert is_today(report, now) and not is_today(report, _at(7, 3))
    cache = ReportCache(tmp_path)
    cache.put(report, now)
    kept = cache.today("s1", now + timedelta(minutes=30))
    assert kept is not None and kept.report.date == "2026-12-06"
    assert cache.today("s1", _at(7, 3, 5)) is None


# --- vouchers redeemed that day, on the real platform ------------------------------------------------------------


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


def _redeemed(running: RunningPlatform, amount: int) -> dict[str, Any]:
    assert running.seed is not None
    admin, customer, merchant = (api(running, role) for role in ("admin", "customer", "merchant"))
    body = {"id": uuid.uuid4().hex[:12], "store_id": running.seed.store_id, "title": "双人套餐 Set meal",
            "value": {"amount": amount, "currency": "CNY"},
            "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(), "count": 1}
    issued = admin.post("/v1/vouchers", body)
    assert issued.status_code == 201, issued.text
    voucher_id = issued.json()["vouchers"][0]["id"]
    bought = customer.post(f"/v1/vouchers/{voucher_id}/buy", {"purchase_id": uuid.uuid4().hex})
    assert bought.status_code == 200, bought.text
    path = f"/v1/stores/{running.seed.store_id}/vouchers/redeem"
    redeemed = merchant.post(path, {"code": bought.json()["code"]})
    assert redeemed.status_code == 200, redeemed.text
    answer: dict[str, Any] = redeemed.json()
    return answer


def test_vouchers_redeemed_that_day_in_every_form_of_the_report(running: RunningPlatform, tmp_path: Path) -> None:
    assert running.seed is not None
    _redeemed(running, 3800)
    _redeemed(running, 5000)
    # bought, not redeemed: not counted
    admin, customer = api(running, "admin"), api(running, "customer")
    body = {"id": uuid.uuid4().hex[:12], "store_id": running.seed.store_id, "title": "t",
            "value": {"amount": 999, "currency": "CNY"},
            "expires_at": (datetime.now(UTC) + timedelta(days=30)).isoformat(), "count": 1}
    unused = admin.post("/v1/vouchers", body).json()["vouchers"][0]["id"]
    assert customer.post(f"/v1/vouchers/{unused}/buy", {"purchase_id": uuid.uuid4().hex}).status_code == 200

    cli = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    cli("login", "--url", running.url, "--token", cli.token)
    report = cli.json("report", "day")["report"]
    assert report["vouchers_redeemed"] == 2 and report["vouchers_value"] == {"amount": 8800, "currency": "CNY"}
    assert report["starts_at"] and report["ends_at"]  # the seeded store has no hours: its calendar day
    assert "Vouchers redeemed today 2  (value ¥88.00)" in cli("report", "day").stdout
    money = list(csv.DictReader(io.StringIO(cli("report", "day", "--csv", "--what", "money").stdout.lstrip("\ufeff"))))
    assert (money[0]["vouchers_redeemed"], money[0]["vouchers_value"]) == ("2", "88.00")
    yesterday = (date.fromisoformat(report["date"]) - timedelta(days=1)).isoformat()
    assert cli.json("report", "day", "--date", yesterday)["report"]["vouchers_redeemed"] == 0
    set_language("zh")
    try:
        older = msgspec.convert(report, type=DayReport)
        assert "当日核销券 2 张（面值 ¥88.00）" in figures_text.summary_lines(older, datetime(2027, 1, 1, tzinfo=UTC))
    finally:
        set_language("en")


def test_the_default_day_at_1_40_on_monday_is_sundays(tmp_path: Path) -> None:
    """`GET .../reports/day` with no date, by the platform's service on a fixed clock: the store's trading day."""
    from sqlalchemy import select, update

    from o2o_tui.platform import db, jobs
    from o2o_tui.platform.context import Ctx
    from o2o_tui.platform.seed import seed_engine
    from o2o_tui.platform.settings import Settings

    engine = db.open_database(f"sqlite:///{tmp_path / 'platform.sqlite3'}")
    try:
        store_id = seed_engine(engine).store_id
        with db.writing(engine) as conn:
            doc = msgspec.json.decode(conn.execute(select(db.stores.c.doc).where(db.stores.c.id == store_id)).scalar_one())
            doc["timezone"] = "Asia/Shanghai"
            doc["opening_hours"] = msgspec.to_builtins(_store().opening_hours)
            conn.execute(update(db.stores).where(db.stores.c.id == store_id).values(doc=msgspec.json.encode(doc)))
        for now, day in ((_at(7, 1, 40), "2026-12-06"), (_at(7, 3, 0), "2026-12-07"), (_at(6, 23, 0), "2026-12-06")):
            with db.writing(engine) as conn:
                report = reports.day_report(Ctx(conn=conn, caller=jobs.SYSTEM, now=now, settings=Settings()), store_id, None)
            assert (report.date, report.today) == (day, day), now
            assert report.ends_at == (_at(8, 0) if day == "2026-12-07" else _at(7, 3))
    finally:
        engine.dispose()


async def test_f_at_1_40_on_monday_shows_sunday_as_today_and_pages_no_further() -> None:
    """The console's `f` on the console's frozen clock: Sunday's figures are today's (→ rings, no Monday of zeros),
    the title says until when."""
    from o2o_tui.figures import Figures
    from screens.app import MerchantApp
    from screens.figures_screen import FiguresScreen
    from screens.memory_source import MemoryOrderSource
    from screens.terminal import DEFAULT_THEME
    from tests.test_ui_samples import sample_store

    now = _at(7, 1, 40)
    store = _store()
    asked: list[str | None] = []

    def load(day: str | None) -> Figures:
        asked.append(day)
        chosen = date.fromisoformat(day) if day else reports.store_day(store, now)
        return Figures(reports.compute(store, chosen, [_doc(_at(7, 1, 30))], now), now)

    set_language("en")
    app = MerchantApp(MemoryOrderSource(store=sample_store()), clock=lambda: now, theme=DEFAULT_THEME)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = FiguresScreen(load, store_name="S")
        await app.push_screen(screen)
        for _ in range(200):
            if asked and "until" in str(screen.query_one("#figures-title").render()):
                break
            await pilot.pause(0.02)
        assert asked == [None]
        assert "Figures Sun 6 Dec, until 03:00 Mon" in str(screen.query_one("#figures-title").render())
        assert "Refunded today" in str(screen.query_one("#figures-chart").render())
        await pilot.press("right")
        await pilot.pause(0.2)
        assert asked == [None]  # Monday's day has not begun: no paging into it
