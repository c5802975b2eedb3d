"""Opening hours that would be wrong without a word: ranges of one day that overlap (10:00-14:00,13:00-20:00) and a
holiday already past (closed 2020-01-01) are refused, by `o2o store hours` (exit 2, naming the ranges or the
store's today) and by the platform itself (422 naming the field), while touching ranges, yesterday (its range past
midnight still runs) and a past exception the store already has (sent back unchanged with every change) are kept."""

from __future__ import annotations

import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.domain.hours import overlapping
from o2o_tui.domain.store import TimeRange
from o2o_tui.i18n import set_language
from o2o_tui.store_hours import HoursError, check_not_past, parse_ranges
from tests.support.platform import RunningPlatform, api
from tests.test_cli_orders import Cli


def test_overlapping_ranges_of_one_day() -> None:
    def ranges(*spans: str) -> list[TimeRange]:
        return [TimeRange(*span.split("-")) for span in spans]

    assert overlapping(ranges("10:00-14:00", "13:00-20:00")) == (0, 1)
    assert overlapping(ranges("13:00-20:00", "10:00-14:00")) == (1, 0)  # indexes as given, opening first
    assert overlapping(ranges("10:00-14:00", "14:00-20:00")) is None  # touching is fine
    assert overlapping(ranges("08:00-20:00", "12:00-13:00")) == (0, 1)  # inside another
    assert overlapping(ranges("18:00-02:00", "01:00-05:00")) is None  # the early one is that morning's
    assert overlapping(ranges("18:00-02:00", "23:00-01:00")) == (0, 1)  # both run past midnight
    assert overlapping(ranges("00:00-00:00", "10:00-11:00")) == (0, 1)  # all day covers everything


def test_what_a_person_types_is_refused_with_the_ranges_named() -> None:
    set_language("en")
    try:
        with pytest.raises(HoursError) as refused:
            parse_ranges("10:00-14:00,13:00-20:00")
        said = refused.value.message
        assert "13:00-20:00 overlaps 10:00-14:00" in said and "Write 10:00-20:00" in said
        today = datetime(2026, 12, 6).date()
        with pytest.raises(HoursError, match=r"2020-01-01 is past \(the store's today is 2026-12-06\)"):
            check_not_past("2020-01-01", today)
        assert check_not_past("2026-12-05", today) == "2026-12-05"  # yesterday's night may still run
    finally:
        set_language(None)


def _past_exception_in_the_database(running: RunningPlatform, day: str) -> None:
    """As if set back when it was ahead: straight into the store's stored document."""
    assert running.seed is not None
    path = running.db_url.removeprefix("sqlite:///")
    with sqlite3.connect(path) as db:
        (raw,) = db.execute("SELECT doc FROM stores WHERE id = ?", (running.seed.store_id,)).fetchone()
        doc = json.loads(raw)
        doc["hours_exceptions"] = [{"date": day, "hours": [], "note": "old"}]
        db.execute("UPDATE stores SET doc = ? WHERE id = ?", (json.dumps(doc).encode(), running.seed.store_id))


def test_the_platform_and_the_cli_refuse_overlaps_and_past_holidays(platform: RunningPlatform, tmp_path: Path) -> None:
    seed = platform.seed
    assert seed is not None
    merchant = api(platform, "merchant")
    hours = f"/v1/stores/{seed.store_id}/hours"
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()  # the seeded store's clock
    lunch, evening = {"opens": "10:00", "closes": "14:00"}, {"opens": "13:00", "closes": "20:00"}

    answer = merchant.put(hours, {"opening_hours": [{"weekday": 0, **lunch}, {"weekday": 0, **evening}]})
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "opening_hours[1]"
    assert "13:00-20:00 overlaps 10:00-14:00" in answer.json()["error"]["message"]
    answer = merchant.put(hours, {"exceptions": [{"date": "2099-01-01", "hours": [evening, lunch]}]})
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "exceptions[0].hours[0]"
    answer = merchant.put(hours, {"exceptions": [{"date": "2020-01-01"}]})
    assert answer.status_code == 422 and answer.json()["error"]["field"] == "exceptions[0].date"
    assert f"the store's today is {today}" in answer.json()["error"]["message"]
    # touching ranges on different days and yesterday's exception are fine
    yesterday = (today - timedelta(days=1)).isoformat()
    fine = {"opening_hours": [{"weekday": 0, **lunch}, {"weekday": 0, "opens": "14:00", "closes": "20:00"}],
            "exceptions": [{"date": yesterday}]}
    assert merchant.put(hours, fine).status_code == 200
    # a past exception the store already has goes back unchanged with the next change: kept, not refused
    _past_exception_in_the_database(platform, "2020-01-01")
    kept = {"opening_hours": [{"weekday": 1, **lunch}], "exceptions": [{"date": "2020-01-01", "note": "old"}]}
    assert merchant.put(hours, kept).status_code == 200, "an old holiday must not block every later change"
    changed = {"opening_hours": [{"weekday": 1, **lunch}], "exceptions": [{"date": "2020-01-01", "note": "new"}]}
    assert merchant.put(hours, changed).status_code == 422

    cli = Cli(tmp_path / "home", seed.tokens["merchant"])
    cli("login", "--url", platform.url, "--token", cli.token)
    cli("sync", "--once")
    said = cli("store", "hours", "set", "mon", "10:00-14:00,13:00-20:00", code=Exit.USAGE).stderr
    assert "13:00-20:00 overlaps 10:00-14:00" in said
    said = cli("store", "hours", "closed", "2021-03-04", code=Exit.USAGE).stderr
    assert f"2021-03-04 is past (the store's today is {today})" in said
    said = cli("store", "hours", "open", "2021-03-04", "10:00-12:00", code=Exit.USAGE).stderr
    assert "2021-03-04 is past" in said
    assert cli.json("sync", "status")["pending"] == 0  # nothing queued
    cli("store", "hours", "closed", (today + timedelta(days=3)).isoformat())  # ahead: fine
