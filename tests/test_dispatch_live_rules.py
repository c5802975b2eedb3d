"""What live dispatch may suggest: never more than a courier has room for, never to an offline courier, never
"leave now" from an old position, and the same plan when asked twice within a minute with nothing changed."""

from __future__ import annotations

import random
from datetime import timedelta

import msgspec

from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.order import OrderStatus
from o2o_tui.live_dispatch import STALE_POSITION_MINUTES, plan_live, room_left
from tests.test_dispatch_live_samples import NOW, courier, order, snapshot


def test_a_courier_is_given_no_more_than_the_room_it_has_left() -> None:
    # Li Qiang carries one order (offered, at the store) of three; six ready orders go his way, nobody else is on
    # duty: the platform would refuse a third, so at most two are suggested to him
    li = courier("李强 Li Qiang", 0.0, 0.0, delivery_ids=["dl-1"])
    orders = [order(1, courier_id="cr-qiang")] + [
        order(n, dropoff=(1000.0 + 40 * n, 60.0 * n)) for n in range(2, 8)
    ]
    plan = plan_live(snapshot(orders, [li]), NOW)
    [state] = plan.couriers
    assert state.load == 1 and room_left(state) == 2
    mine = [s for s in plan.suggestions if s.courier_id == "cr-qiang"]
    assert 1 <= len(mine) <= 2
    assert all(s.route_size <= 2 for s in mine)
    for s in mine:  # the cut route keeps honest times
        assert s.depart_at <= s.pickup_at < s.dropoff_at


def test_the_orders_cut_from_a_full_route_go_to_another_courier() -> None:
    li = courier("李强 Li Qiang", 0.0, 0.0, delivery_ids=["dl-a", "dl-b"])  # room for one
    fang = courier("王芳 Wang Fang", 3500.0, 0.0)  # far, but empty
    orders = [order(n, dropoff=(900.0 + 30 * n, 50.0 * n)) for n in range(1, 4)]
    plan = plan_live(snapshot(orders, [li, fang]), NOW)
    per_courier: dict[str, int] = {}
    for s in plan.suggestions:
        per_courier[s.courier_id] = per_courier.get(s.courier_id, 0) + 1
    assert per_courier.get("cr-qiang", 0) <= 1
    assert per_courier.get("cr-fang", 0) <= 3
    assert len({s.order_id for s in plan.suggestions}) == len(plan.suggestions)  # each order once


def test_a_full_courier_is_not_planned() -> None:
    full = courier("Zhang Wei", 0.0, 0.0, capacity=2, delivery_ids=["dl-a", "dl-b"])
    plan = plan_live(snapshot([order(1)], [full]), NOW)
    assert plan.suggestions == []
    assert [o.why for o in plan.orders] == ["no_courier"]


def test_an_order_whose_courier_went_off_duty_says_so() -> None:
    gone = courier("Zhang Wei", 0.0, 0.0, status=CourierStatus.OFFLINE, delivery_ids=["dl-1"])
    here = courier("Wang Fang", 100.0, 0.0)
    plan = plan_live(snapshot([order(1, courier_id="cr-wei"), order(2)], [gone, here]), NOW)
    assert {o.order_number: o.why for o in plan.orders} == {1: "courier_offline", 2: "planned"}


def _aged(name: str, x: float, minutes: float) -> object:
    return msgspec.structs.replace(courier(name, x, 0.0), position_at=NOW - timedelta(minutes=minutes))


def test_an_old_position_is_never_leave_now_and_the_suggestion_says_how_old() -> None:
    stale = _aged("Liu Yang", 200.0, 41)
    plan = plan_live(snapshot([order(1)], [stale]), NOW)
    [only] = plan.suggestions
    assert not only.commit and only.stale_minutes == 41
    assert only.depart_at >= NOW + timedelta(minutes=5)  # planned as if it needed a while to set off
    fresh = _aged("Liu Yang", 200.0, STALE_POSITION_MINUTES - 1)
    [again] = plan_live(snapshot([order(1)], [fresh]), NOW).suggestions
    assert again.commit and again.stale_minutes is None


def test_a_fresh_courier_goes_before_one_planned_from_an_old_position() -> None:
    stale = _aged("Liu Yang", 100.0, 40)  # nearer, but where it really is is a guess
    fresh = _aged("Zhou Jie", 900.0, 2)
    [only] = plan_live(snapshot([order(1)], [stale, fresh]), NOW).suggestions
    assert only.courier_id == "cr-jie" and only.commit


def _random_board(rng: random.Random) -> object:
    statuses = [OrderStatus.READY_FOR_PICKUP, OrderStatus.PREPARING]
    orders = [
        order(
            n,
            dropoff=(rng.uniform(-2500, 2500), rng.uniform(-2500, 2500)),
            placed_ago=rng.uniform(1, 20),
            status=rng.choice(statuses),
            ready_in=rng.uniform(-3, 12),
        )
        for n in range(1, 6)
    ]
    couriers = [courier(f"C x{i}", rng.uniform(-2000, 2000), rng.uniform(-2000, 2000)) for i in range(5)]
    return snapshot(orders, couriers)


def test_asking_again_within_the_minute_gives_the_same_plan() -> None:
    rng = random.Random(3)
    for _ in range(30):  # boards with near-ties: the seconds of the clock used to flip them
        board = _random_board(rng)
        plans = {
            tuple(
                (s.order_id, s.courier_id, s.commit)
                for s in plan_live(board, NOW + timedelta(seconds=s)).suggestions
            )
            for s in range(0, 60, 3)
        }
        assert len(plans) == 1


def test_the_cli_says_a_suggestion_rests_on_an_old_position() -> None:
    from o2o_tui.cli.dispatch import _position_age, _suggestion_line
    from o2o_tui.i18n import set_language

    set_language("en")
    try:
        plan = plan_live(snapshot([order(1)], [_aged("Liu Yang", 200.0, 41)]), NOW)
        [only] = plan.suggestions
        line = _suggestion_line(only, None)
        assert "tentative (position from 41 min ago)" in line and "leave now" not in line
        assert _position_age(plan.couriers[0], NOW) == "41 min ago (old)"
        undated = plan_live(snapshot([order(1)], [courier("Chen Jing", 0.0, 0.0)]), NOW).couriers[0]
        assert _position_age(undated, NOW) == "time not known"  # placed, but never reported: not "unknown"
    finally:
        set_language(None)
