"""An order accepted and never marked ready or handed off keeps no customer's data forever: `O2O_PURGE_OPEN_HOURS`
(72) past its promised time and last change, the platform's purge blanks it (its state stays), the consoles' caches
alike, and on SQLite the old text is gone from the file and the WAL too. Orders made by the real server; the purge
run on a database of their own (the shared server's other tests keep theirs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import msgspec
from sqlalchemy import insert, select

from o2o_tui.domain.order import Order
from o2o_tui.platform import db, jobs
from o2o_tui.platform.settings import Settings
from o2o_tui.platform.state import Platform
from o2o_tui.sync import tables
from o2o_tui.sync.retention import RetentionPolicy, apply_retention
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform, api, order_body

_TIMES = ("created_at", "updated_at", "confirmed_at", "accept_deadline", "promised_ready_at")


def _confirmed(shared_platform: RunningPlatform, count: int) -> list[dict[str, Any]]:
    seed = shared_platform.seed
    assert seed is not None
    customer, merchant = api(shared_platform, "customer"), api(shared_platform, "merchant")
    docs = []
    for _ in range(count):
        placed = customer.post("/v1/orders", order_body(seed.store_id, "DELIVERY"))
        assert placed.status_code == 201, placed.text
        answer = merchant.post(f"/v1/orders/{placed.json()['id']}/confirm", {"preparation_minutes": 10})
        assert answer.status_code == 200, answer.text
        docs.append(answer.json())
    return docs


def _aged(doc: dict[str, Any], hours: float) -> dict[str, Any]:
    """`doc` as if placed, accepted and promised `hours` ago, never touched since, its customer named after it
    (a name found nowhere else in the file)."""
    old = (datetime.now(UTC) - timedelta(hours=hours)).isoformat().replace("+00:00", "Z")
    customer = {**doc["customer"], "name": f"Customer of {doc['id']}"}
    return {**doc, **{name: old for name in _TIMES}, "customer": customer}


def test_open_order_past_its_promise_is_blanked_on_the_platform_and_gone_from_the_file(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    forgotten, recent = _confirmed(shared_platform, 2)
    assert forgotten["customer"]["name"] and forgotten["status"] == "CONFIRMED"
    path = tmp_path / "platform.db"
    engine = db.open_database(db.sqlite_url(path))
    try:
        with engine.begin() as conn:
            for doc in (_aged(forgotten, 80), _aged(recent, 70)):  # past the 72 h, and not yet
                order = msgspec.convert(doc, Order)
                conn.execute(
                    insert(db.orders).values(
                        id=order.id, store_id=order.store_id, customer_id="cu_g6", status=str(order.status),
                        number=order.number, version=order.version, created_at=db.iso(order.created_at),
                        updated_at=db.iso(order.updated_at), doc=msgspec.json.encode(order),
                    )
                )
        wal = Path(f"{path}-wal")
        assert wal.exists() and wal.stat().st_size > 0
        assert jobs.purge_personal(Platform(engine, Settings())) == 1
        assert wal.stat().st_size == 0  # checkpointed: the WAL's older frames held the text
        on_disk = path.read_bytes()
        with engine.connect() as conn:
            stored = {
                row.id: msgspec.json.decode(row.doc, type=Order)
                for row in conn.execute(select(db.orders.c.id, db.orders.c.doc))
            }
        assert jobs.purge_personal(Platform(engine, Settings())) == 0  # blanked once
    finally:
        engine.dispose()
    gone, kept = stored[forgotten["id"]], stored[recent["id"]]
    assert (gone.customer.name, gone.customer.phone, gone.customer.address) == ("", "", None)
    assert str(gone.status) == "CONFIRMED" and gone.version == forgotten["version"]  # its state stays
    assert kept.customer.name == f"Customer of {recent['id']}" and kept.customer.address is not None
    assert f"Customer of {forgotten['id']}".encode() not in on_disk  # nor in a page's freed space
    assert f"Customer of {recent['id']}".encode() in on_disk


def test_a_consoles_cache_blanks_an_order_left_open_as_the_platform_does(
    shared_platform: RunningPlatform, tmp_path: Path
) -> None:
    forgotten, recent = _confirmed(shared_platform, 2)
    with open_profile_cache(tmp_path / "profile") as cache:
        table = cache.table(tables.ORDERS)
        table.upsert(forgotten["id"], _aged(forgotten, 80))
        table.upsert(recent["id"], _aged(recent, 70))
        purged, pruned = apply_retention(cache, RetentionPolicy(), datetime.now(UTC))
        gone, kept = table.get(forgotten["id"]), table.get(recent["id"])
    assert (purged, pruned) == (1, 0) and gone is not None and kept is not None
    assert gone["customer"]["name"] == "" and gone["customer"]["address"] is None and gone["status"] == "CONFIRMED"
    assert kept["customer"]["name"] == f"Customer of {recent['id']}"
