"""Run the engine inside the MDRP simulator."""

from __future__ import annotations

import math

import msgspec
import numpy as np

from o2o_tui.dispatch.engine import EpochArrays, plan_arrays
from o2o_tui.dispatch.mdrp import MdrpInstance
from o2o_tui.dispatch.model import DispatchParams
from o2o_tui.dispatch.simulator import Commit, EpochView, Policy


def params_for(instance: MdrpInstance, capacity: int, base: DispatchParams) -> DispatchParams:
    p = instance.params
    return msgspec.structs.replace(
        base,
        meters_per_minute=p.meters_per_minute,
        pickup_service=float(p.pickup_service),
        dropoff_service=float(p.dropoff_service),
        target_ctd=float(p.target_ctd),
        max_ctd=float(p.max_ctd),
        capacity=capacity,
    )


class DemandTracker:
    """Where orders came from so far (time-decayed counts per restaurant): the engine's hotspots. Uses only
    orders already placed."""

    def __init__(self, instance: MdrpInstance, half_life: float) -> None:
        self.instance = instance
        self.decay = math.log(2) / half_life if half_life > 0 else 0.0
        self.by_placement = np.argsort(instance.placed_at, kind="stable")
        self.counted = 0
        self.weight = np.zeros(len(instance.restaurant_ids))
        self.clock = 0.0

    def update(self, now: float) -> None:
        if self.decay:
            self.weight *= math.exp(-self.decay * (now - self.clock))
        self.clock = now
        inst = self.instance
        while self.counted < len(self.by_placement) and inst.placed_at[self.by_placement[self.counted]] <= now:
            order = self.by_placement[self.counted]
            self.weight[inst.order_restaurant[order]] += 1.0
            self.counted += 1

    def shares(self) -> np.ndarray | None:
        total = self.weight.sum()
        return self.weight / total if total > 0 else None


def engine_policy(base: DispatchParams | None = None) -> Policy:
    """The engine as a simulator policy; one instance of it per simulation run."""
    state: dict[str, object] = {}

    def decide(view: EpochView) -> list[Commit]:
        inst = view.instance
        if state.get("instance") is not inst:
            params = params_for(inst, view.capacity, base or DispatchParams())
            state.update(instance=inst, params=params, demand=DemandTracker(inst, params.demand_half_life))
        params = state["params"]
        demand = state["demand"]
        assert isinstance(params, DispatchParams) and isinstance(demand, DemandTracker)
        demand.update(view.now)
        orders = view.pending
        problem = EpochArrays(
            now=float(view.now),
            restaurant_xy=inst.restaurant_xy[inst.order_restaurant[orders]],
            customer_xy=inst.customer_xy[orders],
            placed_at=inst.placed_at[orders].astype(float),
            ready_at=inst.ready_at[orders].astype(float),
            courier_xy=view.courier_xy,
            free_at=view.free_at,
            on_at=inst.on_at.astype(float),
            off_at=inst.off_at.astype(float),
            hotspot_xy=inst.restaurant_xy,
            hotspot_weight=demand.shares(),
        )
        return [
            Commit(choice.courier, tuple(int(orders[i]) for i in choice.orders))
            for choice in plan_arrays(problem, params)
            if choice.commit
        ]

    return decide
