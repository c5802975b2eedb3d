"""The merchant console's queue and the dispatch board (an outside tester's findings), against the real platform
(loopback server, the console's own cache and sync engine) where an order or a courier is involved:

- the queue's search (`/`) finds every word the status column shows, wide and narrow, in either language: a
  request's "Cancel?" / "CXL?" (要取消？, 退单), "RDY" at 40 columns; "cancel" finds the requests and the ended
  "Cancelled" orders alike (each under its own heading), "Cancelled" only the ended ones;
- `c` (or `a`, `x`) refused on a ringing new order leaves it ringing, as `p` always did: only an action that
  applies acknowledges the order;
- the dispatch board's courier picker takes a courier's label (1-9, B, C...) as every choice dialog takes its
  digit; an off-duty courier's label says why and chooses nothing;
- the board's status line shows a command bold without its backticks ("... Log in again with o2o login."), the
  rest plain, as the toasts do.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from textual.app import App
from textual.content import Content
from textual.widgets import Static

from o2o_tui.client import AsyncPlatformClient
from o2o_tui.client.errors import PlatformError
from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.fleet import CourierStatus
from o2o_tui.domain.order import Order
from o2o_tui.i18n import set_language, t
from o2o_tui.live_dispatch import CourierState
from screens import order_format as fmt
from screens.dispatch_board import ClientFleet, CourierPicker, DispatchApp, DispatchBoard
from screens.source import LinkState
from screens.widgets.city_map import courier_mark
from tests.support.platform import RunningPlatform, api
from tests.test_cli_dispatch import place_ready_orders
from tests.test_dispatch_live_samples import NOW, board_snapshot
from tests.test_ui_dispatch import MemoryFleet, board_of, courier_of, next_round, until
from tests.test_ui_live import CountingApp, _place, wait_until


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _post(platform: RunningPlatform, role: str, path: str, body: object) -> None:
    caller = api(platform, role)
    try:
        answer = caller.post(path, body)
        assert answer.status_code in (200, 202), answer.text
    finally:
        caller.close()


def _order(platform: RunningPlatform, order_id: str) -> Order:
    merchant = api(platform, "merchant")
    try:
        return msgspec.json.decode(merchant.get(f"/v1/orders/{order_id}").content, type=Order)
    finally:
        merchant.close()


# -- 1. the search finds the status words the rows show ----------------------------------------------------------


def test_the_search_finds_every_status_word_a_row_shows(shared_platform: RunningPlatform) -> None:
    asking_id = _place(shared_platform, order_type="TAKEOUT")["id"]
    _post(shared_platform, "merchant", f"/v1/orders/{asking_id}/confirm", {"preparation_minutes": 15})
    _post(shared_platform, "customer", f"/v1/orders/{asking_id}/cancellation", {"reason_code": "OTHER"})
    ready_id = _place(shared_platform, order_type="TAKEOUT")["id"]
    _post(shared_platform, "merchant", f"/v1/orders/{ready_id}/confirm", {"preparation_minutes": 15})
    _post(shared_platform, "merchant", f"/v1/orders/{ready_id}/ready", {})
    ended_id = _place(shared_platform, order_type="TAKEOUT")["id"]
    _post(shared_platform, "customer", f"/v1/orders/{ended_id}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
    asking, ready, ended = (_order(shared_platform, i) for i in (asking_id, ready_id, ended_id))
    assert asking.cancellation is not None and fmt.is_live(asking)
    orders = {"asking": asking, "ready": ready, "ended": ended}

    def found(query: str) -> set[str]:
        return {name for name, order in orders.items() if fmt.matches(order, query)}

    # what the rows show, wide and narrow (the status column's own words)
    assert fmt.queue_status(asking) == "Cancel?" and fmt.queue_status(asking, short=True) == "CXL?"
    assert fmt.queue_status(ready, short=True) == "RDY"
    assert found("Cancel?") == found("cxl?") == {"asking"}
    assert found("RDY") == found("rdy") == found("ready") == {"ready"}
    assert found("Cancelled") == {"ended"}
    assert found("CXL") == found("cancel") == {"asking", "ended"}  # each under its own heading: live, Done
    assert found("preparing") == set()  # nobody is preparing: the request's order is accepted
    assert found("accepted") == {"asking"}  # as its detail says it (the row says the request)

    set_language("zh")
    assert fmt.queue_status(asking) == "要取消？" and fmt.queue_status(asking, short=True) == "退单"
    assert found("要取消？") == found("要取消?") == found("退单") == {"asking"}  # "?" typed half-width too
    assert found("待取") == found("待取餐") == {"ready"}
    assert found("已取消") == {"ended"}
    assert found("取消") == {"asking", "ended"}
    # either language's words, as `o2o orders list --status` takes them
    assert found("RDY") == found("ready") == {"ready"}
    assert found("Cancel?") == {"asking"}


# -- 2. a refused key leaves a ringing order ringing -------------------------------------------------------------


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    return save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


class SayingApp(CountingApp):
    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.said: list[str] = []

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said.append(message)
        super().say(message, severity=severity, timeout=timeout)


def _console(profile: Profile) -> SayingApp:
    from o2o_tui.sync.session import make_client, make_engine, open_cache
    from screens.engine_source import EngineOrderSource

    cache = open_cache(profile)
    client = make_client(profile, timeout=5.0)
    engine = make_engine(profile, cache, client, poll_wait=0.5, backoff_cap=0.5)
    return SayingApp(EngineOrderSource(engine, cache, client, profile.store_id or ""), profile=profile)


async def test_a_refused_c_on_a_ringing_new_order_leaves_it_ringing(
    platform: RunningPlatform, profile: Profile
) -> None:
    app = _console(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE)
        placed = await asyncio.to_thread(_place, platform, order_type="TAKEOUT")
        order_id, number = placed["id"], f"#{placed['number']:04d}"
        screen = app.orders_screen
        await wait_until(pilot, lambda: order_id in screen.alerts.alerting)
        screen.queue.move_cursor(order_id)
        screen._moved_by_itself = None  # the person's own place: the key acts at once
        await pilot.press("c")
        await wait_until(pilot, lambda: t("ui.action.no_cancellation", number=number) in app.said)
        assert order_id in screen.alerts.alerting  # refused: it rings on, as after `p`
        await pilot.press("p")
        await pilot.pause()
        assert order_id in screen.alerts.alerting
        await pilot.press("x")  # applies: the reject dialog opens, the order is answered
        await pilot.pause()
        assert order_id not in screen.alerts.alerting


# -- 3. the courier picker takes the labels it shows -------------------------------------------------------------


async def test_the_picker_assigns_the_courier_whose_label_is_typed(platform: RunningPlatform) -> None:
    [ready] = place_ready_orders(platform, [(600.0, 300.0)])
    seed = platform.seed
    assert seed is not None
    client = AsyncPlatformClient(platform.url, seed.tokens["dispatcher"])
    app = DispatchApp(ClientFleet(client, seed.store_id), poll_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        assert board.plan is not None
        couriers = board.plan.couriers
        index = len(couriers) - 1  # the last on the board's list: not where the picker's highlight starts
        assert index >= 1 and couriers[index].status is not CourierStatus.OFFLINE
        board.orders_list.move_cursor(ready.id)
        rounds = board.rounds
        await pilot.press("m")
        await until(pilot, lambda: isinstance(app.screen, CourierPicker), "the courier picker opened")
        await pilot.press(courier_mark(index))
        await until(pilot, lambda: isinstance(app.screen, DispatchBoard), "the picker closed")
        await next_round(pilot, board, rounds)
        assert courier_of(platform, ready.id) == couriers[index].courier_id


def _state(courier_id: str, status: CourierStatus) -> CourierState:
    return CourierState(courier_id, courier_id.title(), status, 2, 0, None, None, None, [])


def _note(picker: CourierPicker) -> str:
    note = picker.query_one("#picker-note", Static)
    rendered = note.render()
    return str(rendered.plain if isinstance(rendered, Content) else rendered) if note.display else ""


async def test_an_off_duty_couriers_label_says_why_and_chooses_nobody() -> None:
    couriers = [_state(f"c{n}", CourierStatus.IDLE) for n in range(10)] + [_state("gone", CourierStatus.OFFLINE)]
    answers: list[str | None] = []
    app: App[None] = App()
    async with app.run_test(size=(80, 24)) as pilot:
        picker = CourierPicker(Content("pick"), couriers, None, "c1")
        await app.push_screen(picker, answers.append)
        await pilot.pause()
        assert courier_mark(10) == "C"
        await pilot.press("c")  # the off-duty courier's label, lower case
        await pilot.pause()
        assert "C Gone is off duty" in _note(picker)
        await pilot.press("2")  # the order's courier already (a reassign)
        await pilot.pause()
        assert app.screen is picker and answers == []
        assert "2 C1 has this order already" in _note(picker)  # in the dialog: a toast would wait behind it
        await pilot.press("b")  # the tenth: "B"
        await pilot.pause()
        assert answers == ["c9"]


# -- 4. the status line shows a command bold, without its backticks ---------------------------------------------


def _status(board: DispatchBoard) -> Content:
    rendered = board.query_one("#board-status", Static).render()
    assert isinstance(rendered, Content)
    return rendered


async def test_the_status_line_shows_o2o_login_bold_without_backticks(platform: RunningPlatform) -> None:
    assert platform.seed is not None
    client = AsyncPlatformClient(platform.url, "not-a-token")
    app = DispatchApp(ClientFleet(client, platform.seed.store_id), poll_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await next_round(pilot, board, 0)
        shown = _status(board)
        assert "Log in again with o2o login." in shown.plain and "`" not in shown.plain, shown.plain
        start = shown.plain.index("o2o login")
        bold = [(s.start, s.end) for s in shown.spans if "bold" in str(s.style)]
        assert (start, start + len("o2o login")) in bold, shown.spans


async def test_a_backtick_in_a_servers_message_stays_on_the_status_line() -> None:
    fleet = MemoryFleet(board_snapshot())
    fleet.failure = PlatformError(status=500, message="run `rm -rf` now")
    app = DispatchApp(fleet, clock=lambda: NOW, poll_seconds=60)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        shown = _status(board)
        assert "run `rm -rf` now" in shown.plain, shown.plain
        assert not [s for s in shown.spans if "bold" in str(s.style)], shown.spans
