"""The engine against the same days planned with hindsight (`o2o_tui.dispatch.hindsight`): a yardstick for how
much of the avoidable delay any dispatcher could still take off, had it known every order from the start.

    python -m bench dispatch_hindsight [--all | --instances GLOB | --regimes] [--moves-per-order 1000]
        [--temperature 1] [--calibrate] [--jobs 2] [--json] [--quick]

Per instance: avoidable delay per order of B1, of the engine, and of the engine's own routes improved by a local
search over the whole day (replayed through the simulator, so the same rules and metrics), each against B1; and
the part of the way from B1 to the hindsight plan that the engine goes. Summary: the geometric mean and the total
ratio of each, the same per band of local load (`headroom.avoidable_by_circumstance`), and what each kind of move
of the search took off. The hindsight plan is what a local search finds (the best plan with hindsight is lower
still). `--calibrate` also runs the same search from B1's routes: where it does not get down to the engine, the
search is too weak there to say what hindsight would buy (measured: in crunches, more than 1.5 orders per courier,
it goes from B1 to 0.85 of B1 where the engine is at 0.75, on light and dense seeds 10-11).

Default set: one instance of each of the 24 Grubhub families (the seed cycling 0-9 over them), measuring only;
`--all` runs the 240 (hours), `--regimes` the generated regimes' measuring seeds, `--quick` three small regime days
with a short search.
"""

from __future__ import annotations

import argparse
import fnmatch
import json
import math
import time
from multiprocessing import Pool
from typing import TypedDict

from bench.dispatch import POLICIES, load_day
from o2o_tui.dispatch.headroom import avoidable_by_circumstance
from o2o_tui.dispatch.hindsight import MOVE_KINDS, improve, replay, schedule_of
from o2o_tui.dispatch.mdrp import instance_names
from o2o_tui.dispatch.metrics import avoidable_per_order
from o2o_tui.dispatch.regimes import SEEDS, regime_names
from o2o_tui.dispatch.simulator import simulate

DESCRIPTION = "the engine against the same days planned with hindsight by local search (long: tens of minutes)"
QUICK = False
QUICK_REGIME_DAYS = ("light-0", "starved-0", "rich-0")
QUICK_MOVES_PER_ORDER = 200


class Row(TypedDict):
    instance: str
    orders: int
    avoidable: dict[str, float]  # per order, of "b1", "engine", "hindsight" (and "from B1" when calibrating)
    bands: dict[str, dict[str, list[float]]]  # per load band and label as above: [orders, avoidable minutes]
    gained: dict[str, float]  # minutes the search from the engine's routes took off, by kind of move
    seconds: float


class Line(TypedDict):
    geomean_ratio: float | None
    total_ratio: float | None
    avoidable_per_order: float


class Summary(TypedDict):
    instances: int
    lines: dict[str, Line]  # per label but B1's
    bands: dict[str, dict[str, float]]  # per load band: B1's avoidable per order, then each label's ratio to B1's
    gained_share: dict[str, float]


FROM_B1 = "from B1"


def sample_names(names: list[str]) -> list[str]:
    """One instance per family (the name without its leading seed digit), the seed cycling over the families."""
    families = sorted({name[1:] for name in names})
    chosen = [f"{k % 10}{family}" for k, family in enumerate(families)]
    return [name for name in chosen if name in names]


def _run(task: tuple[bool, str, int, float, bool]) -> Row:
    regimes, name, moves_per_order, temperature, calibrate = task
    instance = load_day(regimes, name)
    moves = moves_per_order * len(instance.order_ids)
    engine = simulate(instance, POLICIES["engine"](), name="engine")
    b1 = simulate(instance, POLICIES["b1"](), name="b1")
    started = time.perf_counter()
    found = improve(instance, schedule_of(engine), moves=moves, temperature=temperature)
    results = {"b1": b1, "engine": engine, "hindsight": replay(instance, found.schedule)}
    if calibrate:
        from_b1 = improve(instance, schedule_of(b1), moves=moves, temperature=temperature)
        results[FROM_B1] = replay(instance, from_b1.schedule)
    seconds = time.perf_counter() - started
    orders = len(instance.order_ids)
    bands: dict[str, dict[str, list[float]]] = {}
    for label, result in results.items():
        for band, (count, minutes) in avoidable_by_circumstance(result).items():
            bands.setdefault(band, {})[label] = [float(count), minutes]
    return {
        "instance": name,
        "orders": orders,
        "avoidable": {label: float(avoidable_per_order(r).sum()) / max(orders, 1) for label, r in results.items()},
        "bands": bands,
        "gained": found.gained,
        "seconds": seconds,
    }


def _line(rows: list[Row], label: str) -> Line:
    b1_total = sum(row["orders"] * row["avoidable"]["b1"] for row in rows)
    ratios = [row["avoidable"][label] / row["avoidable"]["b1"] for row in rows if row["avoidable"]["b1"] > 0]
    total = sum(row["orders"] * row["avoidable"][label] for row in rows)
    return {
        "geomean_ratio": math.exp(sum(math.log(max(r, 1e-9)) for r in ratios) / len(ratios)) if ratios else None,
        "total_ratio": total / b1_total if b1_total > 0 else None,
        "avoidable_per_order": total / max(sum(row["orders"] for row in rows), 1),
    }


def summarize(rows: list[Row]) -> Summary:
    """Geometric-mean and total ratios to B1 of the engine and the hindsight plans, the same per load band, and
    the search's gains by move."""
    labels = [label for label in rows[0]["avoidable"] if label != "b1"] if rows else []
    gained = {kind: sum(row["gained"][kind] for row in rows) for kind in MOVE_KINDS}
    everything = sum(gained.values()) or 1.0
    bands: dict[str, dict[str, float]] = {}
    for band in rows[0]["bands"] if rows else {}:
        sums = {label: [sum(row["bands"][band][label][k] for row in rows) for k in (0, 1)]
                for label in ("b1", *labels)}
        b1_orders, b1_minutes = sums["b1"]
        line = {"orders": b1_orders, "b1": b1_minutes / max(b1_orders, 1.0)}
        line.update({label: sums[label][1] / b1_minutes for label in labels if b1_minutes > 0})
        bands[band] = line
    return {
        "instances": len(rows),
        "lines": {label: _line(rows, label) for label in labels},
        "bands": bands,
        "gained_share": {kind: minutes / everything for kind, minutes in gained.items()},
    }


def _gap_closed(avoidable: dict[str, float]) -> float | None:
    """The part of the way from B1 to the hindsight plan that the engine goes."""
    span = avoidable["b1"] - avoidable["hindsight"]
    return (avoidable["b1"] - avoidable["engine"]) / span if span > 1e-9 else None


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench dispatch_hindsight", description=DESCRIPTION)
    parser.add_argument("--instances", default=None, help="glob over the 240 Grubhub instance names")
    parser.add_argument("--all", action="store_true", help="every Grubhub instance (hours)")
    parser.add_argument("--regimes", action="store_true", help="the generated regimes' measuring seeds")
    parser.add_argument("--quick", action="store_true", help="three small regime days, a short search")
    parser.add_argument("--moves-per-order", type=int, default=1000, help="search moves per order of the day")
    parser.add_argument("--temperature", type=float, default=1.0, help="annealing's start (minutes), 0: descent")
    parser.add_argument("--calibrate", action="store_true", help="also search from B1's routes (twice the time)")
    parser.add_argument("--jobs", type=int, default=2, help="worker processes")
    parser.add_argument("--json", action="store_true", help="print one JSON document instead of tables")
    args = parser.parse_args(argv)
    moves = args.moves_per_order
    if args.quick:
        regimes, names, moves = True, list(QUICK_REGIME_DAYS), min(moves, QUICK_MOVES_PER_ORDER)
    elif args.regimes:
        regimes, names = True, regime_names(seeds=SEEDS)
    else:
        regimes, every = False, instance_names()
        if args.instances:
            names = [n for n in every if fnmatch.fnmatch(n, args.instances)]
        else:
            names = every if args.all else sample_names(every)
    if not names:
        raise SystemExit("no instance matches (is the MDRP data in place? see ../shared/mdrp/README.md)")
    tasks = [(regimes, name, moves, args.temperature, bool(args.calibrate)) for name in names]
    with Pool(max(1, args.jobs)) as pool:
        rows = pool.map(_run, tasks)
    summary = summarize(rows)
    if args.json:
        print(json.dumps({"instances": rows, "summary": summary, "moves_per_order": moves}, indent=1))
        return
    print(f"avoidable delay per order (minutes); ratios to B1; search: {moves} moves per order")
    calibrated = args.calibrate
    print(f"{'instance':18} {'orders':>6} {'b1':>6} {'engine':>7} {'hindsight':>9} {'eng/b1':>7} {'hind/b1':>7}"
          f" {'way gone':>8}" + (f" {'fromB1/b1':>9}" if calibrated else "") + f" {'search s':>8}")
    for row in rows:
        avoidable = row["avoidable"]
        b1 = avoidable["b1"] or float("nan")
        closed = _gap_closed(avoidable)
        calibration = f" {avoidable[FROM_B1] / b1:9.3f}" if calibrated else ""
        print(f"{row['instance']:18} {row['orders']:6d} {avoidable['b1']:6.2f} {avoidable['engine']:7.2f}"
              f" {avoidable['hindsight']:9.2f} {avoidable['engine'] / b1:7.3f} {avoidable['hindsight'] / b1:7.3f}"
              f" {'' if closed is None else f'{closed:8.2f}':>8}{calibration} {row['seconds']:8.1f}")
    print(f"\n{'':18} {'geomean':>8} {'total':>7} {'per order':>9}")
    for label, line in summary["lines"].items():
        geomean = "" if line["geomean_ratio"] is None else f"{line['geomean_ratio']:8.3f}"
        total = "" if line["total_ratio"] is None else f"{line['total_ratio']:7.3f}"
        print(f"{label:18} {geomean:>8} {total:>7} {line['avoidable_per_order']:9.2f}")
    labels = list(summary["lines"])
    print("\nby load band (orders ready within +-15 min per courier on shift): B1's avoidable per order, ratios to it")
    print(f"{'band':14} {'orders':>7} {'b1':>6} " + " ".join(f"{label:>9}" for label in labels))
    for band, ratios_of in summary["bands"].items():
        ratios = " ".join(f"{ratios_of[label]:9.3f}" if label in ratios_of else f"{'':9}" for label in labels)
        print(f"{band:14} {ratios_of['orders']:7.0f} {ratios_of['b1']:6.2f} {ratios}")
    print("\nwhat the search from the engine's routes took off, by kind of move (share of its gain)")
    for kind, share in summary["gained_share"].items():
        print(f"  {kind:22} {share:6.2f}")
