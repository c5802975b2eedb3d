"""Route timing under the MDRP rules for the orders of one epoch (pickups in order, then drop-offs in order)."""

from __future__ import annotations

import math

import numpy as np

from o2o_tui.dispatch.epoch import EpochArrays
from o2o_tui.dispatch.model import DispatchParams


def pickup_groups(restaurant_xy: np.ndarray) -> np.ndarray:
    """Orders sharing a pickup place get one group id."""
    _, inverse = np.unique(restaurant_xy, axis=0, return_inverse=True)
    return inverse.reshape(-1)


class RouteTiming:
    """Scalar route timing for one epoch's candidate orders (same rules as the simulator)."""

    def __init__(
        self, problem: EpochArrays, groups: np.ndarray, params: DispatchParams, reach: np.ndarray | None = None
    ) -> None:
        self.problem = problem
        self.reach = reach  # per order: the first minute any courier can be at its restaurant (None: ignored)
        self.groups = groups
        self.mpm = params.meters_per_minute
        self.half_pickup = params.pickup_service / 2
        self.half_drop = params.dropoff_service / 2

    def travel(self, a: np.ndarray, b: np.ndarray) -> float:
        dx = float(a[0]) - float(b[0])
        dy = float(a[1]) - float(b[1])
        return float(math.ceil(math.sqrt(dx * dx + dy * dy) / self.mpm))

    def stops(self, sequence: list[int]) -> list[list[int]]:
        """Consecutive orders of one pickup place form one stop."""
        stops: list[list[int]] = []
        for order in sequence:
            if stops and self.groups[stops[-1][0]] == self.groups[order]:
                stops[-1].append(order)
            else:
                stops.append([order])
        return stops

    def timeline(self, sequence: list[int], arrive_first: float) -> tuple[list[float], list[float], float]:
        """(pickup per order, drop-off per order, free time) when arriving at the first stop at `arrive_first`."""
        p = self.problem
        pickups: dict[int, float] = {}
        clock = arrive_first
        position: np.ndarray | None = None
        for stop in self.stops(sequence):
            here = p.restaurant_xy[stop[0]]
            if position is not None:
                clock += self.travel(position, here)
            pickup = max(max(float(p.ready_at[o]) for o in stop), clock + self.half_pickup)
            for order in stop:
                pickups[order] = pickup
            clock = pickup + self.half_pickup
            position = here
        drops = []
        assert position is not None, "a route has at least one stop"
        for order in sequence:
            clock += self.travel(position, p.customer_xy[order]) + self.half_drop
            drops.append(clock)
            clock += self.half_drop
            position = p.customer_xy[order]
        return [pickups[o] for o in sequence], drops, clock

    def standalone(self, sequence: list[int]) -> tuple[float, list[float]]:
        """(courier minutes from arrival to free, drop-offs) for a courier arriving just in time."""
        first_ready = max(float(self.problem.ready_at[o]) for o in self.stops(sequence)[0])
        arrive = first_ready - self.half_pickup
        if self.reach is not None:
            arrive = max(arrive, float(self.reach[sequence[0]]))
        _, drops, free = self.timeline(sequence, arrive)
        return free - arrive, drops

    def last_leave(self, sequence: list[int], arrive_first: float) -> float:
        """When the courier leaves its last pickup stop."""
        pickups, _, _ = self.timeline(sequence, arrive_first)
        return max(pickups) + self.half_pickup
