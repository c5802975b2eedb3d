"""A delivery stored by a server older than the delivery's `store_timezone` (the row has no zone, or an empty one)
is answered with its store's zone by the current server, in a single read, a listing and an action's answer; the
next change of the delivery saves the zone in the row. Real server on loopback, real SQLite database."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.platform import RunningPlatform, api, order_body, start_platform


@pytest.fixture
def running(tmp_path: Path) -> Iterator[RunningPlatform]:
    platform = start_platform(tmp_path / "platform")
    try:
        yield platform
    finally:
        platform.stop()


def _stored_doc(running: RunningPlatform, delivery_id: str) -> dict:
    with sqlite3.connect(running.db_url.removeprefix("sqlite:///")) as conn:
        row = conn.execute("SELECT doc FROM deliveries WHERE id = ?", (delivery_id,)).fetchone()
    return json.loads(row[0])


def _as_an_older_server_wrote_it(running: RunningPlatform, delivery_id: str, *, key_missing: bool) -> None:
    """The row as a server from before the zone field wrote it (no key), or one that wrote it empty."""
    doc = _stored_doc(running, delivery_id)
    if key_missing:
        del doc["store_timezone"]
    else:
        doc["store_timezone"] = ""
    with sqlite3.connect(running.db_url.removeprefix("sqlite:///")) as conn:
        conn.execute("UPDATE deliveries SET doc = ? WHERE id = ?", (json.dumps(doc).encode(), delivery_id))


@pytest.mark.parametrize("key_missing", [True, False])
def test_an_old_delivery_is_answered_with_its_stores_zone(running: RunningPlatform, key_missing: bool) -> None:
    seed = running.seed
    assert seed is not None
    merchant, customer, courier = api(running, "merchant"), api(running, "customer"), api(running, "courier")
    zone = merchant.get(f"/v1/stores/{seed.store_id}").json()["timezone"]
    assert zone  # the seeded store has one (Asia/Shanghai)
    order = customer.post("/v1/orders", order_body(seed.store_id)).json()
    assert merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 15}).status_code == 200
    assigned = merchant.post(f"/v1/orders/{order['id']}/assign", {"courier_id": seed.courier_ids[0]})
    assert assigned.status_code == 200, assigned.text
    delivery_id = assigned.json()["id"]
    for client in (merchant, customer, courier):
        client.close()

    running.stop()  # the server is upgraded under a delivery in progress
    _as_an_older_server_wrote_it(running, delivery_id, key_missing=key_missing)
    assert not _stored_doc(running, delivery_id).get("store_timezone")
    running.restart()

    courier, dispatcher = api(running, "courier"), api(running, "dispatcher")
    try:
        assert courier.get(f"/v1/deliveries/{delivery_id}").json()["store_timezone"] == zone
        listed = courier.get("/v1/deliveries", active="true").json()["deliveries"]
        assert [(d["id"], d["store_timezone"]) for d in listed] == [(delivery_id, zone)]
        assert dispatcher.get(f"/v1/deliveries/{delivery_id}").json()["store_timezone"] == zone
        accepted = courier.post(f"/v1/deliveries/{delivery_id}/accept", {})
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["store_timezone"] == zone
        assert _stored_doc(running, delivery_id)["store_timezone"] == zone  # saved with the change
    finally:
        courier.close()
        dispatcher.close()
