"""Exponential backoff with full jitter and a cap, for network faults."""

from __future__ import annotations

import random


class Backoff:
    def __init__(self, base: float = 0.2, cap: float = 30.0, *, rng: random.Random | None = None) -> None:
        self.base = base
        self.cap = cap
        self.failures = 0
        self._rng = rng or random.Random()

    def next_delay(self) -> float:
        """The wait before the next try: uniform in [base/2, min(cap, base * 2**failures)]."""
        ceiling = min(self.cap, self.base * (2**self.failures))
        self.failures = min(self.failures + 1, 32)
        return self._rng.uniform(min(self.base / 2, ceiling), ceiling)

    def reset(self) -> None:
        self.failures = 0
