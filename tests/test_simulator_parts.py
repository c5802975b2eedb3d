"""Simulator building blocks without a server: the demand curve, baskets from a menu, courier movement."""

from __future__ import annotations

import random
from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest

from o2o_tui.domain.geo import Position, distance_m
from o2o_tui.domain.menu import Availability, Category, Item, Menu, Option, OptionGroup
from o2o_tui.domain.money import Money
from o2o_tui.domain.order import OrderType
from o2o_tui.platform.simulator.basket import build_lines
from o2o_tui.platform.simulator.curve import demand_multiplier, next_arrival
from o2o_tui.platform.simulator.customers import plan_for
from o2o_tui.platform.simulator.movement import E_BIKE_METRES_PER_MINUTE, move_toward
from o2o_tui.platform.simulator.people import new_customer

DAY = datetime(2026, 3, 2, tzinfo=UTC)


def _cny(amount: int) -> Money:
    return Money(amount, "CNY")


def _menu(now: datetime) -> Menu:
    spice = OptionGroup(
        id="spice",
        name="辣度",
        min=1,
        max=1,
        options=[
            Option(id="mild", name="微辣", price=_cny(0)),
            Option(id="hot", name="特辣", price=_cny(0), status=Availability.UNAVAILABLE),
        ],
    )
    extras = OptionGroup(
        id="extras", name="加料", min=0, max=2, options=[Option(id=f"x{i}", name=f"x{i}", price=_cny(100)) for i in range(3)]
    )
    items = [
        Item(id="kung-pao", name="宫保鸡丁", price=_cny(3800), option_group_ids=["spice", "extras"]),
        Item(id="rice", name="米饭", price=_cny(300)),
        Item(id="sold-out", name="售罄", price=_cny(100), snooze_until=now + timedelta(hours=1)),
        Item(id="gone", name="停售", price=_cny(100), status=Availability.UNAVAILABLE),
        Item(id="secret", name="隐藏", price=_cny(100), hidden=True),
        Item(id="tea", name="茶", price=_cny(500)),
    ]
    return Menu(
        store_id="s", version=1, currency="CNY", categories=[Category(id="c", name="c", items=items)],
        option_groups=[spice, extras],
    )  # fmt: skip


def test_curve_has_lunch_and_dinner_peaks_and_averages_one() -> None:
    hours = [demand_multiplier(DAY + timedelta(minutes=m)) for m in range(0, 24 * 60)]
    assert abs(sum(hours) / len(hours) - 1.0) < 0.01
    at = {h: demand_multiplier(DAY.replace(hour=h)) for h in (4, 9, 12, 15, 18)}
    assert at[12] > 2 * at[9] and at[12] > 2 * at[15] and at[18] > 2 * at[15] and at[4] < 0.2


def test_arrivals_follow_the_rate_and_repeat_under_a_seed() -> None:
    def arrivals(seed: int) -> list[datetime]:
        rng, moment, found = random.Random(seed), DAY, []
        while moment < DAY + timedelta(days=1):
            moment = next_arrival(rng, moment, 60.0)
            found.append(moment)
        return found

    first = arrivals(7)
    assert first == arrivals(7) and first != arrivals(8)
    assert 1200 < len(first) < 1700  # 60 an hour on average over 24 hours
    per_hour = Counter(m.hour for m in first)
    assert per_hour[12] > 3 * per_hour[9] and per_hour[3] < per_hour[12] / 5


def test_baskets_respect_availability_and_option_groups() -> None:
    menu = _menu(DAY)
    seen_items: set[str] = set()
    for seed in range(200):
        lines = build_lines(random.Random(seed), menu, DAY)
        assert 1 <= len(lines) <= 4
        assert len({line.item_id for line in lines}) == len(lines)
        for line in lines:
            seen_items.add(line.item_id)
            assert line.item_id not in ("sold-out", "gone", "secret")
            if line.item_id == "kung-pao":
                assert line.option_ids.count("mild") == 1 and "hot" not in line.option_ids
                assert len([o for o in line.option_ids if o.startswith("x")]) <= 2
            else:
                assert line.option_ids == []
    assert seen_items == {"kung-pao", "rice", "tea"}
    later = DAY + timedelta(hours=2)  # the snooze is over
    assert any(
        line.item_id == "sold-out" for seed in range(200) for line in build_lines(random.Random(seed), menu, later)
    )
    assert build_lines(random.Random(1), menu, DAY) == build_lines(random.Random(1), menu, DAY)


def test_customers_are_bilingual_and_nearby() -> None:
    rng = random.Random(5)
    store = Position(lat=31.2304, lon=121.4737)
    people = [new_customer(rng, store) for _ in range(100)]
    assert all(p.address.position is not None for p in people)
    assert all(350 < distance_m(store, p.address.position) < 4100 for p in people)  # type: ignore[arg-type]
    assert any(any("\u4e00" <= ch <= "\u9fff" for ch in p.name) and " " in p.name for p in people)
    assert all(p.phone.isdigit() and len(p.phone) == 11 for p in people)
    plans = [plan_for(random.Random(i), OrderType.DELIVERY) for i in range(1000)]
    cancels = sum(p.cancel_while_created_after is not None or p.request_cancel_after_confirm is not None for p in plans)
    chases = sum(p.chase_after_minutes is not None for p in plans)
    assert 30 < cancels < 110 and 60 < chases < 150


def test_couriers_ride_at_e_bike_speed() -> None:
    start = Position(lat=31.2304, lon=121.4737)
    target = Position(lat=31.2404, lon=121.4837)  # about 1.45 km away
    total = distance_m(start, target)
    position, minutes, arrived = start, 0, False
    while not arrived:
        position, arrived = move_toward(position, target, E_BIKE_METRES_PER_MINUTE)
        minutes += 1
        if not arrived:
            assert abs(distance_m(start, position) - minutes * E_BIKE_METRES_PER_MINUTE) < 2
    assert position == target and minutes == -(-int(total) // int(E_BIKE_METRES_PER_MINUTE))


def test_a_simulated_courier_standing_still_reports_its_position_every_few_minutes(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Dispatch treats a position 15 minutes old as unknown: a courier waiting at the store must keep saying so."""
    from types import SimpleNamespace

    from o2o_tui.domain.geo import Position
    from o2o_tui.platform.simulator import couriers as fleet_module

    sent: list[object] = []
    ctx = SimpleNamespace(client=SimpleNamespace(act=lambda action, target, body: sent.append(body)))
    fleet = fleet_module.Fleet(ctx)  # type: ignore[arg-type]
    courier = fleet_module.SimCourier("c1", "Li", Position(lat=31.2, lon=121.4))
    clock = [1000.0]
    monkeypatch.setattr(fleet_module.time, "monotonic", lambda: clock[0])
    fleet._report_position(courier)
    fleet._report_position(courier)  # not moved, just reported: nothing
    assert len(sent) == 1
    clock[0] += fleet_module.POSITION_REFRESH_S + 1
    fleet._report_position(courier)  # still there, minutes later: said again
    assert len(sent) == 2


def test_the_simulator_backs_off_while_the_platform_fails_and_comes_back_at_once() -> None:
    import threading
    from types import SimpleNamespace

    from o2o_tui.platform.simulator.runner import MAX_PAUSE_SECONDS, run_simulation
    from o2o_tui.platform.simulator.state import SimStats

    failing = [True] * 8 + [False]  # eight steps meet a platform that does not answer, then it is back
    waits: list[float] = []

    class Stop(threading.Event):
        def wait(self, timeout: float | None = None) -> bool:
            waits.append(timeout or 0.0)
            if len(waits) >= len(failing):
                self.set()
            return self.is_set()

    stats = SimStats()

    def step(_now: object) -> None:
        if failing[len(waits)]:
            stats.errors += 1
            stats.faults += 1

    simulator = SimpleNamespace(
        start=lambda _now: None, step=step, stats=stats, placing_done=False, own_orders_ended=lambda: False
    )
    clock = SimpleNamespace(now=lambda: None)
    run_simulation(simulator, clock, tick_seconds=0.5, stop=Stop())  # type: ignore[arg-type]
    assert waits[0] > 0.5 and waits[-2] == pytest.approx(MAX_PAUSE_SECONDS, abs=0.1)
    assert all(later >= earlier - 0.01 for earlier, later in zip(waits[:-2], waits[1:-1], strict=True))
    assert waits[-1] <= 0.5  # answered again: the usual pace at once
