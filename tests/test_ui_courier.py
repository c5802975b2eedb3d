"""The courier handheld against the real platform: sync engine, a real cache in tmp_path, loopback HTTP, Pilot."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path

import msgspec
import pytest
from textual.pilot import Pilot

from o2o_tui.config import Profile, save_profile
from o2o_tui.i18n import set_language
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens.courier_app import CourierApp
from screens.courier_screens import CodeScreen, ProblemScreen, TaskListScreen, TaskScreen, TooSmallScreen
from screens.courier_source import CourierSource
from screens.courier_widgets import Line
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api, order_body

HOSTILE_NAME = "[/] [@click=app.quit]x[/]"
HOSTILE_NOTE = "\x1b]0;pwned\x07 [b]ring the bell[/b]"


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    return platform.seed.courier_ids[0]


def courier_profile(platform: RunningPlatform, courier_id: str, url: str | None = None) -> Profile:
    seed = platform.seed
    assert seed is not None
    return save_profile(
        "courier",
        url=url or platform.url,
        token=seed.courier_tokens[courier_id],
        role="courier",
        courier_id=courier_id,
    )


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    set_language("en")
    yield tmp_path / "home"
    set_language(None)


def open_source(profile: Profile) -> CourierSource:
    """The handheld's real source (sync engine on a real cache), with short waits so tests run quickly."""
    cache = open_cache(profile)

    def connect() -> tuple[object, object]:
        client = make_client(profile, timeout=2.0)
        return make_engine(profile, cache, client, poll_wait=0.5, backoff_cap=0.5), client

    assert profile.courier_id is not None
    return CourierSource(cache, profile.courier_id, connect)


class CountingApp(CourierApp):
    bells = 0

    def bell(self) -> None:
        self.bells += 1


def offer(platform: RunningPlatform, courier_id: str, **overrides: object) -> dict:
    """A delivery order placed, accepted by the merchant and offered to the courier; returns the order."""
    seed = platform.seed
    assert seed is not None
    order = call(platform, "customer", "POST", "/v1/orders", order_body(seed.store_id, **overrides))
    call(platform, "merchant", "POST", f"/v1/orders/{order['id']}/confirm", {"preparation_minutes": 10})
    call(platform, "dispatcher", "POST", f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
    return order


def call(platform: RunningPlatform, role: str, method: str, path: str, body: object = None) -> dict:
    client = api(platform, role)
    try:
        answer = client.send(method, path, body) if method != "GET" else client.get(path)
    finally:
        client.close()
    assert answer.status_code < 300, answer.text
    return answer.json()


def server_delivery(platform: RunningPlatform, order_id: str) -> dict:
    order = call(platform, "dispatcher", "GET", f"/v1/orders/{order_id}")
    return call(platform, "dispatcher", "GET", f"/v1/deliveries/{order['delivery_id']}")


def server_order(platform: RunningPlatform, order_id: str) -> dict:
    return call(platform, "merchant", "GET", f"/v1/orders/{order_id}")


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 20.0) -> None:
    loop = asyncio.get_running_loop()
    deadline = loop.time() + timeout
    while not condition():
        assert loop.time() < deadline, "condition not reached"
        await pilot.pause(0.05)


def screen_text(app: CourierApp) -> str:
    return "\n".join(line.shown for line in app.screen.query(Line).results(Line) if line.display)


async def test_a_whole_delivery_from_the_keypad(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id, customer_name=HOSTILE_NAME, note=HOSTILE_NOTE)
    pickup_code = server_order(platform, order["id"])["pickup_code"]
    delivery_code = call(platform, "customer", "GET", f"/v1/orders/{order['id']}")["delivery_code"]
    wrong_code = "0000" if pickup_code != "0000" else "1111"
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)), ascii_only=False)
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: number in screen_text(app))
        await wait_until(pilot, lambda: app.screen.query_one("#status", Line).shown.startswith("ONLINE"))
        await pilot.press("1")  # open the offer
        assert isinstance(app.screen, TaskScreen)
        text = screen_text(app)
        assert HOSTILE_NAME in text and "\x1b" not in text and "138****" in text
        assert "1 Accept" in text and "2 Reject" in text

        assert server_order(platform, order["id"])["delivery_status"] == "PENDING"  # what the counter sees
        await pilot.press("1")  # accept
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
        assert server_order(platform, order["id"])["delivery_status"] == "ACCEPTED"
        assert app.bells == 1
        await pilot.press("f2")  # F2 repeats line 1: arrived at the store
        await wait_until(
            pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_MERCHANT"
        )

        assert server_order(platform, order["id"])["delivery_status"] == "ARRIVED_AT_MERCHANT"
        await pilot.press("1")  # picked up: asks the code, digits are text there
        assert isinstance(app.screen, CodeScreen)
        await pilot.press(*wrong_code, "enter")
        await wait_until(pilot, lambda: "Refused" in screen_text(app))
        assert app.bells >= 4  # one for arrived, two for the wrong code
        assert server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_MERCHANT"
        await pilot.press("1", *pickup_code, "enter")
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "PICKED_UP")
        await wait_until(pilot, lambda: "Refused" not in screen_text(app))

        await pilot.press("3")  # report a problem: a numbered reason list
        assert isinstance(app.screen, ProblemScreen)
        await pilot.press("1")
        await wait_until(pilot, lambda: len(server_delivery(platform, order["id"])["problems"]) == 1)
        assert isinstance(app.screen, TaskScreen)

        await pilot.press("1")  # arrived at the customer
        await wait_until(
            pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_CUSTOMER"
        )
        await pilot.press("1", *delivery_code, "enter")
        await wait_until(pilot, lambda: server_order(platform, order["id"])["status"] == "DELIVERED")
        assert server_order(platform, order["id"])["delivery_status"] == "DELIVERED"
        assert isinstance(app.screen, TaskListScreen)  # a finished task goes back to the list
        await wait_until(pilot, lambda: not app.screen.query(".task"))
        assert "delivered" in app.screen.query_one("#message", Line).shown


async def test_offline_actions_queue_and_replay_once(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    with FaultProxy(platform.port) as proxy:
        app = CountingApp(
            open_source(courier_profile(platform, courier_id, url=f"http://127.0.0.1:{proxy.port}"))
        )
        async with app.run_test(size=(40, 16)) as pilot:
            await wait_until(pilot, lambda: number in screen_text(app))
            proxy.drop()
            await wait_until(pilot, lambda: app.screen.query_one("#status", Line).shown.startswith("OFFLINE"))
            await pilot.press("1", "1")  # open, accept: queued
            await wait_until(pilot, lambda: "queued" in screen_text(app))
            await pilot.press("1")  # arrived at the store: queued behind it
            await wait_until(pilot, lambda: "2 queued" in app.screen.query_one("#status", Line).shown)
            assert server_delivery(platform, order["id"])["status"] == "PENDING"
            proxy.pass_through()
            await wait_until(
                pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_MERCHANT", 30
            )
            await wait_until(pilot, lambda: "queued" not in app.screen.query_one("#status", Line).shown)
    delivery_id = server_delivery(platform, order["id"])["id"]
    with sqlite3.connect(platform.db_url.removeprefix("sqlite:///")) as conn:
        rows = conn.execute("SELECT action FROM action_log WHERE entity_id = ?", (delivery_id,)).fetchall()
    actions = [row[0] for row in rows]
    assert actions.count("accept") == 1 and actions.count("arrived-at-merchant") == 1


async def test_small_screens_and_too_small(platform: RunningPlatform, courier_id: str, home: Path) -> None:
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)), ascii_only=True)
    async with app.run_test(size=(40, 8)) as pilot:
        await wait_until(pilot, lambda: number in screen_text(app))
        await pilot.press("1")
        await pilot.pause()
        assert "1 Accept" in screen_text(app)  # the actions stay on screen with a soft keyboard up
        await pilot.resize_terminal(20, 16)
        await pilot.pause()
        assert isinstance(app.screen, TaskScreen)
        await pilot.resize_terminal(19, 7)
        await wait_until(pilot, lambda: isinstance(app.screen, TooSmallScreen))
        await pilot.resize_terminal(40, 16)
        await wait_until(pilot, lambda: isinstance(app.screen, TaskScreen))
        await pilot.press("0")
        assert isinstance(app.screen, TaskListScreen)


async def test_a_cancelled_order_is_explained_on_the_task(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    with FaultProxy(platform.port) as proxy:
        app = CountingApp(
            open_source(courier_profile(platform, courier_id, url=f"http://127.0.0.1:{proxy.port}"))
        )
        async with app.run_test(size=(40, 16)) as pilot:
            await wait_until(pilot, lambda: number in screen_text(app))
            await pilot.press("1", "1")  # accept while online
            await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
            proxy.drop()
            await wait_until(pilot, lambda: app.screen.query_one("#status", Line).shown.startswith("OFFLINE"))
            await pilot.press("1")  # arrived: queued while the store cancels the order
            call(
                platform,
                "merchant",
                "POST",
                f"/v1/orders/{order['id']}/cancel",
                {"reason_code": "OUT_OF_STOCK"},
            )
            bells = app.bells
            proxy.pass_through()
            await wait_until(pilot, lambda: "Refused" in screen_text(app), 30)
            assert app.bells == bells + 2
            text = screen_text(app)
            assert "Cancelled" in text and "This task has ended" in text and "Accept" not in text


def test_the_counter_sees_each_courier_step(home: Path) -> None:
    """The merchant's row shows the courier's step in the type column, and the detail says it in words."""
    from screens import order_format
    from tests.test_ui_samples import sample_entries

    order = sample_entries()[0].order
    assert order_format.type_or_stage(order) == order_format.type_label(order)
    for status, short in (
        ("PENDING", "Offered"),
        ("ARRIVED_AT_MERCHANT", "At store"),
        ("PICKED_UP", "On way"),
    ):
        staged = msgspec.structs.replace(order, delivery_status=status)
        assert order_format.type_or_stage(staged) == short
        assert order_format.courier_stage(staged, long=True) not in ("", short)
    set_language("zh")
    staged = msgspec.structs.replace(order, delivery_status="ARRIVED_AT_MERCHANT")
    assert order_format.type_or_stage(staged) == "骑手到店"


async def test_a_bad_cached_task_is_left_out_and_said_once(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    """The handheld follows the one rule for a cached copy that no longer reads: left out, said once, refetched."""
    from o2o_tui.sync import tables
    from tests.test_sync_bad_entities import corrupt_cached

    first, second = offer(platform, courier_id), offer(platform, courier_id)
    profile = courier_profile(platform, courier_id)
    app = CountingApp(open_source(profile))
    async with app.run_test(size=(40, 16)) as pilot:  # a first run fills the cache
        await wait_until(pilot, lambda: len(app.screen.query(".task")) == 2)
    corrupt_cached(home, tables.DELIVERIES, server_delivery(platform, first["id"])["id"])

    app = CountingApp(open_source(profile))
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: "Left out the cached delivery" in screen_text(app))
        assert f"#{second['number']:04d}" in screen_text(app)
        await wait_until(pilot, lambda: len(app.screen.query(".task")) == 2)  # fetched again from the platform


async def test_duty_is_not_guessed_before_the_courier_record_arrives(home: Path) -> None:
    """A first start has no courier record yet: the handheld says nothing of duty rather than 'Off duty'."""
    from screens.courier_memory_source import MemoryCourierSource

    app = CountingApp(MemoryCourierSource(courier=None))  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        status = app.screen.query_one("#status", Line).shown
        assert status == "ONLINE" and "duty" not in screen_text(app).lower()
        await pilot.press("1")  # no numbered line yet: two beeps, nothing sent
        assert app.bells == 2 and app.source.submitted == []  # type: ignore[attr-defined]
