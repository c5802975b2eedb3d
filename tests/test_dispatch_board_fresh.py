"""The dispatch board stays fresh: it refreshes soon after the platform's events for its store (its own long-poll
alone, a debounce making a burst one refresh; the 15 s poll stays a fallback), marks a row whose action is on its
way ("sending…") until the answer comes, and says how old it is in seconds under a minute ("Updated now",
"Updated 25s ago": short enough for 40 columns beside the waiting counts)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from o2o_tui.config import save_profile
from o2o_tui.i18n import set_language
from screens.app import MerchantApp
from screens.dispatch_board import DispatchApp, DispatchBoard
from screens.launch import open_source
from tests.support.platform import RunningPlatform, api
from tests.test_cli_dispatch import place_ready_orders
from tests.test_dispatch_live_samples import NOW, courier, order, snapshot
from tests.test_dispatch_refusals_end_to_end import _courier, _ok, _two_on_duty
from tests.test_ui_dispatch import MemoryFleet, board_of, live_app, next_round, until
from tests.test_ui_live import wait_until


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _tag(board: object, order_id: str) -> str:
    rows = {view.order_id: view for view in board.orders_list.rows}  # type: ignore[attr-defined]
    return rows[order_id].tag


def _status(board: object) -> str:
    return str(board.query_one("#board-status").render())  # type: ignore[attr-defined]


async def test_a_courier_rejecting_shows_within_seconds_not_at_the_next_poll(platform: RunningPlatform) -> None:
    zhang, _ = _two_on_duty(platform)
    [placed] = place_ready_orders(platform, [(300.0, 200.0)])
    delivery = _ok(api(platform, "dispatcher").post(f"/v1/orders/{placed.id}/assign", {"courier_id": zhang}))
    app = live_app(platform)  # polls every 60 s: only the events can refresh it sooner
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        assert _tag(board, placed.id) == "offered"
        await pilot.pause(0.5)  # the long-poll has taken its cursor
        _ok(_courier(platform, zhang).post(f"/v1/deliveries/{delivery['id']}/reject"))
        await until(pilot, lambda: _tag(board, placed.id) != "offered", "the board heard the rejection", limit=5.0)
        assert board.plan is not None and board.plan.orders[0].courier_id is None


async def test_a_row_says_sending_until_the_answer_comes() -> None:
    data = snapshot([order(1)], [courier("李强 Li Qiang", 0.0, 0.0)])
    gate = asyncio.Event()

    class SlowFleet(MemoryFleet):
        async def assign(self, order_id: str, courier_id: str, expect: str | None = None) -> None:
            await gate.wait()  # a slow link
            await super().assign(order_id, courier_id, expect)

    fleet = SlowFleet(data)
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        order_id = board.orders_list.cursor_key
        assert _tag(board, order_id) == "now"
        await pilot.press("a")
        await pilot.pause(0.2)
        assert _tag(board, order_id) == "sending", "the row says nothing while the assignment is on its way"
        line = board.orders_list.render_row(board.orders_list.rows[0], 78, None)  # type: ignore[arg-type]
        assert "sending…" in line.plain, line.plain
        gate.set()
        await until(pilot, lambda: fleet.sent != [] and _tag(board, order_id) != "sending", "answered")


async def test_a_narrow_chinese_row_says_sending() -> None:
    set_language("zh")
    data = snapshot([order(1)], [courier("李强 Li Qiang", 0.0, 0.0)])
    gate = asyncio.Event()

    class SlowFleet(MemoryFleet):
        async def assign(self, order_id: str, courier_id: str, expect: str | None = None) -> None:
            await gate.wait()

    app = DispatchApp(SlowFleet(data), clock=lambda: NOW, poll_seconds=3600)
    async with app.run_test(size=(40, 15)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        await pilot.press("a")
        await pilot.pause(0.2)
        line = board.orders_list.render_row(board.orders_list.rows[0], 40, None)  # type: ignore[arg-type]
        assert "发送中" in line.plain, line.plain
        gate.set()


async def test_updated_says_seconds_under_a_minute_then_the_time() -> None:
    data = snapshot([order(1)], [courier("李强 Li Qiang", 0.0, 0.0)])
    now = [NOW]
    app = DispatchApp(MemoryFleet(data), clock=lambda: now[0], poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        await until(pilot, lambda: "Updated now." in _status(board), "just now")
        now[0] = NOW + timedelta(seconds=27)
        await until(pilot, lambda: "Updated 25s ago." in _status(board), "seconds")
        now[0] = NOW + timedelta(seconds=75)
        await until(pilot, lambda: "Updated 12:30." in _status(board), "the clock time past a minute")


async def test_in_the_console_the_board_hears_the_consoles_own_events(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`d` in the merchant console: the board refreshes on the console's source (its sync engine's long-poll), with
    no long-poll of its own."""
    seed = platform.seed
    zhang, _ = _two_on_duty(platform)
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "counter"))
    [placed] = place_ready_orders(platform, [(300.0, 200.0)])
    profile = save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    app = MerchantApp(open_source(profile), profile=profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        await pilot.press("d")
        await wait_until(pilot, lambda: isinstance(app.screen, DispatchBoard) and app.screen.rounds >= 1)
        board = app.screen
        assert isinstance(board, DispatchBoard)
        assert board._unwatch is not None  # the console's source, not a second long-poll
        assert not [w for w in board.workers if w.group == "dispatch-events"]
        if board._timer is not None:  # the poll out of the way: only the events can refresh it
            board._timer.stop()
            board._timer = None
        board._poll_seconds = 3600
        await pilot.pause(0.5)
        _ok(api(platform, "dispatcher").post(f"/v1/orders/{placed.id}/assign", {"courier_id": zhang}))
        await until(pilot, lambda: _tag(board, placed.id) == "offered", "the board heard the assignment", limit=8.0)
