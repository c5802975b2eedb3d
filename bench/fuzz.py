"""Deep fuzzing of the platform server: schemathesis against its `/openapi.json`, every operation as every role,
many more cases than the suite's gate (tests/test_fuzz_api.py), then chains of linked operations (the state
machine schemathesis infers from the OpenAPI). Prints failures by operation and kind, the first case of each.

    python -m bench fuzz [--examples 60] [--negative 20] [--scenarios 30] [--steps 10] [--roles admin,courier]
                         [--acceptance] [--out findings.md] [--json]

The server runs on a new seeded SQLite file in a temp dir. `--acceptance` also reports schema-valid requests the
server refuses (a 422 for input the OpenAPI allows: a bound the code has and the schema does not state).
Exit status 1 when anything failed.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

DESCRIPTION = "schemathesis deep run against the platform server: every operation x role, stateful chains"
QUICK = False


def _table(report: object) -> str:
    from tests.support.fuzz import FuzzReport

    assert isinstance(report, FuzzReport)
    rows = report.by_operation_and_kind()
    if not rows:
        return "no failures"
    width = max(len(operation) for operation, _kind in rows)
    lines = [f"{'operation':{width}}  {'kind':38} cases"]
    for (operation, kind), count in sorted(rows.items()):
        lines.append(f"{operation:{width}}  {kind:38} {count}")
    return "\n".join(lines)


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m bench fuzz", description=DESCRIPTION)
    parser.add_argument("--examples", type=int, default=60, help="schema-valid cases per operation and role")
    parser.add_argument(
        "--negative", type=int, default=20, help="schema-invalid cases per operation and role"
    )
    parser.add_argument("--scenarios", type=int, default=30, help="stateful scenarios per role (0: none)")
    parser.add_argument("--steps", type=int, default=10, help="operations per stateful scenario, at most")
    parser.add_argument("--roles", default="admin,merchant,dispatcher,courier,customer")
    parser.add_argument("--acceptance", action="store_true", help="also report schema-valid input refused")
    parser.add_argument("--out", type=Path, help="write the findings as markdown here too")
    parser.add_argument("--json", action="store_true", help="print the findings as JSON instead of tables")
    args = parser.parse_args(argv)

    try:
        from schemathesis import GenerationMode
        from schemathesis.specs.openapi.checks import positive_data_acceptance
    except ImportError:
        print("schemathesis is not installed: pip install -e '.[test]'", file=sys.stderr)
        raise SystemExit(2) from None
    from tests.support.fuzz import (
        FuzzReport,
        dump_json,
        findings_markdown,
        fuzz_operations,
        fuzz_stateful,
        seed_known_ids,
    )
    from tests.support.platform import start_platform

    roles = [role.strip() for role in args.roles.split(",") if role.strip()]
    extra = (positive_data_acceptance,) if args.acceptance else ()
    quiet = args.json

    def say(text: str) -> None:
        if not quiet:
            print(text, flush=True)

    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="o2o-fuzz-") as tmp:
        running = start_platform(Path(tmp))
        try:
            assert running.seed is not None
            tokens = running.seed.tokens
            known = seed_known_ids(running.url, tokens, running.seed.store_id, running.seed.courier_ids)
            say(f"server {running.url}; roles {', '.join(roles)}")
            reports: dict[str, FuzzReport] = {}
            plan = [
                ("positive", GenerationMode.POSITIVE, args.examples),
                ("negative", GenerationMode.NEGATIVE, args.negative),
            ]
            for name, mode, examples in plan:
                if examples <= 0:
                    continue
                report = reports[name] = FuzzReport()
                for role in roles:
                    fuzz_operations(
                        running.url,
                        tokens,
                        known,
                        examples=examples,
                        roles=[role],
                        modes=(mode,),
                        report=report,
                        extra_checks=extra,
                    )
                    say(f"  {name} as {role}: {report.cases} cases, {len(report.findings)} distinct failures")
            if args.scenarios > 0:
                report = reports["stateful"] = FuzzReport()
                for role in roles:
                    fuzz_stateful(
                        running.url, tokens, role, scenarios=args.scenarios, steps=args.steps, report=report
                    )
                    say(
                        f"  stateful as {role}: {report.cases} calls, {len(report.findings)} distinct failures"
                    )
            crashes = running.log_text().count("unhandled error")
        finally:
            running.stop()
    elapsed = time.perf_counter() - started

    if args.json:
        print("{" + ",".join(f'"{name}": {dump_json(report)}' for name, report in reports.items()) + "}")
    else:
        for name, report in reports.items():
            print(f"\n== {name}: {report.cases} cases in {report.seconds:.1f} s")
            print(_table(report))
        print(f"\nserver log: {crashes} unhandled errors; whole run {elapsed:.0f} s")
    if args.out is not None:
        text = "".join(findings_markdown(report, f"bench fuzz: {name}") for name, report in reports.items())
        args.out.write_text(text, encoding="utf-8")
        say(f"findings written to {args.out}")
    if crashes or any(report.findings or report.errors for report in reports.values()):
        raise SystemExit(1)
