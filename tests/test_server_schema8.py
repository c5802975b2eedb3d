"""Schema 8 on SQLite and on a real PostgreSQL: a new order's number check reads the store's open orders through
(store_id, status), the devices a store's consoles asked under are found by their store's key (not a prefix scan of
`meta`), a database of schema 7 upgrades in place with its devices moved, and `meta` has one update-or-insert.
The PostgreSQL cases are skipped when its server binaries are not installed."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from o2o_tui.platform import auto_accept, db, orders
from tests.support.platform import api, start_platform


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    else:
        yield request.getfixturevalue("postgres_url")


def _plan(conn: sa.Connection, query: sa.Select[Any], **params: str) -> str:
    """The database's plan for `query`; PostgreSQL told to use an index wherever one serves (an empty table is
    cheaper to scan whole): the question is which one serves."""
    sql = str(query.params(**params).compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
    if conn.dialect.name == "postgresql":
        conn.execute(sa.text("SET enable_seqscan = off"))
        return "\n".join(conn.execute(sa.text("EXPLAIN " + sql)).scalars())
    return "\n".join(str(row[-1]) for row in conn.execute(sa.text("EXPLAIN QUERY PLAN " + sql)))


def _fill_orders(engine: sa.Engine) -> None:
    """3,000 orders of 30 stores, one in ten still open: what the planner's statistics (PostgreSQL) describe."""
    open_ones, ended = ("CREATED", "CONFIRMED", "PREPARING", "READY_FOR_PICKUP"), ("CONCLUDED", "CANCELLED")
    rows = [
        {
            "id": f"ord_{n:05d}",
            "store_id": f"st_{n % 30}",
            "customer_id": "cu_1",
            "status": open_ones[n % 4] if n % 10 == 0 else ended[n % 2],
            "number": n % 9999 + 1,
            "version": 1,
            "created_at": "2026-01-01T00:00:00.000000Z",
            "updated_at": f"2026-01-01T00:{n // 60 % 60:02d}:{n % 60:02d}.000000Z",
            "doc": b"{}",
        }
        for n in range(3000)
    ]
    with db.writing(engine) as conn:
        conn.execute(db.orders.insert(), rows)
    if engine.dialect.name == "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(sa.text("ANALYZE orders"))


def test_the_number_check_and_the_devices_are_indexed_lookups(db_url: str) -> None:
    engine = db.open_database(db_url)
    try:
        _fill_orders(engine)
        with engine.connect() as conn:
            queued = _plan(conn, orders._QUEUED, b_store="st_7")
            assert "ix_orders_store_status" in queued, queued
            assert "ix_orders_status_deadline" not in queued  # not every store's open orders
            for query in (auto_accept._SEEN_BY_STORE, auto_accept._SEEN_AT):
                plan = _plan(conn, query, b_store="st_1", b_device="till")
                assert "store_devices_pkey" in plan or "sqlite_autoindex_store_devices_1" in plan, plan
                assert "SCAN" not in plan and "Seq Scan" not in plan
    finally:
        engine.dispose()


def test_meta_is_updated_or_inserted(db_url: str) -> None:
    engine = db.open_database(db_url)
    try:
        with db.writing(engine) as conn:
            db.set_meta(conn, "a", "1")
            db.set_meta(conn, "a", "2")
            db.set_meta(conn, "b", "3")
        with engine.connect() as conn:
            assert (db.get_meta(conn, "a"), db.get_meta(conn, "b"), db.get_meta(conn, "c")) == ("2", "3", None)
            assert conn.execute(sa.select(sa.func.count()).select_from(db.meta)).scalar() == 2
    finally:
        engine.dispose()


def _schema_7_row(store_id: str, device: str, at: datetime) -> dict[str, str]:
    """A device seen, as schema 7 kept it in `meta`."""
    key = "dev:" + hashlib.sha256(store_id.encode()).hexdigest()[:24] + ":"
    key += hashlib.sha256(device.encode()).hexdigest()[:24]
    return {"key": key, "value": f"{device}\t{db.iso(at)}"}


def _make_version_7(url: str, store_id: str) -> None:
    """Turn the database back into what schema 7 wrote: devices seen in `meta`, no (store_id, status) index."""
    engine = sa.create_engine(url)
    now = datetime.now(UTC)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX ix_orders_store_status"))
            conn.execute(sa.text("DROP TABLE store_devices"))
            rows = [
                _schema_7_row(store_id, "till-old", now - timedelta(days=2)),
                _schema_7_row(store_id, "收银台 2", now - timedelta(hours=1)),
                _schema_7_row("another-store", "elsewhere", now),  # a store no longer there: dropped
                _schema_7_row(store_id, "gone-quiet", now - timedelta(days=40)),  # kept, but too old to offer
            ]
            conn.execute(db.meta.insert(), rows)
            conn.execute(sa.text("UPDATE schema_info SET version = 7"))
    finally:
        engine.dispose()


def test_schema_7_upgrades_in_place_with_its_devices_moved(db_url: str, tmp_path: Path) -> None:
    running = start_platform(tmp_path / "platform", db_url=db_url)
    try:
        assert running.seed is not None
        store_path = f"/v1/stores/{running.seed.store_id}/auto-accept"
        merchant = api(running, "merchant")
        assert merchant.get(store_path, device="till-old").status_code == 200
        merchant.close()
        running.stop()
        _make_version_7(db_url, running.seed.store_id)
        running.restart()
        merchant = api(running, "merchant")
        assert merchant.get(store_path).json()["devices"] == ["收银台 2", "till-old"]  # the latest first
        assert merchant.get(store_path, device="till-new").json()["devices"] == ["till-new", "收银台 2", "till-old"]
        merchant.close()
    finally:
        running.stop()
    engine = sa.create_engine(db_url)
    try:
        with engine.connect() as conn:
            assert db.schema_version(conn) == db.SCHEMA_VERSION == 8
            assert "ix_orders_store_status" in {i["name"] for i in sa.inspect(conn).get_indexes("orders")}
            left = conn.execute(sa.select(db.meta.c.key).where(db.meta.c.key.startswith("dev:"))).all()
            assert left == []
            stores = conn.execute(sa.select(db.store_devices.c.store_id).distinct()).scalars().all()
            assert stores == [running.seed.store_id]
    finally:
        engine.dispose()
