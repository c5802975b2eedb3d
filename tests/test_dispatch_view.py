"""The policy's view holds no future order: by construction, not by the policy's good manners."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from o2o_tui.dispatch import baselines
from o2o_tui.dispatch.adapters import engine_policy
from o2o_tui.dispatch.generator import generate
from o2o_tui.dispatch.lookahead import LookaheadParams
from o2o_tui.dispatch.mdrp import MdrpInstance
from o2o_tui.dispatch.simulator import Commit, EpochView, Policy, simulate


def _with_future_order(instance: MdrpInstance, placed: int) -> MdrpInstance:
    """The same day plus one order placed at `placed`, listed FIRST in the files (index 0), ready soon after."""
    return dataclasses.replace(
        instance,
        order_ids=["planted", *instance.order_ids],
        customer_xy=np.vstack([instance.customer_xy[:1] + 50.0, instance.customer_xy]),
        placed_at=np.concatenate([[placed], instance.placed_at]),
        ready_at=np.concatenate([[placed + 5], instance.ready_at]),
        order_restaurant=np.concatenate([[0], instance.order_restaurant]),
    )


def _recording(policy: Policy, log: list[tuple[int, tuple[Commit, ...]]]) -> Policy:
    def decide(view: EpochView) -> list[Commit]:
        commits = list(policy(view))
        log.append((view.now, tuple(commits)))
        return commits

    return decide


@pytest.mark.parametrize(
    "make", [engine_policy, lambda: engine_policy(lookahead=LookaheadParams()), lambda: baselines.b1]
)
def test_a_planted_future_order_changes_nothing_before_its_placement(make) -> None:
    day = generate(5, orders=70, couriers=10)
    planted_at = 120
    plain: list[tuple[int, tuple[Commit, ...]]] = []
    planted: list[tuple[int, tuple[Commit, ...]]] = []
    simulate(day, _recording(make(), plain))
    simulate(_with_future_order(day, planted_at), _recording(make(), planted))
    before = [entry for entry in plain if entry[0] < planted_at]
    assert before and any(commits for _, commits in before)
    assert [entry for entry in planted if entry[0] < planted_at] == before


def test_the_view_holds_only_placed_orders_and_cannot_be_written() -> None:
    instance = _with_future_order(generate(6, orders=40, couriers=8), placed=100)
    seen: list[int] = []

    def snoop(view: EpochView) -> list[Commit]:
        known = view.orders
        placed_so_far = int((instance.placed_at <= view.now).sum())
        assert len(known) == placed_so_far == known.ready_at.size == len(known.customer_xy)
        assert (known.placed_at <= view.now).all()
        assert (known.restaurant[view.pending] >= 0).all()
        with pytest.raises(IndexError):
            known.placed_at[placed_so_far]  # the next order has no row yet
        for array in (known.placed_at, known.ready_at, view.pending, view.courier_xy, view.free_at, view.off_at):
            with pytest.raises(ValueError, match="read-only"):
                array[...] = 0
        assert not hasattr(view, "instance")
        assert known.demand_counts(len(view.restaurant_xy)).sum() == placed_so_far
        seen.append(view.now)
        return baselines.b1(view)

    result = simulate(instance, snoop)
    assert seen and seen[-1] >= 100
    # the planted order (index 0 of the instance, placed last) was seen and delivered in the instance's indices
    assert result.assigned_at[0] >= 100 and not np.isnan(result.dropoff_at[0])
