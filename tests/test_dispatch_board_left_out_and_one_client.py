"""The dispatch board for a store with its own fleet: `A` leaves out the pairs the engine leaves to a person (a
courier who refused the order before; a held reassignment) and those the platform would refuse (a courier with no
room), and says in one line how many and why; and `d` in the merchant console borrows the console's own platform
client (its sync engine's) rather than setting one up per open, closed once, when the console quits."""

from __future__ import annotations

import asyncio
import traceback
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest

import o2o_tui.client
from o2o_tui.client import AsyncPlatformClient
from o2o_tui.config import save_profile
from o2o_tui.i18n import set_language
from o2o_tui.live_dispatch import LivePlan, Suggestion, plan_live
from screens import dispatch_board
from screens.app import MerchantApp
from screens.dispatch_board import DispatchApp, DispatchBoard, left_out_line
from screens.launch import open_source
from tests.support.platform import RunningPlatform, api
from tests.test_cli_dispatch import on_server, place_ready_orders
from tests.test_dispatch_live_samples import NOW, courier, order, snapshot
from tests.test_dispatch_refusals_end_to_end import _courier, _ok, _put, _two_on_duty
from tests.test_ui_dispatch import MemoryFleet, board_of, live_app, next_round, until
from tests.test_ui_live import wait_until


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _messages(app: DispatchApp | MerchantApp) -> list[str]:
    """The toasts' sentences as given, before they were broken for the screen's width."""
    return [str(app._toasts.given(n)[0]) for n in app._notifications]


async def test_accept_all_leaves_out_an_order_its_courier_refused_and_says_so(platform: RunningPlatform) -> None:
    zhang, wang = _two_on_duty(platform)
    refused, *others = place_ready_orders(platform, [(300.0, 200.0), (250.0, -100.0), (-200.0, 150.0)])
    delivery = _ok(api(platform, "dispatcher").post(f"/v1/orders/{refused.id}/assign", {"courier_id": zhang}))
    _ok(_courier(platform, zhang).post(f"/v1/deliveries/{delivery['id']}/reject"))
    _put(platform, wang, "OFFLINE")  # Zhang alone on duty: the engine suggests the refused order to him, marked
    app = live_app(platform)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        plan = board.plan
        assert plan is not None
        marked = plan.suggestion_for(refused.id)
        assert marked is not None and marked.refused and marked.courier_id == zhang, marked
        assert all(plan.suggestion_for(o.id) is not None for o in others)
        rounds = board.rounds
        await pilot.press("A")
        await next_round(pilot, board, rounds)
        assert on_server(platform, refused.id).courier_id is None  # not offered again to the courier who said no
        assert [on_server(platform, o.id).courier_id for o in others] == [zhang, zhang]  # the rest went
        messages = _messages(app)
        number = f"#{refused.number:04d}"
        [said] = [m for m in messages if m.startswith("Left out")]
        assert said == f"Left out by A, 1: {number}: its courier refused it before (a on its row sends it anyway).", said
        assert any(m.startswith("Sent 2") and number not in m for m in messages), messages
        assert not any("refused:" in m for m in messages), messages  # no refusal from the platform either

        # a person may still send it, on its row: the platform takes it
        rounds = board.rounds
        board.orders_list.move_cursor(refused.id)
        await pilot.press("a")
        await next_round(pilot, board, rounds)
        assert on_server(platform, refused.id).courier_id == zhang


async def test_accept_all_counts_each_reason_and_sends_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    data = snapshot(
        [order(n) for n in (1, 2, 3, 4, 5)],
        [courier("李强 Li Qiang", 0.0, 0.0, capacity=2), courier("王芳 Wang Fang", 100.0, 0.0)],
    )
    real = plan_live(data, NOW)

    def planned(snap: object, now: object, params: object = None) -> LivePlan:
        def made(n: int, courier_id: str, **marks: bool) -> Suggestion:
            return Suggestion(f"ord-000{n}", n, courier_id, "x", NOW, NOW, NOW, True, 1, 1, **marks)

        suggestions = [
            made(1, "cr-qiang", refused=True),
            made(2, "cr-wang", held=True),
            made(3, "cr-qiang"),
            made(4, "cr-qiang"),
            made(5, "cr-qiang"),  # Li Qiang has room for two: the platform would refuse the third
        ]
        return msgspec.structs.replace(real, suggestions=suggestions)

    monkeypatch.setattr(dispatch_board, "plan_live", planned)
    fleet = MemoryFleet(data)
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        await pilot.press("A")
        await until(pilot, lambda: len(fleet.sent) >= 2 and not board.busy, "sent")
        await pilot.pause(0.2)
        assert fleet.sent == [("assign", "ord-0003", "cr-qiang"), ("assign", "ord-0004", "cr-qiang")]
        [said] = [m for m in _messages(app) if m.startswith("Left out")]
        assert said.startswith("Left out by A, 3: #0001: its courier refused it before"), said
        assert "; #0002: a reassignment" in said and "; #0005: its courier has no room left." in said, said


def test_the_left_out_line_reads_in_chinese() -> None:
    set_language("zh")
    line = left_out_line({"full": ["#0005"], "refused": ["#0001", "#0003"]})
    assert line == "全部接受未派出 3 单：#0001, #0003：骑手曾拒绝此单（在该行按 a 仍可派出）；#0005：骑手已满载。", line
    assert "\n" not in line


async def test_two_opens_of_the_board_use_the_consoles_one_client(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = platform.seed
    assert seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "counter"))
    made: list[tuple[AsyncPlatformClient, bool]] = []  # each client made, and whether the board made it

    class Counted(AsyncPlatformClient):
        def __init__(self, *args: object, **kwargs: object) -> None:
            super().__init__(*args, **kwargs)  # type: ignore[arg-type]
            by_board = any(frame.filename.endswith("dispatch_board.py") for frame in traceback.extract_stack())
            made.append((self, by_board))

    monkeypatch.setattr(o2o_tui.client, "AsyncPlatformClient", Counted)  # the console's and any board's
    place_ready_orders(platform, [(300.0, 200.0)])
    profile = save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    app = MerchantApp(open_source(profile), profile=profile)
    boards: list[DispatchBoard] = []
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        shared = app.source.client  # type: ignore[attr-defined]
        for _ in range(2):
            await pilot.press("d")
            await wait_until(pilot, lambda: isinstance(app.screen, DispatchBoard) and app.screen.rounds >= 1)
            board = app.screen
            assert isinstance(board, DispatchBoard) and board.plan is not None and board.snapshot is not None
            assert board.snapshot.orders and board.snapshot.couriers  # read through the console's client
            boards.append(board)
            await pilot.press("escape")
            await wait_until(pilot, lambda: not isinstance(app.screen, DispatchBoard))
        assert [b.fleet._client for b in boards] == [shared, shared]  # type: ignore[attr-defined]
        assert not [client for client, by_board in made if by_board], made  # no board set one up
        client = shared.prepare()  # the console's own (its sync engine's)
        assert client in [c for c, _ in made]
        assert not client._http.is_closed  # a board going away leaves it to the console
        await asyncio.sleep(0)
    assert client._http.is_closed  # closed when the console quit
