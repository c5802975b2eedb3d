"""Load (and write) Grubhub Meal Delivery Routing Problem instances: tab-separated text files, header row first.

The data is not part of this repository: it lives in `../shared/mdrp/instances/<name>/` next to the repo
(override with the environment variable `O2O_MDRP_DIR`, pointing at the folder that holds `instances/`).
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

_NAME = re.compile(r"^(?P<seed>\d+)(?P<orders>o100|o50|r50)(?P<travel>t100|t75)(?P<shifts>s1|s2)(?P<prep>p100|p125)$")
_REPO_ROOT = Path(__file__).resolve().parents[2]


def mdrp_dir() -> Path:
    """The folder holding `instances/`; it may not exist (callers skip with a message)."""
    override = os.environ.get("O2O_MDRP_DIR")
    return Path(override) if override else _REPO_ROOT.parent / "shared" / "mdrp"


def instance_names(root: Path | None = None) -> list[str]:
    base = (root or mdrp_dir()) / "instances"
    if not base.is_dir():
        return []
    return sorted(p.name for p in base.iterdir() if (p / "orders.txt").is_file())


def family_of(name: str) -> str:
    """`3o50t100s1p100` -> `o50t100s1p100` (the ten seeds of one configuration)."""
    match = _NAME.match(name)
    return name[len(match.group("seed")) :] if match else name


@dataclass(frozen=True)
class MdrpParameters:
    meters_per_minute: float
    pickup_service: int
    dropoff_service: int
    target_ctd: int
    max_ctd: int
    pay_per_order: float = 10.0
    pay_per_hour: float = 15.0


@dataclass(frozen=True)
class MdrpInstance:
    name: str
    params: MdrpParameters
    order_ids: list[str]
    customer_xy: np.ndarray  # (n, 2) metres
    placed_at: np.ndarray  # (n,) minutes
    ready_at: np.ndarray  # (n,) minutes
    order_restaurant: np.ndarray  # (n,) index into restaurant_ids
    restaurant_ids: list[str]
    restaurant_xy: np.ndarray  # (m, 2)
    courier_ids: list[str]
    courier_xy: np.ndarray  # (k, 2) where each shift starts
    on_at: np.ndarray  # (k,)
    off_at: np.ndarray  # (k,)
    characteristics: dict[str, str] = field(default_factory=dict)

    @property
    def pickup_xy(self) -> np.ndarray:
        return np.asarray(self.restaurant_xy[self.order_restaurant])

    @property
    def courier_hours(self) -> float:
        return float((self.off_at - self.on_at).sum()) / 60.0


def _rows(path: Path) -> list[list[str]]:
    lines = [line.rstrip("\n") for line in path.read_text().splitlines() if line.strip()]
    return [line.split("\t") for line in lines[1:]]


def load_instance(directory: Path) -> MdrpInstance:
    directory = Path(directory)
    restaurants = _rows(directory / "restaurants.txt")
    restaurant_index = {row[0]: i for i, row in enumerate(restaurants)}
    orders = _rows(directory / "orders.txt")
    couriers = _rows(directory / "couriers.txt")
    values = _rows(directory / "instance_parameters.txt")[0]
    params = MdrpParameters(
        meters_per_minute=float(values[0]),
        pickup_service=int(float(values[1])),
        dropoff_service=int(float(values[2])),
        target_ctd=int(float(values[3])),
        max_ctd=int(float(values[4])),
        pay_per_order=float(values[5]) if len(values) > 5 else 10.0,
        pay_per_hour=float(values[6]) if len(values) > 6 else 15.0,
    )
    characteristics: dict[str, str] = {}
    characteristics_path = directory / "instance_characteristics.txt"
    if characteristics_path.is_file():
        for line in characteristics_path.read_text().splitlines():
            key, sep, value = line.partition(":")
            if sep and value.strip() and not key.startswith(" "):
                characteristics[key.strip()] = value.strip()
    return MdrpInstance(
        name=directory.name,
        params=params,
        order_ids=[row[0] for row in orders],
        customer_xy=np.array([[float(r[1]), float(r[2])] for r in orders], dtype=float).reshape(-1, 2),
        placed_at=np.array([int(float(r[3])) for r in orders], dtype=np.int64),
        ready_at=np.array([int(float(r[5])) for r in orders], dtype=np.int64),
        order_restaurant=np.array([restaurant_index[r[4]] for r in orders], dtype=np.int64),
        restaurant_ids=[row[0] for row in restaurants],
        restaurant_xy=np.array([[float(r[1]), float(r[2])] for r in restaurants], dtype=float).reshape(-1, 2),
        courier_ids=[row[0] for row in couriers],
        courier_xy=np.array([[float(r[1]), float(r[2])] for r in couriers], dtype=float).reshape(-1, 2),
        on_at=np.array([int(float(r[3])) for r in couriers], dtype=np.int64),
        off_at=np.array([int(float(r[4])) for r in couriers], dtype=np.int64),
        characteristics=characteristics,
    )


def load_named(name: str, root: Path | None = None) -> MdrpInstance:
    return load_instance((root or mdrp_dir()) / "instances" / name)


def _number(value: float) -> str:
    return str(int(value)) if float(value).is_integer() else f"{value:.2f}"


def write_instance(instance: MdrpInstance, directory: Path) -> Path:
    """Write the five files in the published format (used by the synthetic generator and tests)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    p = instance.params
    (directory / "instance_parameters.txt").write_text(
        "meters_per_minute\tpickup service minutes\tdropoff service minutes\ttarget click-to-door\t"
        "maximum click-to-door\tpay per order\tguaranteed pay per hour\n"
        + "\t".join(
            _number(v)
            for v in (p.meters_per_minute, p.pickup_service, p.dropoff_service, p.target_ctd, p.max_ctd,
                      p.pay_per_order, p.pay_per_hour)
        )
        + "\n"
    )
    lines = ["restaurant\tx\ty"]
    lines += [
        f"{rid}\t{_number(x)}\t{_number(y)}" for rid, (x, y) in zip(instance.restaurant_ids, instance.restaurant_xy, strict=True)
    ]
    (directory / "restaurants.txt").write_text("\n".join(lines) + "\n")
    lines = ["order\tx\ty\tplacement_time\trestaurant\tready_time"]
    for i, oid in enumerate(instance.order_ids):
        x, y = instance.customer_xy[i]
        lines.append(
            f"{oid}\t{_number(x)}\t{_number(y)}\t{int(instance.placed_at[i])}\t"
            f"{instance.restaurant_ids[int(instance.order_restaurant[i])]}\t{int(instance.ready_at[i])}"
        )
    (directory / "orders.txt").write_text("\n".join(lines) + "\n")
    lines = ["courier\tx\ty\ton_time\toff_time"]
    for i, cid in enumerate(instance.courier_ids):
        x, y = instance.courier_xy[i]
        lines.append(f"{cid}\t{_number(x)}\t{_number(y)}\t{int(instance.on_at[i])}\t{int(instance.off_at[i])}")
    (directory / "couriers.txt").write_text("\n".join(lines) + "\n")
    (directory / "instance_characteristics.txt").write_text(
        f"number of orders: {len(instance.order_ids)}\n"
        f"number of restaurants: {len(instance.restaurant_ids)}\n"
        f"number of couriers: {len(instance.courier_ids)}\n"
        f"total courier hours: {instance.courier_hours:.2f}\n"
    )
    return directory
