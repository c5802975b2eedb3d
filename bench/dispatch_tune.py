"""Choose the engine's parameters on generated regimes (issue 13 item 3), never on the Grubhub 240.

    python -m bench dispatch_tune [--seeds 10,11,...,29] [--regimes dense,suburb,...] [--variants base,knob=value,...]
        [--jobs 1] [--json FILE] [--noise N]

Tuning seeds are 10 and up: the regimes' measuring seeds (0-4, `regimes.SEEDS`) are left for `bench dispatch
--regimes`. For each variant (the default parameters with one or more knobs changed; `base` = the defaults), each
regime: the total-avoidable ratio sum(CtD - LB) / sum(CtD_B1 - LB) over its tuning seeds. The rule that picks a
parameter set: the smallest worst-regime ratio; ratios within 0.01 of it tie and the mean over the regimes decides;
means within 0.005 tie too and then the first variant named (the standing choice) stays.

Since stop 27 the rule runs on twenty seeds (10-29) with margins from null changes: `--noise N` runs the first
variant with N knobs nudged by 1% (coverage weight, food-wait weight, ..., each down and up), changes no
dispatcher would call a decision, and prints how far that alone moves each regime. On twenty seeds that was at most
0.005 on the worst regime (dense) and 0.004 on the mean; on five seeds (10-14, the rule until stop 26, with 0.03 and
0.01 from reseeding the look-ahead) it was 0.06 on rich and 0.015 on the mean, and the standing set, chosen there
among some 150 variants, had the best mean of its nudges on 10-14 and a middling one on 15-29: a winner's curse.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import sys
import time
from multiprocessing import Pool

import msgspec
import numpy as np

from o2o_tui.dispatch import baselines
from o2o_tui.dispatch.adapters import engine_policy
from o2o_tui.dispatch.lookahead import LookaheadParams
from o2o_tui.dispatch.metrics import lower_bounds, summarize
from o2o_tui.dispatch.model import DispatchParams
from o2o_tui.dispatch.params import LOOKAHEAD
from o2o_tui.dispatch.regimes import REGIMES, regime_instance
from o2o_tui.dispatch.simulator import Policy, simulate

DESCRIPTION = "choose the dispatch engine's parameters on the generated regimes' tuning seeds (long: minutes)"
QUICK = False
TUNING_SEEDS = tuple(range(10, 30))
TIE = 0.01  # worst-regime ratios this close tie: twice what a 1% nudge of a knob moves the worst regime (20 seeds)
MEAN_TIE = 0.005  # means this close tie too (the nudges move the mean by 0.004): then the standing choice (the
# first variant named) stays, so a change must buy more than chance does
# null changes for `--noise`: each knob nudged 1% down, then up, in this order
NUDGED_KNOBS = ("coverage_weight", "food_wait_weight", "overdue_priority", "rescue_weight")


def parse_variant(text: str) -> tuple[dict[str, float | int], LookaheadParams | None]:
    """`base` -> defaults; `horizon=20;coverage_weight=0.5` -> those knobs; `la` turns the chosen look-ahead on
    (`params.LOOKAHEAD`), with `la.samples=2`, `la.alternatives=singles+short` changing its own knobs."""
    fields = {f.name: f.type for f in msgspec.structs.fields(DispatchParams)}
    knobs: dict[str, float | int] = {}
    lookahead: dict[str, object] | None = None
    for part in text.split(";"):
        key, _, value = part.partition("=")
        if key in ("base", ""):
            continue
        if key == "la":
            lookahead = lookahead or {}
        elif key.startswith("la."):
            lookahead = lookahead or {}
            name = key[3:]
            kind = {f.name: f.type for f in dataclasses.fields(LookaheadParams)}.get(name)
            if kind is None:
                raise SystemExit(f"unknown look-ahead knob {name!r}")
            lookahead[name] = (tuple(value.split("+")) if name == "alternatives"
                               else value == "1" if kind in (bool, "bool")
                               else int(value) if kind in (int, "int") else float(value))
        elif key in fields:
            knobs[key] = int(value) if fields[key] in (int, "int") else float(value)
        else:
            raise SystemExit(f"unknown knob {key!r}")
    # `la` is the chosen look-ahead (`params.LOOKAHEAD`), `la.x=y` changes it
    return knobs, (dataclasses.replace(LOOKAHEAD, **lookahead) if lookahead is not None else None)  # type: ignore[arg-type]


def policy_of(variant: str) -> Policy:
    if variant == "b1":
        return baselines.b1
    knobs, lookahead = parse_variant(variant)
    return engine_policy(msgspec.structs.replace(DispatchParams(), **knobs), lookahead)


def _run(task: tuple[str, str]) -> dict[str, float | str]:
    name, variant = task
    instance = regime_instance(name)
    policy = policy_of(variant)
    started = time.perf_counter()
    result = simulate(instance, policy, name=variant)
    summary = summarize(result)
    return {
        "instance": name,
        "variant": variant,
        "ctd_mean": float(summary["ctd_mean"]),
        "lb_mean": float(lower_bounds(result).mean()),
        "orders": float(summary["orders"]),
        "delivered": float(summary["delivered"]),
        "p99_ms": float(summary["decision_p99_ms"]),
        "seconds": time.perf_counter() - started,
    }


def table(rows: list[dict], variants: list[str], regimes: list[str]) -> dict[str, dict[str, float]]:
    """variant -> regime -> total-avoidable ratio against B1 (orders-weighted sums of CtD - LB)."""
    by = {(r["instance"], r["variant"]): r for r in rows}
    out: dict[str, dict[str, float]] = {}
    for variant in variants:
        per: dict[str, float] = {}
        for regime in regimes:
            mine = base = 0.0
            for (name, v), row in by.items():
                if v != variant or name.rpartition("-")[0] != regime or (name, "b1") not in by:
                    continue
                b1 = by[(name, "b1")]
                mine += (row["ctd_mean"] - row["lb_mean"]) * row["orders"]
                base += (b1["ctd_mean"] - b1["lb_mean"]) * b1["orders"]
            per[regime] = mine / base if base > 0 else float("nan")
        per["worst"] = max(per[r] for r in regimes)
        per["mean"] = float(np.mean([per[r] for r in regimes]))
        out[variant] = per
    return out


def choose(ratios: dict[str, dict[str, float]], standing: str | None = None) -> str:
    """The smallest worst regime; within `TIE` of it the smallest mean; the `standing` choice stays unless
    that mean beats its own by more than `MEAN_TIE`."""
    best_worst = min(v["worst"] for v in ratios.values())
    near = [name for name, v in ratios.items() if v["worst"] <= best_worst + TIE]
    best = min(near, key=lambda name: (ratios[name]["mean"], ratios[name]["worst"]))
    if standing in near and ratios[standing]["mean"] <= ratios[best]["mean"] + MEAN_TIE:
        return standing
    return best


def noise_variants(variant: str, count: int) -> list[str]:
    """`variant` with `count` null changes: one knob at a time (`NUDGED_KNOBS`) 1% down, then up. Nothing a
    dispatcher would call a decision changes, yet the days run apart: the spread of their ratios is how far chance
    alone moves a regime on these seeds. (Reseeding the look-ahead, the measure until stop 26, moved rich not at
    all: the look-ahead rarely acts there.)"""
    knobs, _ = parse_variant(variant)
    if count > 2 * len(NUDGED_KNOBS):
        raise SystemExit(f"--noise: at most {2 * len(NUDGED_KNOBS)} nudges")
    defaults = DispatchParams()
    nudged = []
    for k in range(count):
        knob = NUDGED_KNOBS[k // 2]
        value = float(knobs.get(knob, getattr(defaults, knob))) * (0.99 if k % 2 == 0 else 1.01)
        nudged.append(f"{variant};{knob}={value:.6g}")
    return nudged


def spread(ratios: dict[str, dict[str, float]], variants: list[str], regimes: list[str]) -> dict[str, float]:
    """Per regime (and for the worst and the mean): the largest minus the smallest ratio among `variants`."""
    return {
        key: max(ratios[v][key] for v in variants) - min(ratios[v][key] for v in variants)
        for key in [*regimes, "worst", "mean"]
    }


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dispatch_tune")
    parser.add_argument("--seeds", default=",".join(map(str, TUNING_SEEDS)))
    parser.add_argument("--regimes", default=",".join(REGIMES))
    parser.add_argument("--variants", default="base", help="'|'-separated: base, or knob=value;knob=value")
    parser.add_argument("--jobs", type=int, default=1)
    parser.add_argument("--json", default="", help="also write rows and ratios to this file")
    parser.add_argument("--noise", type=int, default=0,
                        help="also run the first variant with N knobs nudged by 1%% and print the spread")
    args = parser.parse_args(argv)
    seeds = [int(s) for s in args.seeds.split(",")]
    regimes = args.regimes.split(",")
    variants = args.variants.split("|")
    for variant in variants:
        parse_variant(variant)
    nudged = noise_variants(variants[0], args.noise) if args.noise else []
    names = [f"{regime}-{seed}" for regime in regimes for seed in seeds]
    tasks = [(name, v) for name in names for v in ["b1", *variants, *nudged]]
    rows: list[dict] = []
    started = time.perf_counter()
    with Pool(max(1, args.jobs)) as pool:
        for done, row in enumerate(pool.imap_unordered(_run, tasks), start=1):
            rows.append(row)
            print(f"[{done}/{len(tasks)}] {row['instance']} {row['variant']}: CtD {row['ctd_mean']:.2f} "
                  f"LB {row['lb_mean']:.2f} deliv {row['delivered']:.3f} p99 {row['p99_ms']:.0f}ms "
                  f"({row['seconds']:.0f}s, {time.perf_counter() - started:.0f}s)", file=sys.stderr, flush=True)
    ratios = table(rows, [*variants, *nudged], regimes)
    print(f"{'variant':44} " + " ".join(f"{r[:8]:>8}" for r in regimes) + f" {'worst':>7} {'mean':>7}")
    for variant, per in ratios.items():
        print(f"{variant[:44]:44} " + " ".join(f"{per[r]:8.3f}" for r in regimes)
              + f" {per['worst']:7.3f} {per['mean']:7.3f}")
    noise = spread(ratios, [variants[0], *nudged], regimes) if nudged else {}
    if noise:
        print(f"{'noise: spread over 1% nudges':44} " + " ".join(f"{noise[r]:8.3f}" for r in regimes)
              + f" {noise['worst']:7.3f} {noise['mean']:7.3f}")
    chosen = choose({v: ratios[v] for v in variants}, standing=variants[0])
    print(f"chosen (smallest worst regime; ties by the mean; the first variant stays on a tie): {chosen}")
    if args.json:
        with open(args.json, "w") as out:
            json.dump({"rows": rows, "ratios": ratios, "noise": noise}, out, indent=1)


if __name__ == "__main__":
    main(sys.argv[1:])
