"""Order lines priced by the server from the menu: the client's idea of a price is never trusted.

An order naming an item or option a customer cannot order now (unknown, not offered with that item, hidden,
UNAVAILABLE or snoozed: `domain.menu.is_orderable`) is refused 409 `item_unavailable` with `item_id`, and
`option_id` when the option is at fault, and `field` the line's path: a customer's app re-reads the menu and
says which dish is gone."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

from o2o_tui.domain.errors import ErrorDetail
from o2o_tui.domain.limits import LINES_MAX, QUANTITY_MAX
from o2o_tui.domain.menu import Item, Menu, OptionGroup, is_orderable
from o2o_tui.domain.money import Money, zero
from o2o_tui.domain.order import LineOption, OrderLine
from o2o_tui.domain.requests import NewOrderLine
from o2o_tui.platform.errors import ApiError, validation

MAX_QUANTITY = QUANTITY_MAX  # the request type bounds both already; kept for callers inside the server
MAX_LINES = LINES_MAX


def unavailable(field: str, message: str, item_id: str, option_id: str | None = None) -> ApiError:
    detail = ErrorDetail(
        code="item_unavailable", message=message, field=field, item_id=item_id, option_id=option_id
    )
    return ApiError(409, detail)


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
            raise unavailable(f"{where}.item_id", f"no item {line.item_id} on the menu", line.item_id)
        if not is_orderable(item, now):
            raise unavailable(f"{where}.item_id", f"{item.name} is not available", item.id)
        options = _price_options(item, groups, line.option_ids, where, now)
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
    item: Item, groups: dict[str, OptionGroup], option_ids: list[str], where: str, now: datetime
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
            if not is_orderable(option, now):
                message = f"{option.name} is not available"
                raise unavailable(f"{where}.option_ids", message, item.id, option.id)
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
        unknown = sorted(wanted)
        message = f"options not offered for {item.name}: {', '.join(unknown)}"
        raise unavailable(f"{where}.option_ids", message, item.id, unknown[0])
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
