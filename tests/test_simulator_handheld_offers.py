"""The courier a person drives in the demo: an offer nobody answers (the handheld was never opened) is taken back
and carried by the simulated fleet; until the person answers an offer, only orders still in the kitchen are
offered (a taken-back offer keeps no bag waiting); a handheld opened later still gets offers. The real platform
on loopback; the simulator stepped through simulated minutes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from o2o_tui.client import PlatformClient
from o2o_tui.domain.fleet import CourierStatus, Delivery
from o2o_tui.domain.order import Order
from o2o_tui.domain.requests import ConfirmBody, CourierStateBody, EmptyBody
from o2o_tui.domain.transitions import DeliveryStatus
from o2o_tui.platform.simulator import Simulator
from o2o_tui.platform.simulator.handheld import OFFER_STANDS_MINUTES
from tests.support.platform import RunningPlatform
from tests.test_simulator import _order

START = datetime(2026, 12, 3, 11, 15, tzinfo=UTC)


@dataclass
class Shop:
    admin: PlatformClient
    customer: PlatformClient
    merchant: PlatformClient
    handheld: PlatformClient  # the person's courier's own token
    person: str
    store_id: str

    def accepted(self, minutes: int) -> Order:
        order = _order(self.admin, self.store_id, self.customer)
        confirmed: Order = self.merchant.act(
            "order.confirm", order.id, ConfirmBody(preparation_minutes=minutes)
        )
        return confirmed

    def offers(self) -> list[Delivery]:
        return [d for d in self.handheld.list_deliveries(active=True) if d.status is DeliveryStatus.PENDING]


@pytest.fixture
def shop(platform: RunningPlatform, monkeypatch: pytest.MonkeyPatch) -> Iterator[Shop]:
    # simulated couriers turn down 2% of offers (drawn from random delivery ids): not what these tests are about
    monkeypatch.setattr("o2o_tui.platform.simulator.couriers.REJECT_SHARE", 0.0)
    seed = platform.seed
    assert seed is not None
    person = seed.courier_ids[5]
    with ExitStack() as stack:
        admin, customer, merchant, handheld = (
            stack.enter_context(PlatformClient(platform.url, token))
            for token in (
                seed.tokens["admin"], seed.tokens["customer"], seed.tokens["merchant"], seed.courier_tokens[person]
            )
        )  # fmt: skip
        shop = Shop(admin, customer, merchant, handheld, person=person, store_id=seed.store_id)
        shop.handheld.act("courier.state", person, CourierStateBody(status=CourierStatus.IDLE))
        yield shop


def _simulator(shop: Shop, *, auto_dispatch: bool) -> Simulator:
    simulator = Simulator(
        shop.admin,
        store_id=shop.store_id,
        seed=9,
        max_orders=0,
        leave_couriers=[shop.person],
        auto_dispatch=auto_dispatch,
    )
    simulator.start(START)
    return simulator


def test_an_unanswered_offer_is_taken_back_and_the_fleet_carries_the_order(shop: Shop) -> None:
    cooking = shop.accepted(10)  # the fleet's dispatcher would send a courier 8 minutes before it is ready
    simulator = _simulator(shop, auto_dispatch=True)
    now = START
    for _ in range(2):  # the person's courier is offered it after a minute free, before the fleet wants it
        now += timedelta(minutes=1)
        simulator.step(now)
    (offer,) = shop.offers()
    assert offer.order_id == cooking.id

    while now < START + timedelta(minutes=2 + OFFER_STANDS_MINUTES - 0.5):  # nobody at the handheld
        now += timedelta(minutes=0.5)
        simulator.step(now)
    assert shop.admin.get_delivery(offer.id).status is DeliveryStatus.PENDING  # the offer still stands
    now += timedelta(minutes=1)
    simulator.step(now)
    assert shop.admin.get_delivery(offer.id).status is DeliveryStatus.CANCELLED  # taken back
    carried = shop.admin.get_order(cooking.id)
    assert carried.courier_id and carried.courier_id != shop.person  # the fleet took it in the same step
    assert shop.offers() == []

    # the person opens the handheld later: the next order is offered, and an accepted offer is not taken back
    later = shop.accepted(40)
    for _ in range(3):
        now += timedelta(minutes=1)
        simulator.step(now)
    (offer,) = shop.offers()
    assert offer.order_id == later.id
    shop.handheld.act("delivery.accept", offer.id, EmptyBody())
    for _ in range(int(OFFER_STANDS_MINUTES) * 2):
        now += timedelta(minutes=1)
        simulator.step(now)
    assert shop.admin.get_delivery(offer.id).status is DeliveryStatus.ACCEPTED
    assert shop.admin.get_order(later.id).courier_id == shop.person
    assert simulator.stats.errors == 0


def test_no_ready_bag_is_offered_until_someone_answers_an_offer(shop: Shop) -> None:
    ready = shop.accepted(10)
    shop.merchant.act("order.ready", ready.id, EmptyBody())
    cooking = shop.accepted(30)
    simulator = _simulator(shop, auto_dispatch=False)  # nobody dispatches: only the person's offers move
    now = START
    for _ in range(2):
        now += timedelta(minutes=1)
        simulator.step(now)
    (offer,) = shop.offers()
    assert offer.order_id == cooking.id  # not the bag at the counter: this offer may well be taken back

    for _ in range(int(OFFER_STANDS_MINUTES) + 4):  # taken back; the ready bag is still not offered
        now += timedelta(minutes=1)
        simulator.step(now)
    assert shop.admin.get_delivery(offer.id).status is DeliveryStatus.CANCELLED
    assert shop.offers() == [] and not shop.admin.get_order(ready.id).courier_id

    fresh = shop.accepted(30)  # someone at the handheld now: it turns the next offer down
    for _ in range(2):
        now += timedelta(minutes=1)
        simulator.step(now)
    (offer,) = shop.offers()
    assert offer.order_id == fresh.id
    shop.handheld.act("delivery.reject", offer.id, EmptyBody())
    for _ in range(3):
        now += timedelta(minutes=1)
        simulator.step(now)
    (offer,) = shop.offers()
    assert offer.order_id == ready.id  # a person answers: the bag nearest to ready comes first again
    assert simulator.stats.errors == 0
