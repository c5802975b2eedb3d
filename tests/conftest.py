"""Shared fixtures: a real platform server on a free loopback port with a seeded SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support import deep
from tests.support.platform import RunningPlatform, start_platform
from tests.support.postgres import PostgresCluster, PostgresUnavailable, start_cluster
from tests.test_cli_orders import Cli


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


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[RunningPlatform]:
    """A fresh server and seeded database for one test; stopped afterwards."""
    running = start_platform(tmp_path)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def running(platform: RunningPlatform) -> RunningPlatform:
    """`platform` under the name the courier CLI tests give it."""
    return platform


@pytest.fixture
def courier(running: RunningPlatform, tmp_path: Path) -> Iterator[Cli]:
    """A courier's profile logged in to `running` through the CLI; at the end no output of it may show its token.
    (A module with a `courier` or `running` fixture of its own keeps its own.)"""
    assert running.seed is not None
    runner = Cli(tmp_path / "courier-home", running.seed.tokens["courier"])
    runner("login", "--url", running.url, "--token", runner.token)
    yield runner
    assert all(runner.token not in text for text in runner.outputs)  # no output ever shows the token


@pytest.fixture(scope="module")
def shared_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """One server for a whole module, for tests that mostly read."""
    running = start_platform(tmp_path_factory.mktemp("shared_platform"))
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="session")
def postgres_cluster() -> Iterator[PostgresCluster]:
    """One throwaway PostgreSQL cluster for the session (skips when the server binaries are not installed)."""
    pytest.importorskip("psycopg", reason="psycopg is not installed: pip install -e '.[test]'")
    try:
        cluster = start_cluster()
    except PostgresUnavailable as error:
        pytest.skip(str(error))
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture
def postgres_url(postgres_cluster: PostgresCluster) -> Iterator[str]:
    """A fresh empty database in the session's cluster for one test, dropped afterwards."""
    url = postgres_cluster.create_database()
    try:
        yield url
    finally:
        postgres_cluster.drop_database(url)
