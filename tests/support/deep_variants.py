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
    function, another parameter), so the suite keeps a bounded version of every test. A test marked `covering`
    (parametrized over several axes: commands x ways stdout is closed, screens x sizes x glyphs) keeps in the
    suite a subset of its combinations in which every value of every axis appears at least once (`covering`);
    the deep run takes them all."""
    _keep_covering(config, items)
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


def covering(variants: list[dict[str, str]]) -> list[int]:
    """Indices of a subset of `variants` (each an axis name -> its value, as text) in which every value of every
    axis appears: greedily the variant that adds the most values not yet covered, the first in order on a tie (the
    same subset every run). Every axis's values are covered, not every pair of them: the deep run has the pairs."""
    wanted = {pair for variant in variants for pair in variant.items()}
    chosen: list[int] = []
    while wanted:
        gains = [len(wanted & variant.items()) for variant in variants]
        best = max(range(len(variants)), key=lambda index: (gains[index], -index))
        chosen.append(best)
        wanted -= variants[best].items()
    return sorted(chosen)


def _keep_covering(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Deselect the variants of `covering` tests beyond their covering subset (not in a deep run, nor when tests
    are named one by one)."""
    if deep.deep() or config.option.markexpr or any("::" in arg for arg in config.args):
        return
    families: dict[str, list[pytest.Item]] = {}
    for item in items:
        if item.get_closest_marker("covering") is not None and item.get_closest_marker("deep") is None:
            families.setdefault(_family(item), []).append(item)
    left_out: list[pytest.Item] = []
    for variants in families.values():
        axes = [{name: repr(value) for name, value in _params(item).items()} for item in variants]
        kept = set(covering(axes))
        left_out += [item for index, item in enumerate(variants) if index not in kept]
    if left_out:
        dropped = {id(item) for item in left_out}
        items[:] = [item for item in items if id(item) not in dropped]
        config.hook.pytest_deselected(items=left_out)


def _params(item: pytest.Item) -> dict[str, object]:
    callspec = getattr(item, "callspec", None)
    return dict(callspec.params) if callspec is not None else {}


def _family(item: pytest.Item) -> str:
    """The test function an item is a variant of ("tests/test_x.py::test_y", parameters dropped)."""
    return item.nodeid.split("[", 1)[0]
