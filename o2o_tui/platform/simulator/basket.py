"""What a customer orders: realistic lines from the live menu, respecting option groups and sold-out items."""

from __future__ import annotations

import random
from datetime import datetime

from o2o_tui.domain.menu import Item, Menu, OptionGroup, is_orderable
from o2o_tui.domain.requests import NewOrderLine
from o2o_tui.platform.simulator.people import LINE_NOTES

_LINE_COUNTS = (1, 2, 3, 4)
_LINE_COUNT_WEIGHTS = (45, 35, 15, 5)


def _choose_options(
    rng: random.Random, item: Item, groups: dict[str, OptionGroup], now: datetime
) -> list[str] | None:
    """Option ids for one line, or None when a required group has too few orderable options."""
    chosen: list[str] = []
    for group_id in item.option_group_ids:
        group = groups.get(group_id)
        if group is None:
            continue
        available = [o for o in group.options if is_orderable(o, now)]
        upper = min(group.max, len(available))
        if upper < group.min:
            return None
        if upper == 0 or (group.min == 0 and rng.random() < 0.5):
            continue
        count = group.min if group.min and rng.random() < 0.7 else rng.randint(max(group.min, 1), upper)
        chosen.extend(o.id for o in rng.sample(available, count))
    return chosen


def orderable_items(menu: Menu, now: datetime) -> list[Item]:
    groups = {g.id: g for g in menu.option_groups}
    items = []
    for category in menu.categories:
        for item in category.items:
            if not is_orderable(item, now):
                continue
            if any(
                g.min > sum(is_orderable(o, now) for o in g.options)
                for g in (groups.get(gid) for gid in item.option_group_ids)
                if g is not None
            ):
                continue
            items.append(item)
    return items


def build_lines(rng: random.Random, menu: Menu, now: datetime) -> list[NewOrderLine]:
    """One to four different dishes, mostly one of each, with options and sometimes a note; [] if nothing is
    orderable."""
    items = orderable_items(menu, now)
    if not items:
        return []
    groups = {g.id: g for g in menu.option_groups}
    count = min(len(items), rng.choices(_LINE_COUNTS, _LINE_COUNT_WEIGHTS)[0])
    lines = []
    for item in rng.sample(items, count):
        options = _choose_options(rng, item, groups, now)
        if options is None:
            continue
        quantity = 1 if rng.random() < 0.8 else rng.choice((2, 2, 3))
        note = rng.choice(LINE_NOTES) if rng.random() < 0.12 else ""
        lines.append(NewOrderLine(item_id=item.id, quantity=quantity, option_ids=options, note=note))
    return lines
