"""An order or delivery left open (nothing ends it) keeps its customer's data no longer than `O2O_PURGE_OPEN_HOURS`
past its promise, and that holds for its copies outside the order too: the courier that arrived at the door and
stood there since (the server and each device's cache forget the door, as for an ended delivery) and a kitchen
ticket still waiting for the printer (dropped unprinted by `o2o print` and the console).

The window's minimum is 24 hours, so time is moved, not waited for: the server's rows of a real delivery are aged
in its database while it is stopped and the purge is run on them; the caches and print queues are given documents
as old."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import select, update
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.domain.order import Order
from o2o_tui.platform import db, jobs
from o2o_tui.platform.settings import Settings
from o2o_tui.platform.state import Platform
from o2o_tui.printing.layout import JobKind, kitchen_ticket
from o2o_tui.printing.spool import QUEUE_FILE, PrintQueue
from o2o_tui.sync import tables
from o2o_tui.sync.retention import RetentionPolicy, apply_retention
from offline_cache import open_profile_cache
from tests.support.platform import Api, RunningPlatform, api, order_body, start_platform
from tests.support.purge import database_text, ok

DOOR = {"lat": 31.231706, "lon": 121.472644}
ADDRESS = "CANARYOPEN 南京东路 88 号 门口"
_TIMES = ("created_at", "updated_at", "confirmed_at", "accept_deadline", "promised_ready_at", "ready_at")


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def _aged(doc: dict[str, Any], moment: datetime) -> dict[str, Any]:
    """`doc` with each of its times that is set moved to `moment` (placed, promised and last changed then)."""
    return {**doc, **{name: _iso(moment) for name in _TIMES if doc.get(name)}}


def _at_the_door(running: RunningPlatform) -> tuple[str, dict[str, Any], dict[str, Any]]:
    """A delivery whose courier arrived at the customer's door (a handheld has no GPS: the arrival puts it there)
    and then nothing: no hand-over, no report. Answers (the courier's id, the order, the delivery)."""
    seeded = running.seed
    assert seeded is not None
    rider = seeded.courier_ids[0]
    customer, merchant, dispatcher = (api(running, role) for role in ("customer", "merchant", "dispatcher"))
    courier = Api(running.url, seeded.courier_tokens[rider])
    body = order_body(seeded.store_id, address={"text": ADDRESS, "position": DOOR})
    order = ok(customer.post("/v1/orders", body))
    path = f"/v1/orders/{order['id']}"
    ok(merchant.post(path + "/confirm", {"preparation_minutes": 5}))
    delivery = ok(dispatcher.post(path + "/assign", {"courier_id": rider}))
    at = f"/v1/deliveries/{delivery['id']}"
    ok(courier.post(at + "/accept", {}))
    ok(courier.post(at + "/picked-up", {"code": ok(merchant.get(path))["pickup_code"]}))
    delivery = ok(courier.post(at + "/arrived-at-customer", {}))
    assert ok(dispatcher.get(f"/v1/couriers/{rider}"))["position"] == DOOR
    order = ok(merchant.get(path))
    for client in (customer, merchant, dispatcher, courier):
        client.close()
    return rider, order, delivery


def _age_rows(db_url: str, order_id: str, delivery_id: str, courier_id: str, moment: datetime) -> None:
    """Move the order's, the delivery's and the courier's times in the (stopped) server's database to `moment`."""
    engine = db.open_database(db_url)
    try:
        with engine.begin() as conn:
            for table, row_id in ((db.orders, order_id), (db.deliveries, delivery_id)):
                doc = json.loads(conn.execute(select(table.c.doc).where(table.c.id == row_id)).scalar_one())
                values: dict[str, Any] = {"doc": json.dumps(_aged(doc, moment)).encode(), "updated_at": db.iso(moment)}
                if table is db.orders:
                    values |= {"created_at": db.iso(moment), "accept_deadline": db.iso(moment)}
                conn.execute(update(table).where(table.c.id == row_id).values(**values))
            courier = json.loads(
                conn.execute(select(db.couriers.c.doc).where(db.couriers.c.id == courier_id)).scalar_one()
            )
            courier["position_at"] = _iso(moment - timedelta(minutes=1))  # the arrival, before its last change
            conn.execute(
                update(db.couriers).where(db.couriers.c.id == courier_id).values(doc=json.dumps(courier).encode())
            )
    finally:
        engine.dispose()


def test_the_server_forgets_the_door_of_a_delivery_left_open(tmp_path: Path) -> None:
    running = start_platform(tmp_path / "platform")
    try:
        rider, order, delivery = _at_the_door(running)
    finally:
        running.stop()
    long_ago = datetime.now(UTC) - timedelta(hours=80)  # past the 72 hours
    _age_rows(running.db_url, order["id"], delivery["id"], rider, long_ago)
    engine = db.open_database(running.db_url)
    try:
        with engine.connect() as conn:
            before = json.loads(conn.execute(select(db.couriers.c.doc).where(db.couriers.c.id == rider)).scalar_one())
        assert before["position"] == DOOR
        assert jobs.purge_personal(Platform(engine, Settings())) >= 3  # the order, the delivery, the courier
        with engine.connect() as conn:
            after = json.loads(conn.execute(select(db.couriers.c.doc).where(db.couriers.c.id == rider)).scalar_one())
            left = json.loads(
                conn.execute(select(db.deliveries.c.doc).where(db.deliveries.c.id == delivery["id"])).scalar_one()
            )
            events = conn.execute(
                select(db.events.c.type).where(db.events.c.entity_id == rider).order_by(db.events.c.id)
            ).scalars().all()
    finally:
        engine.dispose()
    assert after["position"] is None and after["version"] == before["version"] + 1  # a change the boards hear of
    assert after["position_at"] == before["position_at"]
    assert events[-1] == "courier.updated", events
    assert left["status"] == "ARRIVED_AT_CUSTOMER" and left["dropoff"] == {"text": "", "position": None}
    text = database_text(running.db_url)
    assert ADDRESS not in text and str(DOOR["lat"]) not in text


def _left_open_docs(now: datetime) -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A courier at the door of a delivery left open 80 hours ago, that delivery, and its order (documents as a
    courier's and a board's caches hold them)."""
    moment = now - timedelta(hours=80)
    order = {
        "id": "ord_open", "store_id": "st_1", "status": "PREPARING", "number": 43, "version": 3,
        "created_at": _iso(moment), "updated_at": _iso(moment), "promised_ready_at": _iso(moment),
        "customer": {"name": "Ms Canary", "phone": "13900000417", "address": {"text": ADDRESS, "position": DOOR}},
        "courier_id": "co_1",
    }
    delivery = {
        "id": "dl_open", "order_id": "ord_open", "courier_id": "co_1", "store_id": "st_1",
        "status": "ARRIVED_AT_CUSTOMER", "version": 4, "created_at": _iso(moment), "updated_at": _iso(moment),
        "pickup": {"text": "Shop", "position": {"lat": 31.2, "lon": 121.4}},
        "dropoff": {"text": ADDRESS, "position": DOOR},
        "customer_name": "Ms Canary", "customer_phone": "13900000417",
    }
    courier = {
        "id": "co_1", "version": 9, "status": "BUSY", "position": DOOR,
        "position_at": _iso(moment - timedelta(minutes=1)),
    }
    return courier, delivery, order


def test_a_devices_cache_forgets_the_door_of_a_delivery_left_open(tmp_path: Path) -> None:
    now = datetime.now(UTC)
    courier, delivery, order = _left_open_docs(now)
    recent_courier = {**courier, "id": "co_2", "position_at": _iso(now - timedelta(hours=1))}
    an_hour_ago = _iso(now - timedelta(hours=1))
    recent = {**delivery, "id": "dl_recent", "courier_id": "co_2", "created_at": an_hour_ago,
              "updated_at": an_hour_ago, "dropoff": {"text": "幸福路 1 号", "position": DOOR}}
    with open_profile_cache(tmp_path / "profile") as cache:
        cache.table(tables.COURIERS).upsert("co_1", courier)
        cache.table(tables.COURIERS).upsert("co_2", recent_courier)
        cache.table(tables.DELIVERIES).upsert("dl_open", delivery)
        cache.table(tables.DELIVERIES).upsert("dl_recent", recent)
        cache.table(tables.ORDERS).upsert("ord_open", order)
        apply_retention(cache, RetentionPolicy(), now)
        forgot = cache.table(tables.COURIERS).get("co_1") or {}
        kept = cache.table(tables.COURIERS).get("co_2") or {}
        blanked = cache.table(tables.DELIVERIES).get("dl_open") or {}
    assert forgot["position"] is None and forgot["position_at"] == courier["position_at"]
    assert kept["position"] == DOOR  # a delivery at a door an hour ago: the courier may well be there
    assert blanked["status"] == "ARRIVED_AT_CUSTOMER" and blanked["dropoff"]["position"] is None
    assert not any(ADDRESS in path.read_text(encoding="utf-8", errors="replace")
                   for path in (tmp_path / "profile").rglob("cache-v*.json"))


def test_o2o_print_drops_the_waiting_ticket_of_an_order_left_open(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    """The merchant's cache holds an order accepted 80 hours ago and never marked ready (the printer was broken all
    along): `o2o print status` drops its ticket unprinted and says why; a fresh order's ticket waits."""
    seeded = shared_platform.seed
    assert seeded is not None
    home = tmp_path / "home"
    env = {"O2O_HOME": str(home), "O2O_LANG": "en", "O2O_PRINTER": "tcp://127.0.0.1:9", "O2O_PROFILE": None,
           "COLUMNS": "200"}

    def o2o(*args: str, as_json: bool = True) -> Any:
        result = CliRunner().invoke(app, [*args, *(["--json"] if as_json else [])], env=env, catch_exceptions=False)
        assert result.exit_code == 0, (args, result.stdout, result.stderr)
        return json.loads(result.stdout) if as_json else result.stdout

    placed = ok(api(shared_platform, "customer").post("/v1/orders", order_body(seeded.store_id)))
    fresh = ok(api(shared_platform, "merchant").post(f"/v1/orders/{placed['id']}/confirm", {"preparation_minutes": 5}))
    o2o("login", "--url", shared_platform.url, "--token", seeded.tokens["merchant"])
    o2o("sync", "--once")
    [cache_dir] = {path.parent for path in home.rglob("cache-v*.json")}
    now = datetime.now(UTC)
    left = {**_left_open_docs(now)[2], "store_id": seeded.store_id}
    with open_profile_cache(cache_dir) as cache:
        cache.table(tables.ORDERS).upsert(left["id"], left)
    fresh_number = f"#{fresh['number']:04d}"
    queue = PrintQueue(cache_dir)
    ticket = kitchen_ticket(msgspec.convert(fresh, Order), None, now)
    for order_id, number in ((left["id"], "#0043"), (fresh["id"], fresh_number)):
        queue.add(JobKind.TICKET, ticket, order_id=order_id, number=number)
    queue.close()
    status = o2o("print", "status")
    assert status["waiting"] == 1 and status["purged"] == 1 and status["purged_numbers"] == [43], status
    assert [job["display_number"] for job in status["jobs"]] == [fresh_number]
    assert "ord_open" not in (cache_dir / QUEUE_FILE).read_text(encoding="utf-8")
    said = o2o("print", "status", as_json=False)
    assert "or stayed open more than 72 h past its promised time" in said, said
