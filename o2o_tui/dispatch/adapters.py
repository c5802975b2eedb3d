"""Run the engine inside the MDRP simulator, on the view it is handed (`o2o_tui.dispatch.view`)."""

from __future__ import annotations

import math

import msgspec
import numpy as np

from o2o_tui.dispatch.engine import EpochArrays, plan_arrays
from o2o_tui.dispatch.mdrp import MdrpParameters
from o2o_tui.dispatch.model import DispatchParams
from o2o_tui.dispatch.simulator import Commit, Policy
from o2o_tui.dispatch.view import EpochView


def params_for(rules: MdrpParameters, capacity: int, base: DispatchParams) -> DispatchParams:
    return msgspec.structs.replace(
        base,
        meters_per_minute=rules.meters_per_minute,
        pickup_service=float(rules.pickup_service),
        dropoff_service=float(rules.dropoff_service),
        target_ctd=float(rules.target_ctd),
        max_ctd=float(rules.max_ctd),
        capacity=capacity,
    )


class DemandTracker:
    """Where orders came from so far (time-decayed counts per restaurant): the engine's hotspots. It reads only
    the view's known orders, a prefix in placement order, so it counts each new one once."""

    def __init__(self, restaurants: int, half_life: float) -> None:
        self.decay = math.log(2) / half_life if half_life > 0 else 0.0
        self.counted = 0
        self.weight = np.zeros(restaurants)
        self.clock = 0.0

    def update(self, view: EpochView) -> None:
        now = float(view.now)
        if self.decay:
            self.weight *= math.exp(-self.decay * (now - self.clock))
        self.clock = now
        known = view.orders
        fresh = known.restaurant[self.counted :]
        if fresh.size:
            if self.decay:
                ages = now - known.placed_at[self.counted :]
                np.add.at(self.weight, fresh, np.exp(-self.decay * ages))
            else:
                np.add.at(self.weight, fresh, 1.0)
            self.counted = len(known)

    def shares(self) -> np.ndarray | None:
        total = self.weight.sum()
        return self.weight / total if total > 0 else None


def view_problem(view: EpochView, hotspot_weight: np.ndarray | None) -> EpochArrays:
    """The engine's epoch problem from a view: the pending orders (in the view's order) and every courier."""
    known, orders = view.orders, view.pending
    return EpochArrays(
        now=float(view.now),
        restaurant_xy=view.restaurant_xy[known.restaurant[orders]],
        customer_xy=known.customer_xy[orders],
        placed_at=known.placed_at[orders],
        ready_at=known.ready_at[orders],
        courier_xy=view.courier_xy,
        free_at=view.free_at,
        on_at=view.on_at,
        off_at=view.off_at,
        hotspot_xy=view.restaurant_xy,
        hotspot_weight=hotspot_weight,
    )


def engine_policy(base: DispatchParams | None = None) -> Policy:
    """The engine as a simulator policy; one instance of it per simulation run."""
    state: dict[str, object] = {}

    def decide(view: EpochView) -> list[Commit]:
        if "params" not in state:
            params = params_for(view.params, view.capacity, base or DispatchParams())
            state.update(params=params, demand=DemandTracker(len(view.restaurant_xy), params.demand_half_life))
        params = state["params"]
        demand = state["demand"]
        assert isinstance(params, DispatchParams) and isinstance(demand, DemandTracker)
        demand.update(view)
        orders = view.pending
        return [
            Commit(choice.courier, tuple(int(orders[i]) for i in choice.orders))
            for choice in plan_arrays(view_problem(view, demand.shares()), params)
            if choice.commit
        ]

    return decide
