"""An order for the day after tomorrow, on the real platform (loopback server, real caches): `o2o orders accept`
says "ready 9 Dec 12:00", `o2o orders show` "promised ready: 9 Dec 12:00" and a courier's `o2o deliveries list`
"(ready 9 Dec 12:00)", never a bare "12:00" that reads as today; special hours on a date over an order's promised
time are said as special hours (the API adds the date's `hours`, keeping `holiday`), not as a holiday."""

# ruff: noqa: F811  (pytest fixtures imported by name)
from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.support.platform import RunningPlatform, api, order_body
from tests.test_cli_orders import Cli, cli, running  # noqa: F401  (fixtures)

SHANGHAI = ZoneInfo("Asia/Shanghai")


def _for(start: datetime) -> dict[str, str]:
    return {
        "type": "SCHEDULED",
        "window_start": start.isoformat(),
        "window_end": (start + timedelta(minutes=30)).isoformat(),
    }


MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def _day_words(day: date) -> str:
    """ "9 Dec" ("9 Dec 2027" in another year than today's in Shanghai): the month in words, never "12-09"."""
    year = f" {day.year}" if day.year != datetime.now(SHANGHAI).year else ""
    return f"{day.day} {MONTHS[day.month - 1]}{year}"


def test_an_order_for_a_later_day_says_its_day_everywhere(
    running: RunningPlatform,
    cli: Cli,
    courier: Cli,
) -> None:
    seed = running.seed
    assert seed is not None
    day = (datetime.now(SHANGHAI) + timedelta(days=2)).date()
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=SHANGHAI)
    placed = api(running, "customer").post("/v1/orders", order_body(seed.store_id, timing=_for(noon))).json()
    cli("sync", "--once")
    when = f"{_day_words(day)} 12:00"

    accepted = cli("orders", "accept", placed["id"], "--prep", "15", "--no-print").stdout
    assert f"accepted: ready {when} (" in accepted, accepted
    shown = cli("orders", "show", placed["id"]).stdout
    assert f"promised ready: {when}" in shown and "promised ready: 12:00" not in shown, shown

    merchant = api(running, "merchant")
    assigned = merchant.post(f"/v1/orders/{placed['id']}/assign", {"courier_id": seed.courier_ids[0]})
    assert assigned.status_code == 200, assigned.text
    listed = courier("deliveries", "list").stdout
    assert f"(ready {when})" in listed, listed
    [row] = courier.json("deliveries", "list")
    assert f"Ready: {when}" in courier("deliveries", "show", row["id"]).stdout


def test_special_hours_over_a_promised_time_are_said_as_special_hours(
    running: RunningPlatform,
    cli: Cli,
) -> None:
    seed = running.seed
    assert seed is not None
    day = (datetime.now(SHANGHAI) + timedelta(days=2)).date()
    ten = datetime(day.year, day.month, day.day, 10, tzinfo=SHANGHAI)
    placed = (
        api(running, "customer")
        .post("/v1/orders", order_body(seed.store_id, "TAKEOUT", timing=_for(ten)))
        .json()
    )
    merchant = api(running, "merchant")
    special = {"date": day.isoformat(), "hours": [{"opens": "11:00", "closes": "14:00"}], "note": ""}
    assert merchant.put(f"/v1/stores/{seed.store_id}/hours", {"exceptions": [special]}).status_code == 200
    rang = merchant.get(f"/v1/orders/{placed['id']}").json()
    assert rang["closed_at_promise"] == {"date": day.isoformat(), "holiday": True, "hours": ["11:00-14:00"]}
    cli("sync", "--once")
    shown = cli("orders", "show", placed["id"]).stdout
    said = f"the store is closed then (special hours 11:00-14:00 on {day.day} {MONTHS[day.month - 1]})"
    assert said in shown and "holiday" not in shown, shown
    assert f"Promised for {_day_words(day)} 10:00:" in shown, shown
