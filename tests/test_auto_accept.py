"""Which orders the printing station accepts by itself (`o2o_tui/auto_accept.py`): no server, no Textual."""

from __future__ import annotations

from datetime import timedelta

import msgspec

from o2o_tui.auto_accept import Candidate, accepted_today, decide
from o2o_tui.device import device_name
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.domain.store import AutoAccept, Store, StoreState, StoreStatus
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store

NOW = FROZEN_NOW


def _store(**auto: object) -> Store:
    setting = AutoAccept(**{"enabled": True, "daily_cap": 0, "station": "counter-1", **auto})  # type: ignore[arg-type]
    return msgspec.structs.replace(sample_store(), auto_accept=setting, default_prep_minutes=12)


def _new(number: int, minutes_ago: int = 1, **changes: object) -> Order:
    return msgspec.structs.replace(
        sample_order(number, OrderStatus.CREATED, minutes_ago=minutes_ago), **changes
    )


def _auto_accepted_today(number: int) -> Order:
    order = sample_order(number, OrderStatus.CONFIRMED, minutes_ago=30)
    return msgspec.structs.replace(order, auto_accepted=True)


def _ids(orders: list[Order]) -> list[int]:
    return [order.number for order in orders]


def test_only_the_station_accepts_new_due_orders_oldest_first_with_the_default_prep() -> None:
    orders = [
        Candidate(_new(43, 1)),
        Candidate(_new(42, 3)),
        Candidate(sample_order(41, OrderStatus.CONFIRMED, minutes_ago=2)),
    ]
    found = decide(orders, _store(), device="counter-1", now=NOW)
    assert _ids(found.accept) == [42, 43] and found.prep_minutes == 12
    assert decide(orders, _store(), device="till-2", now=NOW).accept == []
    assert decide(orders, _store(enabled=False), device="counter-1", now=NOW).accept == []
    assert decide(orders, _store(station=""), device="", now=NOW).accept == []
    assert decide(orders, None, device="counter-1", now=NOW).accept == []


def test_not_due_orders_are_left_alone() -> None:
    held = _new(44, held_until=NOW + timedelta(minutes=30))  # scheduled, before its prep start
    released = _new(45, held_until=NOW - timedelta(minutes=1))
    late = _new(46, minutes_ago=10)  # past its accept deadline (5 minutes)
    queued = Candidate(_new(47), pending=("order.reject",))  # someone here already acted on it
    tried = _new(48)
    found = decide(
        [Candidate(held), Candidate(released), Candidate(late), queued, Candidate(tried)],
        _store(),
        device="counter-1",
        now=NOW,
        tried={tried.id},
    )
    assert _ids(found.accept) == [45]


def test_a_store_not_taking_orders_accepts_nothing() -> None:
    paused = msgspec.structs.replace(_store(), status=StoreStatus(state=StoreState.PAUSED))
    assert decide([Candidate(_new(42))], paused, device="counter-1", now=NOW).accept == []


def test_the_cap_counts_the_day_and_what_is_in_flight_and_the_rest_wait_for_a_person() -> None:
    done = [Candidate(_auto_accepted_today(n)) for n in (30, 31)]
    in_flight = Candidate(_new(32), pending=("order.confirm",))
    new = [Candidate(_new(n, minutes_ago=4 - i)) for i, n in enumerate((40, 41, 42))]
    found = decide(
        [*done, in_flight, *new], _store(daily_cap=4), device="counter-1", now=NOW, tried={in_flight.order.id}
    )
    assert _ids(found.accept) == [40] and _ids(found.over_cap) == [41, 42]
    # the platform's count wins when it knows of more (another console's accepts not cached here yet)
    found = decide([*done, *new], _store(daily_cap=4), device="counter-1", now=NOW, counted_today=4)
    assert found.accept == [] and _ids(found.over_cap) == [40, 41, 42]


def test_the_count_is_the_stores_local_day() -> None:
    store = _store()  # Asia/Shanghai: FROZEN_NOW is 12:30 there
    yesterday = msgspec.structs.replace(_auto_accepted_today(1), confirmed_at=NOW - timedelta(hours=13))
    this_morning = msgspec.structs.replace(_auto_accepted_today(2), confirmed_at=NOW - timedelta(hours=12))
    by_hand = sample_order(3, OrderStatus.CONFIRMED, minutes_ago=30)
    assert accepted_today([yesterday, this_morning, by_hand], store, NOW) == 1


def test_device_names() -> None:
    assert device_name("counter", "  front desk ") == "front-desk"
    assert device_name("counter", "").endswith("-counter")
    assert len(device_name("p", "x" * 100)) == 64
