"""The headline of a dispatch benchmark: a policy against B1 over a set of instances (issue 13, item 4).

The geometric mean of per-instance avoidable-delay ratios gives full weight to instances where B1 leaves a few
seconds, so it is printed beside:

- the total-avoidable ratio: sum over instances of (CtD - LB) for the policy over the same sum for B1 (CtD and
  LB are each instance's means over its orders, undelivered = 180);
- the same over the instances where B1 leaves at least `SERIOUS_MINUTES` avoidable;
- the worst instance (highest avoidable ratio), overall and among those;
- how many instances have a mean click-to-door more than 1% above B1's;
- the share delivered, overall (orders delivered / orders), against B1's, and the instance where the policy
  delivers the fewest orders compared with B1 (its difference in orders: negative = fewer than B1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

RATIO_FLOOR = 1e-3  # minutes: an avoidable delay of zero would break ratios and the geometric mean
SERIOUS_MINUTES = 2.0  # "where B1 leaves >= 2 min avoidable"
CTD_TOLERANCE = 0.01  # an instance counts as worse than B1 when its mean CtD exceeds B1's by more than 1%


@dataclass(frozen=True)
class Pair:
    """One instance: the policy's and B1's means, the lower bound, and the orders each delivered."""

    name: str
    orders: int
    ctd: float
    ctd_b1: float
    lower_bound: float
    delivered: int
    delivered_b1: int

    @property
    def avoidable(self) -> float:
        return self.ctd - self.lower_bound

    @property
    def avoidable_b1(self) -> float:
        return self.ctd_b1 - self.lower_bound

    @property
    def ratio(self) -> float:
        """Avoidable-delay ratio against B1 (B1's avoidable floored at RATIO_FLOOR)."""
        return self.avoidable / max(self.avoidable_b1, RATIO_FLOOR)


@dataclass(frozen=True)
class Headline:
    instances: int
    ctd_ratio_geomean: float
    avoidable_ratio_geomean: float
    total_avoidable_ratio: float
    avoidable_mean: float  # minutes per instance (the total-avoidable ratio's numerator / instances)
    avoidable_mean_b1: float
    serious_instances: int  # where B1 leaves >= SERIOUS_MINUTES
    serious_total_avoidable_ratio: float
    worst: str
    worst_ratio: float
    serious_worst: str
    serious_worst_ratio: float
    ctd_above_b1: int  # instances with mean CtD > B1's by more than CTD_TOLERANCE
    delivered_share: float
    delivered_share_b1: float
    fewest_delivered: str  # the instance where delivered - delivered_b1 is lowest
    fewest_delivered_difference: int


def geomean(values: Sequence[float]) -> float:
    """Geometric mean, each value floored at RATIO_FLOOR; nan for no values."""
    if not values:
        return math.nan
    return math.exp(sum(math.log(max(v, RATIO_FLOOR)) for v in values) / len(values))


def total_avoidable_ratio(pairs: Sequence[Pair]) -> float:
    """Sum of the policy's avoidable delay over the sum of B1's (nan for no instances)."""
    if not pairs:
        return math.nan
    return sum(p.avoidable for p in pairs) / max(sum(p.avoidable_b1 for p in pairs), RATIO_FLOOR)


def worst(pairs: Sequence[Pair]) -> tuple[str, float]:
    """The instance with the highest avoidable ratio (first by name on ties); ("", nan) for none."""
    if not pairs:
        return "", math.nan
    top = max(sorted(pairs, key=lambda p: p.name), key=lambda p: p.ratio)
    return top.name, top.ratio


def headline(pairs: Sequence[Pair]) -> Headline:
    serious = [p for p in pairs if p.avoidable_b1 >= SERIOUS_MINUTES]
    worst_name, worst_ratio = worst(pairs)
    serious_name, serious_ratio = worst(serious)
    orders = sum(p.orders for p in pairs)
    fewest = min(sorted(pairs, key=lambda p: p.name), key=lambda p: p.delivered - p.delivered_b1, default=None)
    return Headline(
        instances=len(pairs),
        ctd_ratio_geomean=geomean([p.ctd / p.ctd_b1 for p in pairs]),
        avoidable_ratio_geomean=geomean([p.ratio for p in pairs]),
        total_avoidable_ratio=total_avoidable_ratio(pairs),
        avoidable_mean=sum(p.avoidable for p in pairs) / len(pairs) if pairs else math.nan,
        avoidable_mean_b1=sum(p.avoidable_b1 for p in pairs) / len(pairs) if pairs else math.nan,
        serious_instances=len(serious),
        serious_total_avoidable_ratio=total_avoidable_ratio(serious),
        worst=worst_name,
        worst_ratio=worst_ratio,
        serious_worst=serious_name,
        serious_worst_ratio=serious_ratio,
        ctd_above_b1=sum(p.ctd > p.ctd_b1 * (1 + CTD_TOLERANCE) for p in pairs),
        delivered_share=sum(p.delivered for p in pairs) / orders if orders else math.nan,
        delivered_share_b1=sum(p.delivered_b1 for p in pairs) / orders if orders else math.nan,
        fewest_delivered=fewest.name if fewest else "",
        fewest_delivered_difference=fewest.delivered - fewest.delivered_b1 if fewest else 0,
    )


def describe(label: str, h: Headline) -> str:
    """Two lines for a terminal."""
    return (
        f"{label:10} n={h.instances:3}  avoidable geomean {h.avoidable_ratio_geomean:.3f}  "
        f"total {h.total_avoidable_ratio:.3f} ({h.avoidable_mean:.2f} vs {h.avoidable_mean_b1:.2f} min)  B1>={SERIOUS_MINUTES:g}min: total {h.serious_total_avoidable_ratio:.3f} "
        f"(n={h.serious_instances})  CtD geomean {h.ctd_ratio_geomean:.4f}\n"
        f"{'':10} worst {h.worst} {h.worst_ratio:.3f}"
        + (f" (B1>={SERIOUS_MINUTES:g}min: {h.serious_worst} {h.serious_worst_ratio:.3f})" if h.serious_worst else "")
        + f"  CtD >1% above B1: {h.ctd_above_b1}  delivered {h.delivered_share:.4f} (B1 {h.delivered_share_b1:.4f})"
        f"  fewest vs B1: {h.fewest_delivered} {h.fewest_delivered_difference:+d} orders"
    )
