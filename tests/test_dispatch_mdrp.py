"""The instance loader, on a generated instance and (when present) on the Grubhub data in ../shared/mdrp."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from o2o_tui.dispatch import baselines
from o2o_tui.dispatch.generator import generate
from o2o_tui.dispatch.mdrp import family_of, instance_names, load_instance, mdrp_dir, write_instance
from o2o_tui.dispatch.metrics import summarize
from o2o_tui.dispatch.simulator import simulate


def test_a_written_instance_loads_back_identically(tmp_path: Path) -> None:
    original = generate(7, orders=30, restaurants=5, couriers=6)
    loaded = load_instance(write_instance(original, tmp_path / "instances" / "7synthetic"))
    assert loaded.name == "7synthetic"
    assert loaded.params == original.params
    assert loaded.order_ids == original.order_ids
    assert loaded.restaurant_ids == original.restaurant_ids
    assert loaded.courier_ids == original.courier_ids
    for field in ("customer_xy", "placed_at", "ready_at", "order_restaurant", "restaurant_xy", "courier_xy",
                  "on_at", "off_at"):
        assert np.array_equal(getattr(loaded, field), getattr(original, field)), field
    assert loaded.characteristics["number of orders"] == "30"
    assert instance_names(tmp_path) == ["7synthetic"]


def test_header_and_column_meaning(tmp_path: Path) -> None:
    folder = tmp_path / "0o50t100s1p100"
    folder.mkdir()
    (folder / "orders.txt").write_text("order\tx\ty\tplacement_time\trestaurant\tready_time\no1\t100\t200\t5\tr2\t17\n")
    (folder / "restaurants.txt").write_text("restaurant\tx\ty\nr1\t0\t0\nr2\t50\t60\n")
    (folder / "couriers.txt").write_text("courier\tx\ty\ton_time\toff_time\nc1\t1\t2\t0\t90\n")
    (folder / "instance_parameters.txt").write_text(
        "meters_per_minute\tpickup service minutes\tdropoff service minutes\ttarget click-to-door\t"
        "maximum click-to-door\tpay per order\tguaranteed pay per hour\n427\t4\t4\t40\t90\t10\t15\n"
    )
    inst = load_instance(folder)
    assert inst.params.meters_per_minute == 427
    assert inst.customer_xy.tolist() == [[100, 200]]
    assert inst.placed_at.tolist() == [5] and inst.ready_at.tolist() == [17]
    assert inst.pickup_xy.tolist() == [[50, 60]]
    assert inst.on_at.tolist() == [0] and inst.off_at.tolist() == [90]
    assert inst.courier_hours == 1.5
    assert family_of(inst.name) == "o50t100s1p100"


def test_grubhub_instance_if_present() -> None:
    name = "0o100t100s1p100"
    if name not in instance_names():
        pytest.skip(f"MDRP data not found under {mdrp_dir()}/instances (set O2O_MDRP_DIR); see ../shared/mdrp/README.md")
    inst = load_instance(mdrp_dir() / "instances" / name)
    assert (len(inst.order_ids), len(inst.restaurant_ids), len(inst.courier_ids)) == (505, 116, 113)
    assert inst.characteristics["number of orders"] == "505"
    assert inst.courier_hours == pytest.approx(303.0)
    summary = summarize(simulate(inst, baselines.b1))
    assert summary["lower_bound"] <= summary["ctd_mean"]
    assert summary["delivered"] == 1.0
