"""Run the engine inside the MDRP simulator."""

from __future__ import annotations

import numpy as np

from o2o_tui.dispatch.engine import EpochArrays, plan_arrays
from o2o_tui.dispatch.model import DispatchParams
from o2o_tui.dispatch.simulator import Commit, EpochView, Policy


def params_for(view: EpochView, base: DispatchParams) -> DispatchParams:
    p = view.instance.params
    if (base.meters_per_minute, base.pickup_service, base.dropoff_service) == (
        p.meters_per_minute, p.pickup_service, p.dropoff_service
    ) and base.capacity == view.capacity:
        return base
    import msgspec

    return msgspec.structs.replace(
        base,
        meters_per_minute=p.meters_per_minute,
        pickup_service=float(p.pickup_service),
        dropoff_service=float(p.dropoff_service),
        target_ctd=float(p.target_ctd),
        max_ctd=float(p.max_ctd),
        capacity=view.capacity,
    )


def engine_policy(base: DispatchParams | None = None) -> Policy:
    cache: dict[str, DispatchParams] = {}
    demand: dict[str, np.ndarray] = {}

    def decide(view: EpochView) -> list[Commit]:
        inst = view.instance
        params = cache.get(inst.name)
        if params is None:
            params = cache[inst.name] = params_for(view, base or DispatchParams())
        orders = view.pending
        seen = demand.get(inst.name)
        if seen is None:
            seen = demand[inst.name] = np.zeros(len(inst.restaurant_ids))
            demand[inst.name + "/next"] = np.argsort(inst.placed_at, kind="stable")
            demand[inst.name + "/count"] = np.zeros(1, dtype=np.int64)
        # orders placed so far, by restaurant: only the past is used
        by_placement = demand[inst.name + "/next"]
        counted = demand[inst.name + "/count"]
        while counted[0] < len(by_placement) and inst.placed_at[by_placement[counted[0]]] <= view.now:
            seen[inst.order_restaurant[by_placement[counted[0]]]] += 1
            counted[0] += 1
        total = seen.sum()
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
            hotspot_weight=seen / total if total else None,
        )
        return [
            Commit(choice.courier, tuple(int(orders[i]) for i in choice.orders))
            for choice in plan_arrays(problem, params)
            if choice.commit
        ]

    return decide
