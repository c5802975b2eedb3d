"""The dispatch board when the platform does not answer, against the real server: a timed-out or unreachable
assignment is never called "refused" (nor shows a raw HTTP path), and a board opened offline never says "0
orders waiting": the counts are not known, or the orders are this device's cache, marked so with their age."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Static
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.client import AsyncPlatformClient
from o2o_tui.i18n import set_language
from screens.dispatch_board import ClientFleet, DispatchApp, DispatchBoard
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform
from tests.test_cli_dispatch import place_ready_orders
from tests.test_ui_dispatch import board_of, courier_of, next_round, until


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def toasts(app: DispatchApp) -> list[str]:
    """Every toast as given (before its lines were broken for the width)."""
    return [app._toasts.given(n)[0] for n in app._notifications]


def line(board: DispatchBoard, widget_id: str) -> str:
    return str(board.query_one(widget_id, Static).render())


def no_raw_words(text: str) -> None:
    for raw in ("/v1/", "GET ", "POST ", "timed out", "ConnectError", "refused"):
        assert raw not in text, (raw, text)


async def test_a_timed_out_assignment_is_not_called_refused(platform: RunningPlatform) -> None:
    (order,) = place_ready_orders(platform, [(900.0, 200.0)])
    with FaultProxy(platform.port) as proxy:
        client = AsyncPlatformClient(
            f"http://127.0.0.1:{proxy.port}", platform.seed.tokens["dispatcher"], timeout=1.0
        )
        app = DispatchApp(ClientFleet(client, platform.seed.store_id), poll_seconds=60)
        async with app.run_test(size=(80, 24)) as pilot:
            board = board_of(app)
            await next_round(pilot, board, 0)
            board.orders_list.move_cursor(order.id)
            proxy.black_hole()  # the request is taken, no answer ever comes: the client's timeout fires
            rounds = board.rounds
            await pilot.press("a")
            await until(
                pilot, lambda: any("no answer" in text for text in toasts(app)), "the no-answer toast"
            )
            said = " ".join(toasts(app))
            assert "#0001: no answer from the platform: the assignment may still have been made" in said
            no_raw_words(said)
            await until(
                pilot, lambda: board.rounds > rounds, "the refresh after the action (through the black hole)"
            )
            proxy.pass_through()
            await pilot.press("f5")
            await until(
                pilot, lambda: "Updated" in line(board, "#board-status"), "the board read the platform again"
            )
            # the next refresh shows what stands, whatever the platform did with the request
            row = board.orders_list.row(order.id)
            assert row is not None
            assert (row.tag == "sent") == (courier_of(platform, order.id) is not None)


async def test_an_unreachable_platform_says_not_sent_and_stops_sending(platform: RunningPlatform) -> None:
    first, second = place_ready_orders(platform, [(900.0, 200.0), (-700.0, -900.0)])
    client = AsyncPlatformClient(platform.url, platform.seed.tokens["dispatcher"], timeout=2.0)
    app = DispatchApp(ClientFleet(client, platform.seed.store_id), poll_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        assert len(board.plan.suggestions) == 2
        platform.stop()  # nothing listens: the connection cannot be opened, so nothing was sent
        rounds = board.rounds
        await pilot.press("A")
        await until(pilot, lambda: any("Not sent" in text for text in toasts(app)), "the not-sent toast")
        said = " ".join(toasts(app))
        sent_line = next(text for text in toasts(app) if text.startswith("Not sent: "))
        numbers, _, words = sent_line.removeprefix("Not sent: ").partition(": ")
        assert sorted(numbers.split(", ")) == ["#0001", "#0002"]  # the first failed, the second was not tried
        assert words == "the platform cannot be reached, try again."
        no_raw_words(said)
        await until(pilot, lambda: board.rounds > rounds, "the refresh after the actions")
        status = line(board, "#board-status")
        assert status.startswith("Offline: the platform cannot be reached; the board is as of"), status
        no_raw_words(status)
        await pilot.press("down")  # moving the cursor does not turn the line back to "Updated 12:03."
        await pilot.pause()
        assert line(board, "#board-status") == status
        assert board.query_one("#board-status").has_class("-error")


async def test_a_board_opened_offline_without_a_cache_says_not_known(platform: RunningPlatform) -> None:
    place_ready_orders(platform, [(900.0, 200.0)] * 3)
    platform.stop()
    client = AsyncPlatformClient(platform.url, platform.seed.tokens["dispatcher"], timeout=2.0)
    app = DispatchApp(ClientFleet(client, platform.seed.store_id), poll_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds > 0, "the first round")
        await pilot.pause()
        assert line(board, "#orders-title") == "Orders waiting for a courier (?)"
        assert line(board, "#couriers-title") == "Couriers: not known (offline)"
        note = board.query_one("#board-unknown", Static)
        assert note.display and "An empty list here does not mean nothing to dispatch" in line(
            board, "#board-unknown"
        )
        status = line(board, "#board-status")
        assert status == "Offline: the platform cannot be reached. Retrying.", status
        assert "0" not in line(board, "#orders-title") + line(board, "#couriers-title")


def synced_profile(platform: RunningPlatform, home: Path) -> None:
    env = {"O2O_HOME": str(home), "O2O_LANG": "en", "O2O_PROFILE": None, "O2O_TOKEN": None}
    for args in (
        ["login", "--url", platform.url, "--token", platform.seed.tokens["merchant"]],
        ["sync", "--once"],
    ):
        result = CliRunner().invoke(cli_app, args, env=env, catch_exceptions=False)
        assert result.exit_code == 0, result.stdout + result.stderr


async def test_a_board_opened_offline_shows_the_cached_orders_as_such(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    orders = place_ready_orders(platform, [(900.0, 200.0), (-700.0, -900.0), (300.0, 300.0)])
    home = tmp_path / "home"
    await asyncio.to_thread(synced_profile, platform, home)  # `o2o sync` runs its own event loop
    monkeypatch.setenv("O2O_HOME", str(home))
    platform.stop()
    client = AsyncPlatformClient(platform.url, platform.seed.tokens["merchant"], timeout=2.0)
    fleet = ClientFleet(client, platform.seed.store_id, profile_name="default")
    app = DispatchApp(fleet, poll_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds > 0, "the first round")
        await pilot.pause()
        assert set(board.orders_list.keys) == {o.id for o in orders}
        assert {board.orders_list.row(o.id).tag for o in orders} == {"cached"}
        assert line(board, "#orders-title") == "Waiting 3 (this device's cache)"
        assert line(board, "#couriers-title") == "Couriers: not known (offline)"
        assert not board.plan.suggestions and not board.plan.couriers  # nothing planned from stale data
        status = line(board, "#board-status")
        assert status.startswith("Offline: the orders are from this device's cache, as of "), status
        assert "min ago" in status
        await pilot.press("a")
        await until(pilot, lambda: bool(toasts(app)), "a toast")
        assert "nothing can be sent until the platform answers" in toasts(app)[-1]


async def test_before_the_first_answer_the_counts_are_not_known(platform: RunningPlatform) -> None:
    place_ready_orders(platform, [(900.0, 200.0)])
    with FaultProxy(platform.port) as proxy:
        proxy.black_hole()  # the first read hangs: the board is still loading
        client = AsyncPlatformClient(
            f"http://127.0.0.1:{proxy.port}", platform.seed.tokens["dispatcher"], timeout=3.0
        )
        app = DispatchApp(ClientFleet(client, platform.seed.store_id), poll_seconds=60)
        async with app.run_test(size=(80, 24)) as pilot:
            board = board_of(app)
            await pilot.pause(0.3)
            assert board.rounds == 0
            assert line(board, "#orders-title") == "Orders waiting for a courier (?)"
            assert line(board, "#couriers-title") == "Couriers (?)"
            assert line(board, "#board-status") == "Loading the fleet…"
            proxy.pass_through()
