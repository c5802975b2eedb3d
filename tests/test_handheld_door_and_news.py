"""The handheld against the real platform (real server on loopback, real cache in tmp_path, Pilot): returning food
asks once more and the digits keep their meaning at the door; going off duty offline is said as queued and the
offers it gives back cannot be accepted; a small screen gives its rows to the details and says when they are cut;
the list drops old news; a gate courier is told to ask the administrator; a code field closes when its task is
taken away; a new offer beeps and is said on any screen, and an ended task goes back to the list with one key."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.ssh_gate import GATE_ENV
from screens.courier_screens import CodeScreen, ConfirmScreen, TaskListScreen, TaskScreen
from screens.courier_widgets import Line
from tests.support.faultproxy import FaultProxy
from tests.support.handheld import (
    drop_link,
    first_courier_id,
    handheld_home,
    message,
    numbered,
    offer_with_code,
    proxied_profile,
)
from tests.support.platform import RunningPlatform
from tests.test_ui_courier import (
    CountingApp,
    call,
    courier_profile,
    offer,
    open_first_task,
    open_source,
    screen_text,
    server_delivery,
    settled,
    status_line,
    wait_until,
)


@pytest.fixture
def courier_id(platform: RunningPlatform) -> str:
    return first_courier_id(platform)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    yield from handheld_home(tmp_path, monkeypatch, clear_ssh_gate=True)


async def test_returning_at_the_door_asks_and_the_digits_keep_their_meaning(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order, number, pickup_code = offer_with_code(platform, courier_id)
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        for keys in (["1"], ["2", *pickup_code, "enter"]):  # accept, then the pickup code straight away
            await pilot.press(*keys)
            await settled(pilot)
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "PICKED_UP")
        await settled(pilot)
        carrying = numbered(app)
        assert carrying == ["1 Arrived at customer", "2 Delivered (code)", "3 Report a problem", "4 Return to store"]
        await pilot.press("1")  # at the customer's door
        await wait_until(
            pilot, lambda: server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_CUSTOMER"
        )
        await wait_until(pilot, lambda: numbered(app)[0] == "1 Delivered (code)")
        assert numbered(app) == ["1 Delivered (code)", "3 Report a problem", "4 Return to store"]
        await settled(pilot)
        await pilot.press("4")  # return to store: asks, sends nothing yet
        assert isinstance(app.screen, ConfirmScreen)
        assert f"Return {number} to the store?" in screen_text(app)
        await pilot.press("0")  # no: the food stays in hand
        assert isinstance(app.screen, TaskScreen)
        await pilot.pause(0.5)
        assert server_delivery(platform, order["id"])["status"] == "ARRIVED_AT_CUSTOMER"
        await settled(pilot)
        await pilot.press("2")  # 2 keeps its meaning at the door: the code step straight away
        await wait_until(pilot, lambda: isinstance(app.screen, CodeScreen))
        await pilot.press("enter")  # Enter on an empty code goes back to the task
        await wait_until(pilot, lambda: isinstance(app.screen, TaskScreen))
        await settled(pilot)
        await pilot.press("5")  # a number with no line: said, nothing happens
        assert isinstance(app.screen, TaskScreen) and message(app).startswith("No line 5")
        await settled(pilot)
        await pilot.press("4")
        await settled(pilot)
        await pilot.press("1")  # yes
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "RETURNING")
        await wait_until(pilot, lambda: numbered(app) == ["1 Returned to store", "3 Report a problem"])


async def test_off_duty_offline_is_queued_and_its_offers_cannot_be_accepted(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    delivery_id = server_delivery(platform, order["id"])["id"]
    with FaultProxy(platform.port) as proxy:
        profile = proxied_profile(platform, courier_id, proxy)
        app = CountingApp(open_source(profile))
        async with app.run_test(size=(40, 16)) as pilot:
            await wait_until(pilot, lambda: number in screen_text(app) and app.source.on_duty() is True)
            await drop_link(pilot, app, proxy)
            await pilot.press("2")  # the duty line
            assert isinstance(app.screen, ConfirmScreen)
            await settled(pilot)
            await pilot.press("1")
            await wait_until(pilot, lambda: message(app) == "Off duty: queued, not yet confirmed")
            await settled(pilot)
            await pilot.press("1")  # the offer going off duty gives back
            assert isinstance(app.screen, TaskScreen)
            assert "Given back when you went off duty" in screen_text(app)
            assert numbered(app) == ["1 Back to tasks"]  # no Accept
            await settled(pilot)
            await pilot.press("1")
            assert isinstance(app.screen, TaskListScreen)
            proxy.pass_through()
            await wait_until(
                pilot,
                lambda: call(platform, "dispatcher", "GET", f"/v1/deliveries/{delivery_id}")["status"]
                == "CANCELLED",
                30,
            )
            await wait_until(pilot, lambda: not app.screen.query(".task"))
            assert "Refused" not in screen_text(app)
            await wait_until(pilot, lambda: message(app) == "Off duty: 1 offer given back")  # confirmed now


@pytest.mark.parametrize("size", [(40, 8), (20, 10)], ids=["40x8", "20x10"])
async def test_a_short_screen_gives_its_rows_to_the_details_and_says_they_are_cut(
    platform: RunningPlatform, courier_id: str, home: Path, size: tuple[int, int]
) -> None:
    order = offer(platform, courier_id, note="Gate code 4321#, knock twice, the dog is friendly")
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=size) as pilot:
        await open_first_task(pilot, app, f"#{order['number']:04d}")
        details = app.screen.query_one("#details")
        more = app.screen.query_one("#more", Line)
        await wait_until(pilot, lambda: more.display and "more: 8" in more.shown)
        # every row is used: status, title, details, the hint, Accept, Reject, the message line
        used = sum(widget.outer_size.height for widget in app.screen.children if widget.display)
        assert used == size[1], [(w.id, w.outer_size.height) for w in app.screen.children]
        assert details.outer_size.height >= 2
        assert numbered(app) == ["1 Accept", "4 Reject"]


async def test_the_list_drops_old_news_and_a_gate_courier_is_told_to_ask(
    platform: RunningPlatform, courier_id: str, home: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: number in screen_text(app))
        assert isinstance(app.screen, TaskListScreen)
        app.screen.say("#0002 delivered")  # news of minutes ago on the list
        await pilot.press("1")
        await settled(pilot)
        await pilot.press("1")  # accept, said on the task
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
        # the handheld heard the answer: said on the task (on a loaded machine it may come after the server's
        # change is seen; pressed back before it, it would be news said on the list, as it should be)
        await wait_until(pilot, lambda: "accepted" in message(app))
        await pilot.press("0")
        assert isinstance(app.screen, TaskListScreen)
        await pilot.pause(0.2)
        assert message(app) == ""

    monkeypatch.setenv(GATE_ENV, "1")  # as the SSH gate starts the handheld
    profile = courier_profile(platform, courier_id)
    from o2o_tui.config import save_profile

    bad = save_profile("courier", url=profile.url, token="o2o_not_a_token", role="courier", courier_id=courier_id)
    app = CountingApp(open_source(bad))
    async with app.run_test(size=(40, 16)) as pilot:
        await wait_until(pilot, lambda: status_line(app).startswith("LOG IN AGAIN"))
        assert message(app) == "Token refused: ask your administrator"


async def test_a_code_field_closes_when_its_task_is_taken_away(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order, number, pickup_code = offer_with_code(platform, courier_id)
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        await pilot.press("1")  # accept
        await wait_until(pilot, lambda: server_delivery(platform, order["id"])["status"] == "ACCEPTED")
        await settled(pilot)
        await pilot.press("2", *pickup_code[:2])  # the pickup code, half typed
        assert isinstance(app.screen, CodeScreen)
        delivery_id = server_delivery(platform, order["id"])["id"]
        call(platform, "dispatcher", "POST", f"/v1/orders/{order['id']}/unassign")
        await wait_until(pilot, lambda: not isinstance(app.screen, CodeScreen))
        assert isinstance(app.screen, TaskScreen)
        assert "taken off you" in screen_text(app)  # why it closed
        await pilot.press(*pickup_code[2:], "enter")  # the rest of the code: no field takes it, nothing is sent
        await pilot.pause(0.5)
        assert call(platform, "dispatcher", "GET", f"/v1/deliveries/{delivery_id}")["status"] == "CANCELLED"
        assert "Refused" not in screen_text(app)


async def test_a_new_offer_beeps_on_an_ended_task_which_goes_back_with_one_key(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    order = offer(platform, courier_id)
    number = f"#{order['number']:04d}"
    app = CountingApp(open_source(courier_profile(platform, courier_id)))
    async with app.run_test(size=(40, 16)) as pilot:
        await open_first_task(pilot, app, number)
        call(platform, "dispatcher", "POST", f"/v1/orders/{order['id']}/unassign")
        await wait_until(pilot, lambda: "taken off you: back to the store's dispatcher" in message(app))
        assert isinstance(app.screen, TaskScreen)
        bells = app.bells
        call(platform, "dispatcher", "POST", f"/v1/orders/{order['id']}/assign", {"courier_id": courier_id})
        await wait_until(pilot, lambda: message(app) == f"New offer {number}")
        assert app.bells == bells + 1
        assert isinstance(app.screen, TaskScreen)  # the ended task, its news still on screen
        assert numbered(app) == ["1 Back to tasks"]
        await settled(pilot)
        await pilot.press("1")
        assert isinstance(app.screen, TaskListScreen)
        await wait_until(pilot, lambda: number in screen_text(app))


async def test_on_duty_offline_is_said_queued_then_done_once_sent(
    platform: RunningPlatform, courier_id: str, home: Path
) -> None:
    call(platform, "admin", "PUT", f"/v1/couriers/{courier_id}/state", {"status": "OFFLINE"})
    with FaultProxy(platform.port) as proxy:
        profile = proxied_profile(platform, courier_id, proxy)
        app = CountingApp(open_source(profile))
        async with app.run_test(size=(40, 16)) as pilot:
            await wait_until(pilot, lambda: app.source.on_duty() is False and "Go on duty" in screen_text(app))
            await drop_link(pilot, app, proxy)
            [line] = [text for text in screen_text(app).splitlines() if "Go on duty" in text]
            await pilot.press(line.split()[0])
            if isinstance(app.screen, ConfirmScreen):
                await settled(pilot)
                await pilot.press("1")
            await wait_until(pilot, lambda: message(app) == "On duty: queued, not yet confirmed")
            proxy.pass_through()
            await wait_until(
                pilot, lambda: call(platform, "admin", "GET", f"/v1/couriers/{courier_id}")["status"] == "IDLE", 30
            )
            await wait_until(pilot, lambda: message(app) == "You are on duty.")
