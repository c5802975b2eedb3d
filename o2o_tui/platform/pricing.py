"""Order lines priced by the server from the menu: the client's idea of a price is never trusted."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from o2o_tui.domain.limits import LINES_MAX, QUANTITY_MAX
from o2o_tui.domain.menu import Availability, Item, Menu, OptionGroup, is_orderable
from o2o_tui.domain.money import Money, zero
from o2o_tui.domain.order import LineOption, OrderLine
from o2o_tui.domain.requests import NewOrderLine
from o2o_tui.platform.errors import conflict, validation

MAX_QUANTITY = QUANTITY_MAX  # the request type bounds both already; kept for callers inside the server
MAX_LINES = LINES_MAX


def _items(menu: Menu) -> dict[str, Item]:
    return {item.id: item for category in menu.categories for item in category.items}


def price_lines(menu: Menu, lines: list[NewOrderLine], now: datetime) -> list[OrderLine]:
    if not lines:
        raise validation("lines", "an order needs at least one line")
    if len(lines) > MAX_LINES:
        raise validation("lines", f"at most {MAX_LINES} lines")
    items = _items(menu)
    groups = {group.id: group for group in menu.option_groups}
    priced = []
    for index, line in enumerate(lines):
        where = f"lines[{index}]"
        if not 1 <= line.quantity <= MAX_QUANTITY:
            raise validation(f"{where}.quantity", f"quantity must be 1..{MAX_QUANTITY}")
        item = items.get(line.item_id)
        if item is None:
            raise validation(f"{where}.item_id", f"no item {line.item_id} on the menu")
        if not is_orderable(item, now):
            raise conflict(f"{item.name} is not available", code="item_unavailable")
        options = _price_options(item, groups, line.option_ids, where, menu.currency)
        unit = item.price
        for option in options:
            unit = unit + option.unit_price.times(option.quantity)
        priced.append(
            OrderLine(
                item_id=item.id,
                name=item.name,
                quantity=line.quantity,
                unit_price=item.price,
                options=options,
                note=line.note,
                total=unit.times(line.quantity),
            )
        )
    return priced


def _price_options(
    item: Item, groups: dict[str, OptionGroup], option_ids: list[str], where: str, currency: str
) -> list[LineOption]:
    wanted = Counter(option_ids)
    chosen: list[LineOption] = []
    per_group: Counter[str] = Counter()
    for group_id in item.option_group_ids:
        group = groups.get(group_id)
        if group is None:
            continue
        for option in group.options:
            quantity = wanted.pop(option.id, 0)
            if not quantity:
                continue
            if option.status is Availability.UNAVAILABLE:
                raise conflict(f"{option.name} is not available", code="item_unavailable")
            if quantity > option.max_qty:
                raise validation(f"{where}.option_ids", f"{option.name} at most {option.max_qty} times")
            per_group[group.id] += quantity
            chosen.append(
                LineOption(
                    option_id=option.id,
                    group_id=group.id,
                    name=option.name,
                    quantity=quantity,
                    unit_price=option.price,
                )
            )
    if wanted:
        unknown = ", ".join(sorted(wanted))
        raise validation(f"{where}.option_ids", f"options not offered for {item.name}: {unknown}")
    for group_id in item.option_group_ids:
        group = groups.get(group_id)
        if group is None:
            continue
        count = per_group[group.id]
        if not group.min <= count <= group.max:
            raise validation(f"{where}.option_ids", f"{group.name}: choose {group.min} to {group.max}")
    return chosen


def subtotal(lines: list[OrderLine], currency: str) -> Money:
    total = zero(currency)
    for line in lines:
        total = total + (line.total or line.unit_price.times(line.quantity))
    return total
