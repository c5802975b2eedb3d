"""One dispatch epoch in array form (what `engine.plan` builds from structs, and the simulator fills directly)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class EpochArrays:
    """The problem of one epoch as arrays (index-based; what `plan` builds from structs)."""

    now: float
    restaurant_xy: np.ndarray  # (n, 2)
    customer_xy: np.ndarray  # (n, 2)
    placed_at: np.ndarray  # (n,)
    ready_at: np.ndarray  # (n,)
    courier_xy: np.ndarray  # (k, 2)
    free_at: np.ndarray  # (k,)
    on_at: np.ndarray  # (k,)
    off_at: np.ndarray  # (k,)
    hotspot_xy: np.ndarray | None = None  # (h, 2) where orders tend to come from (e.g. the stores)
    hotspot_weight: np.ndarray | None = None  # (h,) their share of the orders
    avoid: np.ndarray | None = None  # (n, k) bool: order i must not go to courier j (None: no such pair)


@dataclass(frozen=True)
class RouteChoice:
    courier: int
    orders: tuple[int, ...]
    depart_at: float
    pickup_at: tuple[float, ...]
    dropoff_at: tuple[float, ...]
    commit: bool


def travel_minutes_between(a: np.ndarray, b: np.ndarray, meters_per_minute: float) -> np.ndarray:
    """Whole minutes, rounded up, between points of `a` and `b` (broadcast over leading axes)."""
    delta = a - b
    return np.asarray(np.ceil(np.sqrt((delta * delta).sum(axis=-1)) / meters_per_minute))
