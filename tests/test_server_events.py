"""The event feed: long-polls wake on a change, cursors resume, visibility per role, resync after pruning."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from tests.support.platform import RunningPlatform, api, order_body, start_platform


def test_long_poll_wakes_on_a_new_order(shared_platform: RunningPlatform) -> None:
    """A new order reaches a parked long-poll within 0.5 s: a loose functional bound (the wake-up measured about
    10 ms), well under the 1 s at which a poll re-reads the database anyway, so a lost wake-up fails it."""
    seed = shared_platform.seed
    assert seed is not None
    merchant = api(shared_platform, "merchant")
    cursor = merchant.get("/v1/events", after="latest").json()["cursor"]
    answers: list[tuple[float, dict]] = []

    def poll() -> None:
        page = merchant.get("/v1/events", after=cursor, wait=30).json()
        answers.append((time.monotonic(), page))

    waiter = threading.Thread(target=poll)
    waiter.start()
    time.sleep(0.3)  # let the poll reach the server and start waiting
    assert waiter.is_alive()  # nothing new yet: it is holding
    created_at = time.monotonic()
    order = api(shared_platform, "customer").post("/v1/orders", order_body(seed.store_id)).json()
    waiter.join(timeout=30)
    assert not waiter.is_alive()
    answered_at, page = answers[0]
    assert answered_at - created_at < 0.5, (
        f"the long-poll answered {answered_at - created_at:.3f} s after the order"
    )
    created = [e for e in page["events"] if e["type"] == "order.created"]
    assert [e["entity_id"] for e in created] == [order["id"]]
    assert created[0]["entity"] == "order" and created[0]["version"] == 1
    assert int(page["cursor"].split(".")[0]) >= created[0]["id"] > int(cursor.split(".")[0])  # "<id>.<tag>"


def test_cursor_resumes_after_the_last_event(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    merchant, customer = api(shared_platform, "merchant"), api(shared_platform, "customer")
    start = merchant.get("/v1/events", after="latest").json()["cursor"]
    first = customer.post("/v1/orders", order_body(seed.store_id)).json()
    page = merchant.get("/v1/events", after=start).json()
    assert [e["entity_id"] for e in page["events"]] == [first["id"]]
    second = customer.post("/v1/orders", order_body(seed.store_id)).json()
    merchant.post(f"/v1/orders/{first['id']}/confirm", {"preparation_minutes": 5})
    resumed = merchant.get("/v1/events", after=page["cursor"]).json()
    assert [(e["type"], e["entity_id"], e["version"]) for e in resumed["events"]] == [
        ("order.created", second["id"], 1),
        ("order.updated", first["id"], 2),
    ]
    limited = merchant.get("/v1/events", after=page["cursor"], limit=1).json()
    assert len(limited["events"]) == 1
    rest = merchant.get("/v1/events", after=limited["cursor"]).json()
    assert [e["id"] for e in limited["events"] + rest["events"]] == [e["id"] for e in resumed["events"]]
    empty = merchant.get("/v1/events", after=resumed["cursor"]).json()
    assert empty["events"] == [] and empty["resync"] is False


def test_each_role_sees_only_its_events(shared_platform: RunningPlatform) -> None:
    seed = shared_platform.seed
    assert seed is not None
    admin, customer, merchant = (api(shared_platform, r) for r in ("admin", "customer", "merchant"))
    start = admin.get("/v1/events", after="latest").json()["cursor"]
    order = customer.post("/v1/orders", order_body(seed.store_id)).json()
    merchant.post(f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10})  # a courier comes after
    delivery = (
        api(shared_platform, "dispatcher")
        .post(f"/v1/orders/{order['id']}/assign", {"courier_id": seed.courier_ids[0]})
        .json()
    )
    merchant.patch(f"/v1/stores/{seed.store_id}/menu/items/cola", {"hidden": True})

    def kinds(role: str) -> set[str]:
        page = api(shared_platform, role).get("/v1/events", after=start).json()
        return {e["type"] for e in page["events"]}

    assert {"order.created", "order.updated", "delivery.created", "courier.updated", "menu.updated"} <= kinds(
        "admin"
    )
    assert {"order.created", "delivery.created", "courier.updated", "menu.updated"} <= kinds("merchant")
    assert kinds("customer") == {"order.created", "order.updated"}
    assert kinds("courier") == {"delivery.created", "courier.updated"}
    courier_events = api(shared_platform, "courier").get("/v1/events", after=start).json()["events"]
    assert delivery["id"] in {e["entity_id"] for e in courier_events}


def test_old_cursor_answers_resync(tmp_path: Path) -> None:
    env = {"O2O_EVENT_RETENTION_HOURS": "0.0003", "O2O_JOB_INTERVAL_SECONDS": "0.2"}  # about one second
    running = start_platform(tmp_path, env=env)
    try:
        assert running.seed is not None
        merchant = api(running, "merchant")
        api(running, "customer").post("/v1/orders", order_body(running.seed.store_id))
        deadline = time.monotonic() + 30
        page = merchant.get("/v1/events", after="0").json()
        while not page["resync"] and time.monotonic() < deadline:
            time.sleep(0.2)
            page = merchant.get("/v1/events", after="0").json()
        assert page["resync"] is True and page["events"] == []
        fresh = merchant.get("/v1/events", after=page["cursor"]).json()
        assert fresh["resync"] is False  # the cursor handed with resync is a good place to go on from
        assert merchant.get("/v1/events", after="999999").json()["resync"] is True  # a cursor from another db
    finally:
        running.stop()
