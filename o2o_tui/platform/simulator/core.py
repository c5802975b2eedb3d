"""The simulator: customers, an optional auto-merchant and the store's couriers, advanced by `step(now)`.

`now` is simulated time (the runner compresses wall time by `--speed`); every timer inside is in simulated
minutes. Random decisions come from streams keyed by the seed and by what they decide (the n-th order, the
n-th order's customer, a delivery), so the same seed gives the same orders and decisions however the wall
clock jitters.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Collection
from datetime import UTC, datetime, timedelta

from o2o_tui.client import PlatformClient
from o2o_tui.client.errors import PlatformError
from o2o_tui.domain.order import ENDED_STATUSES, OrderStatus
from o2o_tui.i18n import t
from o2o_tui.platform.simulator.couriers import Fleet
from o2o_tui.platform.simulator.curve import next_arrival
from o2o_tui.platform.simulator.customers import Customers
from o2o_tui.platform.simulator.handheld import PeoplesCouriers
from o2o_tui.platform.simulator.later import Later
from o2o_tui.platform.simulator.merchant import AutoMerchant
from o2o_tui.platform.simulator.state import SimContext, SimStats
from o2o_tui.platform.simulator.vouchers import CODES_FILE, VoucherBuyers

_WATERMARK_SLACK = timedelta(seconds=5)  # re-read a little overlap: equal timestamps must not be missed
_LOOKBACK = timedelta(hours=2)  # orders already open when the simulator starts


class Simulator:
    def __init__(
        self,
        client: PlatformClient,
        *,
        store_id: str,
        seed: int | None = None,
        orders_per_hour: float = 30.0,
        auto_merchant: bool = False,
        couriers: bool = True,
        customer_client: PlatformClient | None = None,
        max_orders: int | None = None,
        burst: bool = False,
        log: Callable[[str], None] | None = None,
        leave_couriers: Collection[str] = (),
        auto_dispatch: bool = False,
        first_order_after: timedelta | None = None,
        order_every: timedelta | None = None,
    ) -> None:
        """`max_orders` stops placing after that many; `burst` places them at once instead of on the curve.

        `leave_couriers` are driven by people: the simulator never acts for them (nor puts them on shift), and
        offers each one order at a time while it is on duty and free.

        `auto_dispatch` assigns the fleet's couriers to the deliveries the store accepted (without
        `auto_merchant`: a person runs the counter, the simulator the fleet). `first_order_after` places the
        first order that long (simulated) after the start, and `order_every` the next ones about that far apart
        (70-130%), instead of the day's curve at `orders_per_hour`: the demo's lunch rush.
        """
        self.client = client
        self.store_id = store_id
        self.seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
        self.orders_per_hour = orders_per_hour
        self.auto_merchant = auto_merchant
        self.drive_couriers = couriers
        self.customer_client = customer_client or client
        self.max_orders = max_orders
        self.burst = burst
        self.leave_couriers = frozenset(leave_couriers)
        self.auto_dispatch = auto_dispatch
        self.first_order_after = first_order_after
        self.order_every = order_every
        self.stats = SimStats(seed=self.seed)
        self._log = log or (lambda _message: None)
        self.ctx: SimContext | None = None
        self._customers: Customers | None = None
        self._merchant: AutoMerchant | None = None
        self._fleet: Fleet | None = None
        self._people: PeoplesCouriers | None = None
        self._vouchers: VoucherBuyers | None = None  # customers buying vouchers (simulator/vouchers.py)
        self._next_order_at: datetime | None = None
        self._arrivals = random.Random(f"{self.seed}:arrivals")
        self._watermark: datetime | None = None
        self._ended_counted: set[str] = set()

    def start(self, now: datetime) -> None:
        """Load the store and its menu, put the fleet on shift. Raises `PlatformError` if the store is missing."""
        store = self.client.get_store(self.store_id)
        menu = self.client.get_menu(self.store_id)
        self.ctx = SimContext(
            client=self.client,
            customer_client=self.customer_client,
            store=store,
            menu=menu,
            seed=self.seed,
            log=self._log,
            stats=self.stats,
        )
        self._customers = Customers(self.ctx)
        if not self.auto_merchant:  # a person at the counter: some customers order for later
            self._customers.later = Later(self.ctx)
        if not self.auto_merchant and self.customer_client is not self.client:  # vouchers for the counter's v
            from o2o_tui.paths import data_dir

            self._vouchers = VoucherBuyers(self.ctx, data_dir() / CODES_FILE)
        self._merchant = (
            AutoMerchant(self.ctx, skip=self.leave_couriers, dispatch_only=not self.auto_merchant)
            if self.auto_merchant or self.auto_dispatch
            else None
        )
        self._fleet = Fleet(self.ctx, skip=self.leave_couriers)
        self._people = PeoplesCouriers(self.ctx, self.leave_couriers) if self.leave_couriers else None
        if self.drive_couriers:
            self._fleet.go_on_shift(now)
        self._watermark = datetime.now(UTC) - _LOOKBACK
        if self.burst:
            self._next_order_at = now
        elif self.first_order_after is not None:
            self._next_order_at = now + self.first_order_after
        else:
            self._next_order_at = self._after(now)
        self._log(
            t("simulate.log.started", store=store.name, seed=self.seed, couriers=len(self._fleet.couriers))
        )

    @property
    def placing_done(self) -> bool:
        return self.max_orders is not None and self.stats.placed + self.stats.refused >= self.max_orders

    def own_orders_ended(self) -> bool:
        """Every order this simulator placed has ended (delivered, handed off or cancelled)."""
        assert self.ctx is not None
        return all(
            (tracked := self.ctx.orders.get(order_id)) is None or tracked.order.status in ENDED_STATUSES
            for order_id in self.stats.order_ids
        )

    def step(self, now: datetime) -> None:
        """Advance the world to simulated time `now`. Platform errors are counted and logged, never raised, but for
        a refused token: `Unauthorized` ends the run (`SimContext.failed`)."""
        if self.ctx is None:
            self.start(now)
        assert self._customers is not None and self._fleet is not None and self.ctx is not None
        self._refresh_orders(now)
        self._place_due(now)
        self._customers.act(now)
        if self._vouchers is not None:
            self._vouchers.act(now)
        if self._merchant is not None or self._people is not None:
            couriers = self._fleet.refresh()
            if self._people is not None:
                self._people.act(now, couriers)
            if self._merchant is not None:
                self._merchant.act(now, couriers)
        if self.drive_couriers:
            self._fleet.step(now)

    def _place_due(self, now: datetime) -> None:
        assert self._customers is not None and self._next_order_at is not None
        while not self.placing_done and self._next_order_at <= now:
            order = self._customers.place(now)
            if order is None and self._merchant is not None and self._merchant.reopen_if_auto_paused():
                continue  # the store was auto-paused; try the same moment again
            if self.burst:
                self._next_order_at = now
            else:
                self._next_order_at = self._after(self._next_order_at)

    def _after(self, moment: datetime) -> datetime:
        """When the order after one placed at `moment` comes: about `order_every` later, else on the curve."""
        if self.order_every is not None:
            return moment + self.order_every * self._arrivals.uniform(0.7, 1.3)
        return next_arrival(self._arrivals, moment, self.orders_per_hour)

    def _refresh_orders(self, now: datetime) -> None:
        ctx = self.ctx
        assert ctx is not None and self._watermark is not None
        since = self._watermark - _WATERMARK_SLACK
        newest = self._watermark
        try:
            for order in self.client.iter_orders(store_id=self.store_id, updated_after=since):
                ctx.track(order, now)
                newest = max(newest, order.updated_at)
        except PlatformError as error:
            ctx.failed("orders", t("simulate.log.action_failed", action="orders"), error)
            return
        self._watermark = newest
        for order_id, tracked in list(ctx.orders.items()):
            if tracked.order.status in ENDED_STATUSES and order_id not in self._ended_counted:
                self._ended_counted.add(order_id)
                if tracked.index is not None:
                    if tracked.order.status is OrderStatus.CANCELLED:
                        self.stats.cancelled += 1
                    else:
                        self.stats.delivered += 1
                    self._log(
                        t(
                            "simulate.log.ended",
                            number=tracked.order.display_number,
                            status=str(tracked.order.status),
                        )
                    )
                del ctx.orders[order_id]  # ended orders need no more attention; keep memory flat on long runs
