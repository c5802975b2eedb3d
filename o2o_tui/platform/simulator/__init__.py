"""The O2O simulator: customers ordering on a daily curve, an optional auto-merchant, couriers on e-bikes.

Use in-process (`Simulator(client, store_id=..., seed=...)`, then `step(now)` or `run_simulation(...)`) or as
`o2o simulate --url URL --token ADMIN_TOKEN --store ID`.
"""

from __future__ import annotations

from o2o_tui.platform.simulator.core import Simulator
from o2o_tui.platform.simulator.runner import SimClock, run_simulation
from o2o_tui.platform.simulator.state import SimStats

__all__ = ["SimClock", "SimStats", "Simulator", "run_simulation"]
