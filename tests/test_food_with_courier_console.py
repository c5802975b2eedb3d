"""The store's console says when a courier has an order's food after a refused pickup (`food_with_courier`): the
order's detail, its queue row's type column, `o2o orders show`, in English and Chinese; the courier's name is
plain text (never markup)."""

from __future__ import annotations

from collections.abc import Iterator
from types import SimpleNamespace

import msgspec
import pytest

from o2o_tui.cli.orders import _show_lines
from o2o_tui.domain.order import FoodWithCourier, OrderStatus
from o2o_tui.i18n import set_language
from screens import order_format as fmt
from screens.source import QueueEntry
from screens.widgets.order_detail import detail_parts
from tests.test_ui_samples import FROZEN_NOW, sample_order


@pytest.fixture(autouse=True)
def _language() -> Iterator[None]:
    yield
    set_language(None)


def _held(name: str = "[b]Li[/b] 李") -> object:
    order = sample_order(12, OrderStatus.READY_FOR_PICKUP, minutes_ago=10)
    food = FoodWithCourier(courier_id="c1", courier_name=name, delivery_id="dl_1", at=FROZEN_NOW)
    return msgspec.structs.replace(order, food_with_courier=food)


def _text(parts: list[object]) -> str:
    return "".join(p if isinstance(p, str) else p[0] for p in parts)  # type: ignore[index]


@pytest.mark.parametrize(
    ("lang", "long", "short", "show"),
    [
        ("en", "Courier [b]Li[/b] 李 has the food: bring-back pending", "Food out", "Courier [b]Li[/b] 李 has"),
        ("zh", "骑手 [b]Li[/b] 李 手上有餐品：待送回门店", "餐在骑手", "骑手 [b]Li[/b] 李 手上有餐品"),
    ],
)
def test_the_store_reads_who_has_the_food(lang: str, long: str, short: str, show: str) -> None:
    set_language(lang)
    order = _held()
    assert fmt.food_with_courier(order) == long  # type: ignore[arg-type]
    assert fmt.type_or_stage(order) == short  # type: ignore[arg-type]
    assert long in _text(detail_parts(QueueEntry(order), FROZEN_NOW))  # type: ignore[arg-type]
    lines = _show_lines(SimpleNamespace(order=order, is_pending=False, pending=()), None)
    assert any(show in line for line in lines)


def test_nothing_is_said_when_no_courier_has_the_food() -> None:
    set_language("en")
    order = sample_order(12, OrderStatus.READY_FOR_PICKUP, minutes_ago=10)
    assert fmt.food_with_courier(order) == ""
    assert "has the food" not in _text(detail_parts(QueueEntry(order), FROZEN_NOW))  # type: ignore[arg-type]
    lines = _show_lines(SimpleNamespace(order=order, is_pending=False, pending=()), None)
    assert not any("has the food" in line for line in lines)
