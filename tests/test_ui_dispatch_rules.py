"""The dispatch board on the fleet rules: `A` sends only what the platform takes, `a` on an order that has a
courier says who has it, an order whose courier went off duty is flagged, and an old courier position shows at
every size (the courier's row and the picker)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import msgspec
import pytest
from textual.widgets import OptionList

from o2o_tui.client import PlatformClient
from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.requests import AssignBody, CourierStateBody
from o2o_tui.i18n import set_language
from o2o_tui.live_dispatch import LivePlan, Suggestion, plan_live
from screens import dispatch_board
from screens.dispatch_board import CourierPicker, DispatchApp
from screens.widgets.dispatch_rows import courier_line, courier_view, order_line, order_view
from tests.support.platform import RunningPlatform
from tests.test_cli_dispatch import place_ready_orders
from tests.test_dispatch_live_samples import NOW, board_snapshot, courier, order, snapshot
from tests.test_ui_dispatch import MemoryFleet, board_of, live_app, next_round, until


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _messages(app: DispatchApp) -> list[str]:
    """The toasts' sentences as given, before they were broken for the screen's width."""
    return [str(app._toasts.given(n)[0]) for n in app._notifications]


async def test_accept_all_is_never_refused_for_a_full_courier(platform: RunningPlatform) -> None:
    seed = platform.seed
    keep = seed.courier_ids[0]
    for courier_id in seed.courier_ids[1:]:  # one courier on duty
        with PlatformClient(platform.url, seed.courier_tokens[courier_id]) as rider:
            rider.act("courier.state", courier_id, CourierStateBody(status=CourierStatus.OFFLINE))
    first, *rest = place_ready_orders(platform, [(900.0 + 60 * n, 80.0 * n) for n in range(6)])
    with PlatformClient(platform.url, seed.tokens["dispatcher"]) as staff:
        staff.act("order.assign", first.id, AssignBody(courier_id=keep))  # it carries 1 of 3
    app = live_app(platform)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        assert 1 <= len(board.plan.suggestions) <= 2  # room for two more
        await pilot.press("A")
        await next_round(pilot, board, 1)
        messages = _messages(app)
        assert not any("refused" in m for m in messages), messages
        assert any(m.startswith("Sent") for m in messages), messages


async def test_accept_all_sends_no_more_than_a_courier_has_room_for(monkeypatch: pytest.MonkeyPatch) -> None:
    data = snapshot(
        [order(1, courier_id="cr-qiang"), order(2), order(3), order(4)],
        [courier("李强 Li Qiang", 0.0, 0.0, delivery_ids=["dl-1"])],
    )
    real = plan_live(data, NOW)

    def overfilled(snap: object, now: object, params: object = None) -> LivePlan:
        # a plan (an older engine, a stale read) that gives him three more: the platform would refuse the third
        made = [
            Suggestion(f"ord-000{n}", n, "cr-qiang", "Li", NOW, NOW, NOW, True, n - 1, 3) for n in (2, 3, 4)
        ]
        return msgspec.structs.replace(real, suggestions=made)

    monkeypatch.setattr(dispatch_board, "plan_live", overfilled)
    fleet = MemoryFleet(data)
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        await pilot.press("A")
        await until(pilot, lambda: len(fleet.sent) >= 2 and not board.busy, "sent")
        await pilot.pause(0.2)
        assert fleet.sent == [("assign", "ord-0002", "cr-qiang"), ("assign", "ord-0003", "cr-qiang")]


async def test_accept_on_an_order_with_a_courier_says_who_has_it() -> None:
    fleet = MemoryFleet(board_snapshot())
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        board.orders_list.move_cursor("ord-0040")  # with Zhang Wei
        await pilot.press("a")
        await pilot.pause()
        assert fleet.sent == []
        [message] = _messages(app)
        assert "#0040 is already with 1 张伟 Zhang Wei" in message and "r gives it" in message
        assert "no suggestion" not in message


def test_an_order_whose_courier_went_off_duty_is_flagged() -> None:
    gone = courier("张伟 Zhang Wei", 0.0, 0.0, status=CourierStatus.OFFLINE, delivery_ids=["dl-40"])
    plan = plan_live(snapshot([order(40, courier_id="cr-wei")], [gone]), NOW)
    [state] = plan.orders
    view = order_view(state, None, {"cr-wei": (0, gone.name)}, None)
    assert view.tag == "courier_offline"
    assert "off duty" in order_line(view, 45).plain and "sent" not in order_line(view, 45).plain


def _stale_fleet() -> object:
    old = msgspec.structs.replace(
        courier("刘洋 Liu Yang", 300.0, 0.0), position_at=NOW - timedelta(minutes=40)
    )
    fresh = msgspec.structs.replace(courier("王芳 Wang Fang", -3000.0, 0.0), position_at=NOW)
    return snapshot([order(7)], [old, fresh])


@pytest.mark.parametrize("width", [34, 45, 70])  # the courier list at 40x15, 80x24 and 120x40
def test_an_old_position_is_marked_on_the_courier_row_at_every_size(width: int) -> None:
    plan = plan_live(_stale_fleet(), NOW)
    old, fresh = (courier_line(courier_view(i, c, NOW, None), width) for i, c in enumerate(plan.couriers))
    assert "now?" in old.plain and "now?" not in fresh.plain


async def test_the_picker_and_the_plan_say_a_position_is_old() -> None:
    fleet = MemoryFleet(_stale_fleet())
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        [row] = [board.orders_list.row(k) for k in board.orders_list.keys]
        assert row.tag in ("stale", "now")
        if row.tag == "stale":  # planned from Liu Yang's old position: never GO NOW
            assert board.plan.suggestions[0].stale_minutes == 40
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, CourierPicker), "the picker opened")
        labels = [str(o.prompt) for o in app.screen.query_one(OptionList).options]
        [liu] = [label for label in labels if "Liu Yang" in label]
        [fang] = [label for label in labels if "Wang Fang" in label]
        assert "pos 40m" in liu and "pos" not in fang
        await pilot.press("escape")
