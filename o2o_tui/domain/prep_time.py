"""An order's default preparation time: what an accept offers (the console's `a`, Enter) and sends when nobody
types minutes (simple mode's 1, `o2o orders accept` without `--prep`, the printing station's auto-accept).

It is the order's own prep time (`schedule.prep_minutes_for`, the rule an order for later is held by): the
largest of its items' `prep_minutes` as the menu held here says them, the store's `default_prep_minutes` for an
item that sets none (and for an item the menu no longer has, or no menu cached). A busy store's extra minutes are
not in it: the platform adds them on top of the minutes sent (`schedule.promised_on_accept`). The platform never
picks the minutes itself: an accept without `preparation_minutes` is refused (422), so every client asks this.
No I/O, no Textual.
"""

from __future__ import annotations

from o2o_tui.domain.limits import PREP_MINUTES_MAX, PREP_MINUTES_MIN
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order
from o2o_tui.domain.schedule import prep_minutes_for
from o2o_tui.domain.store import Store

DEFAULT_PREP_MINUTES = 15  # a store not cached yet: a new store's default (`Store.default_prep_minutes`)


def item_prep_minutes(menu: Menu | None) -> dict[str, int | None]:
    """Each menu item's own prep minutes by item id (None: the store's default)."""
    if menu is None:
        return {}
    return {item.id: item.prep_minutes for category in menu.categories for item in category.items}


def accept_minutes_for(order: Order, store: Store | None, menu: Menu | None) -> int:
    """The minutes an accept of `order` promises unless a person types others: the longest of its items' own prep
    minutes on `menu`, the store's default for an item without one; within what an accept may send."""
    default = store.default_prep_minutes if store is not None else DEFAULT_PREP_MINUTES
    own = item_prep_minutes(menu)
    minutes = prep_minutes_for((own.get(line.item_id) for line in order.lines), default)
    return min(max(minutes, PREP_MINUTES_MIN), PREP_MINUTES_MAX)
