"""Per-instance measures of a simulated run (README of `../shared/mdrp`: undelivered orders count 180)."""

from __future__ import annotations

import numpy as np

from o2o_tui.dispatch.simulator import SimResult

UNDELIVERED_CTD = 180.0


def lower_bounds(result: SimResult) -> np.ndarray:
    """Per order: (ready - placement) + pickup_service/2 + direct ride + dropoff_service/2."""
    inst = result.instance
    p = inst.params
    delta = inst.restaurant_xy[inst.order_restaurant] - inst.customer_xy
    ride = np.ceil(np.sqrt((delta * delta).sum(axis=1)) / p.meters_per_minute)
    return np.asarray((inst.ready_at - inst.placed_at) + p.pickup_service / 2 + ride + p.dropoff_service / 2)


def click_to_door(result: SimResult) -> np.ndarray:
    """Per order: drop-off minus placement, `UNDELIVERED_CTD` for an order never delivered."""
    delivered = ~np.isnan(result.dropoff_at)
    return np.asarray(np.where(delivered, result.dropoff_at - result.instance.placed_at, UNDELIVERED_CTD))


def avoidable_per_order(result: SimResult) -> np.ndarray:
    """Per order: click-to-door minus its lower bound, the delay a dispatcher could have saved."""
    return np.asarray(click_to_door(result) - lower_bounds(result))


def summarize(result: SimResult) -> dict[str, float | int | str]:
    inst = result.instance
    delivered = ~np.isnan(result.dropoff_at)
    ctd = click_to_door(result)
    wait = (result.pickup_at - inst.ready_at)[delivered]
    decision = result.decision_ms if result.decision_ms.size else np.zeros(1)
    hours = inst.courier_hours
    return {
        "instance": inst.name,
        "policy": result.policy,
        "orders": int(ctd.size),
        "ctd_mean": float(ctd.mean()),
        "ctd_p90": float(np.percentile(ctd, 90)),
        "on_time": float((ctd <= inst.params.target_ctd).mean()),
        "delivered": float(delivered.mean()),
        "ready_wait": float(wait.mean()) if wait.size else 0.0,
        "orders_per_courier_hour": float(delivered.sum() / hours) if hours else 0.0,
        "decision_p50_ms": float(np.percentile(decision, 50)),
        "decision_p99_ms": float(np.percentile(decision, 99)),
        "lower_bound": float(lower_bounds(result).mean()),
    }
