"""The ready time of an accept queued offline is the one the platform sets when the accept reaches it.

1. The store as the accept finds it: a store change queued after the accept (a resume tapped later) goes out after
   it, so it never shortens the promise the view shows (the platform makes it while the store is still busy).
2. Counted from the tap: the platform's promise (and `confirmed_at`) count from the accept's `X-Occurred-At`, as the
   ticket printed offline and the offline view do; bounded (never before the order was placed, never earlier than
   the accept's arrival).

Against the real platform on loopback: the server stopped while the accepts are queued by `o2o orders accept`.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

import msgspec

from o2o_tui.domain.geo import Address
from o2o_tui.domain.identity import Role
from o2o_tui.domain.requests import ConfirmBody, StoreStatusBody
from o2o_tui.domain.store import Store, StoreState, StoreStatus
from o2o_tui.platform import db, orders
from o2o_tui.platform.auth import Caller
from o2o_tui.platform.context import Ctx
from o2o_tui.platform.settings import Settings
from o2o_tui.sync import tables
from o2o_tui.sync.read_model import ReadModel
from offline_cache import open_profile_cache
from tests.support.platform import RunningPlatform, api, start_platform
from tests.test_cli_orders import Cli, cli, running, server_order  # noqa: F401  (fixtures)
from tests.test_sync_engine import place_orders
from tests.test_sync_read_model import T0, make_order, put, queue

PREP, EXTRA = 10, 10


def _when(value: Any) -> datetime:
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _shown(cli: Cli, order_id: str) -> dict[str, Any]:  # noqa: F811
    return {row["id"]: row for row in cli.json("orders", "list")}[order_id]


def _set_busy(running: RunningPlatform) -> None:  # noqa: F811
    assert running.seed is not None
    merchant = api(running, "merchant")
    try:
        busy = merchant.put(f"/v1/stores/{running.seed.store_id}/status", {"state": "BUSY", "extra_minutes": EXTRA})
        assert busy.status_code == 200, busy.text
    finally:
        merchant.close()


def test_a_store_change_queued_after_an_accept_leaves_its_ready_time(running: RunningPlatform, cli: Cli) -> None:  # noqa: F811
    assert running.seed is not None
    _set_busy(running)
    [order_id] = place_orders(running.url, running.seed, 1)
    cli("sync", "--once")  # the busy store and the order in the cache

    running.stop()
    assert "Queued" in cli("orders", "accept", order_id, "--prep", str(PREP)).stdout
    accepted = _shown(cli, order_id)
    promised = _when(accepted["promised_ready_at"])
    assert promised - _when(accepted["confirmed_at"]) == timedelta(minutes=PREP + EXTRA)
    shown_line = [line for line in cli("orders", "show", order_id).stdout.splitlines() if "ready" in line.lower()]

    cli("store", "resume")  # queued after the accept: the platform gets it after the accept
    assert cli.json("store", "status")["status"]["state"] == "ONLINE"  # the store itself shows the resume
    after = _shown(cli, order_id)
    assert _when(after["promised_ready_at"]) == promised  # not 10 minutes earlier
    again = [line for line in cli("orders", "show", order_id).stdout.splitlines() if "ready" in line.lower()]
    assert again == shown_line, (shown_line, again)

    time.sleep(2.0)  # the outage lasts: the platform still counts from the tap
    running.restart()
    cli("login", "--url", running.url, "--token", cli.token)  # the port may have changed
    report = cli.json("sync", "--once")
    assert report["pushed"] == 2 and report["pending"] == 0
    platform = server_order(running, order_id)
    assert platform.promised_ready_at == promised  # to the microsecond: the view said what the platform set
    assert platform.confirmed_at == _when(accepted["confirmed_at"])
    synced = _shown(cli, order_id)
    assert not synced["is_pending"] and _when(synced["promised_ready_at"]) == promised
    assert cli.json("store", "status")["status"]["state"] == "ONLINE"  # and the resume went after it


def test_an_accept_counts_from_its_tap_bounded(running: RunningPlatform) -> None:  # noqa: F811
    """Straight to the platform: a tap 3 s before it arrives promises tap + minutes; a tap before the order existed counts from
    the order's creation; a tap from the future (a clock running fast, within the 5 minutes let through) counts
    from the arrival."""
    assert running.seed is not None
    first, second, third = place_orders(running.url, running.seed, 3)
    merchant = api(running, "merchant")
    try:
        time.sleep(4.0)  # the orders were placed before the tap
        tap = datetime.now(UTC) - timedelta(seconds=3)
        got = merchant.post(
            f"/v1/orders/{first}/confirm", {"preparation_minutes": PREP}, headers={"X-Occurred-At": tap.isoformat()}
        )
        assert got.status_code == 200, got.text
        body = got.json()
        assert _when(body["confirmed_at"]) == tap
        assert _when(body["promised_ready_at"]) == tap + timedelta(minutes=PREP)

        before = datetime.now(UTC) - timedelta(days=2)
        early = merchant.post(
            f"/v1/orders/{second}/confirm", {"preparation_minutes": PREP}, headers={"X-Occurred-At": before.isoformat()}
        )
        assert early.status_code == 200, early.text
        created = _when(early.json()["created_at"])
        assert _when(early.json()["confirmed_at"]) == created
        assert _when(early.json()["promised_ready_at"]) == created + timedelta(minutes=PREP)

        sent = datetime.now(UTC)
        ahead = sent + timedelta(minutes=3)
        fast = merchant.post(
            f"/v1/orders/{third}/confirm", {"preparation_minutes": PREP}, headers={"X-Occurred-At": ahead.isoformat()}
        )
        assert fast.status_code == 200, fast.text
        arrived = _when(fast.json()["confirmed_at"])
        assert sent <= arrived <= datetime.now(UTC)
        assert _when(fast.json()["promised_ready_at"]) == arrived + timedelta(minutes=PREP)
    finally:
        merchant.close()


def test_an_accept_arriving_after_its_promise_promises_now(tmp_path: Any) -> None:
    """An accept tapped long before it arrives (the outage outlasted the minutes): the platform never promises a
    time already past. The platform's own confirm on its real database, with its clock 30 minutes on (the accept
    deadline set long enough that the order still waits)."""
    server = start_platform(tmp_path / "platform", env={"O2O_ACCEPT_TIMEOUT_SECONDS": "7200"})
    try:
        assert server.seed is not None
        [order_id] = place_orders(server.url, server.seed, 1)
        engine = db.open_database(server.db_url)
        try:
            with db.writing(engine) as conn:
                stored = orders.load(conn, order_id)
                assert stored is not None
                merchant = Caller(
                    user_id=server.seed.user_ids["merchant"],
                    name="merchant",
                    role=Role.MERCHANT,
                    store_id=server.seed.store_id,
                )
                tapped = _when(stored.order.created_at) + timedelta(seconds=5)
                later = db.utcnow() + timedelta(minutes=30)
                ctx = Ctx(conn=conn, caller=merchant, now=later, settings=Settings(), occurred_at=tapped)
                done = orders.confirm(ctx, order_id, PREP)
        finally:
            engine.dispose()
        assert done.order.confirmed_at == tapped  # accepted at the tap
        assert done.order.promised_ready_at == later  # tap + 10 min is long past at its arrival: now, not earlier
        merchant_api = api(server, "merchant")
        try:  # as the store's devices read it
            kept = merchant_api.get(f"/v1/orders/{order_id}").json()
        finally:
            merchant_api.close()
        assert _when(kept["promised_ready_at"]) == later and _when(kept["confirmed_at"]) == tapped
    finally:
        server.stop()


def test_the_view_reads_the_store_as_each_accept_finds_it(tmp_path: Any) -> None:
    """The real cache: busy (+10) queued before the first accept, a resume between the two accepts, busy (+5) after
    both. Each accept's promise has the store as it stands when that accept goes out; a tap the device's clock put
    before the order was placed counts from the order's creation, as the platform counts it."""
    with open_profile_cache(tmp_path / "profile") as cache:
        store = Store(
            id="st_1", name="Noodle Bar", address=Address(text="1 Road"), currency="CNY",
            timezone="Asia/Shanghai", status=StoreStatus(), version=3,
        )  # fmt: skip
        cache.table(tables.STORES).upsert("st_1", msgspec.to_builtins(store))
        put(cache, make_order("ord_a", 1))
        put(cache, make_order("ord_b", 2))
        put(cache, make_order("ord_c", 3, created_at=T0 + timedelta(minutes=30)))
        queue(cache, "store.status", "st_1", StoreStatusBody(state=StoreState.BUSY, extra_minutes=10))
        queue(cache, "order.confirm", "ord_a", ConfirmBody(preparation_minutes=PREP))
        queue(cache, "store.status", "st_1", StoreStatusBody(state=StoreState.ONLINE))
        queue(cache, "order.confirm", "ord_b", ConfirmBody(preparation_minutes=PREP))
        queue(cache, "order.confirm", "ord_c", ConfirmBody(preparation_minutes=PREP))  # tapped before it existed
        queue(cache, "store.status", "st_1", StoreStatusBody(state=StoreState.BUSY, extra_minutes=5))

        model = ReadModel(cache)
        shown = {view.order.id: view.order for view in model.orders()}
        assert shown["ord_a"].promised_ready_at == T0 + timedelta(minutes=PREP + 10)  # busy when it goes out
        assert shown["ord_b"].promised_ready_at == T0 + timedelta(minutes=PREP)  # after the resume, before +5
        created = T0 + timedelta(minutes=30)
        assert shown["ord_c"].confirmed_at == created
        assert shown["ord_c"].promised_ready_at == created + timedelta(minutes=PREP)
        assert model.store("st_1").status.extra_minutes == 5  # the store itself: every queued change
        by_id = model.order_by_id("ord_a")
        assert by_id is not None and by_id.order.promised_ready_at == shown["ord_a"].promised_ready_at
        rows = {row["id"]: row for row in model.order_rows()}
        assert _when(rows["ord_b"]["promised_ready_at"]) == shown["ord_b"].promised_ready_at

