"""Deep runs of tests that the suite runs small: `python -m bench deep` sets O2O_DEEP_TESTS=1 and runs them.

The suite keeps a bounded version of each (the same code and the same assertions on fewer actions); the deep
size is what the test was written against, run on demand instead of on every CI run.
"""

from __future__ import annotations

import os

ENV = "O2O_DEEP_TESTS"


def deep() -> bool:
    """Whether this run is `python -m bench deep`'s (the full sizes) rather than the suite's."""
    return os.environ.get(ENV) == "1"


def size(small: int, full: int) -> int:
    """`full` in a deep run, `small` in the suite."""
    return full if deep() else small
