"""Shared fixtures: a real platform server on a free loopback port with a seeded SQLite database."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.platform import RunningPlatform, start_platform


@pytest.fixture
def platform(tmp_path: Path) -> Iterator[RunningPlatform]:
    """A fresh server and seeded database for one test; stopped afterwards."""
    running = start_platform(tmp_path)
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture(scope="module")
def shared_platform(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningPlatform]:
    """One server for a whole module, for tests that mostly read."""
    running = start_platform(tmp_path_factory.mktemp("shared_platform"))
    try:
        yield running
    finally:
        running.stop()
