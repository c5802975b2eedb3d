"""Crash safety: a writer that appends outbox entries and rewrites snapshot tables is SIGKILLed at random moments,
220 times. After every kill the cache opens, every entry whose append returned is there, no finished entry comes
back, and each batch (orders + cursor) is all or nothing. `python -m bench cache --kills 1000` runs longer."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.cache_writer import crash_loop

KILLS_PER_PROFILE = 110
PROFILES = 2  # two writers at once: the kills cost process start-up, not CPU


def test_random_sigkills_never_lose_an_appended_entry(tmp_path: Path) -> None:
    with ThreadPoolExecutor(max_workers=PROFILES) as pool:
        runs = list(
            pool.map(
                lambda n: crash_loop(tmp_path / f"profile-{n}", KILLS_PER_PROFILE, seed=1000 + n),
                range(PROFILES),
            )
        )
    outcomes = [outcome for run in runs for outcome in run]
    problems = [problem for outcome in outcomes for problem in outcome.problems]
    assert problems == []
    assert len(outcomes) == KILLS_PER_PROFILE * PROFILES
    # The kills did hit the interesting moments: appends had returned, and writes were cut half-way.
    assert sum(outcome.appended for outcome in outcomes) > len(outcomes)
    assert sum(outcome.temp_files_removed for outcome in outcomes) > 0
