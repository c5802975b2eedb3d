"""The database outlives the server: a restart loses nothing, and a database from an older release upgrades."""

from __future__ import annotations

import os
import sqlite3
import stat
import uuid
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from o2o_tui.platform import db
from tests.support.platform import RunningPlatform, api, order_body, start_platform


def _sqlite_path(running: RunningPlatform) -> str:
    return running.db_url.removeprefix("sqlite:///")


def test_restart_loses_nothing(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    customer, merchant, dispatcher = (api(platform, r) for r in ("customer", "merchant", "dispatcher"))
    orders = [customer.post("/v1/orders", order_body(seed.store_id)).json() for _ in range(3)]
    key = str(uuid.uuid4())
    confirmed = merchant.post(f"/v1/orders/{orders[0]['id']}/confirm", {"preparation_minutes": 7}, key=key)
    dispatcher.post(f"/v1/orders/{orders[1]['id']}/assign", {"courier_id": seed.courier_ids[0]})
    merchant.patch(f"/v1/stores/{seed.store_id}/menu/items/cola", {"snooze_until": "2099-01-01T00:00:00Z"})
    admin = api(platform, "admin")
    before_orders = [admin.get(f"/v1/orders/{o['id']}").json() for o in orders]
    before_events = admin.get("/v1/events", after="0", limit=1000).json()
    before_menu = admin.get(f"/v1/stores/{seed.store_id}/menu").json()
    before_couriers = admin.get("/v1/couriers").json()

    platform.restart()

    admin, merchant, customer = (api(platform, r) for r in ("admin", "merchant", "customer"))
    assert [admin.get(f"/v1/orders/{o['id']}").json() for o in orders] == before_orders
    assert admin.get("/v1/events", after="0", limit=1000).json() == before_events
    assert admin.get(f"/v1/stores/{seed.store_id}/menu").json() == before_menu
    assert admin.get("/v1/couriers").json() == before_couriers
    replay = merchant.post(f"/v1/orders/{orders[0]['id']}/confirm", {"preparation_minutes": 7}, key=key)
    assert replay.content == confirmed.content  # stored answers survive too
    after = customer.post("/v1/orders", order_body(seed.store_id)).json()
    assert after["number"] == max(o["number"] for o in orders) + 1
    page = merchant.get("/v1/events", after=before_events["cursor"]).json()
    assert [e["entity_id"] for e in page["events"]] == [after["id"]]


def _make_version_1(path: str) -> None:
    """Turn a current database into what release 1 wrote: no action log, no orders.ended_at, no pickup index,
    no code attempts, no vouchers, no event tags."""
    with sqlite3.connect(path) as conn:
        conn.execute("DROP INDEX ix_orders_store_pickup")
        conn.execute("DROP TABLE action_log")
        conn.execute("DROP TABLE code_attempts")
        conn.execute("DROP TABLE vouchers")
        conn.execute("ALTER TABLE orders DROP COLUMN ended_at")
        conn.execute("ALTER TABLE events DROP COLUMN tag")
        conn.execute("DROP INDEX ix_idempotency_entity")  # schema 7: what a stored answer carries
        conn.execute("ALTER TABLE idempotency DROP COLUMN entity")
        conn.execute("ALTER TABLE idempotency DROP COLUMN entity_id")
        conn.execute("DROP INDEX ix_orders_store_status")  # schema 8
        conn.execute("DROP TABLE store_devices")  # schema 8
        conn.execute("UPDATE schema_info SET version = 1")


def test_older_schema_upgrades_on_start(tmp_path: Path) -> None:
    running = start_platform(tmp_path)
    assert running.seed is not None
    customer, merchant = api(running, "customer"), api(running, "merchant")
    kept = customer.post("/v1/orders", order_body(running.seed.store_id)).json()
    ended = customer.post("/v1/orders", order_body(running.seed.store_id)).json()
    merchant.post(f"/v1/orders/{ended['id']}/reject", {"reason_code": "STORE_BUSY"})
    running.stop()
    _make_version_1(_sqlite_path(running))

    running.restart()
    try:
        customer, merchant = api(running, "customer"), api(running, "merchant")
        assert customer.get(f"/v1/orders/{kept['id']}").json()["status"] == "CREATED"
        tapped = (datetime.now(UTC) - timedelta(days=2)).replace(microsecond=0)
        confirmed = merchant.post(
            f"/v1/orders/{kept['id']}/confirm",
            {"preparation_minutes": 5},
            headers={"X-Occurred-At": tapped.astimezone(timezone(timedelta(hours=8))).isoformat()},
        )
        assert confirmed.status_code == 200
    finally:
        running.stop()
    with sqlite3.connect(_sqlite_path(running)) as conn:
        assert conn.execute("SELECT version FROM schema_info").fetchone()[0] == db.SCHEMA_VERSION
        indexes = {row[1] for row in conn.execute("PRAGMA index_list(orders)")}
        assert "ix_orders_store_pickup" in indexes
        assert conn.execute("SELECT count(*) FROM code_attempts").fetchone()[0] == 0  # schema 4
        assert conn.execute("SELECT count(*) FROM vouchers").fetchone()[0] == 0  # schema 5
        assert conn.execute(
            "SELECT ended_at IS NOT NULL FROM orders WHERE id = ?", (ended["id"],)
        ).fetchone()[0]
        logged = conn.execute(
            "SELECT action, occurred_at FROM action_log WHERE entity_id = ?", (kept["id"],)
        ).fetchall()
        assert logged == [("confirm", tapped.strftime("%Y-%m-%dT%H:%M:%S.000000Z"))]  # the tap, in UTC


def test_the_database_is_private_to_its_owner(tmp_path: Path) -> None:
    """Customers' phones and addresses and every token's hash live there: no other local user may read them."""
    folder = tmp_path / "srv"  # a place of the operator's choosing, not the 0700 data directory
    folder.mkdir(mode=0o755)
    previous_umask = os.umask(0o022)
    try:
        running = start_platform(folder)
    finally:
        os.umask(previous_umask)
    try:
        seed = running.seed
        assert seed is not None
        api(running, "customer").post("/v1/orders", order_body(seed.store_id))
        files = sorted(folder.glob("platform.sqlite3*"))
        # the database, its WAL files, and the lock that keeps a second server off it (platform/sqlite_lock.py)
        assert [f.name for f in files] == [
            "platform.sqlite3",
            "platform.sqlite3-shm",
            "platform.sqlite3-wal",
            "platform.sqlite3.server-lock",
        ]
        assert {f.name: stat.S_IMODE(f.stat().st_mode) for f in files} == {f.name: 0o600 for f in files}
    finally:
        running.stop()


def test_newer_schema_is_refused(tmp_path: Path) -> None:
    running = start_platform(tmp_path)
    running.stop()
    with sqlite3.connect(_sqlite_path(running)) as conn:
        conn.execute("UPDATE schema_info SET version = ?", (db.SCHEMA_VERSION + 1,))
    with pytest.raises(RuntimeError, match="newer"):
        running.restart()
    with pytest.raises(db.SchemaTooNew):
        db.open_database(running.db_url)


def test_schema_and_hot_statements_compile_for_postgresql() -> None:
    """No real PostgreSQL here: at least every table and the prepared statements must compile for its dialect."""
    from sqlalchemy.dialects import postgresql
    from sqlalchemy.schema import CreateIndex, CreateTable

    from o2o_tui.platform import events, idempotency, orders

    dialect = postgresql.dialect()
    for table in db.metadata.sorted_tables:
        assert "CREATE TABLE" in str(CreateTable(table).compile(dialect=dialect))
        for index in table.indexes:
            str(CreateIndex(index).compile(dialect=dialect))
    assert "SERIAL" in str(CreateTable(db.events).compile(dialect=dialect))
    for statement in (
        orders._LOAD,
        orders._SAVE,
        orders._INSERT,
        idempotency._LOOKUP,
        events._INSERT,
        events._NEWEST,
        events._TAG_OF,
        events._PRUNED,
    ):
        assert str(statement.compile(dialect=dialect))


def test_a_failed_statement_never_carries_the_values_bound_to_it(tmp_path: Path) -> None:
    """The crash handler logs the error: with bound values it would log customers' names and phones."""
    from sqlalchemy import text
    from sqlalchemy.exc import SQLAlchemyError

    engine = db.open_database(f"sqlite:///{tmp_path / 'x.sqlite3'}")
    try:
        with pytest.raises(SQLAlchemyError) as caught, engine.begin() as conn:
            conn.execute(text("INSERT INTO nosuch (a) VALUES (:a)"), {"a": "13800001111 李娜"})
    finally:
        engine.dispose()
    assert "13800001111" not in str(caught.value) and "李娜" not in str(caught.value)
