"""What the simulator knows between steps: the orders it follows, its counters, and its random streams."""

from __future__ import annotations

import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime

from o2o_tui.client import PlatformClient
from o2o_tui.client.errors import PlatformError, Unauthorized
from o2o_tui.domain.menu import Menu
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.domain.store import Store

WARN_EVERY_SECONDS = 30.0


@dataclass
class CustomerPlan:
    """What the customer of one simulated order will do (decided when the order is placed)."""

    cancel_while_created_after: float | None = None  # sim minutes after placing, if still not confirmed
    request_cancel_after_confirm: float | None = None  # sim minutes after the merchant confirmed
    chase_after_minutes: float | None = None  # sim minutes after placing, if not delivered by then
    pickup_after_ready: float = 5.0  # takeout: sim minutes after ready until the customer is at the counter


@dataclass
class Tracked:
    order: Order
    first_seen: datetime  # sim time
    status_since: datetime  # sim time the current status was first seen
    index: int | None = None  # placement index for the simulator's own orders (keys its random decisions)
    plan: CustomerPlan | None = None
    confirmed_seen: datetime | None = None
    done_actions: set[str] = field(default_factory=set)


@dataclass
class SimStats:
    seed: int = 0
    placed: int = 0
    refused: int = 0
    delivered: int = 0
    cancelled: int = 0
    cancel_requests: int = 0
    chases: int = 0
    deliveries_active: int = 0
    couriers_online: int = 0
    offered_to_people: int = 0  # orders offered to the couriers a person drives (`leave_couriers`)
    errors: int = 0
    faults: int = 0  # of the errors, those of a platform down or failing (no answer, 5xx): the runner backs off
    order_ids: list[str] = field(default_factory=list)


@dataclass
class SimContext:
    client: PlatformClient  # admin: acts for the merchant (with --auto-merchant) and the couriers
    customer_client: PlatformClient  # places and cancels orders (the admin client when no customer token)
    store: Store
    menu: Menu
    seed: int
    log: Callable[[str], None]
    stats: SimStats
    orders: dict[str, Tracked] = field(default_factory=dict)
    _warned: dict[str, float] = field(default_factory=dict)  # key -> wall time of the last message

    def rng(self, purpose: str, key: object) -> random.Random:
        """An independent random stream per purpose and key: decisions do not shift when timing does."""
        return random.Random(f"{self.seed}:{purpose}:{key}")

    def failed(self, key: str, message: str, error: PlatformError) -> None:
        """Count an error; log it at most every 30 s per key so a stuck action does not flood the output. A refused
        token (401: revoked or rotated) is raised instead: no later call can succeed, so the run stops."""
        if isinstance(error, Unauthorized):
            raise error
        self.stats.errors += 1
        if not error.is_final:  # unreachable, a server error, an unreadable answer: not this action's fault
            self.stats.faults += 1
        wall = time.monotonic()
        if wall - self._warned.get(key, -WARN_EVERY_SECONDS) >= WARN_EVERY_SECONDS:
            self._warned[key] = wall
            self.log(f"{message}: {error.i18n_message()}")

    def track(self, order: Order, now: datetime) -> Tracked:
        tracked = self.orders.get(order.id)
        if tracked is None:
            tracked = Tracked(order=order, first_seen=now, status_since=now)
            self.orders[order.id] = tracked
        elif order.version >= tracked.order.version:
            if order.status != tracked.order.status:
                tracked.status_since = now
            tracked.order = order
        if tracked.order.status is OrderStatus.CONFIRMED and tracked.confirmed_seen is None:
            tracked.confirmed_seen = now
        return tracked
