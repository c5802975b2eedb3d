"""Writes on a full disk: the database's own refusal of a change (disk full, read-only, I/O error, locked past its
timeout) answers 503 `storage_unavailable` with `Retry-After`, changes nothing, is logged once per kind in one line
(no traceback per request), and the same request lands once there is room again. A merchant's `o2o orders accept`
queues the accept (exit 0, no conflict) and `o2o sync --once` lands it exactly once after the disk is freed.

The full disk is a real one: a 3 MB tmpfs filled up (root or CAP_SYS_ADMIN; skipped where none can be mounted)."""

from __future__ import annotations

import json
import sqlite3
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import OperationalError
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.client import PlatformClient
from o2o_tui.domain.order import OrderStatus
from o2o_tui.platform.write_failures import refused_write
from tests.support.platform import api, order_body, start_platform
from tests.test_server_full_disk import _fill, _small_disk, _wait_until
from tests.test_sync_engine import place_orders

REFUSED = "the API cannot write: database or disk is full (said once until it can again)"
BACK = "the API writes again"


def _no_traceback(log: str) -> None:
    assert "Traceback" not in log and "unhandled error" not in log, log


def _refused(answer: Any) -> None:
    assert answer.status_code == 503, answer.text
    assert answer.json() == {
        "error": {
            "code": "storage_unavailable",
            "message": "the platform cannot store changes right now; nothing was changed; retry later",
        }
    }
    assert answer.headers["Retry-After"] == "30"
    assert "Idempotent-Replayed" not in answer.headers


def test_writes_on_a_full_disk_answer_503_change_nothing_and_land_later(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk") as disk:
        running = start_platform(tmp_path / "platform", db_url=f"sqlite:///{disk / 'platform.sqlite3'}")
        try:
            assert running.seed is not None
            store_id, courier_id = running.seed.store_id, running.seed.courier_ids[0]
            merchant, customer, courier = (api(running, role) for role in ("merchant", "customer", "courier"))
            [order_id] = place_orders(running.url, running.seed, 1)
            filler = _fill(disk)

            accept_key, new_order = str(uuid.uuid4()), order_body(store_id, "TAKEOUT")
            for _ in range(3):  # the same accept retried, and every other kind of change: POST, PUT, PATCH
                _refused(merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10}, key=accept_key))
            _refused(customer.post("/v1/orders", new_order))
            _refused(merchant.patch(f"/v1/stores/{store_id}/menu/items/kung-pao-chicken", {"status": "UNAVAILABLE"}))
            _refused(courier.put(f"/v1/couriers/{courier_id}/state", {"position": {"lat": 31.2, "lon": 121.4}}))
            # nothing half-written: the order is as it was, the new one was never made
            assert merchant.get(f"/v1/orders/{order_id}").json()["status"] == OrderStatus.CREATED.value
            assert customer.get(f"/v1/orders/{new_order['id']}").status_code == 404
            full = running.log_text()
            assert full.count(REFUSED) == 1, full  # one line for every refused request, not one each
            assert BACK not in full
            _no_traceback(full)

            filler.unlink()  # room again: the same request (same key) lands, said once; the 503 was never stored
            landed = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 10}, key=accept_key)
            assert landed.status_code == 200, landed.text
            assert "Idempotent-Replayed" not in landed.headers
            assert landed.json()["status"] == OrderStatus.CONFIRMED.value
            assert customer.post("/v1/orders", new_order).status_code == 201
            assert _wait_until(lambda: BACK in running.log_text(), 3)
            after = running.log_text()
            assert after.count(REFUSED) == 1 and after.count(BACK) == 1, after
            _no_traceback(after)
            for client in (merchant, customer, courier):
                client.close()
        finally:
            running.stop()


def _o2o(home: Path, *args: str, code: int = 0) -> Any:
    env = {"O2O_HOME": str(home), "O2O_LANG": "en", "NO_COLOR": "1", "COLUMNS": "200"}
    env |= {"O2O_PROFILE": None, "O2O_TOKEN": None}
    result = CliRunner().invoke(app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == code, (args, result.exit_code, result.stdout, result.stderr)
    return result


def _json(home: Path, *args: str) -> Any:
    return json.loads(_o2o(home, *args, "--json").stdout)


def test_an_accept_on_a_full_disk_is_queued_and_lands_once_after(tmp_path: Path) -> None:
    with _small_disk(tmp_path / "disk") as disk:
        running = start_platform(tmp_path / "platform", db_url=f"sqlite:///{disk / 'platform.sqlite3'}")
        try:
            assert running.seed is not None
            home = tmp_path / "home"
            _o2o(home, "login", "--url", running.url, "--token", running.seed.tokens["merchant"])
            [order_id] = place_orders(running.url, running.seed, 1)
            _o2o(home, "sync", "--once")
            before = _order(running, order_id)
            filler = _fill(disk)

            queued = _o2o(home, "orders", "accept", order_id, "--prep", "10")  # not exit 4: kept, to send again
            assert "Queued" in queued.stdout, queued.stdout
            status = _json(home, "sync", "status")
            assert status["pending"] == 1 and status["conflicts"] == 0, status
            # still full: tried again, still queued, still no conflict; exit 3 as for a server error (README)
            _o2o(home, "sync", "--once", code=3)
            status = _json(home, "sync", "status")
            assert status["pending"] == 1 and status["conflicts"] == 0, status
            assert _json(home, "conflicts", "list") == []

            filler.unlink()
            report = _json(home, "sync", "--once")
            assert report["pushed"] == 1 and report["pending"] == 0 and report["conflicts"] == 0, report
            order = _order(running, order_id)
            assert order.status is OrderStatus.CONFIRMED
            assert order.version == before.version + 1  # applied exactly once
            assert _json(home, "conflicts", "list") == []
            _no_traceback(running.log_text())
            assert running.log_text().count(REFUSED) == 1
        finally:
            running.stop()


def _order(running: Any, order_id: str) -> Any:
    with PlatformClient(running.url, running.seed.tokens["merchant"]) as merchant:
        return merchant.get_order(order_id)


def _sqlite_error(tmp_path: Path, statement: str, *, read_only: bool = False) -> OperationalError:
    path = tmp_path / "t.sqlite3"
    sqlite3.connect(path).executescript("CREATE TABLE IF NOT EXISTS t (x INTEGER);")
    url = f"sqlite:///file:{path}?mode=ro&uri=true" if read_only else f"sqlite:///{path}"
    engine = create_engine(url)
    try:
        with pytest.raises(OperationalError) as raised, engine.begin() as conn:
            conn.execute(text(statement))
        return raised.value
    finally:
        engine.dispose()


def test_only_the_databases_refusals_are_storage_unavailable(tmp_path: Path) -> None:
    read_only = _sqlite_error(tmp_path, "INSERT INTO t VALUES (1)", read_only=True)
    assert "readonly database" in str(read_only) and refused_write(read_only)
    bug = _sqlite_error(tmp_path, "INSERT INTO no_such_table VALUES (1)")  # a bug keeps its 500 and traceback
    assert "no such table" in str(bug) and not refused_write(bug)
    assert not refused_write(ValueError("database or disk is full"))
