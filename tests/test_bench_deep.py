"""`python -m bench deep` runs tests the suite runs small at their full size: every run it names is a test that
exists and reads its size from tests/support/deep.py, so the deep runs cannot rot unnoticed (running them is
the bench's job: they take minutes)."""

from __future__ import annotations

import ast

import pytest

from bench import deep as bench_deep
from tests.support import deep
from tests.support.platform import ROOT

pytest_plugins = ["pytester"]


def test_every_deep_run_names_a_test_that_reads_its_size() -> None:
    assert bench_deep.DEEP and not bench_deep.QUICK
    for node, small, full in bench_deep.DEEP:
        path, name = node.split("::")
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        [function] = [
            f
            for f in ast.walk(tree)
            if isinstance(f, ast.FunctionDef | ast.AsyncFunctionDef) and f.name == name
        ]
        calls = [
            c for c in ast.walk(function) if isinstance(c, ast.Call) and getattr(c.func, "id", "") == "size"
        ]
        assert calls, f"{node} does not read its size from tests/support/deep.py"
        assert small and full and small != full


def test_the_suite_runs_small_and_the_bench_runs_deep(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(deep.ENV, raising=False)
    assert deep.size(2, 5) == 2
    monkeypatch.setenv(deep.ENV, "1")
    assert deep.size(2, 5) == 5


VARIANTS = """
import pytest


@pytest.mark.parametrize("lang", ["en", pytest.param("zh", marks=pytest.mark.deep)])
def test_words(lang):
    pass
"""

ALONE = """
import pytest


@pytest.mark.deep
def test_only_deep():
    pass
"""


def _suite_run(pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch, source: str) -> pytest.RunResult:
    """A run of `source` under this suite's collection hook (tests/support/deep_variants.py), in its own process."""
    monkeypatch.setenv("PYTHONPATH", str(ROOT))
    pytester.makeconftest("from tests.support.deep_variants import pytest_collection_modifyitems  # noqa: F401\n")
    pytester.makeini("[pytest]\nmarkers =\n    deep: a variant for the bench\n")
    pytester.makepyfile(test_marked=source)
    return pytester.runpytest_subprocess("-p", "no:cacheprovider", "-p", "no:xdist")


def test_the_suite_leaves_a_marked_variant_to_the_bench_and_the_bench_runs_it(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(deep.ENV, raising=False)
    _suite_run(pytester, monkeypatch, VARIANTS).assert_outcomes(passed=1, deselected=1)
    monkeypatch.setenv(deep.ENV, "1")
    _suite_run(pytester, monkeypatch, VARIANTS).assert_outcomes(passed=2)


def test_a_test_marked_deep_with_no_variant_in_the_suite_is_refused(
    pytester: pytest.Pytester, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(deep.ENV, raising=False)
    result = _suite_run(pytester, monkeypatch, ALONE)
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*marked deep without a variant the suite runs: test_marked.py::test_only_deep*"])


def test_the_bench_lists_the_marked_variants_as_a_run(capsys: pytest.CaptureFixture[str]) -> None:
    bench_deep.main(["--list", "--only", "-m deep"])
    assert capsys.readouterr().out.splitlines()[0] == "-m deep"
