"""An order the printing station auto-accepted between its bell and the words (`o2o_tui.voice.Announcer`): said as
new once, as any new order; an order accepted long ago, or one already seen, is not said."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import msgspec
import pytest

from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from o2o_tui.voice import Announcer
from tests.test_ui_samples import FROZEN_NOW, sample_order


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def test_an_order_accepted_before_its_words_is_said_once_as_new() -> None:
    announcer = Announcer()
    old = sample_order(41, OrderStatus.CONFIRMED, minutes_ago=30)  # accepted half an hour ago
    waiting = sample_order(42, OrderStatus.CREATED, minutes_ago=1)
    taken = msgspec.structs.replace(
        sample_order(43, OrderStatus.CONFIRMED, minutes_ago=0), confirmed_at=FROZEN_NOW - timedelta(seconds=1)
    )
    said = [a.text for a in announcer.orders([old, waiting, taken], FROZEN_NOW)]
    assert said == ["New order 42, delivery.", "New order 43, delivery."]
    assert announcer.orders([old, waiting, taken], FROZEN_NOW + timedelta(seconds=2)) == []


def test_an_order_seen_waiting_then_accepted_is_not_said_again_and_one_seen_accepted_is_not_new() -> None:
    announcer = Announcer()
    waiting = sample_order(42, OrderStatus.CREATED, minutes_ago=1)
    assert [a.text for a in announcer.orders([waiting], FROZEN_NOW)] == ["New order 42, delivery."]
    accepted = msgspec.structs.replace(waiting, status=OrderStatus.CONFIRMED, confirmed_at=FROZEN_NOW)
    assert announcer.orders([accepted], FROZEN_NOW + timedelta(seconds=1)) == []
    # an order already shown accepted at the last look is not new at the next (a person's accept long said)
    other = msgspec.structs.replace(
        sample_order(44, OrderStatus.CONFIRMED, minutes_ago=0), confirmed_at=FROZEN_NOW - timedelta(minutes=1)
    )
    assert announcer.orders([accepted, other], FROZEN_NOW) == []
    fresh = msgspec.structs.replace(other, confirmed_at=FROZEN_NOW)
    assert announcer.orders([accepted, fresh], FROZEN_NOW + timedelta(seconds=1)) == []
