"""Variants of a slow test left to `python -m bench deep`: a test's parameter set marked `@pytest.mark.deep` (another
language, size or terminal of the same test) is deselected in the suite; the suite runs its siblings. The hook
lives here, imported by tests/conftest.py, so a run of its own (tests/test_bench_deep.py) can load it alone."""

from __future__ import annotations

import pytest

from tests.support import deep

# A test's languages where the English run checks what the test is about (keys, saving, refusals: not the Chinese
# words or their widths): Chinese is `python -m bench deep`'s (the suite's time: ~70 of these ran 2-9 s each).
ENGLISH_HERE_CHINESE_DEEP = ["en", pytest.param("zh", marks=pytest.mark.deep)]


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Variants marked `deep` (a second language, size or terminal of a slow test) are left out of the suite
    ("N deselected") and run by `python -m bench deep`; each must have a sibling the suite runs (the same test
    function, another parameter), so the suite keeps a bounded version of every test."""
    marked = [item for item in items if item.get_closest_marker("deep") is not None]
    if not marked or any("::" in arg for arg in config.args):  # tests named one by one run as named
        return
    kept = {_family(item) for item in items if item.get_closest_marker("deep") is None}
    orphans = [item.nodeid for item in marked if _family(item) not in kept]
    if orphans and not config.option.markexpr:  # `-m deep` selects only the marked ones
        raise pytest.UsageError(f"marked deep without a variant the suite runs: {', '.join(orphans)}")
    if deep.deep() or config.option.markexpr:
        return
    items[:] = [item for item in items if item.get_closest_marker("deep") is None]
    config.hook.pytest_deselected(items=marked)


def _family(item: pytest.Item) -> str:
    """The test function an item is a variant of ("tests/test_x.py::test_y", parameters dropped)."""
    return item.nodeid.split("[", 1)[0]
