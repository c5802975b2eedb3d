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
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens import courier_screens
from screens.courier_app import CourierApp
from screens.courier_screens import (
    CodeScreen,
    ConfirmScreen,
    ProblemScreen,
    TaskListScreen,
    TaskScreen,
    TooSmallScreen,
)
from screens.courier_source import CourierSource, TaskView
from screens.courier_widgets import Line
from screens.source import LinkState, LinkStatus
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
    quick_settle(monkeypatch)
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
    source = CourierSource(cache, profile.courier_id, connect)
    source.prime()  # as `o2o courier` does: the cached tasks and refusals are in the first frame
    return source


class CountingApp(CourierApp):
    bells = 0

    def bell(self) -> None:
        self.bells += 1

    def beeps_owed(self) -> int:
        """Steps taken here whose one beep is still to ring (when the platform confirms them)."""
        return sum(1 for tap in self._taps.values() if not tap.rung)


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


async def settled(pilot: Pilot) -> None:
    """Wait as a deliberate courier would: numbered lines that just appeared take no digit or Enter at once."""
    await pilot.pause(courier_screens.SETTLE_S + 0.1)


QUICK_SETTLE_S = 0.1
PRODUCT_SETTLE_S = courier_screens.SETTLE_S  # the handheld's own, read before any test changes it


def quick_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fresh numbered lines take keys after `QUICK_SETTLE_S` instead of the handheld's 0.8 s (`SETTLE_S`, and
    `BURST_S` with it, as in the product): a test waits out the settle after each step (`settled`), ten or more
    times a test: most of a handheld test's time was such waits. Tests of the settle itself set their
    own (longer) values after this."""
    monkeypatch.setattr(courier_screens, "SETTLE_S", QUICK_SETTLE_S)
    monkeypatch.setattr(courier_screens, "BURST_S", QUICK_SETTLE_S)


def product_settle(monkeypatch: pytest.MonkeyPatch) -> None:
    """The handheld's own settle back, for a test whose repeated key must land inside it on a loaded machine."""
    monkeypatch.setattr(courier_screens, "SETTLE_S", PRODUCT_SETTLE_S)
    monkeypatch.setattr(courier_screens, "BURST_S", PRODUCT_SETTLE_S)


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
        assert "1 Accept" in text and "4 Reject" in text

        assert server_order(platform, order["id"])["delivery_status"] == "PENDING"  # what the counter sees
        await settled(pilot)
        await pilot.press("1")  # accept
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
        assert server_order(platform, order["id"])["delivery_status"] == "ACCEPTED"
        # its beep rings when the handheld hears the answer, a moment after the platform has it
        await wait_until(pilot, lambda: app.bells >= 1)
        await settled(pilot)
        assert app.bells == 1
        await pilot.press("f2")  # F2 repeats line 1: arrived at the store
        await wait_until(
            pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_MERCHANT"
        )

        assert server_order(platform, order["id"])["delivery_status"] == "ARRIVED_AT_MERCHANT"
        await settled(pilot)
        await pilot.press("1")  # picked up: asks the code, digits are text there
        assert isinstance(app.screen, CodeScreen)
        await pilot.press(*wrong_code, "enter")
        await wait_until(pilot, lambda: "Refused" in screen_text(app))
        assert "4 more wrong codes lock it" in screen_text(app)  # the platform's count of tries left
        assert app.bells >= 4  # one for arrived, two for the wrong code
        assert server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_MERCHANT"
        await settled(pilot)
        await pilot.press("1", *pickup_code, "enter")
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "PICKED_UP")
        await wait_until(pilot, lambda: "Refused" not in screen_text(app))

        await settled(pilot)
        await pilot.press("3")  # report a problem: a numbered reason list
        assert isinstance(app.screen, ProblemScreen)
        await settled(pilot)
        await pilot.press("1")  # the reason: asks once more
        assert isinstance(app.screen, ConfirmScreen) and "Nobody to receive" in screen_text(app)
        await settled(pilot)
        await pilot.press("enter")
        await wait_until(pilot, lambda: len(server_delivery(platform, order["id"])["problems"]) == 1)
        assert isinstance(app.screen, TaskScreen)

        await settled(pilot)
        await pilot.press("1")  # arrived at the customer
        await wait_until(
            pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_CUSTOMER"
        )
        await settled(pilot)
        await pilot.press("1", *delivery_code, "enter")
        await wait_until(pilot, lambda: server_order(platform, order["id"])["status"] == "DELIVERED")
        assert server_order(platform, order["id"])["delivery_status"] == "DELIVERED"
        await wait_until(pilot, lambda: isinstance(app.screen, TaskListScreen))  # confirmed: back to the list
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
            await pilot.press("1")  # open
            await settled(pilot)
            await pilot.press("1")  # accept: queued
            await wait_until(pilot, lambda: "queued" in screen_text(app))
            await settled(pilot)
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
            await pilot.press("1")
            await settled(pilot)
            await pilot.press("1")  # accept while online
            await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
            proxy.drop()
            await wait_until(pilot, lambda: app.screen.query_one("#status", Line).shown.startswith("OFFLINE"))
            await settled(pilot)
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
            assert "Cancelled" in text and "The order was cancelled: Items sold out." in text and "Accept" not in text


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
        await wait_until(
            pilot, lambda: len(app.screen.query(".task")) == 2
        )  # fetched again from the platform


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


# -- one keypress, one step; the task stays until the platform answered; what changes under the courier -------


def status_line(app: CourierApp) -> str:
    return app.screen.query_one("#status", Line).shown


def highlighted(app: CourierApp) -> list[str]:
    return [line.shown for line in app.screen.query(Line).results(Line) if line.has_class("-hl")]


async def open_first_task(pilot: Pilot, app: CourierApp, number: str) -> None:
    await wait_until(pilot, lambda: number in screen_text(app))
    await wait_until(pilot, lambda: status_line(app).startswith("ONLINE"))
    await pilot.press("1")
    assert isinstance(app.screen, TaskScreen)
    await settled(pilot)


async def test_a_repeated_key_takes_one_step_not_two(
    platform: RunningPlatform, courier_id: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Enter Enter on a laggy link: the first accepts, the second must not say "arrived at the store" (the
    highlight is on it by then); the same after a pickup code. A key after the settle time does act. The settle
    time is made longer here than the handheld's 0.8 s: on a loaded machine the pilot's presses alone can take
    that long, and the repeats must land inside it."""
    settle = 3.0
    order = offer(platform, courier_id)
    pickup_code = server_order(platform, order["id"])["pickup_code"]
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")
        monkeypatch.setattr(courier_screens, "SETTLE_S", settle)  # for the steps the presses below bring
        await pilot.press("enter")
        await pilot.pause(0.3)
        await pilot.press("enter")  # the repeat: dropped
        await pilot.pause(0.3)
        await pilot.press("1")  # a second digit: dropped too
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
        await pilot.pause(0.5)
        assert server_delivery(platform, order["id"])["status"] == "ACCEPTED"
        assert "1 Arrived at store" in highlighted(app)

        await pilot.pause(settle + 0.1)
        await pilot.press("enter")  # deliberate, after the new steps were shown: acts
        await wait_until(
            pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_MERCHANT"
        )
        await pilot.pause(settle + 0.1)
        await pilot.press("1", *pickup_code, "enter", "enter")  # the code's Enter typed twice
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "PICKED_UP")
        await pilot.pause(settle)
        assert server_delivery(platform, order["id"])["status"] == "PICKED_UP"  # not "at the customer"


async def test_arrows_move_the_highlight_when_the_details_overflow(home: Path) -> None:
    """Up/Down move between the numbered lines on every task (the details never take focus); PgDn scrolls
    them (and `8`), and a "▼ more: 8" line says there is more until the end is on screen, then "▲ top: 8"."""
    from screens.courier_memory_source import MemoryCourierSource
    from tests.test_ui_courier_snapshots import courier, delivery

    long_note = "Gate code 4321#, knock twice; " * 6
    task = TaskView(delivery(9, DeliveryStatus.ACCEPTED, note=long_note), refusal="order #0009: no")
    app = CountingApp(MemoryCourierSource([task], courier=courier()), ascii_only=False)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.press("1")
        await pilot.pause()
        details = app.screen.query_one("#details")
        assert details.max_scroll_y > 0  # the details overflow
        assert highlighted(app) == ["1 Arrived at store"]
        assert "more: 8" in screen_text(app)
        await pilot.press("down")
        assert highlighted(app) == ["2 Picked up (code)"] and details.scroll_y == 0
        await pilot.press("down", "up", "up")
        assert highlighted(app) == ["1 Arrived at store"]
        for _ in range(6):
            await pilot.press("pagedown")
        await pilot.pause()
        assert details.scroll_y == details.max_scroll_y
        assert "more: 8" not in screen_text(app) and "top: 8" in screen_text(app)


async def test_a_wrong_delivery_code_keeps_the_task_with_the_whole_reason(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    pickup_code = server_order(platform, order["id"])["pickup_code"]
    delivery_code = call(platform, "customer", "GET", f"/v1/orders/{order['id']}")["delivery_code"]
    wrong = "0000" if delivery_code != "0000" else "1111"
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")
        for keys in (["1"], ["1"], ["1", *pickup_code, "enter"], ["1"]):
            await pilot.press(*keys)
            await settled(pilot)
        await wait_until(
            pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_CUSTOMER"
        )
        await settled(pilot)
        await pilot.press("1", *wrong, "enter")
        await wait_until(pilot, lambda: "Refused" in screen_text(app))
        assert isinstance(app.screen, TaskScreen)  # not thrown back to the list
        refusal = app.screen.query_one("#refusal", Line)
        assert refusal.display and "did not match" in refusal.shown and refusal.region.height >= 2
        assert "1 Delivered (code)" in screen_text(app)


async def test_offline_a_delivered_step_is_queued_not_done(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    pickup_code = server_order(platform, order["id"])["pickup_code"]
    delivery_code = call(platform, "customer", "GET", f"/v1/orders/{order['id']}")["delivery_code"]
    number = f"#{order['number']:04d}"
    with FaultProxy(platform.port) as proxy:
        profile = courier_profile(platform, courier_id, url=f"http://127.0.0.1:{proxy.port}")
        app = CountingApp(open_source(profile))
        async with app.run_test(size=(40, 16)) as pilot:
            await open_first_task(pilot, app, number)
            for keys in (["1"], ["1"], ["1", *pickup_code, "enter"], ["1"]):
                await pilot.press(*keys)
                await settled(pilot)
            await wait_until(
                pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_CUSTOMER"
            )
            proxy.drop()
            await wait_until(pilot, lambda: status_line(app).startswith("OFFLINE"))
            await pilot.press("1", *delivery_code, "enter")
            await wait_until(pilot, lambda: "code not checked yet: keep the food" in screen_text(app))
            assert "delivered" not in app.screen.query_one("#message", Line).shown
            assert isinstance(app.screen, TaskScreen)  # kept, and says its code is not checked yet
            assert f"{number} Code not checked (queued)" in screen_text(app)  # never headed "Delivered"
            await pilot.press("0")
            assert len(app.screen.query(".task")) == 1  # still on the list, marked queued
            assert f"1~{number}" in screen_text(app)  # the queued mark, never the cut mark
            proxy.pass_through()
            await wait_until(pilot, lambda: server_order(platform, order["id"])["status"] == "DELIVERED", 30)
            await wait_until(pilot, lambda: not app.screen.query(".task"))


async def test_an_order_cancelled_in_hand_is_said_with_a_beep(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    pickup_code = server_order(platform, order["id"])["pickup_code"]
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        for keys in (["1"], ["1"], ["1", *pickup_code, "enter"]):
            await pilot.press(*keys)
            await settled(pilot)
        await pilot.press("2", "0", "0", "0", "0", "enter")  # an earlier wrong delivery code
        await wait_until(pilot, lambda: "Refused" in screen_text(app))
        bells = app.bells
        call(platform, "merchant", "POST", f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"})
        await wait_until(pilot, lambda: "Back to store" in screen_text(app))
        await pilot.pause(0.2)
        text = screen_text(app)
        assert f"{number} cancelled: return it to store" in text
        assert "Refused" not in text  # the stale refusal is no news next to this
        assert app.screen.query_one("#message", Line).shown == f"{number} cancelled: return it to store"
        assert app.bells == bells + 2


async def test_an_old_refusal_goes_once_the_delivery_moved_on_and_can_be_cleared(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    """A wrong pickup code then the right one: the refusal goes, and a restart does not bring it back. A refusal
    the courier cleared (9) stays cleared after a restart too."""
    profile = courier_profile(platform, courier_id)

    def line_of(app: CourierApp, number: str) -> str:
        row = next(line.shown for line in app.screen.query(".task").results(Line) if number in line.shown)
        return row[0]

    async def refused_at_the_store(pilot: Pilot, app: CourierApp, order: dict) -> str:
        number = f"#{order['number']:04d}"
        code = server_order(platform, order["id"])["pickup_code"]
        await wait_until(pilot, lambda: number in screen_text(app))
        await pilot.press(line_of(app, number))
        for _ in range(2):  # accept, arrived at the store
            await settled(pilot)
            await pilot.press("1")
        await wait_until(
            pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_MERCHANT"
        )
        await settled(pilot)
        await pilot.press("1", *("0000" if code != "0000" else "1111"), "enter")
        await wait_until(pilot, lambda: "Refused" in screen_text(app))
        await settled(pilot)
        return code

    first = offer(platform, courier_id)
    app = CountingApp(open_source(profile))
    async with app.run_test(size=(40, 16)) as pilot:
        code = await refused_at_the_store(pilot, app, first)
        await pilot.press("1", *code, "enter")  # the right code
        await wait_until(pilot, lambda: server_delivery(platform, first["id"])["status"] == "PICKED_UP")
        await wait_until(pilot, lambda: "Refused" not in screen_text(app))
        await pilot.press("0")

        second = offer(platform, courier_id)
        await refused_at_the_store(pilot, app, second)
        await pilot.press("9")  # the courier read it: cleared
        await wait_until(pilot, lambda: "Refused" not in screen_text(app))
        assert "9 Clear" not in screen_text(app)
        await pilot.press("0")
        await pilot.pause()
        assert "!" not in screen_text(app)

    app = CountingApp(open_source(profile))  # started again (a new SSH session, a crash)
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: len(app.screen.query(".task")) == 2)
        await pilot.pause(0.3)
        assert "!" not in screen_text(app)
        for order in (first, second):
            await pilot.press(line_of(app, f"#{order['number']:04d}"))
            assert "Refused" not in screen_text(app)
            await pilot.press("0")


async def test_going_off_duty_and_reporting_a_problem_ask_once_more(
    home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    product_settle(monkeypatch)  # the keys pressed at once must land inside the settle
    from screens.courier_memory_source import MemoryCourierSource
    from tests.test_ui_courier_snapshots import courier, delivery

    source = MemoryCourierSource([TaskView(delivery(7, DeliveryStatus.PICKED_UP))], courier=courier())
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.press("2")  # the duty line
        assert isinstance(app.screen, ConfirmScreen)
        assert "Go off duty?" in screen_text(app) and "1 delivery in hand" in screen_text(app)
        await pilot.press("1", "enter")  # at once (a repeated key): nothing
        assert source.submitted == [] and isinstance(app.screen, ConfirmScreen)
        await pilot.press("0")  # no
        assert isinstance(app.screen, TaskListScreen) and source.submitted == []
        await settled(pilot)  # the keys dropped above began a burst: what follows it at once is ignored too
        await pilot.press("2")
        await settled(pilot)
        await pilot.press("enter")
        await pilot.pause()
        assert [action for action, _, _ in source.submitted] == ["courier.state"]

        await pilot.press("1")  # the task
        await settled(pilot)
        await pilot.press("3")  # report a problem
        assert isinstance(app.screen, ProblemScreen)
        await settled(pilot)
        await pilot.press("2")  # a reason: asks, files nothing yet
        assert isinstance(app.screen, ConfirmScreen) and "Address not found" in screen_text(app)
        await pilot.press("2", "enter")
        assert len(source.submitted) == 1
        await settled(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert isinstance(app.screen, TaskScreen)
        assert [action for action, _, _ in source.submitted][-1] == "delivery.problem"


async def test_rejecting_an_offer_asks_once_more(home: Path) -> None:
    from screens.courier_memory_source import MemoryCourierSource
    from tests.test_ui_courier_snapshots import courier, delivery

    source = MemoryCourierSource([TaskView(delivery(7, DeliveryStatus.PENDING))], courier=courier())
    app = CountingApp(source)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.press("1")  # the offer
        await settled(pilot)
        await pilot.press("4")  # reject: asks, sends nothing yet
        assert isinstance(app.screen, ConfirmScreen) and "Reject offer #0007?" in screen_text(app)
        assert source.submitted == []
        await pilot.press("0")  # no: back on the offer
        assert isinstance(app.screen, TaskScreen) and source.submitted == []
        await settled(pilot)
        await pilot.press("4")
        await settled(pilot)
        await pilot.press("1")
        await pilot.pause()
        assert [action for action, _, _ in source.submitted] == ["delivery.reject"]


async def test_log_in_again_is_said_once_and_a_new_login_is_taken(
    platform: RunningPlatform, courier_id: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A refused token: the 40-column status line keeps the queued count; `o2o login` run again (the profile
    saved with a new token) is picked up without restarting the handheld."""
    from screens import courier_source
    from screens.courier_launch import open_courier_source

    monkeypatch.setattr(courier_source, "LOGIN_CHECK_S", 0.2)
    order = offer(platform, courier_id)
    good = courier_profile(platform, courier_id)
    bad = save_profile(
        "courier", url=good.url, token="o2o_not_a_token", role="courier", courier_id=courier_id
    )
    app = CountingApp(open_courier_source(bad))
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: status_line(app).startswith("LOG IN AGAIN"))
        assert "o2o login" in app.screen.query_one("#message", Line).shown
        courier_profile(platform, courier_id)  # `o2o login` again, with the working token
        await wait_until(pilot, lambda: status_line(app).startswith("ONLINE"))
        await wait_until(pilot, lambda: f"#{order['number']:04d}" in screen_text(app))


async def test_the_log_in_again_status_line_keeps_the_queued_count(home: Path) -> None:
    from screens.courier_memory_source import MemoryCourierSource
    from tests.test_ui_courier_snapshots import courier

    link = LinkStatus(LinkState.UNAUTHORIZED, pending=3)
    app = CountingApp(MemoryCourierSource(courier=courier(), link=link))  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        line = app.screen.query_one("#status", Line)
        assert line.shown.startswith("LOG IN AGAIN · 3 queued · ")
        assert line.shown.count("log in") + line.shown.count("LOG IN") == 1


async def test_chinese_on_a_terminal_that_is_not_utf8_says_why(home: Path) -> None:
    from screens.courier_memory_source import MemoryCourierSource

    set_language("zh")
    app = CountingApp(MemoryCourierSource(), ascii_only=True)  # type: ignore[arg-type]
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause()
        message = app.screen.query_one("#message", Line).shown
        assert message.isascii() and "LANG=C.UTF-8" in message and len(message) <= 40
