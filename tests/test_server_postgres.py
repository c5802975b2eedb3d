"""The reference server on a real PostgreSQL: the contract holds as on SQLite, across restarts and processes.

Skipped when the PostgreSQL server binaries are not installed (`apt-get install postgresql`).
"""

from __future__ import annotations

import base64
import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from o2o_tui.domain.events import EntityKind
from o2o_tui.platform import db, events, jobs
from o2o_tui.platform.settings import settings_from_env
from tests.support.platform import ROOT, Api, RunningPlatform, api, order_body, start_platform
from tests.support.postgres import PostgresCluster

# several processes see each other's commits on this recheck; short so the cross-process tests stay quick
FAST_RECHECK = {"O2O_EVENT_RECHECK_SECONDS": "0.2"}


@pytest.fixture(scope="module")
def pg_platform(
    postgres_cluster: PostgresCluster, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[RunningPlatform]:
    """One server on one fresh PostgreSQL database for the module's read-mostly tests."""
    url = postgres_cluster.create_database()
    running = start_platform(tmp_path_factory.mktemp("pg_platform"), db_url=url)
    try:
        yield running
    finally:
        running.stop()
        postgres_cluster.drop_database(url)


@pytest.fixture
def pg_fresh(postgres_url: str, tmp_path: Path) -> Iterator[RunningPlatform]:
    """A server of its own on a fresh database, for tests that restart it or add processes."""
    running = start_platform(tmp_path, db_url=postgres_url, env=FAST_RECHECK)
    try:
        yield running
    finally:
        running.stop()


def _create(customer: Api, store_id: str, order_type: str = "DELIVERY") -> dict:
    response = customer.post("/v1/orders", order_body(store_id, order_type))
    assert response.status_code == 201, response.text
    return response.json()


def test_health_reports_the_schema(pg_platform: RunningPlatform) -> None:
    assert pg_platform.db_url.startswith("postgresql+psycopg://")
    health = httpx.get(f"{pg_platform.url}/healthz").json()
    assert health == {"ok": True, "schema_version": db.SCHEMA_VERSION}


def test_delivery_lifecycle_on_postgres(pg_platform: RunningPlatform) -> None:
    seed = pg_platform.seed
    assert seed is not None
    customer, merchant, dispatcher, courier = (
        api(pg_platform, role) for role in ("customer", "merchant", "dispatcher", "courier")
    )
    created = _create(customer, seed.store_id)
    order_id = created["id"]
    assert created["status"] == "CREATED" and created["number"] >= 1
    assert created["totals"]["total"]["amount"] == 2 * (3800 + 300) + 500
    assert merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 12}).json()["status"] == (
        "CONFIRMED"
    )
    assert merchant.post(f"/v1/orders/{order_id}/preparing").json()["status"] == "PREPARING"
    assert merchant.post(f"/v1/orders/{order_id}/ready").json()["status"] == "READY_FOR_PICKUP"
    courier_id = seed.courier_ids[0]
    delivery = dispatcher.post(f"/v1/orders/{order_id}/assign", {"courier_id": courier_id}).json()
    assert delivery["status"] == "PENDING" and delivery["courier_id"] == courier_id
    steps = [
        ("accept", None, "ACCEPTED"),
        ("arrived-at-merchant", None, "ARRIVED_AT_MERCHANT"),
        ("picked-up", {"code": created["pickup_code"]}, "PICKED_UP"),
        ("arrived-at-customer", None, "ARRIVED_AT_CUSTOMER"),
        ("delivered", {"code": created["delivery_code"]}, "DELIVERED"),
    ]
    for action, body, status in steps:
        response = courier.post(f"/v1/deliveries/{delivery['id']}/{action}", body)
        assert response.status_code == 200, (action, response.text)
        assert response.json()["status"] == status
    final = customer.get(f"/v1/orders/{order_id}").json()
    assert final["status"] == "DELIVERED" and final["ended_at"] is not None
    assert courier.get(f"/v1/couriers/{courier_id}").json()["status"] == "IDLE"
    listed = merchant.get("/v1/orders", status="DELIVERED").json()
    assert order_id in [o["id"] for o in listed["orders"]]


def test_idempotent_replay_and_refusals(pg_platform: RunningPlatform) -> None:
    seed = pg_platform.seed
    assert seed is not None
    customer, merchant = api(pg_platform, "customer"), api(pg_platform, "merchant")
    order_id = _create(customer, seed.store_id)["id"]
    key = str(uuid.uuid4())
    first = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 9}, key=key)
    replay = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 9}, key=key)
    assert first.status_code == replay.status_code == 200
    assert replay.content == first.content and replay.headers["Idempotent-Replayed"] == "true"
    reused = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 20}, key=key)
    assert reused.status_code == 422 and reused.json()["error"]["code"] == "idempotency_key_reused"

    right_code = merchant.get(f"/v1/orders/{order_id}").json()["pickup_code"]  # the code is checked first
    illegal = merchant.post(f"/v1/orders/{order_id}/handoff", {"code": right_code})
    assert illegal.status_code == 409
    assert illegal.json()["error"]["code"] == "illegal_transition"
    assert illegal.json()["error"]["from"] == "CONFIRMED"

    menu = merchant.get(f"/v1/stores/{seed.store_id}/menu").json()
    base = menu["version"]
    menu["categories"][0]["items"][0]["price"]["amount"] = 4200
    path = f"/v1/stores/{seed.store_id}/menu"
    assert merchant.put(path, menu, headers={"If-Match": str(base)}).status_code == 200
    menu["categories"][0]["items"][1]["price"]["amount"] = 2900
    stale = merchant.put(path, menu, headers={"If-Match": str(base)})
    assert stale.status_code == 412
    assert stale.json()["error"]["current_version"] == base + 1


def test_long_poll_wakes_on_a_new_order(pg_platform: RunningPlatform) -> None:
    seed = pg_platform.seed
    assert seed is not None
    merchant, customer = api(pg_platform, "merchant"), api(pg_platform, "customer")
    cursor = merchant.get("/v1/events", after="latest").json()["cursor"]
    with ThreadPoolExecutor(1) as pool:
        waiting = pool.submit(merchant.get, "/v1/events", after=cursor, wait=20)
        time.sleep(0.2)
        assert not waiting.done()
        order_id = _create(customer, seed.store_id)["id"]
        page = waiting.result(timeout=20).json()
    assert [(e["type"], e["entity_id"]) for e in page["events"]] == [("order.created", order_id)]
    assert page["cursor"].split(".")[0] == str(page["events"][-1]["id"])  # cursor: "<event id>.<its tag>"
    assert page["events"][-1]["id"] > int(cursor.split(".")[0])


@pytest.mark.parametrize("backend", ["pg_platform", "shared_platform"])
def test_nul_in_ids_and_text_is_refused_alike_on_both_databases(
    backend: str, request: pytest.FixtureRequest
) -> None:
    """PostgreSQL text cannot hold NUL; the server answers 404/422 for it on both databases, never a 500."""
    running: RunningPlatform = request.getfixturevalue(backend)
    seed = running.seed
    assert seed is not None
    admin, customer = api(running, "admin"), api(running, "customer")
    assert admin.get("/v1/orders/a%00b").json()["error"]["code"] == "not_found"
    assert admin.get("/v1/couriers/a%00b").status_code == 404
    assert admin.put("/v1/couriers/a%00b/state", {"status": "IDLE"}).status_code == 404
    listed = admin.get("/v1/orders", store_id="a\x00b")
    assert listed.status_code == 422 and listed.json()["error"]["field"] == "store_id"
    created = customer.post("/v1/orders", order_body(seed.store_id, id="a\x00b"))
    assert created.status_code == 422 and created.json()["error"]["field"] == "id"  # not a usable id
    named = customer.post("/v1/orders", order_body(seed.store_id, customer_name="a\x00b"))
    assert named.status_code == 422 and named.json()["error"]["field"] == "customer_name"  # the field, by name
    body = order_body(seed.store_id)
    body["lines"][0]["note"] = "no \x00 ice"
    in_line = customer.post("/v1/orders", body)
    assert in_line.status_code == 422 and in_line.json()["error"]["field"] == "lines[0].note", in_line.text
    # a cursor is only what the server handed out: a NUL hidden in its base64 is a 422, not a driver error
    for cursor in (base64.urlsafe_b64encode(b"2026-12-05T18:50:15.000000Z|\x00").decode(), "eHx5"):
        paged = admin.get("/v1/orders", cursor=cursor)
        assert paged.status_code == 422 and paged.json()["error"]["field"] == "cursor", (cursor, paged.text)
    literal = customer.post("/v1/orders", order_body(seed.store_id, note="a \\u0000 typed out"))
    assert literal.status_code == 201, literal.text  # a backslash and u0000 as text are fine
    stranger = httpx.get(f"{running.url}/v1/orders/a%00b")
    assert stranger.status_code == 401  # authentication still comes first


def test_restart_keeps_everything(pg_fresh: RunningPlatform) -> None:
    seed = pg_fresh.seed
    assert seed is not None
    customer, merchant, admin = (api(pg_fresh, role) for role in ("customer", "merchant", "admin"))
    orders = [_create(customer, seed.store_id) for _ in range(3)]
    key = str(uuid.uuid4())
    confirmed = merchant.post(f"/v1/orders/{orders[0]['id']}/confirm", {"preparation_minutes": 7}, key=key)
    merchant.patch(f"/v1/stores/{seed.store_id}/menu/items/cola", {"snooze_until": "2099-01-01T00:00:00Z"})
    before_orders = [admin.get(f"/v1/orders/{o['id']}").json() for o in orders]
    before_events = admin.get("/v1/events", after="0", limit=1000).json()
    before_menu = admin.get(f"/v1/stores/{seed.store_id}/menu").json()

    pg_fresh.restart()

    admin, merchant, customer = (api(pg_fresh, role) for role in ("admin", "merchant", "customer"))
    assert [admin.get(f"/v1/orders/{o['id']}").json() for o in orders] == before_orders
    assert admin.get("/v1/events", after="0", limit=1000).json() == before_events
    assert admin.get(f"/v1/stores/{seed.store_id}/menu").json() == before_menu
    replay = merchant.post(f"/v1/orders/{orders[0]['id']}/confirm", {"preparation_minutes": 7}, key=key)
    assert replay.content == confirmed.content
    after = _create(customer, seed.store_id)
    assert after["number"] == max(o["number"] for o in orders) + 1
    page = merchant.get("/v1/events", after=before_events["cursor"]).json()
    assert [e["entity_id"] for e in page["events"]] == [after["id"]]


def test_two_processes_share_one_database(pg_fresh: RunningPlatform, tmp_path: Path) -> None:
    seed = pg_fresh.seed
    assert seed is not None
    other = pg_fresh.another_process(tmp_path / "other.log")
    try:
        customer_a, merchant_a = api(pg_fresh, "customer"), api(pg_fresh, "merchant")
        customer_b, merchant_b = api(other, "customer"), api(other, "merchant")
        start = merchant_b.get("/v1/events", after="latest").json()["cursor"]

        # a poll parked on B wakes for an order placed through A
        with ThreadPoolExecutor(1) as pool:
            waiting = pool.submit(merchant_b.get, "/v1/events", after=start, wait=20)
            time.sleep(0.3)
            via_a = _create(customer_a, seed.store_id)
            page = waiting.result(timeout=20).json()
        assert [e["entity_id"] for e in page["events"]] == [via_a["id"]]

        via_b = _create(customer_b, seed.store_id)
        assert via_b["number"] == via_a["number"] + 1  # one counter for both processes
        key = str(uuid.uuid4())
        first = merchant_a.post(f"/v1/orders/{via_b['id']}/confirm", {"preparation_minutes": 5}, key=key)
        replay = merchant_b.post(f"/v1/orders/{via_b['id']}/confirm", {"preparation_minutes": 5}, key=key)
        assert first.status_code == 200 and replay.content == first.content
        assert replay.headers["Idempotent-Replayed"] == "true"

        seen_a = merchant_a.get("/v1/events", after=start).json()
        seen_b = merchant_b.get("/v1/events", after=start).json()
        assert seen_a == seen_b
        ids = [e["id"] for e in seen_a["events"]]
        assert ids == sorted(ids) and len(set(ids)) == len(ids)
        assert [(e["type"], e["entity_id"]) for e in seen_a["events"]] == [
            ("order.created", via_a["id"]),
            ("order.created", via_b["id"]),
            ("order.updated", via_b["id"]),
        ]
    finally:
        other.stop()


def test_a_commit_through_one_process_wakes_a_poll_on_the_other(postgres_url: str, tmp_path: Path) -> None:
    """LISTEN/NOTIFY: with the database re-read turned down to once a minute, only the notification can wake B.

    Unwoken, the poll would answer only when its 40 s wait ends (with the event, from its last read), so the bound
    here tells woken from timed out; it is not a speed budget.
    """
    first = start_platform(tmp_path, db_url=postgres_url, env={"O2O_EVENT_RECHECK_SECONDS": "60"})
    other = first.another_process(tmp_path / "other.log")
    try:
        assert first.seed is not None
        customer_a, merchant_b = api(first, "customer"), api(other, "merchant")
        for _ in range(2):
            cursor = merchant_b.get("/v1/events", after="latest").json()["cursor"]
            with ThreadPoolExecutor(1) as pool:
                waiting = pool.submit(merchant_b.get, "/v1/events", after=cursor, wait=40)
                time.sleep(0.3)  # parked on B
                via_a = _create(customer_a, first.seed.store_id)
                page = waiting.result(timeout=20).json()
            assert [e["entity_id"] for e in page["events"]] == [via_a["id"]]
    finally:
        other.stop()
        first.stop()


def _poll_until_stopped(url: str, token: str, cursor: str, stop: threading.Event, seen: list[int]) -> None:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
        while True:
            finishing = stop.is_set()
            page = client.get("/v1/events", params={"after": cursor, "wait": 0.5}).json()
            seen.extend(e["id"] for e in page["events"])
            cursor = page["cursor"]
            if finishing and not page["events"]:
                return


def test_concurrent_writers_on_two_processes_lose_no_event(pg_fresh: RunningPlatform, tmp_path: Path) -> None:
    """Writers on both processes at once: every order gets its own number, and a poller that follows the
    cursor meanwhile sees every event exactly once (an event id committed late would be skipped)."""
    seed = pg_fresh.seed
    assert seed is not None
    other = pg_fresh.another_process(tmp_path / "other.log")
    try:
        servers = [pg_fresh, other]
        start = api(pg_fresh, "admin").get("/v1/events", after="latest").json()["cursor"]
        stop = threading.Event()
        seen: list[list[int]] = [[], []]
        pollers = [
            threading.Thread(
                target=_poll_until_stopped, args=(s.url, seed.tokens["admin"], start, stop, seen[i])
            )
            for i, s in enumerate(servers)
        ]
        for poller in pollers:
            poller.start()

        def place_and_confirm(index: int) -> int:
            server = servers[index % 2]
            customer, merchant = api(server, "customer"), api(server, "merchant")
            try:
                created = _create(customer, seed.store_id, "TAKEOUT")
                confirmed = merchant.post(f"/v1/orders/{created['id']}/confirm", {"preparation_minutes": 5})
                assert confirmed.status_code == 200, confirmed.text
                return created["number"]
            finally:
                customer.close()
                merchant.close()

        with ThreadPoolExecutor(8) as pool:
            numbers = list(pool.map(place_and_confirm, range(40)))
        stop.set()
        for poller in pollers:
            poller.join(timeout=30)
        assert sorted(numbers) == list(range(min(numbers), min(numbers) + 40))
        everything = api(pg_fresh, "admin").get("/v1/events", after=start, limit=1000).json()["events"]
        all_ids = [e["id"] for e in everything]
        assert len(all_ids) == 80 and all_ids == sorted(all_ids)
        assert seen[0] == all_ids and seen[1] == all_ids
    finally:
        other.stop()


def test_admin_seed_demo_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    env = {**os.environ, "O2O_HOME": str(tmp_path), "O2O_LANG": "en"}
    seeded = subprocess.run(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", "admin", "seed-demo", "--json"]
        + ["--db", postgres_url],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        timeout=60,
    )
    assert seeded.returncode == 0, seeded.stderr
    result = json.loads(seeded.stdout)
    running = start_platform(tmp_path, seed=False, db_url=postgres_url)
    try:
        me = httpx.get(
            f"{running.url}/v1/me", headers={"Authorization": f"Bearer {result['tokens']['merchant']}"}
        ).json()
        assert me["role"] == "merchant" and me["store_id"] == result["store_id"]
        menu = httpx.get(
            f"{running.url}/v1/stores/{result['store_id']}/menu",
            headers={"Authorization": f"Bearer {result['tokens']['customer']}"},
        )
        assert menu.status_code == 200 and menu.json()["categories"]
    finally:
        running.stop()
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            hashes = conn.execute(sa.select(db.users.c.token_hash)).scalars().all()
    finally:
        engine.dispose()
    assert result["tokens"]["merchant"] not in hashes  # only hashes are stored


def _make_version_1(url: str) -> None:
    """Turn a current database into what release 1 wrote: no action log, no orders.ended_at, no pickup index,
    no code attempts, no vouchers, no event tags."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as conn:
            conn.execute(sa.text("DROP INDEX ix_orders_store_pickup"))
            conn.execute(sa.text("DROP TABLE action_log"))
            conn.execute(sa.text("DROP TABLE code_attempts"))
            conn.execute(sa.text("DROP TABLE vouchers"))
            conn.execute(sa.text("ALTER TABLE orders DROP COLUMN ended_at"))
            conn.execute(sa.text("ALTER TABLE events DROP COLUMN tag"))
            conn.execute(sa.text("DROP INDEX ix_idempotency_entity"))  # schema 7
            conn.execute(sa.text("ALTER TABLE idempotency DROP COLUMN entity"))
            conn.execute(sa.text("ALTER TABLE idempotency DROP COLUMN entity_id"))
            conn.execute(sa.text("DROP INDEX ix_orders_store_status"))  # schema 8
            conn.execute(sa.text("DROP TABLE store_devices"))  # schema 8
            conn.execute(sa.text("UPDATE schema_info SET version = 1"))
    finally:
        engine.dispose()


def test_older_schema_upgrades_on_postgres(postgres_url: str, tmp_path: Path) -> None:
    running = start_platform(tmp_path, db_url=postgres_url)
    try:
        assert running.seed is not None
        customer, merchant = api(running, "customer"), api(running, "merchant")
        kept = _create(customer, running.seed.store_id)
        ended = _create(customer, running.seed.store_id)
        merchant.post(f"/v1/orders/{ended['id']}/reject", {"reason_code": "STORE_BUSY"})
        running.stop()
        _make_version_1(postgres_url)
        running.restart()
        customer, merchant = api(running, "customer"), api(running, "merchant")
        assert customer.get(f"/v1/orders/{kept['id']}").json()["status"] == "CREATED"
        confirmed = merchant.post(f"/v1/orders/{kept['id']}/confirm", {"preparation_minutes": 5})
        assert confirmed.status_code == 200
    finally:
        running.stop()
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert db.schema_version(conn) == db.SCHEMA_VERSION
            ended_at = conn.execute(
                sa.select(db.orders.c.ended_at).where(db.orders.c.id == ended["id"])
            ).scalar_one()
            assert ended_at is not None  # the upgrade filled it from updated_at
            actions = conn.execute(sa.select(db.action_log.c.action)).scalars().all()
            assert actions == ["confirm"]
            assert conn.execute(sa.select(sa.func.count()).select_from(db.code_attempts)).scalar() == 0
            assert conn.execute(sa.select(sa.func.count()).select_from(db.vouchers)).scalar() == 0  # schema 5
    finally:
        engine.dispose()


# --- the writers' lock, directly on the database ------------------------------------------------------------------


def _wait_for_a_lock_waiter(engine: sa.Engine) -> str:
    """Block until another session of this database waits on a lock; answer what it waits on."""
    query = sa.text(
        "SELECT wait_event FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
    )
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        with engine.connect() as conn:
            waiting = conn.execute(query).scalars().first()
        if waiting:
            return waiting
        time.sleep(0.02)
    raise AssertionError("the second writer never waited for the first")


def _append(conn: sa.Connection, entity_id: str) -> None:
    events.append(conn, "order.updated", EntityKind.ORDER, entity_id, 1, db.utcnow())


def test_a_poll_never_passes_an_event_committed_later(postgres_url: str) -> None:
    """The sequence hands out ids before commit: without the lock, id N+1 could be visible while N is not,
    and a poller moving its cursor to N+1 would never see N."""
    engine = db.open_database(postgres_url)
    try:
        first = engine.connect()
        first_transaction = first.begin()
        _append(first, "first")
        errors: list[BaseException] = []

        def second_writer() -> None:
            try:
                with db.writing(engine) as conn:
                    _append(conn, "second")
            except BaseException as error:  # reported by the main thread
                errors.append(error)

        thread = threading.Thread(target=second_writer)
        thread.start()
        assert _wait_for_a_lock_waiter(engine) == "advisory"
        with engine.connect() as reader:
            assert events.read_page(reader, jobs.SYSTEM, events.START, 100).events == []
        first_transaction.commit()
        first.close()
        thread.join(timeout=15)
        assert not thread.is_alive() and errors == []
        with engine.connect() as reader:
            seen = events.read_page(reader, jobs.SYSTEM, events.START, 100).events
        assert [e.entity_id for e in seen] == ["first", "second"]
        assert seen[0].id < seen[1].id
    finally:
        engine.dispose()


def test_writers_take_turns_instead_of_deadlocking(postgres_url: str) -> None:
    """A writes an event then a row B holds, while B will write an event: without taking turns from the start
    of the transaction PostgreSQL aborts one of them (deadlock detected)."""
    engine = db.open_database(postgres_url)
    row = db.meta.update().where(db.meta.c.key == "shared").values(value=sa.bindparam("b_value"))
    try:
        with engine.begin() as conn:
            conn.execute(db.meta.insert().values(key="shared", value="0"))
        errors: list[BaseException] = []

        def writer_a() -> None:
            try:
                with db.writing(engine) as conn:
                    _append(conn, "a")
                    conn.execute(row, {"b_value": "a"})
            except BaseException as error:  # reported by the main thread
                errors.append(error)

        with db.writing(engine) as conn_b:
            conn_b.execute(row, {"b_value": "b"})
            thread = threading.Thread(target=writer_a)
            thread.start()
            _wait_for_a_lock_waiter(engine)
            _append(conn_b, "b")
        thread.join(timeout=15)
        assert not thread.is_alive() and errors == []
        with engine.connect() as conn:
            assert conn.execute(sa.select(db.meta.c.value).where(db.meta.c.key == "shared")).scalar() == "a"
            seen = events.read_page(conn, jobs.SYSTEM, events.START, 100).events
        assert [e.entity_id for e in seen] == ["b", "a"]
    finally:
        engine.dispose()


def test_processes_starting_together_on_a_new_database(postgres_url: str) -> None:
    """Each start creates the schema if missing: under the writers' lock one creates it, the others find it."""
    errors: list[BaseException] = []
    barrier = threading.Barrier(3)

    def start() -> None:
        barrier.wait()
        try:
            db.open_database(postgres_url).dispose()
        except BaseException as error:  # reported by the main thread
            errors.append(error)

    starters = [threading.Thread(target=start) for _ in range(3)]
    for starter in starters:
        starter.start()
    for starter in starters:
        starter.join(timeout=30)
    assert errors == []
    engine = sa.create_engine(postgres_url)
    try:
        with engine.connect() as conn:
            assert db.schema_version(conn) == db.SCHEMA_VERSION
            assert conn.execute(sa.select(sa.func.count()).select_from(db.schema_info)).scalar() == 1
    finally:
        engine.dispose()


def test_notify_can_be_turned_off_for_a_single_process() -> None:
    assert settings_from_env({}).pg_notify is True
    assert settings_from_env({"O2O_PG_NOTIFY": "0"}).pg_notify is False
    assert settings_from_env({"O2O_PG_NOTIFY": "off"}).pg_notify is False
    assert settings_from_env({"O2O_PG_NOTIFY": "1"}).pg_notify is True
