"""A courier going off duty gives back what it has not picked up: its offers, and the deliveries it accepted whose
food is still at the counter (the platform unassigns them, dispatch plans them for another courier, the usual
events go out); food in hand stays with it. The handheld's question says which is which before it is sent.
Before, an accepted delivery stayed with the off-duty courier: nobody was planned for it and the food sat there.
Real platform on loopback; the question through Pilot on an in-memory source."""

from __future__ import annotations

from pathlib import Path

import pytest

from o2o_tui.courier_tasks import CourierStep, goes_back_off_duty
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.i18n import set_language
from screens.courier_screens import ConfirmScreen
from screens.courier_source import TaskView
from tests.support.platform import RunningPlatform, api
from tests.test_dispatch_picked_up import _assigned, _ok, _plan
from tests.test_ui_courier import CountingApp, screen_text


def test_off_duty_gives_back_what_is_not_picked_up_and_keeps_the_food_in_hand(platform: RunningPlatform) -> None:
    seed = platform.seed
    assert seed is not None
    courier_id = seed.courier_ids[3]
    accepted, accepted_delivery, courier = _assigned(platform, courier_id, pick_up=False)
    arrived, arrived_delivery, _ = _assigned(platform, courier_id, pick_up=False)
    _ok(courier.post(f"/v1/deliveries/{arrived_delivery['id']}/arrived-at-merchant"))
    carried, carried_delivery, _ = _assigned(platform, courier_id, pick_up=True)
    staff = api(platform, "dispatcher")
    cursor = _ok(staff.get("/v1/events", after="latest"))["cursor"]

    off = _ok(courier.put(f"/v1/couriers/{courier_id}/state", {"status": "OFFLINE"}))
    assert off["status"] == "OFFLINE" and off["delivery_ids"] == [carried_delivery["id"]]
    for order, delivery in ((accepted, accepted_delivery), (arrived, arrived_delivery)):
        back = _ok(staff.get(f"/v1/orders/{order['id']}"))
        assert back["courier_id"] is None and back["delivery_id"] is None and back["delivery_status"] is None
        assert [r["courier_id"] for r in back["refused_by"]] == [courier_id]  # its own "no", as for an offer
        ended = _ok(staff.get(f"/v1/deliveries/{delivery['id']}"))
        assert ended["status"] == "CANCELLED" and ended["end_reason"] == "OFF_DUTY"
    kept = _ok(staff.get(f"/v1/orders/{carried['id']}"))
    assert kept["courier_id"] == courier_id and kept["delivery_status"] == "PICKED_UP"

    events = _ok(staff.get("/v1/events", after=cursor))["events"]
    updated = {(e["type"], e["entity_id"]) for e in events}
    for order, delivery in ((accepted, accepted_delivery), (arrived, arrived_delivery)):
        assert ("order.updated", order["id"]) in updated and ("delivery.updated", delivery["id"]) in updated

    plan = _plan(platform)  # what the board and `o2o dispatch suggest` show: both need a courier again
    for order in (accepted, arrived):
        state = next(o for o in plan.orders if o.order_id == order["id"])
        assert state.courier_id is None and state.why != "courier_offline", state
        suggestion = plan.suggestion_for(order["id"])
        assert suggestion is not None and suggestion.courier_id != courier_id, plan.orders
    state = next(o for o in plan.orders if o.order_id == carried["id"])
    assert state.why == "off_duty_with_food"  # the bag stays with it: call the courier


def test_which_deliveries_go_back_counts_the_steps_still_queued() -> None:
    from tests.test_ui_courier_snapshots import delivery

    accept, pickup = CourierStep.ACCEPT.value, CourierStep.PICKED_UP.value
    assert goes_back_off_duty(delivery(1, DeliveryStatus.ACCEPTED))
    assert goes_back_off_duty(delivery(2, DeliveryStatus.ARRIVED_AT_MERCHANT))
    assert not goes_back_off_duty(delivery(3, DeliveryStatus.ARRIVED_AT_MERCHANT), (pickup,))  # sent first
    assert goes_back_off_duty(delivery(4, DeliveryStatus.PENDING), (accept,))  # accepted, then given back
    assert not goes_back_off_duty(delivery(5, DeliveryStatus.PENDING))  # an offer: `given_back_off_duty`'s
    assert not goes_back_off_duty(delivery(6, DeliveryStatus.PICKED_UP))


@pytest.mark.parametrize(
    ("lang", "goes_back", "in_hand"),
    [
        ("en", "1 delivery goes back to dispatch: #0021 not picked up.", "You still have 1 delivery in hand"),
        ("zh", "1 单配送将退回调度：#0021 尚未取餐。", "您手上还有 1 单配送"),
    ],
)
async def test_the_off_duty_question_says_what_goes_back_and_what_stays(
    home: Path, lang: str, goes_back: str, in_hand: str
) -> None:
    from screens.courier_memory_source import MemoryCourierSource
    from tests.test_ui_courier_snapshots import courier, delivery

    tasks = [
        TaskView(delivery(7, DeliveryStatus.PENDING)),
        TaskView(delivery(21, DeliveryStatus.ACCEPTED)),
        TaskView(delivery(10, DeliveryStatus.PICKED_UP)),
    ]
    set_language(lang)
    try:
        app = CountingApp(MemoryCourierSource(tasks, courier=courier()))  # type: ignore[arg-type]
        async with app.run_test(size=(40, 16)) as pilot:
            await pilot.press("4")  # the duty line, after the three tasks
            assert isinstance(app.screen, ConfirmScreen)
            text = "".join(screen_text(app).split("\n")).replace(" ", "")
            assert goes_back.replace(" ", "") in text, text
            assert in_hand.replace(" ", "") in text, text
    finally:
        set_language(None)


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    return tmp_path / "home"
