"""A commit wakes only the long-polls whose scope its events are in: a write in store A leaves the parked polls of
store B asleep (before, every commit woke every poll of every store: each re-read the database for nothing).

The server runs in this process (the real app under uvicorn on a loopback port) so the test can count wake-ups on
its notifier; polls and writes still go over HTTP.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
import uvicorn

from o2o_tui.domain.geo import Address, Position
from o2o_tui.domain.identity import Role
from o2o_tui.platform import db, seed
from o2o_tui.platform.app import create_app
from o2o_tui.platform.events import Notifier
from tests.support.platform import Api, free_port, order_body

PARKED = 5


@dataclass
class InProcess:
    url: str
    notifier: Notifier
    tokens: dict[str, str]
    store_a: str
    store_b: str


def _wait_until(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.02)
    return False


@pytest.fixture
def two_stores(tmp_path: Path) -> Iterator[InProcess]:
    db_url = f"sqlite:///{tmp_path / 'platform.sqlite3'}"
    seeded = seed.seed_demo(db_url)
    engine = db.open_database(db_url)
    try:
        with db.writing(engine) as conn:
            other = seed.create_store(
                conn,
                name="二号店 Second",
                address=Address(text="2 Road", position=Position(lat=31.2, lon=121.4)),
                menu=seed.demo_menu(),
            )
            merchant_b = seed.create_user(conn, role=Role.MERCHANT, name="B", store_id=other.id)
    finally:
        engine.dispose()
    # no timed re-read while the test watches: a poll wakes only when a notify is for it
    app = create_app(db_url, run_jobs=False, event_recheck_seconds=30.0)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    assert _wait_until(lambda: server.started), "the in-process server did not start"
    tokens = {**seeded.tokens, "merchant_b": merchant_b.token}
    try:
        yield InProcess(
            f"http://127.0.0.1:{port}", app.state.platform.notifier, tokens, seeded.store_id, other.id
        )
    finally:
        server.should_exit = True
        thread.join(timeout=10)


def _poll(url: str, token: str, cursor: str) -> dict:
    with httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as http:
        response = http.get("/v1/events", params={"after": cursor, "wait": 8})
        assert response.status_code == 200, response.text
        return response.json()


def test_a_write_in_one_store_does_not_wake_the_polls_of_another(two_stores: InProcess) -> None:
    server, notifier = two_stores, two_stores.notifier
    customer = Api(server.url, server.tokens["customer"])
    merchant_b = Api(server.url, server.tokens["merchant_b"])
    cursor_b = merchant_b.get("/v1/events", after="latest").json()["cursor"]
    admin = Api(server.url, server.tokens["admin"])
    cursor_admin = admin.get("/v1/events", after="latest").json()["cursor"]

    with ThreadPoolExecutor(max_workers=PARKED + 1) as pool:
        polls_b: list[Future[dict]] = [
            pool.submit(_poll, server.url, server.tokens["merchant_b"], cursor_b) for _ in range(PARKED)
        ]
        poll_admin = pool.submit(_poll, server.url, server.tokens["admin"], cursor_admin)
        assert _wait_until(lambda: notifier.waiting() == PARKED + 1), notifier.waiting()
        woken_before = notifier.woken

        created = customer.post("/v1/orders", order_body(server.store_a))
        assert created.status_code == 201, created.text
        # the admin reads every store: its poll answers with store A's new order
        assert any(e["entity_id"] == created.json()["id"] for e in poll_admin.result(timeout=10)["events"])
        time.sleep(0.3)  # time enough for any wrongly woken poll to have been woken
        assert notifier.woken == woken_before + 1, "a write in store A woke polls of store B"
        assert notifier.waiting() == PARKED and not any(poll.done() for poll in polls_b)

        theirs = customer.post("/v1/orders", order_body(server.store_b))
        assert theirs.status_code == 201, theirs.text
        for poll in polls_b:
            assert [e["entity_id"] for e in poll.result(timeout=10)["events"]] == [theirs.json()["id"]]
        assert notifier.woken == woken_before + 1 + PARKED
    assert notifier.waiting() == 0


async def test_notify_without_scopes_wakes_every_poll_and_scopes_are_forgotten() -> None:
    import asyncio

    notifier = Notifier()
    store = asyncio.create_task(notifier.wait(5, ("store", "a")))
    courier = asyncio.create_task(notifier.wait(5, ("courier", "c")))
    await asyncio.sleep(0)
    notifier.notify([("customer", "nobody")])
    await asyncio.sleep(0.01)
    assert not store.done() and not courier.done()
    notifier.notify()  # scopes unknown (an older process's NOTIFY, an old call): wake them all
    assert await store and await courier
    assert await notifier.wait(0.01, ("store", "a")) is False
    assert notifier.waiting() == 0 and not notifier._scoped  # nothing kept for scopes nobody waits in


def test_the_notify_payload_carries_the_scopes_across_processes() -> None:
    from o2o_tui.platform import pg_notify

    origin, scopes = pg_notify.parse_payload(pg_notify.payload([("store", "st_1"), ("customer", "u_2")]))
    assert origin == pg_notify.ORIGIN and scopes == {("store", "st_1"), ("customer", "u_2")}
    # no scopes (an older server): wake every poll
    assert pg_notify.parse_payload("an-older-server") == ("an-older-server", None)
