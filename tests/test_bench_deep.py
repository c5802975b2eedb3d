"""`python -m bench deep` runs tests the suite runs small at their full size: every run it names is a test that
exists and reads its size from tests/support/deep.py, so the deep runs cannot rot unnoticed (running them is
the bench's job: they take minutes)."""

from __future__ import annotations

import ast

import pytest

from bench import deep as bench_deep
from tests.support import deep
from tests.support.platform import ROOT


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
