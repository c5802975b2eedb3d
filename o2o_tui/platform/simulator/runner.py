"""Running a simulator against the wall clock: `--speed` compresses time, a tick advances the world."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from o2o_tui.platform.simulator.core import Simulator
from o2o_tui.platform.simulator.state import SimStats


class SimClock:
    """Simulated time: `start` plus the wall time elapsed since creation, times `speed`."""

    def __init__(self, start: datetime, speed: float = 1.0) -> None:
        if speed <= 0:
            raise ValueError("speed must be positive")
        self.start = start
        self.speed = speed
        self._wall_start = time.monotonic()

    def now(self) -> datetime:
        return self.start + timedelta(seconds=(time.monotonic() - self._wall_start) * self.speed)


MAX_PAUSE_SECONDS = 60.0  # between steps while the platform keeps failing


def run_simulation(
    simulator: Simulator,
    clock: SimClock,
    *,
    tick_seconds: float = 0.5,
    finish: bool = False,
    timeout_seconds: float | None = None,
    stop: threading.Event | None = None,
    on_tick: Callable[[datetime, SimStats], None] | None = None,
) -> SimStats:
    """Step until `stop` is set; with `max_orders`, until they are placed (and, with `finish`, have ended).

    `timeout_seconds` bounds the wall time (for scripts). Returns the final counters. A refused token ends the run:
    `Unauthorized` propagates (the counters so far are in `simulator.stats`).
    """
    stop = stop or threading.Event()
    deadline = time.monotonic() + timeout_seconds if timeout_seconds else None
    simulator.start(clock.now())
    pause = tick_seconds
    while not stop.is_set():
        began = time.monotonic()
        now = clock.now()
        faults = simulator.stats.faults
        simulator.step(now)
        # a step whose calls failed (the platform down or failing): wait longer each time, up to a minute, so a
        # broken server is not hammered (it was 230 requests a second, and a 681 MB log in 10 minutes)
        pause = min(MAX_PAUSE_SECONDS, pause * 2) if simulator.stats.faults > faults else tick_seconds
        if on_tick is not None:
            on_tick(now, simulator.stats)
        if simulator.placing_done and (not finish or simulator.own_orders_ended()):
            break
        if deadline is not None and time.monotonic() >= deadline:
            break
        stop.wait(max(0.0, pause - (time.monotonic() - began)))
    return simulator.stats
