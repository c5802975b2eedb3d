"""The day report against orders driven through their lifecycle on the real server; the pure figures on a small
known set (exact medians and p90); ended orders kept for the figures' 90 days while events go sooner."""

from __future__ import annotations

import statistics
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import msgspec

from o2o_tui.domain.money import Money
from o2o_tui.domain.order import OrderLine
from o2o_tui.domain.store import Store
from o2o_tui.platform import reports
from tests.support.platform import RunningPlatform, api, order_body


def _t(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def test_day_report_from_orders_driven_on_the_server(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    customer, merchant, admin = (api(shared_platform, role) for role in ("customer", "merchant", "admin"))
    store = seed.store_id

    def place(kind: str = "TAKEOUT") -> dict:
        response = customer.post("/v1/orders", order_body(store, kind))
        assert response.status_code == 201, response.text
        return response.json()

    handed, ready, refused, dropped, withdrawn, waiting = (place() for _ in range(6))  # waiting: never accepted
    for order in (handed, ready, withdrawn):
        assert merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10}).status_code == 200
    for order in (handed, ready):
        assert merchant.post(f"/v1/orders/{order['id']}/ready", {}).status_code == 200
    code = handed["pickup_code"]
    assert merchant.post(f"/v1/orders/{handed['id']}/handoff", {"code": code}).status_code == 200
    assert merchant.post(f"/v1/orders/{refused['id']}/reject", {"reason_code": "STORE_BUSY"}).status_code == 200
    assert customer.post(f"/v1/orders/{dropped['id']}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"}).status_code == 200
    assert merchant.post(f"/v1/orders/{withdrawn['id']}/cancel", {"reason_code": "STORE_BUSY"}).status_code == 200
    docs = {o["id"]: merchant.get(f"/v1/orders/{o['id']}").json() for o in (handed, ready, withdrawn)}

    zone = ZoneInfo(merchant.get(f"/v1/stores/{store}").json()["timezone"])
    today = datetime.now(UTC).astimezone(zone).date().isoformat()
    answer = merchant.get(f"/v1/stores/{store}/reports/day", date=today)
    assert answer.status_code == 200, answer.text
    got = answer.json()
    assert got["date"] == today and got["currency"] == "CNY"
    assert (got["placed"], got["completed"], got["refused"], got["cancelled"], got["open"]) == (6, 1, 1, 2, 2)
    hour = _t(handed["created_at"]).astimezone(zone).hour
    assert got["hours"][hour]["placed"] == 6 and sum(h["placed"] for h in got["hours"]) == 6
    assert sum(h["completed"] for h in got["hours"]) == 1
    accept = [(_t(d["confirmed_at"]) - _t(d["created_at"])).total_seconds() for d in docs.values()]
    assert got["accept_time"]["count"] == 3
    assert got["accept_time"]["median_seconds"] == statistics.median(accept)
    prep = [(_t(docs[o["id"]]["ready_at"]) - _t(docs[o["id"]]["confirmed_at"])).total_seconds() for o in (handed, ready)]
    assert got["prep_time"]["median_seconds"] == statistics.median(prep) and got["prep_time"]["p90_seconds"] == max(prep)
    assert got["refusals"] == [{"reason_code": "STORE_BUSY", "count": 1}]
    assert got["cancellations"] == [
        {"reason_code": "CUSTOMER_CHANGED_MIND", "by": "CUSTOMER", "count": 1},
        {"reason_code": "STORE_BUSY", "by": "MERCHANT", "count": 1},
    ]
    line_total = 2 * (3800 + 300)  # the two live orders' lines; the cancelled ones and the unaccepted one earn nothing
    assert got["gross"] == {"amount": 2 * line_total, "currency": "CNY"} and got["revenue"] == got["gross"]
    assert [(i["item_id"], i["quantity"]) for i in got["top_items"]] == [("kung-pao-chicken", 4)]
    assert admin.get(f"/v1/stores/{store}/reports/day", date=today).json()["placed"] == 6
    assert waiting["status"] == "CREATED"
    yesterday = (date.fromisoformat(today) - timedelta(days=1)).isoformat()
    assert merchant.get(f"/v1/stores/{store}/reports/day", date=yesterday).json()["placed"] == 0
    for edge in ("9999-12-31", "0001-01-01"):  # the calendar's last and first days: no next day, no UTC instant
        edge_answer = merchant.get(f"/v1/stores/{store}/reports/day", date=edge)
        assert edge_answer.status_code == 422 and edge_answer.json()["error"]["field"] == "date", edge_answer.text
    bad = merchant.get(f"/v1/stores/{store}/reports/day", date="2026-13-01")
    assert bad.status_code == 422 and bad.json()["error"]["field"] == "date"


def _store(zone: str = "Asia/Shanghai") -> Store:
    raw = {"id": "s1", "name": "S", "address": {"text": "x"}, "currency": "CNY", "timezone": zone,
           "status": {}, "version": 1}
    return msgspec.convert(raw, Store)


def _doc(created: str, **fields: object) -> bytes:
    line = OrderLine("tea", "奶茶 Milk tea", 1, Money(1500, "CNY"), total=Money(1500, "CNY"))
    base: dict[str, object] = {"id": created, "status": "DELIVERED", "created_at": created, "lines": [line]}
    return msgspec.json.encode({**base, **fields})


def test_figures_on_a_known_set_exact_median_and_p90() -> None:
    start = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai
    docs = []
    for minutes, accept_s in enumerate((30, 60, 90, 120, 600)):  # median 90, p90 (nearest rank, 5 -> 5th) 600
        created = start + timedelta(minutes=minutes)
        confirmed = created + timedelta(seconds=accept_s)
        docs.append(_doc(created.isoformat(), confirmed_at=confirmed.isoformat(),
                         ready_at=(confirmed + timedelta(minutes=10 + minutes)).isoformat(),
                         ended_at=(confirmed + timedelta(hours=2)).isoformat(),
                         refunds=[{"amount": {"amount": 100, "currency": "CNY"}}] if minutes == 0 else []))
    report = reports.compute(_store(), date(2026, 3, 2), docs, start)
    assert report.accept_time.median_seconds == 90 and report.accept_time.p90_seconds == 600
    assert report.prep_time.median_seconds == 12 * 60 and report.prep_time.count == 5
    assert report.hours[9].placed == 5 and report.hours[11].completed == 5
    assert report.gross == Money(7500, "CNY") and report.refunds == Money(100, "CNY")
    assert report.revenue == Money(7400, "CNY")
    even = reports.durations([10.0, 20.0, 30.0, 40.0])
    assert even.median_seconds == 25 and even.p90_seconds == 40


def test_refunds_take_back_the_items_they_name_not_the_delivery_fee() -> None:
    """A line refunded, then the rest of the order (the delivery fee with it): revenue is the items not given
    back, and an item refunded whole sold nothing."""
    created = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)
    lines = [
        OrderLine("tea", "奶茶 Milk tea", 2, Money(1500, "CNY"), total=Money(3000, "CNY")),
        OrderLine("cake", "蛋糕 Cake", 1, Money(2000, "CNY"), total=Money(2000, "CNY")),
    ]
    kept = _doc(created.isoformat(), confirmed_at=created.isoformat(), lines=lines,
                refunds=[{"amount": {"amount": 1500, "currency": "CNY"},
                          "lines": [{"line": 0, "quantity": 1, "amount": {"amount": 1500, "currency": "CNY"}}]}])
    given_back = _doc((created + timedelta(minutes=1)).isoformat(), confirmed_at=created.isoformat(), lines=lines,
                      refunds=[{"amount": {"amount": 5500, "currency": "CNY"}, "whole": True,  # 5000 + fee 500
                                "lines": [{"line": 0, "quantity": 2, "amount": {"amount": 3000, "currency": "CNY"}},
                                          {"line": 1, "quantity": 1, "amount": {"amount": 2000, "currency": "CNY"}}]}])
    report = reports.compute(_store(), date(2026, 3, 2), [kept, given_back], created)
    assert report.gross == Money(10000, "CNY") and report.refunds == Money(6500, "CNY")
    assert report.revenue == Money(3500, "CNY")  # one tea and the cake of the first order
    assert [(i.item_id, i.quantity, i.revenue.amount) for i in report.top_items] == [("cake", 1, 2000), ("tea", 1, 1500)]


def test_a_day_is_the_stores_local_day() -> None:
    store = _store("America/New_York")
    # 2026-03-08: clocks go forward in New York; the day is 23 hours long, 05:00Z to 04:00Z next day
    start, end = reports.day_bounds(ZoneInfo(store.timezone), date(2026, 3, 8))
    assert (start.isoformat(), end - start) == ("2026-03-08T05:00:00+00:00", timedelta(hours=23))
    late = _doc("2026-03-09T03:30:00+00:00")  # 23:30 local on the 8th
    early = _doc("2026-03-08T04:30:00+00:00")  # 23:30 local on the 7th
    report = reports.compute(store, date(2026, 3, 8), [late, early], start)
    assert report.placed == 1 and report.hours[23].placed == 1


def test_ended_orders_stay_90_days_for_the_figures_events_go_sooner(shared_platform: RunningPlatform) -> None:
    """Through the job the server runs: an order ended 89 days ago is kept (and counted on its day), one ended 91
    days ago is deleted; a setting under 90 days is raised to 90; the event prune still takes a week's events."""
    from sqlalchemy import select, update

    from o2o_tui.platform import db, jobs, order_retention
    from o2o_tui.platform.settings import Settings
    from o2o_tui.platform.state import Platform

    seed = shared_platform.seed
    assert seed is not None
    customer, merchant = api(shared_platform, "customer"), api(shared_platform, "merchant")
    placed = [customer.post("/v1/orders", order_body(seed.store_id, "TAKEOUT")).json() for _ in range(2)]
    for order in placed:
        assert merchant.post(f"/v1/orders/{order['id']}/reject", {"reason_code": "OTHER"}).status_code == 200
    now = db.utcnow()
    engine = db.open_database(shared_platform.db_url)
    try:
        with engine.begin() as conn:
            for order, days in zip(placed, (89, 91), strict=True):
                old = db.iso(now - timedelta(days=days))
                conn.execute(update(db.orders).where(db.orders.c.id == order["id"]).values(
                    created_at=old, updated_at=old, ended_at=old))
        assert order_retention.kept_days(7) == 90 and order_retention.kept_days(0) == 0
        jobs.prune(Platform(engine, Settings(order_retention_days=7, event_retention_hours=1)))
        with engine.connect() as conn:
            left = set(conn.execute(select(db.orders.c.id)).scalars())
            oldest_event = conn.execute(select(db.events.c.occurred_at).order_by(db.events.c.id)).first()
    finally:
        engine.dispose()
    assert placed[0]["id"] in left and placed[1]["id"] not in left
    assert oldest_event is None or oldest_event[0] >= db.iso(now - timedelta(hours=1, minutes=1))
