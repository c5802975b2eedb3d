"""A courier planned from an old position needs `STALE_DELAY_MINUTES` more to set off than its position tells,
busy or idle (the delay is added to when it will be free, not a floor under it), while the free time the board
shows (`CourierState.free_at`, with a "?") stays what the position tells."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.order import OrderStatus
from o2o_tui.live_dispatch import STALE_DELAY_MINUTES, STALE_POSITION_MINUTES, LivePlan, plan_live
from screens.widgets.dispatch_rows import courier_line, courier_view
from tests.test_dispatch_live_samples import NOW, courier, order, snapshot


def _plan(position_age: float, *, busy: bool) -> LivePlan:
    """Liu Yang, alone on duty, and one order ready at the store; busy: he is on his way to a customer 2 km out."""
    rider = courier(
        "Liu Yang",
        300.0,
        0.0,
        status=CourierStatus.TO_CUSTOMER if busy else CourierStatus.IDLE,
        delivery_ids=["dl-1"] if busy else None,
    )
    rider = msgspec.structs.replace(rider, position_at=NOW - timedelta(minutes=position_age))
    on_board = order(1, dropoff=(2000.0, 0.0), status=OrderStatus.DISPATCHED, courier_id="cr-yang")
    carried = [on_board] if busy else []
    return plan_live(snapshot([*carried, order(2, dropoff=(-800.0, 600.0))], [rider]), NOW)


def test_a_busy_courier_with_an_old_position_sets_off_the_delay_later_than_a_fresh_one() -> None:
    fresh = _plan(STALE_POSITION_MINUTES - 1, busy=True)
    stale = _plan(40, busy=True)
    [fresh_state], [stale_state] = fresh.couriers, stale.couriers
    assert fresh_state.free_at is not None  # free in more than the delay: a floor would hide it
    assert fresh_state.free_at > NOW + timedelta(minutes=STALE_DELAY_MINUTES)
    # the board's free time is what the position tells, old or not
    assert stale_state.free_at == fresh_state.free_at
    [planned], [unsure] = fresh.suggestions, stale.suggestions
    assert planned.depart_at == fresh_state.free_at and planned.stale_minutes is None
    assert unsure.depart_at == planned.depart_at + timedelta(minutes=STALE_DELAY_MINUTES)
    assert not unsure.commit and unsure.stale_minutes == 40


def test_an_idle_courier_with_an_old_position_shows_free_now_but_is_planned_the_delay_later() -> None:
    plan = _plan(40, busy=False)
    [state] = plan.couriers
    assert state.free_at == NOW
    row = courier_line(courier_view(0, state, NOW, None), 70).plain
    assert "now?" in row  # free as far as its position tells, which is old
    [only] = plan.suggestions
    assert only.depart_at == NOW + timedelta(minutes=STALE_DELAY_MINUTES) and not only.commit
