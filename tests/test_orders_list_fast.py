"""`o2o orders list --json` from the cached bytes (ReadModel.order_rows_json) prints exactly what the decoded path
(ReadModel.order_rows, encoded) prints: orders with and without queued actions, hostile text, ties in time, the
status filter, `--fields`; and falls back to the decoded path whenever the stored bytes are not plain. A real
cache in tmp_path, no server."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

import msgspec
import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.requests import ConfirmBody, EmptyBody
from o2o_tui.safe_text import json_escaped
from o2o_tui.sync import tables
from o2o_tui.sync.read_model import ReadModel
from offline_cache import open_profile_cache
from tests.test_sync_read_model import T0, make_order, queue

HOSTILE = 'Zhang\x1b[31m 张三 \u202eevil\u202c \x9b2J \x7f del \u2028 line "q" \\ 🍜'


def _orders() -> list[dict[str, Any]]:
    docs = []
    for n in range(12):
        status = list(OrderStatus)[n % len(OrderStatus)]
        order = make_order(
            f"ord_{n:02d}",
            40 + n,
            status,
            order_type=OrderType.TAKEOUT if n % 3 == 0 else OrderType.DELIVERY,
            created_at=T0 + timedelta(minutes=n // 3),  # three orders per minute: ties broken by number
        )
        doc = msgspec.to_builtins(order)
        if n == 4:
            doc["note"] = HOSTILE
            doc["customer"]["name"] = HOSTILE
        docs.append(doc)
    docs.reverse()  # stored newest first: the list still comes out oldest first
    return docs


@pytest.fixture
def profile_dir(tmp_path: Path) -> Path:
    directory = tmp_path / "profile"
    with open_profile_cache(directory) as cache:
        with cache.write_batch():
            cache.table(tables.ORDERS).upsert_many({doc["id"]: doc for doc in _orders()})
        queue(cache, "order.confirm", "ord_00", ConfirmBody(preparation_minutes=12))  # CREATED -> CONFIRMED
        queue(cache, "order.ready", "ord_02", EmptyBody())
    return directory


def _both(directory: Path, status: Any = None, fields: list[str] | None = None) -> tuple[bytes, bytes]:
    with open_profile_cache(directory, read_only=True) as cache:
        model = ReadModel(cache)
        assert model._raw_order_rows(status, fields) is not None  # the fast path was taken, not the fallback
        fast = json_escaped(model.order_rows_json(status, fields))
        rows = ReadModel(cache).order_rows(status)
        if fields is not None:
            rows = [{name: row[name] for name in fields if name in row} for row in rows]
        slow = json_escaped(msgspec.json.encode(rows))
    return fast, slow


def test_the_rows_from_cached_bytes_are_byte_for_byte_the_decoded_rows(profile_dir: Path) -> None:
    fast, slow = _both(profile_dir)
    assert fast == slow
    rows = json.loads(fast)
    assert [r["number"] for r in rows] == list(range(40, 52))  # oldest first, ties by number
    pending = {r["id"]: (r["status"], r["pending_actions"], r["is_pending"]) for r in rows if r["is_pending"]}
    assert pending == {
        "ord_00": ("CONFIRMED", ["order.confirm"], True),
        "ord_02": ("READY_FOR_PICKUP", ["order.ready"], True),
    }
    hostile = next(r for r in rows if r["id"] == "ord_04")
    assert hostile["note"] == HOSTILE  # exact values; the bytes escape what could drive a terminal
    assert b"\x1b" not in fast and "\u202e".encode() not in fast and b"\\u202e" in fast


@pytest.mark.parametrize("status", [OrderStatus.CONFIRMED, OrderStatus.CREATED, "READY_FOR_PICKUP"])
def test_the_status_filter_sees_the_queued_actions(profile_dir: Path, status: Any) -> None:
    fast, slow = _both(profile_dir, status)
    assert fast == slow and json.loads(fast)


def test_fields_keep_the_order_asked(profile_dir: Path) -> None:
    fast, slow = _both(profile_dir, None, ["status", "id", "is_pending", "display_number"])
    assert fast == slow
    assert list(json.loads(fast)[0]) == ["status", "id", "is_pending", "display_number"]


def _replace_stored(directory: Path, doc_id: str, change: dict[str, Any]) -> None:
    with open_profile_cache(directory) as cache:
        table = cache.table(tables.ORDERS)
        doc = table.get(doc_id)
        assert doc is not None
        table.upsert(doc_id, {**doc, **change})


@pytest.mark.parametrize(
    "change",
    [{"status": "NOT_A_STATUS"}, {"display_number": "#9999"}],
    ids=["an order that does not decode", "a document holding a row field"],
)
def test_anything_not_plain_falls_back_to_the_decoded_rows(profile_dir: Path, change: dict[str, Any]) -> None:
    _replace_stored(profile_dir, "ord_05", change)
    with open_profile_cache(profile_dir, read_only=True) as cache:
        model = ReadModel(cache)
        assert model._raw_order_rows(None, None) is None
        listed = model.order_rows_json()
        assert listed == msgspec.json.encode(ReadModel(cache).order_rows())
    numbers = [r["number"] for r in json.loads(listed)]
    if "status" in change:  # left out, as every reader leaves it out (and noted for the engine)
        assert 45 not in numbers and model.unreadable
    else:
        assert numbers.count(45) == 1 and json.loads(listed)[5]["display_number"] == "#0045"


def test_the_cli_prints_the_fields_asked_and_refuses_unknown_ones(tmp_path: Path) -> None:
    home = tmp_path / "home"
    env = {"O2O_HOME": str(home), "O2O_LANG": "en", "O2O_PROFILE": None, "O2O_TOKEN": None, "COLUMNS": "200"}
    runner = CliRunner()
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("O2O_HOME", str(home))
        from o2o_tui.config import profile_cache_dir, save_profile

        profile = save_profile(
            "counter", url="http://127.0.0.1:9", token="t", role="merchant", store_id="st_1"
        )
        with open_profile_cache(profile_cache_dir(profile)) as cache:
            cache.table(tables.ORDERS).upsert_many({doc["id"]: doc for doc in _orders()})
            cache.meta_set(tables.META_LAST_SYNC_AT, T0.isoformat())  # synced once: the list pulls no more
    listed = runner.invoke(
        app, ["orders", "list", "--fields", "number,status", "--profile", "counter"], env=env
    )
    assert listed.exit_code == 0, listed.output
    rows = json.loads(listed.stdout)
    assert rows[0] == {"number": 40, "status": "CREATED"} and len(rows) == 12
    full = runner.invoke(app, ["orders", "list", "--json", "--profile", "counter"], env=env)
    assert [r["number"] for r in json.loads(full.stdout)] == [r["number"] for r in rows]
    refused = runner.invoke(
        app, ["orders", "list", "--fields", "number,colour", "--profile", "counter"], env=env
    )
    assert refused.exit_code == 2
    message = json.loads(refused.stderr)["error"]["message"]  # --fields implies --json: its errors too
    assert '"colour"' in message and "display_number" in message


def test_listing_json_in_a_fresh_process_loads_no_rich_console(tmp_path: Path) -> None:
    """`o2o orders list --json` is budgeted against bare imports (issue #11): rich's console and text (~40 ms of
    imports) are for people, and the JSON path never loads them."""
    import os
    import subprocess
    import sys

    home = tmp_path / "home"
    with pytest.MonkeyPatch.context() as patch:  # synced once (a profile never synced pulls first: httpx)
        patch.setenv("O2O_HOME", str(home))
        from o2o_tui.config import profile_cache_dir, save_profile

        profile = save_profile("counter", url="http://127.0.0.1:9", token="t", role="merchant", store_id="st_1")
        with open_profile_cache(profile_cache_dir(profile)) as cache:
            cache.meta_set(tables.META_LAST_SYNC_AT, T0.isoformat())
    script = (
        "import sys\n"
        "from o2o_tui.config import save_profile\n"
        "save_profile('counter', url='http://127.0.0.1:9', token='t', role='merchant', store_id='st_1')\n"
        "sys.argv = ['o2o', 'orders', 'list', '--json', '--profile', 'counter']\n"
        "from o2o_tui.cli import main\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m in ('rich.console', 'rich.text', 'textual', 'httpx')), "
        "file=sys.stderr)\n"
    )
    env = {**os.environ, "O2O_HOME": str(home), "O2O_LANG": "en"}
    done = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == []
    assert done.stderr.strip().splitlines()[-1] == "[]"
