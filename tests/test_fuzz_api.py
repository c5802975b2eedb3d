"""schemathesis against the real server's `/openapi.json`: every operation, as every role, answers as documented.

A bounded, derandomized run (the same cases every time): per operation and role, schema-valid cases and a few
schema-invalid ones, half of them on ids that exist (orders in several states, their deliveries). Checks: no 5xx,
every status code is documented for its operation, the content type is the documented one, every answer conforms
to its documented schema, and data the schema forbids is refused. The deep run is `python -m bench fuzz`.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

pytest.importorskip("schemathesis", reason="schemathesis is not installed: pip install -e '.[test]'")

from schemathesis import GenerationMode  # noqa: E402

from tests.support.deep import size  # noqa: E402
from tests.support.fuzz import ROLES, KnownIds, findings_markdown, fuzz_operations, seed_known_ids  # noqa: E402
from tests.support.platform import RunningPlatform, start_platform  # noqa: E402

# Cases drawn per operation and role. The suite's counts (stop 51): 2 positive, ~810 schema-valid cases over the
# five roles (3 drew ~1,090); 1 negative, ~260 schema-invalid ones (2 drew ~515, ~40 ms of CPU each). The deep
# run (`python -m bench deep`) draws 10 and 3.
POSITIVE_EXAMPLES = 10
SUITE_POSITIVE_EXAMPLES = 2
NEGATIVE_EXAMPLES = 3
SUITE_NEGATIVE_EXAMPLES = 1


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[RunningPlatform, KnownIds]]:
    running = start_platform(tmp_path_factory.mktemp("fuzz_platform"))
    try:
        assert running.seed is not None
        known = seed_known_ids(
            running.url, running.seed.tokens, running.seed.store_id, running.seed.courier_ids
        )
        yield running, known
    finally:
        running.stop()


def _fuzz(fuzzed: tuple[RunningPlatform, KnownIds], role: str, mode: GenerationMode, examples: int) -> None:
    running, known = fuzzed
    assert running.seed is not None
    log_before = len(running.log_text())
    report = fuzz_operations(
        running.url, running.seed.tokens, known, examples=examples, roles=[role], modes=(mode,)
    )
    assert not report.errors, "\n".join(report.errors[:10])
    assert report.cases >= 20, report.summary()
    # O2O_FUZZ_REPORT=FILE: the whole report goes there too (pytest's assertion message cuts it short)
    if os.environ.get("O2O_FUZZ_REPORT"):
        with open(os.environ["O2O_FUZZ_REPORT"], "a", encoding="utf-8") as out:
            out.write(findings_markdown(report, f"{role}, {mode.value}"))
    log = running.log_text()[log_before:]
    crashes = log.count("unhandled error")
    shown = f"\nthe server logged {crashes} unhandled errors, the last:\n{log[-3000:]}" if crashes else ""
    assert not report.findings, f"as {role} ({mode.value}):\n{report.summary()}{shown}"
    assert crashes == 0, shown


@pytest.mark.parametrize("role", ROLES)
def test_schema_valid_requests_get_documented_answers(
    fuzzed: tuple[RunningPlatform, KnownIds], role: str
) -> None:
    _fuzz(fuzzed, role, GenerationMode.POSITIVE, size(SUITE_POSITIVE_EXAMPLES, POSITIVE_EXAMPLES))


@pytest.mark.parametrize("role", ROLES)
def test_schema_invalid_requests_are_refused_as_documented(
    fuzzed: tuple[RunningPlatform, KnownIds], role: str
) -> None:
    _fuzz(fuzzed, role, GenerationMode.NEGATIVE, size(SUITE_NEGATIVE_EXAMPLES, NEGATIVE_EXAMPLES))


def test_the_harness_reaches_the_handlers(tmp_path: Path) -> None:
    """Existing ids let cases past the 404 of an unknown id: some answers are 200 and some are 409 (a state)."""
    running = start_platform(tmp_path)
    try:
        assert running.seed is not None
        known = seed_known_ids(
            running.url, running.seed.tokens, running.seed.store_id, running.seed.courier_ids
        )
        assert len(known.by_parameter["order_id"]) >= 6 and known.by_parameter["delivery_id"]
        report = fuzz_operations(
            running.url,
            running.seed.tokens,
            known,
            examples=3,
            roles=["admin"],
            modes=(GenerationMode.POSITIVE,),
        )
    finally:
        running.stop()
    assert report.statuses[200] > 10 and report.statuses[409] > 0, report.summary()
