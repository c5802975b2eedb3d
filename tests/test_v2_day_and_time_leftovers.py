"""Day-and-time leftovers (v2): a time on another day says the day, and a trading day is named as it runs.

- `o2o dispatch suggest` says the day of an order it cannot plan yet ("ready 9 Dec 12:00", not "ready 12:00"), and
  `o2o couriers list` / the board's courier picker say the day a courier is free at after midnight;
- the board ranks `no_store_location` with the other orders that cannot be planned, not after them all;
- Monday's report after a Sunday open to 03:00 says "Mon 7 Dec, from 03:00" (12月7日 周一，03:00 起);
- at 01:40 on Monday (still Sunday's trading day) `o2o report day --date` compares with Sunday, the trading today.
Against the real platform where a command is run; the r1 tests' fixed clocks for the trading day.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import pytest
from textual.content import Content

from o2o_tui import figures_text
from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.domain.clock import day_clock
from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.order import OrderStatus
from o2o_tui.domain.report import DayReport
from o2o_tui.domain.requests import ConfirmBody
from o2o_tui.figures import is_future, trading_today
from o2o_tui.i18n import set_language
from o2o_tui.live_dispatch import CourierState, OrderState
from o2o_tui.platform import reports
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_dispatch import Cli, cli  # noqa: F401  (fixture)
from tests.test_r1_trading_day_figures import _at, _store

SHANGHAI = ZoneInfo("Asia/Shanghai")


# --- 1. dispatch: the day of a time on another day -----------------------------------------------------------------


def test_suggest_says_the_day_of_an_order_it_cannot_plan_yet(platform: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    """A delivery ordered for two days from now, accepted early: `suggest` lists it as for later, with its day."""
    seed = platform.seed
    assert seed is not None
    start = datetime.now(UTC) + timedelta(days=2)
    timing = {"type": "SCHEDULED", "window_start": start.isoformat(),
              "window_end": (start + timedelta(minutes=15)).isoformat()}
    placed = api(platform, "customer").post("/v1/orders", order_body(seed.store_id, timing=timing))
    assert placed.status_code == 201, placed.text
    with PlatformClient(platform.url, seed.tokens["merchant"]) as merchant:
        merchant.act("order.confirm", placed.json()["id"], ConfirmBody(preparation_minutes=10))

    plan = cli.json("dispatch", "suggest")
    [state] = plan["orders"]
    assert state["why"] == "later"
    ready = datetime.fromisoformat(state["ready_at"])
    asked_at = datetime.now(UTC)
    text = cli("dispatch", "suggest").stdout
    # the seeded store's clock, today before or after the command read it (the store's midnight may pass)
    ready_words = {day_clock(ready, SHANGHAI, moment) for moment in (asked_at, datetime.now(UTC))}
    clock = ready.astimezone(SHANGHAI).strftime("%H:%M")
    assert all(len(said) > len("12:00") and said[-5:] == clock for said in ready_words), ready_words
    assert any(f"ready {said}  " in text for said in ready_words), text


def test_a_courier_free_after_midnight_says_the_day() -> None:
    """`o2o couriers list`'s words and the board's courier picker: free at 00:20 tomorrow is not "free at 00:20"."""
    from o2o_tui.cli.dispatch import _free_text
    from screens.dispatch_board import CourierPicker

    now = datetime(2026, 12, 7, 23, 50, tzinfo=SHANGHAI).astimezone(UTC)
    after_midnight = datetime(2026, 12, 8, 0, 20, tzinfo=SHANGHAI).astimezone(UTC)
    tonight = datetime(2026, 12, 7, 23, 58, tzinfo=SHANGHAI).astimezone(UTC)
    courier = CourierState(
        courier_id="c1", name="Wang", status=CourierStatus.TO_CUSTOMER, capacity=3, load=1, position=None,
        free_at=after_midnight, free_position=None, order_numbers=[3],
    )  # fmt: skip
    later = msgspec.structs.replace(courier, free_at=tonight)
    for lang, short, long in (("en", "free tmrw 00:20", "free at tomorrow 00:20"), ("zh", "明天 00:20 空闲", "明天 00:20 空闲")):
        set_language(lang)
        try:
            picker = CourierPicker(Content("t"), [courier], SHANGHAI, None, now=now)
            assert long in _free_text(after_midnight, SHANGHAI, now)
            assert _free_text(tonight, SHANGHAI, now).endswith(("free at 23:58", "23:58 空闲"))
            assert "".join(picker._free_at(courier)).strip() == short
            assert "".join(picker._free_at(later)).strip() in ("free 23:58", "23:58 空闲")
        finally:
            set_language(None)


# --- 2. the board's row order ----------------------------------------------------------------------------------------


def _state(number: int, why: str, ready: datetime) -> OrderState:
    return OrderState(
        order_id=f"ord-{number:04d}", order_number=number, status=OrderStatus.CONFIRMED, ready_at=ready,
        customer_name="Li Na", address="People's Square", dropoff=None, courier_id=None, why=why,
    )  # fmt: skip


async def test_the_board_lists_no_store_location_rows_with_the_unplannable_ones(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On the board: an order with no store position sorts by its ready time among those with no drop-off
    position (after those for later), not after every other row."""
    from o2o_tui.live_dispatch import plan_live
    from screens import dispatch_board
    from screens.dispatch_board import DispatchApp
    from tests.test_dispatch_live_samples import NOW, snapshot
    from tests.test_ui_dispatch import MemoryFleet, board_of, until

    orders = [
        _state(1, "bad_location", NOW + timedelta(minutes=60)),
        _state(2, "no_location", NOW + timedelta(minutes=30)),
        _state(3, "no_store_location", NOW + timedelta(minutes=5)),
        _state(4, "later", NOW + timedelta(hours=3)),
    ]
    data = snapshot([], [])
    real = plan_live(data, NOW)

    def planned(snap: object, now: object, params: object = None) -> object:
        return msgspec.structs.replace(real, orders=orders, suggestions=[])

    monkeypatch.setattr(dispatch_board, "plan_live", planned)
    set_language("en")
    app = DispatchApp(MemoryFleet(data), clock=lambda: NOW, poll_seconds=3600)
    try:
        async with app.run_test(size=(80, 24)) as pilot:
            board = board_of(app)
            await until(pilot, lambda: board.rounds >= 1 and len(board.orders_list.keys) == 4, "first round")
            assert list(board.orders_list.keys) == ["ord-0004", "ord-0003", "ord-0002", "ord-0001"]
    finally:
        set_language(None)


# --- 3. the header of a day that starts after midnight ----------------------------------------------------------


def test_monday_after_a_late_sunday_says_from_when() -> None:
    store = _store()  # Sunday 13:30-03:00, the other days 13:30-22:00
    monday = reports.compute(store, date(2026, 12, 7), [], _at(7, 12))
    assert (monday.starts_at, monday.ends_at) == (_at(7, 3), _at(8, 0))
    late = _store(others="02:00")  # every day runs past midnight: Monday from 03:00 until 02:00 Tuesday
    both = reports.compute(late, date(2026, 12, 7), [], _at(7, 12))
    sunday = reports.compute(store, date(2026, 12, 6), [], _at(7, 1, 40))
    from o2o_tui.cli.report import plain_lines

    try:
        set_language("en")
        assert figures_text.day_label(monday) == "Mon 7 Dec, from 03:00"
        assert plain_lines(monday, "S", 80)[0] == "Figures Mon 7 Dec, from 03:00 · S"
        assert figures_text.day_label(both) == "Mon 7 Dec, 03:00 until 02:00 Tue"
        assert figures_text.day_label(sunday) == "Sun 6 Dec, until 03:00 Mon"  # as r1 had it
        set_language("zh")
        assert figures_text.day_label(monday) == "12月7日 周一，03:00 起"
        assert plain_lines(monday, "S", 80)[0] == "数据 12月7日 周一，03:00 起 · S"
        assert figures_text.day_label(both) == "12月7日 周一，03:00 至周二 02:00"
    finally:
        set_language("en")
    tuesday = reports.compute(store, date(2026, 12, 8), [], _at(8, 12))  # Monday closed at 22:00: a calendar day
    assert figures_text.day_label(tuesday) == "2026-12-08"


async def test_the_consoles_f_says_from_when_on_monday() -> None:
    from o2o_tui.figures import Figures
    from screens.app import MerchantApp
    from screens.figures_screen import FiguresScreen
    from screens.memory_source import MemoryOrderSource
    from screens.terminal import DEFAULT_THEME
    from tests.test_ui_samples import sample_store

    now = _at(7, 12)
    store = _store()

    def load(day: str | None) -> Figures:
        chosen = date.fromisoformat(day) if day else reports.store_day(store, now)
        return Figures(reports.compute(store, chosen, [], now), now)

    set_language("en")
    app = MerchantApp(MemoryOrderSource(store=sample_store()), clock=lambda: now, theme=DEFAULT_THEME)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = FiguresScreen(load, store_name="S")
        await app.push_screen(screen)
        for _ in range(200):
            if "from" in str(screen.query_one("#figures-title").render()):
                break
            await pilot.pause(0.02)
        assert "Figures Mon 7 Dec, from 03:00" in str(screen.query_one("#figures-title").render())


# --- 4. a future --date against the trading today --------------------------------------------------------------


def test_the_trading_today_at_1_40_on_monday_is_sunday() -> None:
    store = _store()
    assert trading_today(store, _at(7, 1, 40)) == date(2026, 12, 6)
    assert trading_today(store, _at(7, 3)) == date(2026, 12, 7)
    assert trading_today(_store(sunday_closes="22:00"), _at(7, 1, 40)) == date(2026, 12, 7)


def test_is_future_without_the_platforms_today_reads_the_days_start() -> None:
    """An answer without `today` but with the day's bounds: Monday had not begun at 01:40 (it starts at 03:00)."""
    store = _store()
    monday = reports.compute(store, date(2026, 12, 7), [], _at(7, 1, 40))
    older = msgspec.structs.replace(monday, today=None)
    assert is_future(older, _at(7, 1, 40)) and not is_future(older, _at(7, 3))
    sunday = msgspec.structs.replace(reports.compute(store, date(2026, 12, 6), [], _at(7, 1, 40)), today=None)
    assert not is_future(sunday, _at(7, 1, 40))
    plain = DayReport(**{**msgspec.structs.asdict(older), "starts_at": None, "ends_at": None})
    assert not is_future(plain, _at(7, 1, 40))  # no bounds: the calendar's today (Monday)


def test_report_date_is_checked_against_the_trading_today(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The CLI's own check (the cached store, its hours and clock) at 01:40 on Monday names Sunday as today."""
    from o2o_tui.cli import report as report_cli
    from tests.test_cli_orders import Cli as OrdersCli

    seed = platform.seed
    assert seed is not None
    hours = msgspec.to_builtins(_store().opening_hours)  # Sunday 13:30-03:00, the other days 13:30-22:00
    changed = api(platform, "merchant").put(f"/v1/stores/{seed.store_id}/hours", {"opening_hours": hours})
    assert changed.status_code == 200, changed.text
    merchant = OrdersCli(tmp_path / "home", seed.tokens["merchant"])
    merchant("login", "--url", platform.url, "--token", merchant.token)
    merchant("sync", "--once")
    monkeypatch.setattr(report_cli, "_now", lambda: _at(7, 1, 40))
    platform.stop()  # the local check alone: offline, it still says it
    said = merchant("report", "day", "--date", "2026-12-08", code=Exit.USAGE).stderr
    assert "2026-12-08 is after the store's today (2026-12-06)" in said, said
    said = merchant("report", "day", "--date", "2026-12-07", code=Exit.USAGE).stderr  # Monday had not begun
    assert "2026-12-07 is after the store's today (2026-12-06)" in said, said
    monkeypatch.setattr(report_cli, "_now", lambda: _at(7, 3, 0))
    assert merchant("report", "day", "--date", "2026-12-07", code=Exit.OFFLINE)  # Monday's now: not refused as future
