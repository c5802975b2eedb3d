"""The deep runs of tests the suite runs small (`tests/support/deep.py`): the same test code and assertions at the
size each was written against, too slow for every CI run. Not quick: `python -m bench deep` runs them, each in
its own pytest process with O2O_DEEP_TESTS=1, and prints a table of seconds and outcomes.

    python -m bench deep               every deep run
    python -m bench deep --list        what it runs, and the suite's size beside the deep one
    python -m bench deep --only sync   the runs whose test id contains "sync"
    python -m bench deep --only deep   the variants the suite leaves out (`@pytest.mark.deep`, tests/conftest.py)
    python -m bench deep --only covering   every combination of the tests over several axes (`covering`)
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

DESCRIPTION = "the deep runs of tests the suite runs small (1,000 faulted sync actions, ...); slow, not quick"
QUICK = False

ROOT = Path(__file__).resolve().parent.parent

# (pytest node id, the suite's size, the deep size)
DEEP: list[tuple[str, str, str]] = [
    (
        "tests/test_sync_engine.py::test_a_thousand_actions_through_random_faults_apply_exactly_once_in_order",
        "400 store actions, 20 problem reports",
        "1,000 store actions, 50 problem reports",
    ),
    (
        "tests/test_fuzz_api.py::test_schema_valid_requests_get_documented_answers",
        "2 schema-valid requests per operation and role (~810)",
        "10 per operation and role",
    ),
    (
        "tests/test_fuzz_api.py::test_schema_invalid_requests_are_refused_as_documented",
        "1 schema-invalid request per operation and role (~260)",
        "3 per operation and role (~515 for 2)",
    ),
    (
        "tests/test_menu_io.py::test_json_export_then_import_is_the_identity",
        "30 drawn menus",
        "70",
    ),
    (
        "tests/test_menu_io.py::test_csv_export_then_import_is_the_identity",
        "30 drawn menus",
        "70",
    ),
    (
        "tests/test_menu_io.py::test_gb18030_and_bom_less_sheets_read_the_same",
        "20 drawn menus",
        "40",
    ),
    (
        "tests/test_menu_io.py::test_columns_left_out_keep_what_the_menu_has_in_any_order",
        "25 drawn menus",
        "60",
    ),
    (
        "tests/test_cache_crash.py::test_random_sigkills_never_lose_an_appended_entry",
        "45 SIGKILLs per profile, two profiles at once",
        "110 per profile",
    ),
]


# the variants the suite leaves out (`@pytest.mark.deep`: another language, size or terminal of a slow test whose
# sibling the suite runs; tests/conftest.py), run together as one more deep run
MARKED = ("-m deep", "one variant of each marked test", "every variant marked deep (pytest -m deep)")
# tests over several axes (`@pytest.mark.covering`): the suite runs a subset covering every value of every axis
COVERING = ("-m covering", "a subset with every value of every axis", "every combination (pytest -m covering)")


def run_one(node: str) -> tuple[float, int, str]:
    """Seconds, pytest's exit code and its last line, for one deep run in its own process."""
    env = {**os.environ, "O2O_DEEP_TESTS": "1"}
    started = time.monotonic()
    # the marked variants run on the suite's workers (each is a whole console or handheld run); the others alone
    selection = ["-m", node.split()[1], "tests"] if node in (MARKED[0], COVERING[0]) else ["-n", "0", node]
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *selection],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    lines = [line for line in done.stdout.splitlines() if line.strip()]
    return time.monotonic() - started, done.returncode, lines[-1] if lines else done.stderr[-300:]


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench deep", description=DESCRIPTION)
    parser.add_argument("--list", action="store_true", help="name the deep runs and their sizes, run nothing")
    parser.add_argument("--only", default="", help="only the runs whose test id contains this")
    args = parser.parse_args(argv)
    chosen = [row for row in [*DEEP, MARKED, COVERING] if args.only in row[0]]
    if args.list:
        for node, small, full in chosen:
            print(f"{node}\n    suite: {small}; deep: {full}")
        return
    print(f"{'deep run':60} {'seconds':>8}  outcome")
    failed = 0
    for node, _small, full in chosen:
        seconds, code, last = run_one(node)
        failed += code != 0
        print(f"{node.split('::')[-1][:60]:60} {seconds:8.1f}  {'ok' if code == 0 else 'FAILED'}: {last}")
        print(f"  {full}")
    if failed:
        raise SystemExit(1)
