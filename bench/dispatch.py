"""Dispatch policies on the Grubhub MDRP instances (`../shared/mdrp`, or $O2O_MDRP_DIR), or on the generated city
regimes (`--regimes`, `o2o_tui.dispatch.regimes`): the engine against the greedy and per-minute Hungarian (B1)
baselines and the lower bound, in one run.

    python -m bench dispatch [--regimes] [--quick] [--instances GLOB] [--policies engine,b1,greedy] [--json]
                             [--jobs N]

Prints per instance and per family (per regime with `--regimes`): mean and p90 click-to-door (undelivered =
180), on-time rate, share delivered, ready-to-pickup wait, orders per courier-hour, decision time p50/p99 per
epoch and the lower bound. Then, for each policy other than B1, the headline against B1
(`o2o_tui.dispatch.headline`): geometric means of CtD / CtD_B1 and of the avoidable-delay ratio
(CtD - LB) / (CtD_B1 - LB), the total-avoidable ratio (sum over instances of CtD - LB over the same for B1),
the same on the instances where B1 leaves >= 2 minutes avoidable, the worst instance, the instances whose mean
CtD is more than 1% above B1's, the share delivered against B1's and the instance with the fewest orders
delivered compared with B1; overall and per regime (`--regimes`) or per family.

`--quick` (for iterating): on the Grubhub data, seed 0 of each of the 24 families (242-505 orders) plus
7o100t100s1p100 (the largest, 3,213 orders); with `--regimes`, seed 0 of each regime. Engine parameters may
be tuned on the regimes (or the o50 instances), never on the 240 as a whole: they are for measuring.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import sys
import time
from collections.abc import Callable
from dataclasses import asdict
from multiprocessing import Pool

import numpy as np

from o2o_tui.dispatch import baselines
from o2o_tui.dispatch.adapters import engine_policy
from o2o_tui.dispatch.headline import Headline, Pair, describe, headline
from o2o_tui.dispatch.mdrp import MdrpInstance, family_of, instance_names, load_named, mdrp_dir
from o2o_tui.dispatch.metrics import summarize
from o2o_tui.dispatch.regimes import QUICK_SEEDS, REGIMES, SEEDS, regime_instance, regime_names, regime_of
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
    ("avoidable", "avoid", "{:5.2f}"),
)
QUICK_INSTANCES = tuple(f"0{family}" for family in (
    f"{size}{travel}{shifts}{prep}" for size in ("o100", "o50", "r50") for travel in ("t100", "t75")
    for shifts in ("s1", "s2") for prep in ("p100", "p125")
)) + ("7o100t100s1p100",)


def load_day(regimes: bool, name: str) -> MdrpInstance:
    """A generated regime's day (`dense-3`) or a Grubhub instance (`0o50t75s1p100`), by name."""
    return regime_instance(name) if regimes else load_named(name)


def _run(task: tuple[str, str, str]) -> dict[str, float | int | str]:
    source, name, policy = task
    started = time.perf_counter()
    summary = summarize(simulate(load_day(source == "regimes", name), POLICIES[policy](), name=policy))
    summary["delivered_orders"] = int(round(float(summary["delivered"]) * int(summary["orders"])))
    summary["avoidable"] = float(summary["ctd_mean"]) - float(summary["lower_bound"])
    summary["seconds"] = time.perf_counter() - started
    return summary


def _group(name: str) -> str:
    """The family of a Grubhub instance (`3o50t100s1p100` -> `o50t100s1p100`) or the regime of a generated one."""
    return regime_of(name) if regime_of(name) in REGIMES else family_of(name)


def _family_means(rows: list[dict]) -> dict[str, dict[str, dict[str, float]]]:
    grouped: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        grouped.setdefault((_group(str(row["instance"])), str(row["policy"])), []).append(row)
    families: dict[str, dict[str, dict[str, float]]] = {}
    for (family, policy), members in sorted(grouped.items()):
        means = {key: float(np.mean([m[key] for m in members])) for key, _, _ in COLUMNS}
        means["instances"] = len(members)
        families.setdefault(family, {})[policy] = means
    return families


def pairs_against_b1(rows: list[dict], policy: str) -> list[Pair]:
    """One `Pair` per instance that both `policy` and B1 ran on."""
    by_key = {(str(r["instance"]), str(r["policy"])): r for r in rows}
    pairs = []
    for name in sorted({str(r["instance"]) for r in rows}):
        mine, base = by_key.get((name, policy)), by_key.get((name, "b1"))
        if mine is None or base is None:
            continue
        pairs.append(Pair(
            name=name, orders=int(base["orders"]), ctd=float(mine["ctd_mean"]), ctd_b1=float(base["ctd_mean"]),
            lower_bound=float(base["lower_bound"]), delivered=int(mine["delivered_orders"]),
            delivered_b1=int(base["delivered_orders"]),
        ))
    return pairs


def _ratios(rows: list[dict], policies: list[str]) -> dict[str, dict]:
    """Per candidate policy: the headline against B1, overall and per family or regime."""
    result: dict[str, dict] = {}
    for policy in policies:
        if policy == "b1" or "b1" not in policies:
            continue
        pairs = pairs_against_b1(rows, policy)
        groups: dict[str, list[Pair]] = {}
        for pair in pairs:
            groups.setdefault(_group(pair.name), []).append(pair)
        overall = headline(pairs)
        by_name = {(str(r["instance"]), str(r["policy"])): r for r in rows}
        result[policy] = {
            **asdict(overall),
            # kept from before the headline, for whoever reads the JSON
            "delivered_mean": float(np.mean([by_name[(p.name, policy)]["delivered"] for p in pairs]))
            if pairs else math.nan,
            "b1_delivered_mean": float(np.mean([by_name[(p.name, "b1")]["delivered"] for p in pairs]))
            if pairs else math.nan,
            "instances_delivering_less_than_b1": sum(p.delivered < p.delivered_b1 for p in pairs),
            "families": {group: asdict(headline(members)) for group, members in sorted(groups.items())},
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


def _json_safe(value: object) -> object:
    """NaN (a headline over no instances, e.g. no instance where B1 leaves 2 minutes) as null: strict JSON."""
    if isinstance(value, float) and math.isnan(value):
        return None
    if isinstance(value, dict):
        return {key: _json_safe(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_json_safe(item) for item in value]
    return value


def _headline_of(values: dict) -> Headline:
    return Headline(**{key: values[key] for key in Headline.__dataclass_fields__})


def _names(args: argparse.Namespace) -> list[str]:
    if args.regimes:
        every = regime_names(seeds=QUICK_SEEDS if args.quick else SEEDS)
    else:
        every = [n for n in instance_names() if not args.quick or n in QUICK_INSTANCES]
    return [n for n in every if fnmatch.fnmatch(n, args.instances)]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dispatch", description=DESCRIPTION)
    parser.add_argument("--instances", default="*", help="glob over instance names, e.g. '*o50*' or '0o100t100s1p100'")
    parser.add_argument("--policies", default="engine,b1,greedy", help=f"comma list of {', '.join(POLICIES)}")
    parser.add_argument("--regimes", action="store_true",
                        help=f"the generated city regimes ({', '.join(REGIMES)}; seeds {SEEDS}) instead of Grubhub's")
    parser.add_argument("--quick", action="store_true",
                        help="a small subset: Grubhub seed 0 of every family + 7o100t100s1p100; regimes: seed 0")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes (instances run in parallel)")
    args = parser.parse_args(argv)
    policies = [p.strip() for p in args.policies.split(",") if p.strip()]
    unknown = [p for p in policies if p not in POLICIES]
    if unknown:
        parser.error(f"unknown policies: {', '.join(unknown)}")
    source = "regimes" if args.regimes else "mdrp"
    names = _names(args)
    if not names:
        where = "the regimes" if args.regimes else str(mdrp_dir() / "instances")
        print(f"no MDRP instances match {args.instances!r} under {where}; "
              "set O2O_MDRP_DIR to the folder holding instances/", file=sys.stderr)
        return
    tasks = [(source, name, policy) for name in names for policy in policies]
    # the biggest instances first, so the last stragglers are small ones
    if args.regimes:
        sizes = {name: REGIMES[regime_of(name)].orders for name in names}
    else:
        sizes = {name: (mdrp_dir() / "instances" / name / "orders.txt").stat().st_size for name in names}
    tasks.sort(key=lambda task: -sizes[task[1]])
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
        print(json.dumps(_json_safe({"instances": rows, "families": families, "overall": ratios, "largest": largest,
                                     "policies": policies, "source": source,
                                     "seconds": time.perf_counter() - started}), indent=1, allow_nan=False))
        return
    group = "regime" if args.regimes else "family"
    _print_table("per instance", [(str(r["instance"]), str(r["policy"]), r) for r in rows])
    _print_table(f"per {group} (means over seeds)",
                 [(family, policy, values) for family, by in families.items() for policy, values in by.items()])
    for policy, summary in ratios.items():
        print(f"\n{policy} vs b1 (avoidable = CtD - LB; ratios < 1 beat B1):")
        if args.regimes:
            for regime, values in summary["families"].items():
                print(describe(regime, _headline_of(values)))
        else:
            for family, values in summary["families"].items():
                h = _headline_of(values)
                print(f"  {family:16} CtD geomean {h.ctd_ratio_geomean:.4f}  avoidable geomean "
                      f"{h.avoidable_ratio_geomean:.3f}  total {h.total_avoidable_ratio:.3f}  "
                      f"worst {h.worst} {h.worst_ratio:.3f}")
        print(describe("all", _headline_of(summary)))
    for policy, values in largest.items():
        print(f"largest ({values['orders']} orders, {', '.join(values['instances'])}) {policy}: "
              f"decision p99 {values['decision_p99_ms_max']:.1f} ms, p50 {values['decision_p50_ms_max']:.2f} ms")
