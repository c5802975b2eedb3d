"""What the personal-data purge blanks in an order or a delivery (jobs.purge_personal): the stored document and
the stored answers that carry it (idempotency.py) are blanked alike, by the rule the devices blank their cached
copies with (o2o_tui/domain/personal_data.py)."""

from __future__ import annotations

import msgspec

from o2o_tui.domain.fleet import Delivery
from o2o_tui.domain.order import Order
from o2o_tui.domain.personal_data import DELIVERY_PERSONAL, ORDER_PERSONAL, blank_personal


def without_personal_order(order: Order) -> Order:
    return msgspec.convert(blank_personal(msgspec.to_builtins(order), ORDER_PERSONAL), Order)


def without_personal_delivery(delivery: Delivery) -> Delivery:
    return msgspec.convert(blank_personal(msgspec.to_builtins(delivery), DELIVERY_PERSONAL), Delivery)
