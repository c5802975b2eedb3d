"""Codes cannot be guessed (issue 9, defect 4): five wrong tries of one code lock it for ten minutes, on every
server process and across restarts; the store's devices see the lock on the order and its staff lift it; the
code is checked before "already done"; validate-code counts wrong codes per store."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from o2o_tui.domain.geo import Address
from o2o_tui.domain.identity import Role
from o2o_tui.platform import db, seed
from tests.support.platform import Api, RunningPlatform, order_body, start_platform


@dataclass
class World:
    running: RunningPlatform
    tokens: dict[str, str]
    store: str
    couriers: list[str]
    merchant: Api
    dispatcher: Api
    customer: Api
    courier: Api  # the first courier
    merchant_b: Api  # staff of another store


def _world(running: RunningPlatform) -> World:
    seeded = running.seed
    assert seeded is not None
    engine = db.open_database(running.db_url)
    with engine.begin() as conn:
        other = seed.create_store(conn, name="next door", address=Address(text="南京东路 102 号"))
        token_b = seed.create_user(conn, role=Role.MERCHANT, name="merchant b", store_id=other.id).token
    engine.dispose()
    return World(
        running=running,
        tokens=seeded.tokens,
        store=seeded.store_id,
        couriers=seeded.courier_ids,
        merchant=Api(running.url, seeded.tokens["merchant"]),
        dispatcher=Api(running.url, seeded.tokens["dispatcher"]),
        customer=Api(running.url, seeded.tokens["customer"]),
        courier=Api(running.url, seeded.courier_tokens[seeded.courier_ids[0]]),
        merchant_b=Api(running.url, token_b),
    )


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    running = start_platform(tmp_path_factory.mktemp("codes"))
    try:
        yield _world(running)
    finally:
        running.stop()


def _ready_takeout(w: World) -> dict:
    order = w.customer.post("/v1/orders", order_body(w.store, "TAKEOUT")).json()
    for action, body in (("confirm", {"preparation_minutes": 5}), ("ready", None)):
        assert w.merchant.post(f"/v1/orders/{order['id']}/{action}", body).status_code == 200
    return order


def _at_door(w: World, courier: Api, courier_id: str) -> tuple[dict, str]:
    """A delivery order (as its customer sees it, codes included) whose courier is at the customer's door."""
    order = w.customer.post("/v1/orders", order_body(w.store)).json()
    assert w.merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 5}).status_code == 200
    assigned = w.dispatcher.post(f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
    assert assigned.status_code == 200, assigned.text
    delivery = assigned.json()["id"]
    for action, body in (
        ("accept", None),
        ("arrived-at-merchant", None),
        ("picked-up", {"code": order["pickup_code"]}),
        ("arrived-at-customer", None),
    ):
        response = courier.post(f"/v1/deliveries/{delivery}/{action}", body)
        assert response.status_code == 200, (action, response.text)
    return order, delivery


def _wrong(right: str) -> str:
    return f"{(int(right) + 1) % 10_000:04d}"


def _locked_until(response: object) -> datetime:
    assert response.status_code == 423, response.text  # type: ignore[attr-defined]
    error = response.json()["error"]  # type: ignore[attr-defined]
    assert error["code"] == "code_locked"
    assert ZoneInfo(error["timezone"])  # the store's zone: a reader elsewhere says the store's clock time
    return datetime.fromisoformat(error["locked_until"])


def test_five_wrong_pickup_codes_lock_the_code_on_every_process_until_staff_lift_it(
    world: World, tmp_path: Path
) -> None:
    w = world
    order = _ready_takeout(w)
    path = f"/v1/orders/{order['id']}"
    cursor = w.merchant.get("/v1/events", after="latest").json()["cursor"]
    said = []
    for _ in range(5):
        response = w.merchant.post(path + "/handoff", {"code": _wrong(order["pickup_code"])})
        assert response.status_code == 409 and response.json()["error"]["code"] == "wrong_code"
        said.append(response.json()["error"])
    # each wrong try says how many more the code takes; the fifth, that it locked it and until when
    assert [error["tries_left"] for error in said] == [4, 3, 2, 1, 0]
    assert all("locked_until" not in error for error in said[:4])
    assert ZoneInfo(said[4]["timezone"])
    until = _locked_until(w.merchant.post(path + "/handoff", {"code": order["pickup_code"]}))
    assert datetime.fromisoformat(said[4]["locked_until"]) == until
    assert timedelta(minutes=9) < until - datetime.now(UTC) <= timedelta(minutes=10)
    # the count is in the database: a restarted server refuses too (one server per SQLite file; several processes
    # on PostgreSQL: test_tries_through_two_processes_on_one_postgresql_add_up)
    w.running.restart()
    elsewhere = Api(w.running.url, w.tokens["merchant"])
    _locked_until(elsewhere.post(path + "/handoff", {"code": order["pickup_code"]}))
    # the store's devices see it: an event on the order, and the order says which code is locked until when
    seen = w.merchant.get("/v1/events", after=cursor).json()["events"]
    assert any(e["type"] == "order.code_locked" and e["entity_id"] == order["id"] for e in seen)
    shown = w.merchant.get(path).json()
    assert [lock["kind"] for lock in shown["code_locks"]] == ["pickup"]
    assert datetime.fromisoformat(shown["code_locks"][0]["until"]) == until
    assert shown["status"] == "READY_FOR_PICKUP"
    # only the store's staff lift it
    assert w.merchant_b.post(path + "/code-lock/lift").status_code == 404
    assert w.courier.post(path + "/code-lock/lift").status_code == 403
    assert w.customer.post(path + "/code-lock/lift").status_code == 403
    lifted = w.merchant.post(path + "/code-lock/lift")
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["code_locks"] == []
    again = w.merchant.post(path + "/code-lock/lift")  # nothing locked: a success that changes nothing
    assert again.status_code == 200 and again.json()["version"] == lifted.json()["version"]
    done = w.merchant.post(path + "/handoff", {"code": order["pickup_code"]})
    assert done.status_code == 200 and done.json()["status"] == "DELIVERED"


def test_an_empty_code_is_refused_as_a_slip_and_never_counted(world: World) -> None:
    w = world
    order = _ready_takeout(w)
    path = f"/v1/orders/{order['id']}"
    for empty in ("", "   ", "", " ", "\t", ""):  # more than the five wrong tries that would lock the code
        response = w.merchant.post(path + "/handoff", {"code": empty})
        assert response.status_code == 422 and response.json()["error"]["field"] == "code", response.text
    assert w.merchant.get(path).json()["code_locks"] == []
    assert w.merchant.post(path + "/handoff", {"code": order["pickup_code"]}).status_code == 200


def test_the_lock_holds_across_a_restart(world: World) -> None:
    w = world
    order = _ready_takeout(w)
    path = f"/v1/orders/{order['id']}/handoff"
    for _ in range(5):
        assert w.merchant.post(path, {"code": _wrong(order["pickup_code"])}).status_code == 409
    w.running.restart()
    merchant = Api(w.running.url, w.tokens["merchant"])
    _locked_until(merchant.post(path, {"code": order["pickup_code"]}))
    w.merchant.http.base_url = w.running.url  # the other tests go on with the restarted server
    for client in (w.dispatcher, w.customer, w.courier, w.merchant_b):
        client.http.base_url = w.running.url


def test_a_replayed_wrong_try_is_counted_once(world: World) -> None:
    w = world
    order = _ready_takeout(w)
    path = f"/v1/orders/{order['id']}/handoff"
    for _ in range(6):  # one wrong try, retried by an outbox with its key
        response = w.merchant.post(path, {"code": _wrong(order["pickup_code"])}, key="one-try-" + order["id"])
        assert response.status_code == 409
    assert w.merchant.post(path, {"code": order["pickup_code"]}).status_code == 200


def test_a_courier_guessing_the_delivery_code_is_locked_out_and_the_dispatcher_lifts_it(world: World) -> None:
    w = world
    order, delivery = _at_door(w, w.courier, w.couriers[0])
    path = f"/v1/deliveries/{delivery}/delivered"
    for _ in range(5):
        response = w.courier.post(path, {"code": _wrong(order["delivery_code"])})
        assert response.status_code == 409 and response.json()["error"]["code"] == "wrong_code"
    _locked_until(w.courier.post(path, {"code": order["delivery_code"]}))
    locks = w.merchant.get(f"/v1/orders/{order['id']}").json()["code_locks"]
    assert [lock["kind"] for lock in locks] == ["delivery"]
    assert w.dispatcher.post(f"/v1/orders/{order['id']}/code-lock/lift").status_code == 200
    done = w.courier.post(path, {"code": order["delivery_code"]})
    assert done.status_code == 200 and done.json()["status"] == "DELIVERED"


def test_a_wrong_code_on_a_delivery_that_moved_on_is_refused_not_200(world: World) -> None:
    w = world
    order, delivery = _at_door(w, w.courier, w.couriers[0])
    path = f"/v1/deliveries/{delivery}"
    assert w.courier.post(path + "/delivered", {"code": order["delivery_code"]}).status_code == 200
    again = w.courier.post(path + "/delivered", {"code": order["delivery_code"]})
    assert again.status_code == 200  # the right code on a step already done: a success that changes nothing
    for step, code in (("delivered", order["delivery_code"]), ("picked-up", order["pickup_code"])):
        after = w.courier.post(f"{path}/{step}", {"code": _wrong(code)})
        assert after.status_code == 409 and after.json()["error"]["code"] == "wrong_code", (step, after.text)
    handed = _ready_takeout(w)  # the counter too: a handed-over order does not confirm every code
    path = f"/v1/orders/{handed['id']}/handoff"
    assert w.merchant.post(path, {"code": handed["pickup_code"]}).status_code == 200
    assert w.merchant.post(path, {"code": _wrong(handed["pickup_code"])}).status_code == 409


def test_validate_code_counts_wrong_codes_per_store(world: World) -> None:
    w = world
    order = _ready_takeout(w)
    path = f"/v1/stores/{w.store}/validate-code"
    taken = {
        o["pickup_code"] for o in w.merchant.get("/v1/orders", limit=500).json()["orders"] if o["pickup_code"]
    }
    wrong = (f"{n:04d}" for n in range(10_000) if f"{n:04d}" not in taken)
    for _ in range(20):  # across orders: none of these names an open order
        response = w.merchant.post(path, {"code": next(wrong)})
        assert response.status_code == 200 and response.json()["valid"] is False
    _locked_until(w.merchant.post(path, {"code": order["pickup_code"]}))
    _locked_until(w.merchant.post(path, {"code": next(wrong)}))
    # a store's lock is its own: the other store validates as before
    other = w.merchant_b.get("/v1/me").json()["store_id"]
    assert w.merchant_b.post(f"/v1/stores/{other}/validate-code", {"code": "0000"}).status_code == 200


def test_a_locked_code_is_taken_again_when_the_window_has_passed(tmp_path: Path) -> None:
    # a 6 s lock (and window: five tries fit in it on a loaded machine)
    running = start_platform(tmp_path, env={"O2O_CODE_LOCK_MINUTES": "0.1"})
    try:
        w = _world(running)
        order = _ready_takeout(w)
        path = f"/v1/orders/{order['id']}/handoff"
        for _ in range(5):
            assert w.merchant.post(path, {"code": _wrong(order["pickup_code"])}).status_code == 409
        until = _locked_until(w.merchant.post(path, {"code": order["pickup_code"]}))
        time.sleep(max(0.0, (until - datetime.now(UTC)).total_seconds()) + 0.2)
        done = w.merchant.post(path, {"code": order["pickup_code"]})
        assert done.status_code == 200 and done.json()["status"] == "DELIVERED"
    finally:
        running.stop()


def test_tries_through_two_processes_on_one_postgresql_add_up(postgres_url: str, tmp_path: Path) -> None:
    running = start_platform(tmp_path, db_url=postgres_url)
    other = running.another_process(tmp_path / "second.log")
    try:
        w = _world(running)
        second = Api(other.url, w.tokens["merchant"])
        order = _ready_takeout(w)
        path = f"/v1/orders/{order['id']}/handoff"
        for client in (w.merchant, second, w.merchant, second, w.merchant):
            assert client.post(path, {"code": _wrong(order["pickup_code"])}).status_code == 409
        _locked_until(second.post(path, {"code": order["pickup_code"]}))
        _locked_until(w.merchant.post(path, {"code": order["pickup_code"]}))
    finally:
        other.stop()
        running.stop()
