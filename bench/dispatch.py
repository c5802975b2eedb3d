"""Dispatch policies on the Grubhub MDRP instances (`../shared/mdrp`, or $O2O_MDRP_DIR): the engine against the
greedy and per-minute Hungarian (B1) baselines and the lower bound, in one run.

    python -m bench dispatch [--instances GLOB] [--policies engine,b1,greedy] [--json] [--jobs N]

Prints per instance and per family: mean and p90 click-to-door (undelivered = 180), on-time rate, share
delivered, ready-to-pickup wait, orders per courier-hour, decision time p50/p99 per epoch and the lower bound;
overall, for each policy other than B1, the geometric means of CtD / CtD_B1 and of the avoidable-delay ratio
(CtD - LB) / (CtD_B1 - LB). Engine parameters were tuned on the o50 instances only.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import sys
import time
from collections.abc import Callable
from multiprocessing import Pool

import numpy as np

from o2o_tui.dispatch import baselines
from o2o_tui.dispatch.adapters import engine_policy
from o2o_tui.dispatch.mdrp import family_of, instance_names, load_named, mdrp_dir
from o2o_tui.dispatch.metrics import summarize
from o2o_tui.dispatch.simulator import Policy, simulate

DESCRIPTION = "dispatch engine vs greedy and B1 on the Grubhub MDRP instances (long: minutes)"
QUICK = False

POLICIES: dict[str, Callable[[], Policy]] = {
    "engine": engine_policy,
    "b1": lambda: baselines.b1,
    "greedy": lambda: baselines.greedy,
}
COLUMNS = (
    ("ctd_mean", "CtD", "{:6.2f}"),
    ("ctd_p90", "p90", "{:5.1f}"),
    ("on_time", "ontime", "{:6.3f}"),
    ("delivered", "deliv", "{:5.3f}"),
    ("ready_wait", "wait", "{:5.2f}"),
    ("orders_per_courier_hour", "o/c-h", "{:5.2f}"),
    ("decision_p50_ms", "p50ms", "{:6.2f}"),
    ("decision_p99_ms", "p99ms", "{:6.1f}"),
    ("lower_bound", "LB", "{:6.2f}"),
)
_RATIO_FLOOR = 1e-3  # an avoidable delay of zero would break the geometric mean


def _run(task: tuple[str, str]) -> dict[str, float | int | str]:
    name, policy = task
    started = time.perf_counter()
    summary = summarize(simulate(load_named(name), POLICIES[policy](), name=policy))
    summary["seconds"] = time.perf_counter() - started
    return summary


def _geomean(values: list[float]) -> float:
    return float(math.exp(np.mean(np.log(np.maximum(values, _RATIO_FLOOR))))) if values else float("nan")


def _family_means(rows: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    grouped: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        grouped.setdefault((family_of(str(row["instance"])), str(row["policy"])), []).append(row)
    families: dict[str, dict[str, dict[str, float]]] = {}
    for (family, policy), members in sorted(grouped.items()):
        means = {key: float(np.mean([m[key] for m in members])) for key, _, _ in COLUMNS}
        means["instances"] = len(members)
        families.setdefault(family, {})[policy] = means
    return families


def _ratios(rows: list[dict], policies: list[str]) -> dict[str, dict]:
    """Per candidate policy: geometric means against B1, overall and per family."""
    by_key = {(r["instance"], r["policy"]): r for r in rows}
    names = sorted({str(r["instance"]) for r in rows})
    result: dict[str, dict] = {}
    for policy in policies:
        if policy == "b1" or "b1" not in policies:
            continue
        ctd_ratio: list[float] = []
        avoidable: list[float] = []
        per_family: dict[str, tuple[list[float], list[float]]] = {}
        less_delivered = 0
        for name in names:
            mine, base = by_key.get((name, policy)), by_key.get((name, "b1"))
            if mine is None or base is None:
                continue
            lower = float(base["lower_bound"])
            ctd = float(mine["ctd_mean"]) / float(base["ctd_mean"])
            avoid = (float(mine["ctd_mean"]) - lower) / max(float(base["ctd_mean"]) - lower, _RATIO_FLOOR)
            ctd_ratio.append(ctd)
            avoidable.append(avoid)
            fam = per_family.setdefault(family_of(name), ([], []))
            fam[0].append(ctd)
            fam[1].append(avoid)
            less_delivered += float(mine["delivered"]) < float(base["delivered"])
        result[policy] = {
            "instances": len(ctd_ratio),
            "ctd_ratio_geomean": _geomean(ctd_ratio),
            "avoidable_ratio_geomean": _geomean(avoidable),
            "delivered_mean": float(np.mean([by_key[(n, policy)]["delivered"] for n in names if (n, policy) in by_key])),
            "b1_delivered_mean": float(np.mean([by_key[(n, "b1")]["delivered"] for n in names if (n, "b1") in by_key])),
            "instances_delivering_less_than_b1": int(less_delivered),
            "families": {
                family: {"ctd_ratio_geomean": _geomean(c), "avoidable_ratio_geomean": _geomean(a)}
                for family, (c, a) in sorted(per_family.items())
            },
        }
    return result


def _largest(rows: list[dict]) -> dict[str, dict]:
    """Decision times on the instance with the most orders (the budget's reference)."""
    if not rows:
        return {}
    biggest = max(int(r["orders"]) for r in rows)
    names = sorted({str(r["instance"]) for r in rows if int(r["orders"]) == biggest})
    out: dict[str, dict] = {}
    for policy in sorted({str(r["policy"]) for r in rows}):
        mine = [r for r in rows if r["policy"] == policy and r["instance"] in names]
        if mine:
            out[policy] = {
                "instances": names,
                "orders": biggest,
                "decision_p99_ms_max": max(float(r["decision_p99_ms"]) for r in mine),
                "decision_p50_ms_max": max(float(r["decision_p50_ms"]) for r in mine),
            }
    return out


def _print_table(title: str, rows: list[tuple[str, str, dict]]) -> None:
    print(f"\n{title}")
    print(f"{'instance':20} {'policy':7} " + " ".join(f"{label:>{len(fmt.format(0))}}" for _, label, fmt in COLUMNS))
    for name, policy, values in rows:
        print(f"{name:20} {policy:7} " + " ".join(fmt.format(values[key]) for key, _, fmt in COLUMNS))


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dispatch", description=DESCRIPTION)
    parser.add_argument("--instances", default="*", help="glob over instance names, e.g. '*o50*' or '0o100t100s1p100'")
    parser.add_argument("--policies", default="engine,b1,greedy", help=f"comma list of {', '.join(POLICIES)}")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (instances run in parallel)")
    args = parser.parse_args(argv)
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    unknown = [p for p in policies if p not in POLICIES]
    if unknown:
        parser.error(f"unknown policies: {', '.join(unknown)}")
    names = [n for n in instance_names() if fnmatch.fnmatch(n, args.instances)]
    if not names:
        print(f"no MDRP instances match {args.instances!r} under {mdrp_dir() / 'instances'}; "
              "set O2O_MDRP_DIR to the folder holding instances/", file=sys.stderr)
        return
    tasks = [(name, policy) for name in names for policy in policies]
    # the biggest instances first, so the last stragglers are small ones
    sizes = {name: (mdrp_dir() / "instances" / name / "orders.txt").stat().st_size for name in names}
    tasks.sort(key=lambda task: -sizes[task[0]])
    rows: list[dict] = []
    started = time.perf_counter()
    with Pool(max(1, args.jobs)) as pool:
        for done, row in enumerate(pool.imap_unordered(_run, tasks), start=1):
            rows.append(row)
            print(f"[{done}/{len(tasks)}] {row['instance']} {row['policy']}: CtD {row['ctd_mean']:.2f} "
                  f"({row['seconds']:.1f}s, {time.perf_counter() - started:.0f}s total)", file=sys.stderr)
    rows.sort(key=lambda r: (str(r["instance"]), policies.index(str(r["policy"]))))
    families = _family_means(rows)
    ratios = _ratios(rows, policies)
    largest = _largest(rows)
    if args.json:
        print(json.dumps({"instances": rows, "families": families, "overall": ratios, "largest": largest,
                          "policies": policies, "seconds": time.perf_counter() - started}, indent=1))
        return
    _print_table("per instance", [(str(r["instance"]), str(r["policy"]), r) for r in rows])
    _print_table("per family (means over seeds)",
                 [(family, policy, values) for family, by in families.items() for policy, values in by.items()])
    for policy, summary in ratios.items():
        print(f"\n{policy} vs b1 over {summary['instances']} instances: "
              f"CtD ratio geomean {summary['ctd_ratio_geomean']:.4f}, "
              f"avoidable-delay ratio geomean {summary['avoidable_ratio_geomean']:.3f}, "
              f"delivered {summary['delivered_mean']:.4f} (b1 {summary['b1_delivered_mean']:.4f}, "
              f"{summary['instances_delivering_less_than_b1']} instances below b1)")
        for family, values in summary["families"].items():
            print(f"  {family:16} CtD ratio {values['ctd_ratio_geomean']:.4f}  "
                  f"avoidable {values['avoidable_ratio_geomean']:.3f}")
    for policy, values in largest.items():
        print(f"largest ({values['orders']} orders, {', '.join(values['instances'])}) {policy}: "
              f"decision p99 {values['decision_p99_ms_max']:.1f} ms, p50 {values['decision_p50_ms_max']:.2f} ms")
