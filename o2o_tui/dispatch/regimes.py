"""Named city regimes for measuring dispatch away from the Grubhub instances (issue 13), five fixed seeds each.

Usage:

    from o2o_tui.dispatch.regimes import REGIMES, SEEDS, regime_instance, regime_instances
    inst = regime_instance("dense", 0)          # an MdrpInstance named "dense-0"; simulate(inst, policy) as usual
    for inst in regime_instances("suburb"):     # the five seeds of one regime
        ...
    regime_instance("dense-3")                   # by name: "<regime>-<seed>"
    write_regimes(Path("/tmp/regimes"))          # every regime and seed as MDRP folders under /tmp/regimes/instances
    python -m o2o_tui.dispatch.regimes /tmp/regimes   # the same from a shell (then O2O_MDRP_DIR=/tmp/regimes)

The same (regime, seed) gives the same instance on every machine and commit (numpy's PCG64 from the seed), as
long as the specs below are unchanged: change a spec only with a note, since results stop comparing.

How the numbers were chosen (the Grubhub instances as the reference: 320 m/min, 4 + 4 service minutes, prep
median 15 min with p90 30, rides median 2.2 km, shifts of 2-4 hours starting on the half hour, about 0.6
courier-hours per order; see `generator.CitySpec` for each field):

- dense: a compact city (8 km square), 3 hubs with restaurants within ~300 m, rides median 1.2 km up to 3 km,
  e-bikes at 250 m/min (15 km/h), 4 min at the counter and 5 at the door (stairs, lobbies); 80% of the orders in
  sharp lunch and dinner peaks (sd 25 min); ~1,200 orders.
- suburb: 30 km square, restaurants spread out, rides median 4.5 km up to 12 km, cars at 450 m/min (27 km/h),
  5 min pickup (parking) and 3 at the door (houses); broad peaks; ~450 orders.
- starved: a Grubhub-like city whose fleet is capped at peaks at 55% of what the peak asks for (full off-peak,
  so the backlog clears): orders queue at lunch and dinner; ~900 orders.
- rich: a quiet day (few orders, flat demand) with twice the fleet it needs; ~350 orders.
- longprep: kitchens that take long (prep median 28 min, p90 ~45: pizza, catering); ~700 orders.
- dominant: two restaurants take 30% and 15% of the orders (a chain's flagship and a food court); ~700 orders.
- light: a small city's quiet day (9 km square, 4 hubs, ~300 orders) whose couriers start where they live,
  most within 1.5 km of the nearest restaurant (median ~850 m; the Grubhub days: ~1 km, where every other regime
  starts its couriers at a counter). Added in stop 21: the Grubhub 240's light days, where the engine is weakest
  against B1, had no counterpart here, so the tuning rule never saw them.

Fleets follow the expected demand (`generator.fleet_need`), scaled per regime so that B1 delivers every order
yet leaves something to win: B1's mean avoidable delay (CtD - LB, five seeds) is dense 3.9 min, suburb 10.7,
starved 15.3, rich 0.7, longprep 2.1, dominant 4.0, light 2.5 (the Grubhub 0o100t100s1p100: 1.3); B1 delivers
100% on all.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

from o2o_tui.dispatch.generator import CitySpec, city
from o2o_tui.dispatch.mdrp import MdrpInstance, write_instance

SEEDS: tuple[int, ...] = (0, 1, 2, 3, 4)

_GRUBHUB_LIKE = CitySpec(
    orders=700,
    restaurants=120,
    area_m=14000.0,
    hubs=6,
    hub_spread_m=1500.0,
    ride_median_m=2200.0,
    ride_sigma=0.6,
    ride_max_m=7000.0,
    meters_per_minute=320.0,
    pickup_service=4,
    dropoff_service=4,
    prep_median=15.0,
    prep_shape=3.5,
    lunch_share=0.3,
    dinner_share=0.4,
    peak_sd=60.0,
)


REGIMES: dict[str, CitySpec] = {
    "dense": replace(_GRUBHUB_LIKE,
        orders=1200, restaurants=90, area_m=8000.0, hubs=3, hub_spread_m=300.0, ride_median_m=1200.0,
        ride_sigma=0.5, ride_max_m=3000.0, meters_per_minute=250.0, pickup_service=4, dropoff_service=5,
        lunch_share=0.4, dinner_share=0.4, peak_sd=25.0, supply=0.92,
    ),
    "suburb": replace(_GRUBHUB_LIKE,
        orders=450, restaurants=70, area_m=30000.0, hubs=0, ride_median_m=4500.0, ride_sigma=0.5,
        ride_max_m=12000.0, meters_per_minute=450.0, pickup_service=5, dropoff_service=3, peak_sd=75.0,
        supply=1.1,
    ),
    "starved": replace(_GRUBHUB_LIKE, orders=900, peak_cap=0.55),
    "rich": replace(_GRUBHUB_LIKE, orders=350, supply=1.8, lunch_share=0.15, dinner_share=0.2, peak_sd=90.0),
    "longprep": replace(_GRUBHUB_LIKE, prep_median=28.0, prep_shape=6.0, supply=0.95),
    "dominant": replace(_GRUBHUB_LIKE, dominant=(0.30, 0.15), supply=0.95),
    "light": replace(_GRUBHUB_LIKE,
        orders=300, restaurants=90, area_m=9000.0, hubs=4, courier_spread=1.2, supply=1.2,
    ),
}

# each regime's own seed range (fixed: neither adding nor reordering regimes changes an instance)
_SEED_BASE: dict[str, int] = {
    "dense": 1000, "suburb": 2000, "starved": 3000, "rich": 4000, "longprep": 5000, "dominant": 6000, "light": 7000,
}

# `--quick`: one seed of each regime
QUICK_SEEDS: tuple[int, ...] = (0,)


def regime_names(regimes: tuple[str, ...] | None = None, seeds: tuple[int, ...] = SEEDS) -> list[str]:
    """`["dense-0", ..., "dominant-4"]`: every regime (or those given) with every seed."""
    return [f"{regime}-{seed}" for regime in (regimes or tuple(REGIMES)) for seed in seeds]


def regime_of(name: str) -> str:
    """`dense-3` -> `dense`."""
    return name.rpartition("-")[0] or name


def regime_instance(regime: str, seed: int | None = None) -> MdrpInstance:
    """One instance: `regime_instance("dense", 3)` or `regime_instance("dense-3")`."""
    if seed is None:
        regime, _, number = regime.rpartition("-")
        seed = int(number)
    if regime not in REGIMES:
        raise KeyError(f"unknown regime {regime!r}; known: {', '.join(REGIMES)}")
    return city(REGIMES[regime], _SEED_BASE[regime] + seed, name=f"{regime}-{seed}")


def regime_instances(regime: str, seeds: tuple[int, ...] = SEEDS) -> Iterator[MdrpInstance]:
    for seed in seeds:
        yield regime_instance(regime, seed)


def write_regimes(root: Path, seeds: tuple[int, ...] = SEEDS) -> list[Path]:
    """Every regime and seed in the published MDRP format under `root/instances/<regime>-<seed>/`."""
    return [write_instance(regime_instance(name), root / "instances" / name) for name in regime_names(seeds=seeds)]


if __name__ == "__main__":
    target = Path(sys.argv[1] if len(sys.argv) > 1 else "regimes")
    for folder in write_regimes(target):
        print(folder)
