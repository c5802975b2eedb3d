"""Crash safety: a writer that appends outbox entries and rewrites snapshot tables is SIGKILLed at random moments,
130 times in the suite (250 in `python -m bench deep`). After every kill the cache opens, every entry whose append
returned is there, no finished entry comes back, and each batch (orders + cursor) is all or nothing. `python -m bench cache --kills 1000` runs longer.

Most writers are forked from a launcher that has imported everything once (a kill then costs a fork, not an
interpreter start); a few are fresh interpreters, the way the console itself starts."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

from tests.support.cache_writer import FreshProcesses, KillOutcome, crash_loop
from tests.support.deep import size

FORKED_KILLS_PER_PROFILE = 110  # `python -m bench deep`; the suite's: 45
PROFILES = 2  # two writers at once, on two profiles
FRESH_KILLS = 10


def _check(outcomes: list[KillOutcome], expected: int) -> None:
    problems = [problem for outcome in outcomes for problem in outcome.problems]
    assert problems == []
    assert len(outcomes) == expected


def test_random_sigkills_never_lose_an_appended_entry(tmp_path: Path) -> None:
    kills = size(45, FORKED_KILLS_PER_PROFILE)
    with ThreadPoolExecutor(max_workers=PROFILES) as pool:
        runs = list(
            pool.map(lambda n: crash_loop(tmp_path / f"profile-{n}", kills, seed=1000 + n), range(PROFILES))
        )
    outcomes = [outcome for run in runs for outcome in run]
    _check(outcomes, kills * PROFILES)
    # The kills did hit the interesting moments: appends had returned, and writes were cut half-way.
    assert sum(outcome.appended for outcome in outcomes) > len(outcomes) // 4
    assert sum(outcome.temp_files_removed for outcome in outcomes) > 0


def test_sigkills_of_fresh_interpreters(tmp_path: Path) -> None:
    outcomes = crash_loop(tmp_path / "profile", FRESH_KILLS, seed=7, launcher=FreshProcesses(), max_delay=0.05)
    _check(outcomes, FRESH_KILLS)
    assert sum(outcome.appended for outcome in outcomes) > 0


def test_sigkills_during_large_snapshot_writes(tmp_path: Path) -> None:
    # 2,000 cached orders: every batch rewrites ~2.5 MB, so many kills land inside a long write.
    outcomes = crash_loop(tmp_path / "profile", 30, seed=11, orders=2000, max_delay=0.08)
    _check(outcomes, 30)
    assert sum(outcome.temp_files_removed for outcome in outcomes) > 0
