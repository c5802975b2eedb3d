"""Where the avoidable delay comes from (`o2o_tui.dispatch.headroom`): out of every courier's reach at the minute
an order appeared, or decided by the policy afterwards.

    python -m bench dispatch_headroom [--regimes] [--quick] [--instances GLOB] [--policies engine,b1] [--jobs 2]
        [--json]

Per instance and policy: avoidable delay per order, its out-of-reach part and its decided part. Summary per
policy: the sums over the instances (orders-weighted), the out-of-reach share, and against B1: the total-avoidable
ratio and the same ratio with the policy's decided part taken away ("positioning floor"). A floor near the
ratio says the policy's choices after an order appears cost little: what is left is where couriers stand.
Then by circumstance (`headroom.avoidable_by_circumstance`): the same sums per band of local load (orders ready
around an order's ready time per courier on shift) and for the day's first hour, with each one's share of the
policy's avoidable delay and its ratio to B1's there: where against B1 the ratio is won and where it is lost.
Last, the decided part by cause (`headroom.decided_causes`): what became of the couriers that could have picked
each order up soonest when it appeared, in minutes per order (over all the policy's orders) and as a share of its
decided part.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
from dataclasses import asdict
from multiprocessing import Pool

from bench.dispatch import POLICIES, QUICK_INSTANCES, load_day
from o2o_tui.dispatch.headroom import (
    FIRST_HOUR,
    LOAD_WINDOW,
    FirstSight,
    avoidable_by_circumstance,
    decided_causes,
    split_avoidable,
)
from o2o_tui.dispatch.mdrp import instance_names
from o2o_tui.dispatch.regimes import QUICK_SEEDS, SEEDS, regime_names
from o2o_tui.dispatch.simulator import simulate

DESCRIPTION = "split each policy's avoidable delay into out-of-reach-at-first-sight and decided (long: minutes)"
QUICK = False


def _run(task: tuple[bool, str, str]) -> dict[str, object]:
    regimes, name, policy = task
    watch = FirstSight(POLICIES[policy]())
    result = simulate(load_day(regimes, name), watch, name=policy)
    return {
        "instance": name,
        "policy": policy,
        **asdict(split_avoidable(result, watch)),
        "circumstance": avoidable_by_circumstance(result),
        "causes": decided_causes(result, watch),
    }


def _sums_per_label(rows: list[dict], key: str) -> dict[str, dict[str, list[float]]]:
    """Per policy and label of `row[key]` (label -> (orders, minutes)): the two summed over the instances."""
    sums: dict[str, dict[str, list[float]]] = {}
    for row in rows:
        per_policy = sums.setdefault(str(row["policy"]), {})
        for label, (orders, minutes) in row[key].items():
            total = per_policy.setdefault(label, [0.0, 0.0])
            total[0] += orders
            total[1] += minutes
    return sums


def by_cause(rows: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """Per policy and cause of decided delay: orders, minutes per order of the policy (all its orders) and the
    cause's share of the policy's decided minutes."""
    orders: dict[str, float] = {}
    for row in rows:
        orders[str(row["policy"])] = orders.get(str(row["policy"]), 0.0) + float(row["orders"])
    table: dict[str, dict[str, dict[str, float]]] = {}
    for policy, per_cause in sorted(_sums_per_label(rows, "causes").items()):
        decided = sum(minutes for _, minutes in per_cause.values()) or 1.0
        table[policy] = {
            cause: {"orders": count, "per_order": minutes / max(orders[policy], 1.0), "share": minutes / decided}
            for cause, (count, minutes) in per_cause.items()
        }
    return table


def by_circumstance(rows: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    """Per policy and circumstance (load band, first hour): orders, avoidable per order, the share of the
    policy's avoidable delay it holds and (when B1 ran) its ratio to B1's there."""
    sums = _sums_per_label(rows, "circumstance")
    table: dict[str, dict[str, dict[str, float]]] = {}
    for policy, per_label in sorted(sums.items()):
        # the first hour's orders are in the bands too: the shares are of the bands' sum
        everything = sum(total[1] for label, total in per_label.items() if label != FIRST_HOUR) or 1.0
        table[policy] = {}
        for label, (orders, avoidable) in per_label.items():
            line = {"orders": orders, "avoidable": avoidable / max(orders, 1.0), "share": avoidable / everything}
            b1 = sums.get("b1", {}).get(label)
            if b1 and b1[1] > 0 and policy != "b1":
                line["ratio_to_b1"] = avoidable / b1[1]
            table[policy][label] = line
    return table


def summarize(rows: list[dict]) -> dict[str, dict[str, float]]:
    """Per policy: orders-weighted means, the out-of-reach share, and (when B1 ran) ratios to B1."""
    totals: dict[str, dict[str, float]] = {}
    for row in rows:
        total = totals.setdefault(str(row["policy"]), {"orders": 0.0, "avoidable": 0.0, "out_of_reach": 0.0})
        orders = float(row["orders"])  # type: ignore[arg-type]
        total["orders"] += orders
        total["avoidable"] += orders * float(row["avoidable"])  # type: ignore[arg-type]
        total["out_of_reach"] += orders * float(row["out_of_reach"])  # type: ignore[arg-type]
    b1 = totals.get("b1")
    summary: dict[str, dict[str, float]] = {}
    for policy, total in sorted(totals.items()):
        orders = max(total["orders"], 1.0)
        line = {
            "avoidable": total["avoidable"] / orders,
            "out_of_reach": total["out_of_reach"] / orders,
            "decided": (total["avoidable"] - total["out_of_reach"]) / orders,
            "out_of_reach_share": total["out_of_reach"] / total["avoidable"] if total["avoidable"] else 0.0,
        }
        if b1 and b1["avoidable"] > 0 and policy != "b1":
            line["ratio_to_b1"] = total["avoidable"] / b1["avoidable"]
            line["positioning_floor"] = total["out_of_reach"] / b1["avoidable"]
        summary[policy] = line
    return summary


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dispatch_headroom", description=DESCRIPTION)
    parser.add_argument("--instances", default="*", help="glob over instance names")
    parser.add_argument("--policies", default="engine,b1", help=f"comma list of {', '.join(POLICIES)}")
    parser.add_argument("--regimes", action="store_true", help="the generated city regimes instead of Grubhub's")
    parser.add_argument("--quick", action="store_true", help="the same subset as `bench dispatch --quick`")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    args = parser.parse_args(argv)
    if args.regimes:
        every = regime_names(seeds=QUICK_SEEDS if args.quick else SEEDS)
    else:
        every = [n for n in instance_names() if not args.quick or n in QUICK_INSTANCES]
    names = [n for n in every if fnmatch.fnmatch(n, args.instances)]
    policies = [p for p in args.policies.split(",") if p]
    unknown = [p for p in policies if p not in POLICIES]
    if unknown or not names:
        raise SystemExit(f"unknown policy {unknown}" if unknown else "no instance matches")
    tasks = [(bool(args.regimes), name, policy) for name in names for policy in policies]
    with Pool(max(1, args.jobs)) as pool:
        rows = pool.map(_run, tasks)
    summary = summarize(rows)
    circumstances = by_circumstance(rows)
    causes = by_cause(rows)
    if args.json:
        document = {"instances": rows, "summary": summary, "by_circumstance": circumstances, "by_cause": causes}
        print(json.dumps(document, indent=1))
        return
    print(f"{'instance':20} {'policy':7} {'avoid':>6} {'reach':>6} {'decided':>7}")
    for row in rows:
        print(f"{row['instance']!s:20} {row['policy']!s:7} {row['avoidable']:6.2f} {row['out_of_reach']:6.2f}"
              f" {row['decided']:7.2f}")
    print(f"\n{'policy':7} {'avoid':>6} {'reach':>6} {'decided':>7} {'share':>6} {'vs B1':>6} {'floor':>6}")
    for policy, line in summary.items():
        ratio = f"{line['ratio_to_b1']:6.3f}" if "ratio_to_b1" in line else f"{'':6}"
        floor = f"{line['positioning_floor']:6.3f}" if "positioning_floor" in line else f"{'':6}"
        print(f"{policy:7} {line['avoidable']:6.2f} {line['out_of_reach']:6.2f} {line['decided']:7.2f}"
              f" {line['out_of_reach_share']:6.2f} {ratio} {floor}")
    print(f"\nby circumstance (load: orders ready within +-{LOAD_WINDOW:g} min per courier on shift; first hour: of"
          " courier shifts, also counted in its band)")
    print(f"{'policy':7} {'circumstance':14} {'orders':>7} {'avoid':>6} {'share':>6} {'vs B1':>6}")
    for policy, per_label in circumstances.items():
        for label, line in per_label.items():
            ratio = f"{line['ratio_to_b1']:6.3f}" if "ratio_to_b1" in line else f"{'':6}"
            print(f"{policy:7} {label:14} {line['orders']:7.0f} {line['avoidable']:6.2f} {line['share']:6.2f} {ratio}")
    print("\ndecided, by cause (first couriers: those that could have picked an order up soonest when it appeared)")
    print(f"{'policy':7} {'cause':38} {'orders':>7} {'min/order':>9} {'share':>6}")
    for policy, per_cause in causes.items():
        for cause, line in per_cause.items():
            print(f"{policy:7} {cause:38} {line['orders']:7.0f} {line['per_order']:9.3f} {line['share']:6.2f}")
