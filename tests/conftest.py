"""Shared fixtures: a real platform server on a free loopback port with a seeded SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

import tests.support.bytecode  # noqa: F401  (first: bytecode cached by everything after it)
from tests.support.cheaper_setup import (
    cache_typer_commands,
    freeze_what_collection_made,
    share_parsed_css,
    share_tls_contexts,
)
from tests.support.deep_variants import pytest_collection_modifyitems  # noqa: F401  (the suite's hook)
from tests.support.platform import RunningPlatform, start_platform
from tests.support.postgres import PostgresCluster, PostgresUnavailable, start_cluster
from tests.test_cli_orders import Cli

cache_typer_commands()
share_tls_contexts()
share_parsed_css()


def pytest_collection_finish(session: pytest.Session) -> None:
    freeze_what_collection_made()


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
