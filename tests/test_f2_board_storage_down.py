"""The platform answers but cannot reach its storage (PostgreSQL stopped: reads refused 503 `storage_unavailable`):
the standalone dispatch board says PLATFORM DOWN (平台故障), the console's words, not the client's generic
storage message; before anything was loaded its note says so too. Back when the database is."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.i18n import set_language, t
from screens.dispatch_board import ClientFleet, DispatchApp, DispatchBoard
from tests.support.platform import RunningPlatform, start_platform
from tests.support.postgres import PostgresCluster, PostgresUnavailable, start_cluster
from tests.test_server_database_down import _pg_ctl, _start_again
from tests.test_ui_dispatch import next_round


@pytest.fixture
def own_cluster() -> Iterator[PostgresCluster]:
    """A cluster of this test's own: it is stopped and started again, which the shared one must never be."""
    try:
        cluster = start_cluster()
    except PostgresUnavailable as error:
        pytest.skip(str(error))
    try:
        yield cluster
    finally:
        cluster.stop()


def _app(running: RunningPlatform) -> DispatchApp:
    assert running.seed is not None
    client = AsyncPlatformClient(running.url, running.seed.tokens["dispatcher"])
    return DispatchApp(ClientFleet(client, running.seed.store_id, role="dispatcher"), poll_seconds=60)


async def _status_after_a_round(
    running: RunningPlatform, size: tuple[int, int], *, loaded: bool
) -> tuple[str, str]:
    app = _app(running)
    async with app.run_test(size=size) as pilot:
        board = app.screen
        assert isinstance(board, DispatchBoard)
        await next_round(pilot, board, 0)
        if loaded:
            board.refresh_fleet()
            await next_round(pilot, board, 1)
        note = board.query_one("#board-unknown")
        return str(board.query_one("#board-status").render()), str(note.render()) if note.display else ""


@pytest.mark.parametrize(("language", "said"), [("en", "PLATFORM DOWN"), ("zh", "平台故障")])
async def test_the_board_says_platform_down_when_the_platform_cannot_read_its_storage(
    own_cluster: PostgresCluster, tmp_path: Path, language: str, said: str
) -> None:
    set_language(language)
    running = start_platform(tmp_path, db_url=own_cluster.create_database())
    try:
        status, note = await _status_after_a_round(running, (80, 24), loaded=False)
        assert said not in status and not note, status  # the database answers: the board as usual
        _pg_ctl(own_cluster, "-m", "fast", "-w", "stop")
        try:
            for size in ((80, 24), (40, 15)):
                status, note = await _status_after_a_round(running, size, loaded=False)  # nothing loaded yet
                assert status.startswith(said), status
                assert note == t("dispatch.board.unknown_storage_down") and said in note, note
                generic = t("client.error.storage_unavailable")
                assert generic not in status and generic[:20] not in status, status
        finally:
            _start_again(own_cluster)
        status, _ = await _status_after_a_round(running, (80, 24), loaded=False)
        assert said not in status, status
    finally:
        running.stop()
        set_language(None)


async def test_a_loaded_board_keeps_its_rows_and_says_platform_down_since(
    own_cluster: PostgresCluster, tmp_path: Path
) -> None:
    set_language("en")
    running = start_platform(tmp_path, db_url=own_cluster.create_database())
    try:
        app = _app(running)
        async with app.run_test(size=(80, 24)) as pilot:
            board = app.screen
            assert isinstance(board, DispatchBoard)
            await next_round(pilot, board, 0)
            _pg_ctl(own_cluster, "-m", "fast", "-w", "stop")
            try:
                board.refresh_fleet()
                await next_round(pilot, board, 1)
                status = str(board.query_one("#board-status").render())
                assert status.startswith("PLATFORM DOWN") and "the board is as of" in status, status
                assert board.snapshot is not None and not board.query_one("#board-unknown").display
            finally:
                _start_again(own_cluster)
    finally:
        running.stop()
        set_language(None)
