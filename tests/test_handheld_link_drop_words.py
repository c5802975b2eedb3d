"""The handheld on a link that drops (real server on loopback, real cache in tmp_path, the fault proxy, Pilot): a step
is said done only once the platform confirmed it (one beep a tap), every order of news that names several is said,
"too soon" reads as its own sentence, a problem reported twice offline is queued once, and a reject question closes
when its offer is taken off the courier."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.i18n import set_language, t
from o2o_tui.ssh_gate import GATE_ENV
from screens.courier_app import CONFIRM_WAIT_S
from screens.courier_format import then
from screens.courier_screens import ConfirmScreen, TaskListScreen, TaskScreen
from screens.courier_widgets import Line
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    call,
    courier_profile,
    offer,
    open_first_task,
    open_source,
    server_delivery,
    server_order,
    settled,
    status_line,
    wait_until,
)


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    assert platform.seed is not None
    return platform.seed.courier_ids[0]


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv(GATE_ENV, raising=False)
    set_language("en")
    yield tmp_path / "home"
    set_language(None)


def message(app: CountingApp) -> str:
    return app.screen.query_one("#message", Line).shown


def number_of(order: dict) -> str:
    return f"#{order['number']:04d}"


async def _to_the_door(pilot, app: CountingApp, platform: RunningPlatform, order: dict) -> None:  # type: ignore[no-untyped-def]
    pickup_code = server_order(platform, order["id"])["pickup_code"]
    await open_first_task(pilot, app, number_of(order))
    for keys in (["1"], ["1"], ["1", *pickup_code, "enter"], ["1"]):
        await pilot.press(*keys)
        await settled(pilot)
    await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_CUSTOMER")
    await settled(pilot)


async def test_a_step_on_a_dead_link_that_looks_up_is_said_queued_until_confirmed(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    number = number_of(order)
    delivery_code = call(platform, "customer", "GET", f"/v1/orders/{order['id']}")["delivery_code"]
    with FaultProxy(platform.port) as proxy:
        app = CountingApp(open_source(courier_profile(platform, courier_id, url=f"http://127.0.0.1:{proxy.port}")))
        async with app.run_test(size=(40, 16)) as pilot:
            await _to_the_door(pilot, app, platform, order)
            proxy.black_hole()  # the link looks up and answers nothing
            assert status_line(app).startswith("ONLINE")
            bells = app.bells
            await pilot.press("1", *delivery_code, "enter")
            await wait_until(pilot, lambda: message(app) == f"{number}: code not checked yet: keep the food")
            assert app.bells == bells  # its one beep: when confirmed, or once it is clearly waiting
            await pilot.pause(CONFIRM_WAIT_S + 0.3)
            assert app.bells == bells + 1
            assert status_line(app).startswith("ONLINE")  # still looks up: the tester's ~7 s
            assert message(app) == f"{number}: code not checked yet: keep the food"
            assert isinstance(app.screen, TaskScreen)  # an ending step keeps its task until confirmed
            assert server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_CUSTOMER"
            await wait_until(pilot, lambda: status_line(app).startswith("OFFLINE"), 30)
            assert message(app) == f"{number}: code not checked yet: keep the food"  # never "delivered" meanwhile
            proxy.pass_through()
            await wait_until(pilot, lambda: message(app) == f"{number} delivered", 30)
            assert server_order(platform, order["id"])["status"] == "DELIVERED"
            assert isinstance(app.screen, TaskListScreen)  # confirmed: back to the list
            assert app.bells == bells + 1  # the tap had its one beep


async def test_a_step_just_after_the_link_dropped_is_upgraded_when_confirmed(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    number = number_of(order)
    with FaultProxy(platform.port) as proxy:
        app = CountingApp(open_source(courier_profile(platform, courier_id, url=f"http://127.0.0.1:{proxy.port}")))
        async with app.run_test(size=(40, 16)) as pilot:
            await open_first_task(pilot, app, number)
            proxy.drop()  # connections refused: the handheld has not noticed yet
            bells = app.bells
            await pilot.press("1")  # accept
            await wait_until(pilot, lambda: status_line(app).startswith("OFFLINE"), 30)
            await pilot.pause(0.3)
            assert message(app) == f"{number}: queued, not yet confirmed"
            assert app.bells == bells + 1
            proxy.pass_through()
            await wait_until(pilot, lambda: message(app) == f"{number} accepted", 30)
            assert server_delivery(platform, order["id"])["status"] == "ACCEPTED"
            assert app.bells == bells + 1
            # online, a tap is said done once confirmed, with one beep (not a queued beep and a done beep)
            await settled(pilot)
            bells = app.bells
            await pilot.press("1")  # at the store
            await wait_until(pilot, lambda: message(app) == f"{number}: at the store")
            await pilot.pause(CONFIRM_WAIT_S + 0.3)
            assert app.bells == bells + 1


async def test_every_order_taken_off_and_every_new_offer_is_said(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    first, second = offer(platform, courier_id), offer(platform, courier_id)
    with FaultProxy(platform.port) as proxy:
        app = CountingApp(open_source(courier_profile(platform, courier_id, url=f"http://127.0.0.1:{proxy.port}")))
        async with app.run_test(size=(40, 16)) as pilot:
            await wait_until(pilot, lambda: len(app.screen.query(".task")) == 2)
            await wait_until(pilot, lambda: status_line(app).startswith("ONLINE"))
            proxy.drop()  # both changes come in one update
            await wait_until(pilot, lambda: status_line(app).startswith("OFFLINE"), 30)
            for order in (first, second):
                call(platform, "dispatcher", "POST", f"/v1/orders/{order['id']}/unassign")
            bells = app.bells
            proxy.pass_through()
            said = f"{number_of(first)}, {number_of(second)} taken off you: back to the store's dispatcher"
            await wait_until(pilot, lambda: "taken off you" in message(app), 30)
            await pilot.pause(0.3)
            assert message(app) == said
            assert app.bells == bells + 2  # bad news: two beeps, once
            # two offers a moment apart: the second joins the line that still says the first
            third = offer(platform, courier_id)
            await wait_until(pilot, lambda: message(app) == f"New offer {number_of(third)}")
            fourth = offer(platform, courier_id)
            await wait_until(pilot, lambda: message(app) == f"New offer {number_of(third)}, {number_of(fourth)}")
            # a moment apart too: taken off while the line still says the last taken off
            call(platform, "dispatcher", "POST", f"/v1/orders/{third['id']}/unassign")
            said = f"{number_of(third)} taken off you: back to the store's dispatcher"
            await wait_until(pilot, lambda: message(app) == said)
            call(platform, "dispatcher", "POST", f"/v1/orders/{fourth['id']}/unassign")
            said = f"{number_of(third)}, {number_of(fourth)} taken off you: back to the store's dispatcher"
            await wait_until(pilot, lambda: message(app) == said)


@pytest.mark.parametrize(
    ("language", "said", "expected"),
    [
        ("en", "#0004 accepted", "#0004 accepted. Too soon: keys ignored. Look, then press again."),
        ("zh", "#0003 已接单", "#0003 已接单。按得太快：按键已忽略。看清后再按。"),
        ("en", "Go off duty?", "Go off duty? Too soon: keys ignored. Look, then press again."),
        ("zh", "确定下线？", "确定下线？按得太快：按键已忽略。看清后再按。"),
    ],
)
def test_too_soon_is_a_sentence_of_its_own(language: str, said: str, expected: str) -> None:
    set_language(language)
    try:
        assert then(said, t("handheld.keys_ignored")) == expected
    finally:
        set_language(None)


async def test_too_soon_after_a_step_reads_as_its_own_sentence(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    number = number_of(order)
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        await pilot.press("1")  # accept
        await wait_until(pilot, lambda: message(app) == f"{number} accepted")
        await pilot.press("1")  # at once: the fresh lines take no key yet
        assert message(app) == f"{number} accepted. Too soon: keys ignored. Look, then press again."


async def test_a_problem_reported_twice_offline_is_queued_once(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    number = number_of(order)
    with FaultProxy(platform.port) as proxy:
        app = CountingApp(open_source(courier_profile(platform, courier_id, url=f"http://127.0.0.1:{proxy.port}")))
        async with app.run_test(size=(40, 16)) as pilot:
            await open_first_task(pilot, app, number)
            await pilot.press("1")  # accept
            await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
            await settled(pilot)
            proxy.drop()
            await wait_until(pilot, lambda: status_line(app).startswith("OFFLINE"), 30)
            for _ in range(2):
                for key in ("3", "4", "1"):  # report a problem, "Order not ready", yes
                    await pilot.press(key)
                    await settled(pilot)
            await wait_until(pilot, lambda: "already queued at" in message(app))
            assert message(app).startswith(f"{number}: Order not ready already queued at ")
            assert message(app).endswith("; not queued again")
            assert "1 queued" in status_line(app)
            proxy.pass_through()
            await wait_until(pilot, lambda: not app.source.link().pending, 30)
            await wait_until(pilot, lambda: server_delivery(platform, order["id"])["problems"])
            await pilot.pause(0.5)
    assert len(server_delivery(platform, order["id"])["problems"]) == 1


async def test_a_reject_question_closes_when_its_offer_is_taken_off(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    number = number_of(order)
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        delivery_id = server_delivery(platform, order["id"])["id"]
        await pilot.press("4")  # reject: asked once more
        assert isinstance(app.screen, ConfirmScreen)
        call(platform, "dispatcher", "POST", f"/v1/orders/{order['id']}/unassign")
        await wait_until(pilot, lambda: not isinstance(app.screen, ConfirmScreen))
        assert isinstance(app.screen, TaskScreen)
        assert "taken off you" in message(app)  # why it closed
        await settled(pilot)
        await pilot.press("1")  # the "1 Yes" meant for the question: back to the list, nothing rejected
        await pilot.pause(0.5)
        assert "rejected" not in message(app)
        delivery = call(platform, "dispatcher", "GET", f"/v1/deliveries/{delivery_id}")
        assert delivery["status"] == "CANCELLED" and delivery["end_reason"] == "UNASSIGNED"
