"""What a dispatch policy may know at one minute: the world as a live dispatcher sees it, without future orders.

The simulator never hands a policy the instance. It hands it an `EpochView` built from:

- `KnownOrders`: the orders placed so far and nothing else. Order `k` of the view is the `k`-th order placed
  (ties by the instance's order), so the arrays are prefixes of the day's orders in placement order: an order
  not yet placed has no index, no row and no count. Its ready time is known, as the rules say, from placement.
- the couriers' rosters (shift start, end, where it starts), their positions and free times as the simulator
  tracks them (a courier on a route is known to be free at its last drop-off);
- the restaurants (a dispatcher knows the stores it serves) and the rules of travel and service.

Every array is read-only (numpy raises on a write), so a policy cannot change the simulation through its view.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from o2o_tui.dispatch.mdrp import MdrpParameters


def read_only(array: np.ndarray) -> np.ndarray:
    """A view of `array` that raises on writes (the simulator keeps writing the original)."""
    view = array.view()
    view.flags.writeable = False
    return view


@dataclass(frozen=True)
class KnownOrders:
    """The orders placed up to the view's minute, in placement order (index = placement rank)."""

    placed_at: np.ndarray  # (count,) minutes
    ready_at: np.ndarray  # (count,) minutes, revealed at placement
    restaurant: np.ndarray  # (count,) index into the view's restaurants
    customer_xy: np.ndarray  # (count, 2) metres

    def __len__(self) -> int:
        return int(self.placed_at.size)

    def demand_counts(self, restaurants: int, since: float | None = None) -> np.ndarray:
        """Orders placed so far per restaurant (from minute `since` on, when given)."""
        chosen = self.restaurant if since is None else self.restaurant[self.placed_at >= since]
        return np.bincount(chosen, minlength=restaurants).astype(float)


@dataclass(frozen=True)
class EpochView:
    """What a policy sees at minute `now`. Commits name orders by their index in `orders`."""

    now: int
    params: MdrpParameters
    restaurant_xy: np.ndarray  # (m, 2)
    orders: KnownOrders
    pending: np.ndarray  # indices into `orders`: placed and not yet assigned, by placement time
    courier_xy: np.ndarray  # (k, 2) where each courier is or will be when free
    free_at: np.ndarray  # (k,) when each courier is free of its current route (>= on_at)
    on_at: np.ndarray  # (k,) shift starts (the roster)
    off_at: np.ndarray  # (k,) shift ends
    capacity: int
    day_start: int = 0  # the minute the simulation began (the first placement)

    @property
    def pending_restaurant_xy(self) -> np.ndarray:
        return np.asarray(self.restaurant_xy[self.orders.restaurant[self.pending]])
