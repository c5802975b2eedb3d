"""The queue guards the counter against its own slips: a wrong pickup code is said in the dialog and never sent
(offline it showed the order picked up until the link was back), the cursor never follows an order into Done
nor stays on another one after a refusal, the status line says when the opening hours close the store, `q`
asks before it leaves ringing orders or unsent actions, and the cancellation dialog gives the customer's
reason. Memory source for the screen's rules; the real platform behind a fault proxy for the offline handoff.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import Cancellation, CodeLock, OrderStatus, OrderType, Party
from o2o_tui.domain.requests import CodeBody
from o2o_tui.domain.store import OpeningHours, StoreState, StoreStatus
from o2o_tui.i18n import set_language
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens.app import MerchantApp
from screens.detail_screen import DetailScreen
from screens.dialogs import ChoicePrompt, CodePrompt
from screens.engine_source import EngineOrderSource
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus, QueueEntry
from screens.widgets.footer import KeyFooter
from screens.widgets.order_list import OrderList
from screens.widgets.status_bar import link_parts
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api, order_body
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


class RecordingApp(MerchantApp):
    """Keeps what it said and counts its bells (headless Textual writes nothing anyway)."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.said: list[str] = []
        self.bells = 0

    def bell(self) -> None:
        self.bells += 1

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said.append(message)
        super().say(message, severity=severity, timeout=timeout)


def _app(source: MemoryOrderSource) -> RecordingApp:
    return RecordingApp(source, clock=lambda: FROZEN_NOW)


def _queue(app: MerchantApp) -> OrderList:
    return app.orders_screen.query_one(OrderList)


def _screen_text(app: MerchantApp) -> str:
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


def _ready_takeout(number: int = 38, **changes: object) -> QueueEntry:
    order = sample_order(number, OrderStatus.READY_FOR_PICKUP, minutes_ago=25, order_type=OrderType.TAKEOUT)
    return QueueEntry(msgspec.structs.replace(order, **changes) if changes else order)


# ---------------------------------------------------------------- D2: a wrong pickup code


async def test_a_wrong_pickup_code_is_said_in_the_dialog_and_never_sent() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())  # #0038's code is 4821
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        _queue(app).select("ord-0038")
        await pilot.press("h", *"1111", "enter")
        await pilot.pause()
        assert source.submitted == []  # a wrong try is not sent: it would count toward the code's lock
        assert isinstance(app.screen, CodePrompt)  # still asking, the field empty for the next try
        assert "Wrong code, try again." in _screen_text(app)
        assert app.screen.field().value == ""
        await pilot.press(*"4821", "enter")
        await pilot.pause()
        assert source.submitted == [("order.handoff", "ord-0038", CodeBody(code="4821"))]
        assert not isinstance(app.screen, CodePrompt)


async def test_offline_a_code_that_cannot_be_checked_here_keeps_the_order_under_ready() -> None:
    """No pickup code cached: the handoff is queued as before, said to be unchecked, and the order stays a live
    Ready row marked pending until the platform has checked it (the read model applies a queued handoff only with
    the order's cached code: tests/test_sync_read_model.py)."""
    offline = LinkStatus(LinkState.OFFLINE, last_sync_at=FROZEN_NOW - timedelta(minutes=2))
    source = MemoryOrderSource([_ready_takeout(pickup_code=None)], store=sample_store(), link=offline)
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("h", *"1111", "enter")
        await pilot.pause()
        assert source.submitted == [("order.handoff", "ord-0038", CodeBody(code="1111"))]
        assert any("Do not hand over the goods yet" in said for said in app.said), app.said
        # what the read model then says: still Ready, with the handoff pending
        source.put(source.order("ord-0038").order, pending=("order.handoff",))  # type: ignore[union-attr]
        await pilot.pause()
        queue = _queue(app)
        assert queue.order_ids == ["ord-0038"]  # live, not under Done
        [row] = queue.row_views()
        assert row.entry.order.status is OrderStatus.READY_FOR_PICKUP and row.has_class("-pending")
        assert "~#0038" in str(row.render())


async def test_an_order_handed_over_offline_shows_pending_under_done() -> None:
    source = MemoryOrderSource([_ready_takeout()], store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        handed = msgspec.structs.replace(
            source.order("ord-0038").order,  # type: ignore[union-attr]
            status=OrderStatus.DELIVERED,
            ended_at=FROZEN_NOW,
        )
        source.put(handed, pending=("order.handoff",))  # the code was right; the platform has not confirmed
        await pilot.pause()
        assert _queue(app).order_ids == []
        assert "~#0038 Picked up" in _screen_text(app)


def _proxy_profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    return save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _ready_takeout_on(platform: RunningPlatform) -> dict:
    assert platform.seed is not None
    customer, merchant = api(platform, "customer"), api(platform, "merchant")
    try:
        order = customer.post("/v1/orders", order_body(platform.seed.store_id, "TAKEOUT")).json()
        for action, body in (("confirm", {"preparation_minutes": 5}), ("ready", None)):
            assert merchant.post(f"/v1/orders/{order['id']}/{action}", body).status_code == 200
        return order
    finally:
        customer.close()
        merchant.close()


async def test_offline_a_wrong_code_is_refused_at_once_and_nothing_is_queued(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The tester's case: the link is down, `h` on a Ready takeout, a wrong code. Before: queued, shown Picked
    up under Done with no mark, refused when the link came back (the food gone). Now: said in the dialog, and
    nothing in the outbox; the right code then queues the handoff, marked pending under Done."""
    profile = _proxy_profile(platform, tmp_path, monkeypatch)
    order = await asyncio.to_thread(_ready_takeout_on, platform)
    wrong = f"{(int(order['pickup_code']) + 1) % 10_000:04d}"
    with FaultProxy(platform.port) as proxy:
        via_proxy = msgspec.structs.replace(profile, url=f"http://127.0.0.1:{proxy.port}")
        cache = open_cache(via_proxy)
        client = make_client(via_proxy, timeout=2.0)
        engine = make_engine(via_proxy, cache, client, poll_wait=0.5, backoff_cap=0.5)
        app = RecordingApp(EngineOrderSource(engine, cache, client, via_proxy.store_id or ""))
        async with app.run_test(size=(80, 24)) as pilot:
            queue = _queue(app)
            await wait_until(pilot, lambda: order["id"] in queue.order_ids)
            proxy.drop()
            await wait_until(pilot, lambda: app.source.link().state is LinkState.OFFLINE)
            queue.select(order["id"])
            await pilot.press("h", *wrong, "enter")
            await pilot.pause(0.3)
            assert isinstance(app.screen, CodePrompt) and "Wrong code" in _screen_text(app)
            assert app.source.link().pending == 0 and order["id"] in queue.order_ids
            await pilot.press(*order["pickup_code"], "enter")
            await wait_until(pilot, lambda: app.source.link().pending == 1)
            await wait_until(pilot, lambda: order["id"] not in queue.order_ids)
            assert f"~#{order['number']:04d} Picked up" in _screen_text(app)
            proxy.pass_through()
            await wait_until(pilot, lambda: app.source.link().pending == 0, timeout=30)
            assert app.source.link().conflicts == 0
    admin = api(platform, "admin")
    try:
        assert admin.get(f"/v1/orders/{order['id']}").json()["status"] == "DELIVERED"
    finally:
        admin.close()


async def test_the_simple_mode_refuses_a_wrong_code_without_sending_it() -> None:
    from screens.simple_actions import QuickActionRequested

    source = MemoryOrderSource([_ready_takeout()], store=sample_store())
    app = RecordingApp(source, clock=lambda: FROZEN_NOW, simple=True)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        app.post_message(QuickActionRequested("handoff", "ord-0038", code="1111"))
        await pilot.pause()
        assert source.submitted == []
        assert any("wrong pickup code" in said for said in app.said), app.said
        app.post_message(QuickActionRequested("handoff", "ord-0038", code="4821"))
        await pilot.pause()
        assert source.submitted == [("order.handoff", "ord-0038", CodeBody(code="4821"))]


# ---------------------------------------------------------------- D3: back to the order after a refusal


def _queue_of_ready(count: int) -> list[QueueEntry]:
    return [_ready_takeout(30 + index) for index in range(count)]


async def test_after_a_refused_handoff_the_cursor_goes_back_to_its_order() -> None:
    source = MemoryOrderSource(_queue_of_ready(3), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        queue = _queue(app)
        await pilot.press("down")
        acted = queue.cursor_id
        assert acted is not None and queue.cursor_row == 1
        await pilot.press("h", *"4821", "enter")
        await pilot.pause()
        assert source.submitted == [("order.handoff", acted, CodeBody(code="4821"))]
        before = source.order(acted).order  # type: ignore[union-attr]
        # the sync view: handed over, pending (the cursor stays at its row, on the next order)...
        handed = msgspec.structs.replace(before, status=OrderStatus.DELIVERED, ended_at=FROZEN_NOW)
        source.put(handed, ("order.handoff",))
        await pilot.pause()
        assert queue.cursor_row == 1 and queue.cursor_id != acted
        # ...then the platform refuses it and the view rolls back: the cursor comes back to the order
        source.put(before)
        await pilot.pause()
        assert queue.cursor_id == acted


async def test_after_a_refusal_a_cursor_the_person_moved_stays_where_they_put_it() -> None:
    source = MemoryOrderSource(_queue_of_ready(3), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        queue = _queue(app)
        await pilot.press("down")
        acted = queue.cursor_id
        await pilot.press("h", *"4821", "enter")
        await pilot.pause()
        before = source.order(acted).order  # type: ignore[union-attr]
        handed = msgspec.structs.replace(before, status=OrderStatus.DELIVERED, ended_at=FROZEN_NOW)
        source.put(handed, ("order.handoff",))
        await pilot.pause()
        await pilot.press("up")
        chosen = queue.cursor_id
        source.put(before)
        await pilot.pause()
        assert queue.cursor_id == chosen != acted


# ---------------------------------------------------------------- D4: an order that ends by itself


async def test_an_order_cancelled_under_the_cursor_leaves_the_cursor_in_the_live_queue() -> None:
    entries = [QueueEntry(sample_order(n, OrderStatus.CREATED, minutes_ago=9 - n)) for n in range(1, 6)]
    source = MemoryOrderSource(entries, store=sample_store())
    app = _app(source)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        queue = _queue(app)
        await pilot.press("down")
        row = queue.cursor_row
        gone = queue.cursor_id
        assert gone is not None
        after = queue.order_ids[row + 1]
        timed_out = msgspec.structs.replace(
            source.order(gone).order,  # type: ignore[union-attr]
            status=OrderStatus.CANCELLED,
            cancel_reason_code="ACCEPT_TIMEOUT",
            ended_at=FROZEN_NOW,
        )
        source.put(timed_out)
        await pilot.pause()
        assert gone not in queue.order_ids  # under Done now
        assert queue.cursor_row == row and queue.cursor_id == after  # the order that took its row
        # the last live order ending: the cursor goes to the one above it, not into Done
        queue.select(queue.order_ids[-1])
        last = queue.cursor_id
        above = queue.order_ids[-2]
        cancelled = msgspec.structs.replace(
            source.order(last).order,  # type: ignore[union-attr]
            status=OrderStatus.CANCELLED,
            ended_at=FROZEN_NOW,
        )
        source.put(cancelled)
        await pilot.pause()
        assert queue.cursor_id == above


# ---------------------------------------------------------------- D5: closed by the opening hours


def _store_closed_by_hours():  # type: ignore[no-untyped-def]
    """Wednesday 12:30 in Shanghai (FROZEN_NOW); open Wednesdays 17:00-22:00 only."""
    return msgspec.structs.replace(sample_store(), opening_hours=[OpeningHours(2, "17:00", "22:00")])


def test_the_status_line_says_closed_until_the_hours_open() -> None:
    link = LinkStatus(LinkState.ONLINE, last_sync_at=FROZEN_NOW)
    wide = "".join(text for text, _ in link_parts(link, _store_closed_by_hours(), FROZEN_NOW, 80))
    assert "CLOSED FOR NOW, opens 17:00" in wide
    narrow = "".join(text for text, _ in link_parts(link, _store_closed_by_hours(), FROZEN_NOW, 20))
    assert "CLOSED" in narrow
    busy = msgspec.structs.replace(
        _store_closed_by_hours(), status=StoreStatus(StoreState.BUSY, extra_minutes=10)
    )
    assert "CLOSED FOR NOW, opens 17:00" in "".join(text for text, _ in link_parts(link, busy, FROZEN_NOW, 80))
    open_now = msgspec.structs.replace(sample_store(), opening_hours=[OpeningHours(2, "10:00", "22:00")])
    line = "".join(text for text, _ in link_parts(link, open_now, FROZEN_NOW, 80))
    assert "CLOSED" not in line


async def test_the_queue_shows_the_closed_badge_in_chinese_too() -> None:
    set_language("zh")
    source = MemoryOrderSource(sample_entries(), store=_store_closed_by_hours())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert "休息中，17:00 营业" in _screen_text(app)


# ---------------------------------------------------------------- D10: q with orders waiting


async def test_q_asks_before_leaving_orders_that_wait_for_an_answer() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ChoicePrompt) and app.is_running
        text = _screen_text(app)
        assert "Quit the console?" in text and "2 orders wait for an answer" in text  # #0042 new, #0039 cancel
        await pilot.press("n")
        await pilot.pause()
        assert app.screen is app.orders_screen and app.is_running
        await pilot.press("q", "escape")
        await pilot.pause()
        assert app.screen is app.orders_screen and app.is_running
        await pilot.press("q", "y")
        await pilot.pause()
        assert not app.is_running


async def test_q_asks_when_actions_wait_in_the_outbox_and_enter_quits() -> None:
    quiet = [entry for entry in sample_entries() if entry.order.status is OrderStatus.PREPARING]
    link = LinkStatus(LinkState.OFFLINE, pending=3, last_sync_at=FROZEN_NOW)
    source = MemoryOrderSource(quiet, store=sample_store(), link=link)
    app = _app(source)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert isinstance(app.screen, ChoicePrompt)
        assert "3 actions are not sent" in _screen_text(app)
        await pilot.press("enter")
        await pilot.pause()
        assert not app.is_running


async def test_q_quits_at_once_when_nothing_waits() -> None:
    quiet = [entry for entry in sample_entries() if entry.order.status is OrderStatus.PREPARING]
    source = MemoryOrderSource(quiet, store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running


# ---------------------------------------------------------------- D11: the smaller ones


async def test_the_cancellation_dialog_gives_the_customers_reason() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        _queue(app).select("ord-0039")  # asks to cancel: 等太久了
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, ChoicePrompt)
        assert "the customer asks to cancel: 等太久了" in _screen_text(app)


async def test_the_cancellation_reason_is_plain_text() -> None:
    hostile = Cancellation(requested_by=Party.CUSTOMER, reason_code="OTHER", reason="[b]x[/] \x1b]0;t\x07")
    order = sample_order(39, OrderStatus.CONFIRMED, minutes_ago=15, cancellation=hostile)
    source = MemoryOrderSource([QueueEntry(order)], store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("c")
        await pilot.pause()
        text = _screen_text(app)
        assert "[b]x[/]" in text and "\x1b" not in text and "\x07" not in text


async def test_a_locked_code_puts_u_in_the_detail_footer_and_says_the_lowercase_key() -> None:
    locked = _ready_takeout(code_locks=[CodeLock(kind="pickup", until=FROZEN_NOW + timedelta(minutes=9))])
    source = MemoryOrderSource([locked, *sample_entries()[:3]], store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        _queue(app).select("ord-0038")
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen)
        text = _screen_text(app)
        assert "press u to lift it" in text and "U lifts" not in text
        shown = [entry.binding_id for entry in app.screen.query_one(KeyFooter).layout_for()[1]]
        assert "detail.unlock_code" in shown


def test_the_status_line_stops_saying_paused_once_the_pause_ran_out() -> None:
    from datetime import timedelta

    import msgspec

    from screens.widgets.status_bar import store_badge

    store = sample_store()
    paused = msgspec.structs.replace(
        store, status=StoreStatus(state=StoreState.PAUSED, until=FROZEN_NOW + timedelta(minutes=10))
    )
    assert store_badge(paused, FROZEN_NOW) == ("PAUSED",)
    assert store_badge(paused, FROZEN_NOW + timedelta(minutes=11)) == ()  # open again, as the platform reads it


def test_an_order_the_store_cancelled_after_accepting_it_is_not_called_rejected() -> None:
    from datetime import timedelta

    import msgspec

    from screens.widgets.order_row import ended_reason

    base = sample_order(10, OrderStatus.CANCELLED, minutes_ago=5)
    refused = msgspec.structs.replace(base, cancelled_by=Party.MERCHANT, cancel_reason_code="STORE_BUSY")
    assert ended_reason(refused) == "Rejected: Too busy"
    accepted = msgspec.structs.replace(refused, confirmed_at=FROZEN_NOW - timedelta(minutes=4))
    assert ended_reason(accepted) == "Cancelled by the store: Too busy"
    # a customer's reason code is said in words, as the figures say it, never as the raw code
    by_customer = msgspec.structs.replace(base, cancelled_by=Party.CUSTOMER, cancel_reason_code="TAKING_TOO_LONG")
    assert "Taking too long" in ended_reason(by_customer) and "TAKING_TOO_LONG" not in ended_reason(by_customer)
