"""`o2o store hours`: show from the cache, set a weekday, close or open on a date, clear a date; through the outbox
against the real platform on loopback, with the same exit codes and --json conventions as the other store commands.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.client import PlatformClient
from o2o_tui.domain.store import HoursException, OpeningHours, TimeRange
from tests.support.platform import RunningPlatform, api, order_body, start_platform
from tests.test_cli_orders import Cli


@pytest.fixture(scope="module")
def running(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path_factory.mktemp("platform"))
    try:
        yield platform
    finally:
        platform.stop()


@pytest.fixture
def cli(running: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    assert running.seed is not None
    runner = Cli(tmp_path / "home", running.seed.tokens["merchant"])
    runner("login", "--url", running.url, "--token", runner.token)
    runner("sync", "--once")
    yield runner
    runner("store", "hours", "reset")  # leave the shared store as it was (no hours at all)
    assert runner.json("store", "hours")["opening_hours"] == runner.json("store", "hours")["hours_exceptions"] == []
    assert all(runner.token not in text for text in runner.outputs)


def _server_store(running: RunningPlatform):  # type: ignore[no-untyped-def]
    assert running.seed is not None
    with PlatformClient(running.url, running.seed.tokens["merchant"]) as merchant:
        return merchant.get_store(running.seed.store_id)


def test_set_a_weekday_then_dated_exceptions(running: RunningPlatform, cli: Cli) -> None:
    shown = cli.json("store", "hours")
    assert shown["opening_hours"] == [] and shown["takes_orders"] is True
    assert shown["week"]["mon"] == [{"opens": "00:00", "closes": "00:00"}]  # hours not set: open all day
    text = cli("store", "hours").stdout
    assert "No opening hours set" in text and "Mon  all day" in text and "closed" not in text

    changed = cli.json("store", "hours", "set", "fri", "10:00-14:00,17:00-02:00")
    assert changed["outcome"] == "done"
    assert changed["hours"]["week"]["fri"] == [
        {"opens": "10:00", "closes": "14:00"},
        {"opens": "17:00", "closes": "02:00"},
    ]
    whole = {
        day: OpeningHours(day, "00:00", "00:00") for day in range(7)
    }  # the first day set kept the rest open
    assert changed["hours"]["week"]["sat"] == [{"opens": "00:00", "closes": "00:00"}]
    cli("store", "hours", "set", "0", "09:00-21:00")
    assert _server_store(running).opening_hours == [
        OpeningHours(0, "09:00", "21:00"),
        whole[1],
        whole[2],
        whole[3],
        OpeningHours(4, "10:00", "14:00"),
        OpeningHours(4, "17:00", "02:00"),
        whole[5],
        whole[6],
    ]

    cli("store", "hours", "closed", "2099-12-25", "--note", "Christmas")
    cli("store", "hours", "open", "2100-01-01", "12:00-20:00")
    assert _server_store(running).hours_exceptions == [
        HoursException("2099-12-25", [], "Christmas"),
        HoursException("2100-01-01", [TimeRange("12:00", "20:00")]),
    ]
    text = cli("store", "hours").stdout
    assert "Fri  10:00-14:00, 17:00-02:00" in text and "2099-12-25  closed all day  Christmas" in text
    assert "Now: " in text

    cli("store", "hours", "clear", "2100-01-01")
    cli("store", "hours", "set", "fri", "closed")
    store = _server_store(running)
    assert store.opening_hours == [
        OpeningHours(0, "09:00", "21:00"),
        whole[1],
        whole[2],
        whole[3],
        whole[5],
        whole[6],
    ]
    assert [e.date for e in store.hours_exceptions] == ["2099-12-25"]


def test_bad_input_is_a_usage_error_that_changes_nothing(running: RunningPlatform, cli: Cli) -> None:
    before = _server_store(running)
    for args, says in [
        (("set", "someday", "10:00-12:00"), "Not a day"),
        (("set", "mon", "10-12"), "Not a time range"),
        (("closed", "2026-02-30"), "Not a date"),
        (("open", "2026-10-01", "closed"), "store hours closed DATE"),
        (("clear", "2031-01-01"), "no exception for 2031-01-01"),
    ]:
        result = cli("store", "hours", *args, code=Exit.USAGE)
        assert says in result.stderr, (args, result.stderr)
    after = _server_store(running)
    assert (after.opening_hours, after.hours_exceptions, after.version) == (
        before.opening_hours,
        before.hours_exceptions,
        before.version,
    )


def test_no_cache_and_courier_profiles_follow_the_store_conventions(
    running: RunningPlatform, tmp_path: Path
) -> None:
    assert running.seed is not None
    fresh = Cli(tmp_path / "fresh", running.seed.tokens["merchant"])
    fresh("login", "--url", running.url, "--token", fresh.token)
    assert fresh.json("store", "hours")["timezone"]  # never synced: pulled first, as `store status`
    courier = Cli(tmp_path / "courier", running.seed.tokens["courier"])
    courier("login", "--url", running.url, "--token", courier.token)
    assert "courier" in courier("store", "hours", code=Exit.USAGE).stderr


def test_a_new_order_outside_the_hours_is_refused(running: RunningPlatform, cli: Cli) -> None:
    """Hours set through the CLI are what the platform applies to a new order (in the store's time zone)."""
    assert running.seed is not None
    zone = ZoneInfo(cli.json("store", "hours")["timezone"])
    today = datetime.now(UTC).astimezone(zone)
    # today's hours: one minute long, twelve hours from now's clock: never open right now; the next day's too
    # when the store's midnight may pass before the last step below
    start = (today.hour + 12) % 24
    days = sorted({today.date().isoformat(), (today + timedelta(minutes=5)).date().isoformat()})
    for day in days:
        cli("store", "hours", "open", day, f"{start:02d}:00-{start:02d}:01")
    customer = api(running, "customer")
    try:
        shown = cli("store", "status").stdout  # what staff set is OPEN; what applies now is CLOSED
        assert "CLOSED" in shown.splitlines()[0] and "OPEN" not in shown.splitlines()[0], shown
        now = cli.json("store", "status")["now"]
        assert (now["state"], now["takes_orders"], now["by_hours"]) == ("CLOSED", False, True)
        refused = customer.post("/v1/orders", order_body(running.seed.store_id))
        assert refused.status_code == 409 and refused.json()["error"]["code"] == "store_unavailable", (
            refused.text
        )
        for day in days:
            cli("store", "hours", "clear", day)
        placed = customer.post("/v1/orders", order_body(running.seed.store_id))
        assert placed.status_code == 201, placed.text
    finally:
        customer.close()


def test_pause_until_a_store_time(running: RunningPlatform, cli: Cli) -> None:
    zone = ZoneInfo(cli.json("store", "status")["timezone"])
    local = datetime.now(UTC).astimezone(zone)
    at = (local + timedelta(hours=2)).strftime("%H:%M")
    paused = cli.json("store", "pause", "--until", at, "--reason", "deep clean")
    until = datetime.fromisoformat(paused["store"]["status"]["until"]).astimezone(zone)
    assert until.strftime("%H:%M") == at and timedelta(0) < until - local <= timedelta(hours=2)
    assert _server_store(running).status.reason == "deep clean"
    assert "(paused), orders refused" in cli("store", "status").stdout
    cli("store", "pause", "--until", at, "--minutes", "5", code=Exit.USAGE)
    assert "Not a length or a time" in cli("store", "pause", "--until", "25:99", code=Exit.USAGE).stderr
    cli("store", "resume")


def test_a_holiday_alone_leaves_every_weekday_open_all_day(running: RunningPlatform, cli: Cli) -> None:
    """A store without weekly hours closing for one holiday: the days still read "all day" (they read "closed"
    while the store took orders), and it is not said to close at the end of the two weeks the rules look at."""
    zone = ZoneInfo(cli.json("store", "hours")["timezone"])
    holiday = (datetime.now(UTC).astimezone(zone) + timedelta(days=40)).date().isoformat()
    cli("store", "hours", "closed", holiday, "--note", "Spring Festival")
    text = cli("store", "hours").stdout
    assert "Sun  all day" in text and f"{holiday}  closed all day  Spring Festival" in text
    assert "Now: Open, taking orders" in text, text
    shown = cli.json("store", "hours")
    assert shown["takes_orders"] is True and shown["until"] is None


def test_closing_the_last_open_weekday_is_refused_not_turned_into_open_all_day(
    running: RunningPlatform, cli: Cli
) -> None:
    """Weekly hours with every day closed would be no hours at all, which the rules read as open all day: the last
    day closed is refused with what to do instead, and nothing changes."""
    for day in range(6):
        cli("store", "hours", "set", str(day), "closed")
    before = _server_store(running)
    assert [h.weekday for h in before.opening_hours] == [6]
    refused = cli("store", "hours", "set", "sun", "closed", code=Exit.USAGE)
    assert "pause the store" in refused.stderr
    assert _server_store(running).opening_hours == before.opening_hours
