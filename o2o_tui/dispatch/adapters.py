"""Run the engine inside the MDRP simulator, on the view it is handed (`o2o_tui.dispatch.view`)."""

from __future__ import annotations

import math

import msgspec
import numpy as np

from o2o_tui.dispatch.engine import EpochArrays, RouteChoice, plan_arrays
from o2o_tui.dispatch.lookahead import Candidate, LookaheadParams, sample_demand, score
from o2o_tui.dispatch.mdrp import MdrpParameters
from o2o_tui.dispatch.model import DispatchParams
from o2o_tui.dispatch.params import ENGINE_PARAMS, LOOKAHEAD
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


def alternative(params: DispatchParams, name: str) -> DispatchParams:
    """The look-ahead's other candidates: the same engine planning one order per courier (`singles`), bundling
    without the overload doubling (`calm`), or looking only `short` (10 minutes) ahead."""
    if name == "singles":
        return msgspec.structs.replace(params, bundle_load_factor=1e-9, pressure_orders=0)
    if name == "calm":
        return msgspec.structs.replace(params, pressure_orders=0)
    if name == "short":
        return msgspec.structs.replace(params, horizon=10.0)
    if "=" in name:  # "knob=value[,knob=value]": the engine with those knobs changed
        changes = dict(part.split("=", 1) for part in name.split(","))
        try:
            return msgspec.structs.replace(
                params, **{knob: type(getattr(params, knob))(value) for knob, value in changes.items()}
            )
        except (AttributeError, ValueError) as error:
            raise ValueError(f"bad look-ahead alternative {name!r}: {error}") from error
    raise ValueError(f"unknown look-ahead alternative {name!r}")


def _candidate(view: EpochView, choices: list[RouteChoice]) -> Candidate:
    orders = view.pending
    known = view.orders
    committed = [c for c in choices if c.commit]
    half_drop = view.params.dropoff_service / 2
    routes = [(c.courier, tuple(int(orders[i]) for i in c.orders)) for c in committed]
    ctd = sum(float(d) - float(known.placed_at[o]) for c, (_, ids) in zip(committed, routes, strict=True)
              for d, o in zip(c.dropoff_at, ids, strict=True))
    return Candidate(
        routes=routes,
        drop_xy=np.array([known.customer_xy[ids[-1]] for _, ids in routes]).reshape(-1, 2),
        free_at=np.array([c.dropoff_at[-1] + half_drop for c in committed], dtype=float),
        ctd_sum=ctd,
    )


def choose_with_lookahead(
    view: EpochView, problem: EpochArrays, plans: list[DispatchParams], lookahead: LookaheadParams
) -> list[Commit]:
    """Plan the epoch with each parameter set; where their commits differ, keep the one whose rolled-out
    future (see `o2o_tui.dispatch.lookahead`) costs least (ties: the first). With `only_on_bundles`, the other
    plans are made only when the first commits a route of more than one order."""
    candidates = [_candidate(view, plan_arrays(problem, plans[0]))]
    if lookahead.only_on_bundles and all(len(orders) == 1 for _, orders in candidates[0].routes):
        return [Commit(courier, orders) for courier, orders in candidates[0].routes]
    for params in plans[1:]:
        candidate = _candidate(view, plan_arrays(problem, params))
        if any(sorted(candidate.routes) == sorted(c.routes) for c in candidates):
            continue
        candidates.append(candidate)
    if len(candidates) > 1:
        rng = np.random.default_rng([lookahead.seed, view.now])
        scenarios = [sample_demand(view, rng, lookahead) for _ in range(lookahead.samples)]
        horizon_end = view.now + lookahead.horizon + plans[0].horizon
        available = np.maximum(np.maximum(view.free_at, view.on_at), view.now)
        rows = np.flatnonzero((available <= horizon_end) & (view.off_at >= view.now))
        scores = [score(c, view, scenarios, rows, lookahead.unserved_ctd) for c in candidates]
        best = candidates[int(np.argmin(scores))]
    else:
        best = candidates[0]
    return [Commit(courier, orders) for courier, orders in best.routes]


def engine_policy(base: DispatchParams | None = None, lookahead: LookaheadParams | None = LOOKAHEAD) -> Policy:
    """The engine as a simulator policy; one instance of it per simulation run. `base`: the engine's knobs
    (default `params.ENGINE_PARAMS`). With `lookahead` (default `params.LOOKAHEAD`; None turns it off), where the
    engine commits a bundle the epoch is also planned with `lookahead.alternatives` and the plan whose rolled-out
    next minutes cost least is committed."""
    state: list[tuple[DispatchParams, DemandTracker]] = []  # set on the first epoch: the rules come with the view

    def decide(view: EpochView) -> list[Commit]:
        if not state:
            params = params_for(view.params, view.capacity, base or ENGINE_PARAMS)
            state.append((params, DemandTracker(len(view.restaurant_xy), params.demand_half_life)))
        params, demand = state[0]
        demand.update(view)
        problem = view_problem(view, demand.shares())
        if lookahead is not None:
            plans = [params, *(alternative(params, name) for name in lookahead.alternatives)]
            return choose_with_lookahead(view, problem, plans, lookahead)
        orders = view.pending
        return [
            Commit(choice.courier, tuple(int(orders[i]) for i in choice.orders))
            for choice in plan_arrays(problem, params)
            if choice.commit
        ]

    return decide
