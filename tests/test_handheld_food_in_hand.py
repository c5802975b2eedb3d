"""Food in the courier's bag after an offline pickup the platform refused (the order cancelled, or given to
another courier, before the pickup arrived): the handheld says to bring it back, keeps a task for it across
restarts, and lets it go only once the courier says the food is back at the store. Real server, real cache, a
fault proxy for the dropped link."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from screens.courier_screens import ConfirmScreen, TaskListScreen, TaskScreen
from tests.support.faultproxy import FaultProxy
from tests.support.handheld import (
    first_courier_id,
    handheld_home,
    message,
    numbered,
    offer_with_code,
    pick_up_offline,
    proxied_profile,
)
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    call,
    courier_profile,
    open_first_task,
    open_source,
    screen_text,
    server_delivery,
    server_order,
    settled,
    wait_until,
)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from handheld_home(tmp_path, monkeypatch, clear_ssh_gate=True)


@pytest.mark.parametrize("taken_away", ["cancelled", "reassigned"])
async def test_a_pickup_refused_after_the_order_was_taken_away_keeps_a_task_to_bring_the_food_back(
    platform: RunningPlatform, home: Path, taken_away: str
) -> None:
    assert platform.seed is not None
    courier_id, other = platform.seed.courier_ids[0], platform.seed.courier_ids[1]
    order, number, pickup_code = offer_with_code(platform, courier_id)
    with FaultProxy(platform.port) as proxy:
        app = CountingApp(open_source(proxied_profile(platform, courier_id, proxy)))
        async with app.run_test(size=(40, 16)) as pilot:
            await pick_up_offline(pilot, app, platform, proxy, order["id"], number, pickup_code)
            if taken_away == "cancelled":
                call(platform, "merchant", "POST", f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"})
            else:
                call(platform, "dispatcher", "POST", f"/v1/orders/{order['id']}/assign", {"courier_id": other})
            bells = app.bells
            proxy.pass_through()
            await wait_until(pilot, lambda: "Food is back at the store" in screen_text(app), 30)
            await settled(pilot)
            assert app.bells == bells + 2  # the bad news beeps twice
            said = "cancelled" if taken_away == "cancelled" else "reassigned"  # a reassign is no cancel
            assert message(app) == f"{number} {said}: bring the food back to the store"
            text = screen_text(app)
            assert f"You have the food of {number}" in text and "This task has ended" not in text
            assert numbered(app) == ["1 Food is back at the store"]
            assert "Clear this message" not in text
            await pilot.press("9")  # no message to clear away: the food is still in hand
            await settled(pilot)
            assert numbered(app) == ["1 Food is back at the store"]
            await pilot.press("0")
            assert isinstance(app.screen, TaskListScreen)
            assert number in screen_text(app)  # still on the list: a task to do

    # a restart keeps it
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        assert numbered(app) == ["1 Food is back at the store"]
        await settled(pilot)
        await pilot.press("1")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("0")  # not yet
        assert isinstance(app.screen, TaskScreen)
        await settled(pilot)
        await pilot.press("1")
        await settled(pilot)
        await pilot.press("1")  # yes, it is back
        await wait_until(pilot, lambda: isinstance(app.screen, TaskListScreen))
        await wait_until(pilot, lambda: message(app) == f"{number}: food back at the store")
        assert number not in screen_text(app).replace(message(app), "")

    # and once it is back, a restart does not bring it back
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await pilot.pause(0.5)
        assert number not in screen_text(app)


async def test_an_order_cancelled_while_its_food_is_on_the_way_back_is_said_and_still_goes_back(
    platform: RunningPlatform, home: Path
) -> None:
    courier_id = first_courier_id(platform)
    order, number, pickup_code = offer_with_code(platform, courier_id)
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        for keys in (["1"], ["2", *pickup_code, "enter"], ["1"]):  # accept, picked up, at the door
            await pilot.press(*keys)
            await settled(pilot)
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_CUSTOMER")
        await wait_until(pilot, lambda: numbered(app)[:1] == ["1 Delivered (code)"])
        await settled(pilot)
        await pilot.press("4")  # nobody home: return to store, asked once more
        await settled(pilot)
        await pilot.press("1")
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "RETURNING")
        await wait_until(pilot, lambda: numbered(app) == ["1 Returned to store", "3 Report a problem"])
        await wait_until(pilot, lambda: app.beeps_owed() == 0)  # the return's own beep, when it is confirmed
        bells = app.bells
        call(platform, "merchant", "POST", f"/v1/orders/{order['id']}/cancel", {"reason_code": "OTHER"})
        said = f"{number} cancelled: still bring it back to the store"
        await wait_until(pilot, lambda: message(app) == said)
        await settled(pilot)
        assert app.bells == bells + 2  # the alarm of an order in hand cancelled: two beeps and the reason
        text = screen_text(app)
        assert said in text and "the food still goes back to the store" in text
        assert numbered(app) == ["1 Returned to store", "3 Report a problem"]  # the food still has to come back
        await pilot.press("1")  # "Returned to store" asks once more
        await wait_until(pilot, lambda: isinstance(app.screen, ConfirmScreen))
        await settled(pilot)
        await pilot.press("1")  # yes
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "RETURNED")
        assert server_order(platform, order["id"])["status"] == "CANCELLED"
