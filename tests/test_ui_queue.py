"""Pilot tests of the queue's behaviour on an in-memory source: keyed row updates, alerts, search, keys,
untrusted text. (The same screens against the real platform: test_ui_live.py.)"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import msgspec
import pytest

from o2o_tui.domain.order import CustomerContact, OrderStatus
from o2o_tui.domain.requests import CodeBody, ConfirmBody, ReasonBody
from o2o_tui.i18n import set_language
from screens import order_format as fmt
from screens.app import MerchantApp
from screens.detail_screen import DetailScreen
from screens.dialogs import NumberPrompt
from screens.memory_source import MemoryOrderSource
from screens.source import LinkState, LinkStatus, QueueEntry
from screens.widgets.order_list import OrderList, RowView
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


class CountingApp(MerchantApp):
    """Counts bells instead of writing BEL to a terminal (headless Textual writes nothing anyway)."""

    bells = 0

    def bell(self) -> None:
        self.bells += 1


def _app(source: MemoryOrderSource) -> CountingApp:
    return CountingApp(source, clock=lambda: FROZEN_NOW)


def _rows(app: MerchantApp) -> list[RowView]:
    return app.orders_screen.queue.row_views()


def _screen_text(app: MerchantApp) -> str:
    """What the terminal shows, as plain text lines (styles dropped; control characters kept)."""
    strips = app.screen._compositor.render_strips()
    return "\n".join("".join(segment.text for segment in strip) for strip in strips)


async def test_new_order_appears_rings_and_stands_out_until_it_is_opened() -> None:
    source = MemoryOrderSource(store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert _rows(app) == []
        source.put(sample_order(7, OrderStatus.CREATED, minutes_ago=0))
        await pilot.pause()
        rows = _rows(app)
        assert [row.entry.order.number for row in rows] == [7]
        assert app.bells == 1
        assert rows[0].has_class(
            "-alert"
        )  # drawn highlighted, steadily: a blink would cost bytes every second
        await pilot.press("down")  # moving does not answer it (tests/test_ui_queue_ringing.py)
        await pilot.pause()
        assert rows[0].has_class("-alert")
        await pilot.press("enter", "escape")  # opened
        await pilot.pause()
        assert not rows[0].has_class("-alert")


async def test_rows_update_in_place_and_resort() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        by_number = {row.entry.order.number: row for row in _rows(app)}
        assert 36 not in by_number  # delivered orders are not in the live queue
        row_42 = by_number[42]
        assert app.orders_screen.queue.order_ids[0] == "ord-0042"  # new orders first
        source.put(msgspec.structs.replace(row_42.entry.order, status=OrderStatus.CONFIRMED, version=2))
        await pilot.pause()
        assert _rows(app)[0] is not row_42  # it moved down ...
        assert any(row is row_42 for row in _rows(app))  # ... as the same line, by its key
        assert row_42.has_class("-status-confirmed") and not row_42.has_class("-alert")
        source.put(msgspec.structs.replace(row_42.entry.order, status=OrderStatus.CANCELLED, version=3))
        await pilot.pause()
        assert all(row.entry.order.number != 42 for row in _rows(app))


async def test_accept_takes_the_store_default_on_enter() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")
        await pilot.press("enter")
        await pilot.pause()
        assert source.submitted == [("order.confirm", "ord-0042", ConfirmBody(preparation_minutes=15))]
        await pilot.press("a", "2", "5", "enter")  # the same order again: it is still CREATED here
        await pilot.pause()
        assert source.submitted[-1] == ("order.confirm", "ord-0042", ConfirmBody(preparation_minutes=25))


async def test_actions_that_do_not_apply_warn_and_send_nothing() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("r", "h")  # ready / handoff on a new order
        await pilot.pause()
        assert source.submitted == []
        assert isinstance(app.screen, type(app.orders_screen))


async def test_search_filters_and_escape_clears() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("slash", *"alice")
        await pilot.pause()
        assert [row.entry.order.number for row in _rows(app)] == [41]
        await pilot.press("enter", "escape")
        await pilot.pause()
        assert len(_rows(app)) == 6


async def test_search_finds_the_order_a_customer_names_by_phone_digits_or_pickup_code() -> None:
    entries = sample_entries()
    by_number = {entry.order.number: entry for entry in entries}
    asking = by_number[40].order
    by_number[40] = QueueEntry(
        msgspec.structs.replace(
            asking,
            customer=msgspec.structs.replace(asking.customer, phone="139****1483"),
            pickup_code="7316",
        )
    )
    source = MemoryOrderSource(list(by_number.values()), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        for typed in ("1483", "7316"):  # "尾号 1483" at the counter; the code on the customer's phone
            await pilot.press("slash", *typed)
            await pilot.pause()
            assert [row.entry.order.number for row in _rows(app)] == [40], typed
            await pilot.press("enter", "escape")
            await pilot.pause()


async def test_detail_opens_on_enter_and_follows_changes() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, DetailScreen) and app.screen.order_id == "ord-0042"
        assert "4821" in _screen_text(app)  # the pickup code the merchant may see
        order = source.order("ord-0042").order
        source.put(msgspec.structs.replace(order, note="加一双筷子", version=order.version + 1))
        await pilot.pause()
        assert "加一双筷子" in _screen_text(app)
        await pilot.press("escape")
        assert not isinstance(app.screen, DetailScreen)


async def test_an_action_is_said_sent_online_and_queued_offline() -> None:
    """Online the sync engine pushes an action at once: "queued" there read as if the link were down."""
    said: list[str] = []
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    app.say = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a", "enter")
        await pilot.pause()
        assert said[-1] == "#0042: accept sent."
        source.set_link(LinkStatus(LinkState.OFFLINE, last_sync_at=FROZEN_NOW))
        await pilot.pause()
        await pilot.press("a", "enter")
        await pilot.pause()
        assert said[-1] == "#0042: accept queued: it is sent when the link is back."


async def test_going_offline_rings_its_own_pattern_and_says_orders_cannot_arrive() -> None:
    from screens.alerts import Sound, bell_pattern

    source = MemoryOrderSource(store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        source.set_link(LinkStatus(LinkState.OFFLINE, last_sync_at=FROZEN_NOW - timedelta(minutes=2)))
        await pilot.pause(max(bell_pattern(Sound.OFFLINE)) + 0.2)
        assert app.bells == len(bell_pattern(Sound.OFFLINE))
        assert app.orders_screen.query_one("#banner").display
        status = app.orders_screen.query_one("#status")
        assert status.has_class("-offline")
        assert "new orders cannot arrive" in _screen_text(app)


HOSTILE_NAME = "[/] [@click=app.quit]x[/] [b]bold"
HOSTILE_NOTE = "\x1b]0;pwned\x07\x1b]52;c;ZXZpbA==\x07 \u202egnp.exe [red]"


async def test_untrusted_text_is_shown_as_plain_text() -> None:
    order = sample_order(9, OrderStatus.CREATED, minutes_ago=0, note=HOSTILE_NOTE)
    order = msgspec.structs.replace(order, customer=CustomerContact(name=HOSTILE_NAME, phone="138****0000"))
    source = MemoryOrderSource(store=sample_store())
    app = _app(source)
    async with app.run_test(size=(120, 40)) as pilot:  # wide: the side panel shows name and note too
        await pilot.pause()
        source.put(order)
        await pilot.pause()
        await pilot.press("enter")
        await pilot.pause()
        text = _screen_text(app)
        assert HOSTILE_NAME in text
        assert "\x1b" not in text and "\x07" not in text and "\u202e" not in text
        line_no = next(i for i, line in enumerate(text.splitlines()) if HOSTILE_NAME in line)
        column = text.splitlines()[line_no].index("[@click")
        for dx in range(0, 20, 2):  # clicking on the would-be link must not run its action
            await pilot.click(offset=(column + dx, line_no))
        await pilot.pause()
        assert app.is_running
    assert app.return_code in (None, 0)


async def test_queue_list_keeps_the_cursor_on_its_order() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down")
        queue = app.orders_screen.query_one(OrderList)
        chosen = queue.cursor_id
        source.put(sample_order(50, OrderStatus.CREATED, minutes_ago=0))  # lands at the top
        await pilot.pause()
        assert queue.cursor_id == chosen


async def test_a_cursor_resting_on_top_goes_to_a_new_order_but_never_jumps_while_someone_types() -> None:
    entries = [entry for entry in sample_entries() if entry.order.status != OrderStatus.CREATED]
    source = MemoryOrderSource(entries, store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        queue = app.orders_screen.query_one(OrderList)
        first = queue.cursor_id
        assert queue.cursor_row == 0
        source.put(sample_order(50, OrderStatus.CREATED, minutes_ago=0))  # nobody typed: a on it answers it
        await pilot.pause()
        assert queue.cursor_id == "ord-0050" and queue.cursor_row == 0
        await pilot.press("question_mark", "escape")  # a key about something else: it rings on, unseen
        assert "ord-0050" in app.orders_screen.alerts.alerting
        await pilot.press("down", "up")  # someone is at the keys: the cursor stays on what they chose
        assert queue.cursor_id == "ord-0050"
        await pilot.press("down")
        chosen = queue.cursor_id
        await pilot.press("up")
        source.put(sample_order(51, OrderStatus.CREATED, minutes_ago=1))  # an earlier deadline: above #50
        await pilot.pause()
        assert queue.index_of("ord-0051") == 0
        assert queue.cursor_id == "ord-0050" and chosen == first


async def test_after_an_action_the_cursor_stays_at_its_row_not_on_the_order_sent() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    source.put(sample_order(43, OrderStatus.CREATED, minutes_ago=0))
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        queue = app.orders_screen.query_one(OrderList)
        assert queue.cursor_row == 0
        sent = queue.cursor_id
        other_new = next(view.entry.order.id for view in queue.row_views()[1:2])
        await pilot.press("a", "enter")
        await pilot.pause()
        assert source.submitted[-1][1] == sent
        accepted = msgspec.structs.replace(queue.entry(sent).order, status=OrderStatus.CONFIRMED)  # type: ignore[union-attr]
        source.put(accepted)  # the platform's answer: the order moves down among the accepted ones
        await pilot.pause()
        assert queue.index_of(sent) != 0
        assert queue.cursor_row == 0 and queue.cursor_id == other_new  # the next a answers the next new order


async def test_reject_asks_a_reason() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        await pilot.press("x", "2")  # the second reason by its digit
        await pilot.pause()
        assert source.submitted == [("order.reject", "ord-0042", ReasonBody(reason_code="STORE_BUSY"))]


async def test_handoff_asks_the_pickup_code_of_a_ready_pickup_order() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.orders_screen.queue.select("ord-0038")  # INDOOR, READY_FOR_PICKUP
        await pilot.press("h", "enter")  # an empty code is not sent
        await pilot.pause()
        assert source.submitted == []
        await pilot.press(*"4821", "enter")
        await pilot.pause()
        assert source.submitted == [("order.handoff", "ord-0038", CodeBody(code="4821"))]


async def test_answering_a_cancellation_request() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert (
            app.orders_screen.queue.order_ids[1] == "ord-0039"
        )  # a cancellation request comes right after new orders
        app.orders_screen.queue.select("ord-0039")
        await pilot.press("c", "down", "enter")  # deny
        app.orders_screen.queue.select("ord-0039")
        await pilot.press("c", "1")  # accept
        await pilot.pause()
        assert [(action, target) for action, target, _ in source.submitted] == [
            ("order.cancellation.deny", "ord-0039"),
            ("order.cancellation.accept", "ord-0039"),
        ]


async def test_chinese_bindings_and_labels() -> None:
    set_language("zh")
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        text = _screen_text(app)
        assert "接单" in text and "新订单" in text and "在线" in text
        descriptions = {b.description for _, b in app.orders_screen._bindings}
        assert not any(d.startswith("ui.") for d in descriptions), descriptions


async def test_a_keymap_remaps_a_binding_by_its_id() -> None:
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = CountingApp(source, clock=lambda: FROZEN_NOW, keymap={"queue.accept": "y"})
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a")  # no longer accept
        await pilot.pause()
        assert not isinstance(app.screen, NumberPrompt)
        await pilot.press("y")
        await pilot.pause()
        assert isinstance(app.screen, NumberPrompt)


async def test_keyed_updates_keep_rows_in_queue_order_through_random_changes() -> None:
    """Random arrivals, status changes and endings: the rows on screen always match the sorted queue, and a row
    that stays keeps its widget."""
    import random

    from screens import order_format as fmt

    rng = random.Random(5)
    statuses = list(OrderStatus)
    source = MemoryOrderSource(store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        widgets: dict[str, RowView] = {}
        for step in range(60):
            number = rng.randint(1, 15)
            order = sample_order(number, rng.choice(statuses), minutes_ago=rng.randint(0, 40))
            source.put(msgspec.structs.replace(order, version=step + 2))
            await pilot.pause()
            live = [e.order for e in source.orders() if fmt.is_live(e.order)]
            expected = [o.id for o in sorted(live, key=fmt.queue_sort_key)]
            rows = _rows(app)
            assert [row.order_id for row in rows] == expected
            for row in rows:
                if row.order_id in widgets:
                    assert widgets[row.order_id] is row
            widgets = {row.order_id: row for row in rows}


def _rush(count: int) -> list[QueueEntry]:
    """`count` new orders, each with minutes left to accept, so every clock changes every second."""
    entries = []
    for number in range(1, count + 1):
        order = sample_order(number, OrderStatus.CREATED, minutes_ago=0)
        deadline = FROZEN_NOW + timedelta(minutes=5, seconds=number)
        entries.append(QueueEntry(msgspec.structs.replace(order, accept_deadline=deadline)))
    return entries


async def test_the_tick_at_2000_orders_touches_only_the_visible_lines_and_only_their_clock_cells() -> None:
    clock = [FROZEN_NOW]
    source = MemoryOrderSource(_rush(2000), store=sample_store())
    app = CountingApp(source, clock=lambda: clock[0])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        screen = app.orders_screen
        queue = screen.queue
        visible = len(queue.visible_keys())
        assert 0 < visible <= 24
        assert queue.renders <= 3 * visible  # 2,000 orders: a screenful rendered (a few times while mounting)
        for order_id in queue.order_ids:  # not new any more: only the clocks change below
            screen.acknowledge(order_id)
        await pilot.pause()
        visible = len(queue.visible_keys())  # a row more: the line of orders ringing out of sight below went
        cells: list[tuple[object, int, int]] = []
        whole: list[object] = []
        real_cells, real_key = queue.refresh_cells, queue.refresh_key
        queue.refresh_cells = lambda key, x, width: (
            cells.append((key, x, width)),
            real_cells(key, x, width),
        )[1]  # type: ignore[method-assign]
        queue.refresh_key = lambda key: (whole.append(key), real_key(key))[1]  # type: ignore[method-assign]
        if screen._timer is not None:  # the screen's own second: on a loaded machine it ticked in here too
            screen._timer.pause()
        await pilot.pause()
        looks, renders, checked = queue.looks_computed, queue.renders, queue.lines_checked
        clock[0] = FROZEN_NOW + timedelta(seconds=1)
        screen._tick()
        await pilot.pause()
        assert queue.lines_checked - checked == visible  # proportional to the screen, not to 2,000
        assert queue.looks_computed - looks <= 3 * visible
        assert queue.renders - renders <= visible
        assert len(cells) == visible and whole == []  # every visible clock changed: its cells, not its line
        # inside the Time column (the first 6 cells at 80 columns), only the characters that changed ("38:19" ->
        # "38:18")
        assert all(x >= 0 and x + width <= 6 and width <= 2 for _, x, width in cells), cells
        await pilot.press("end")  # scrolled to the bottom: lines never shown before show the current time
        await pilot.pause()
        last = source.order("ord-2000")
        assert last is not None
        line = next(line for line in _screen_text(app).splitlines() if "#2000" in line)
        assert fmt.clock_text(last.order, clock[0]) in line


async def test_a_timeout_toast_only_for_an_order_this_console_showed_live() -> None:
    from o2o_tui.domain.order import Party

    def timed_out(number: int) -> QueueEntry:
        order = sample_order(number, OrderStatus.CANCELLED, minutes_ago=6)
        ended = msgspec.structs.replace(
            order,
            cancel_reason_code="ACCEPT_TIMEOUT",
            cancelled_by=Party.PLATFORM,
            ended_at=FROZEN_NOW,
            version=3,
        )
        return QueueEntry(ended)

    said: list[str] = []
    source = MemoryOrderSource([timed_out(3)], store=sample_store())  # ended before the console opened
    app = _app(source)
    app.say = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        source.put(sample_order(4, OrderStatus.CREATED, minutes_ago=5))
        await pilot.pause()
        assert said == []
        source.put(timed_out(4).order)
        await pilot.pause()
        assert said == ["Order #0004 was cancelled: no answer in time."]
        assert "No answer in time" in _screen_text(app)  # under Done, with the reason


async def test_m_mutes_for_the_minutes_asked_and_m_again_unmutes() -> None:
    from screens.mute_dialog import MutePrompt

    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("M")
        await pilot.pause()
        assert isinstance(app.screen, MutePrompt)
        assert "Sounds stop" in _screen_text(app)
        await pilot.press("3", "0", "enter")
        await pilot.pause()
        alerts = app.orders_screen.alerts
        assert alerts.muted_until == FROZEN_NOW + timedelta(minutes=30)
        await pilot.press("M")  # muted: M turns the sound back on at once
        await pilot.pause()
        assert alerts.muted_until is None and not isinstance(app.screen, MutePrompt)


async def test_exclamation_mark_opens_the_conflicts_view() -> None:
    from screens.conflicts_screen import ConflictsScreen

    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(40, 15)) as pilot:
        await pilot.pause()
        await pilot.press("exclamation_mark")
        await pilot.pause()
        assert isinstance(app.screen, ConflictsScreen)


# both languages on the queue (its keys and their footer labels), Chinese on the detail; the detail in English
# is `python -m bench deep`'s
@pytest.mark.parametrize(
    ("where", "lang"),
    [
        ("queue", "en"),
        ("queue", "zh"),
        pytest.param("detail", "en", marks=pytest.mark.deep),
        ("detail", "zh"),
    ],
)
async def test_help_says_every_key_in_a_sentence_of_the_language(lang: str, where: str) -> None:
    """Help on the real queue and an order's detail: each row's words come from the language's catalog
    (Textual's own Tab/Shift+Tab "Focus Next" would be English in Chinese too, so they are left out), and the
    screen's own keys have a sentence, not the footer's one-word label."""
    from o2o_tui.i18n import catalog
    from screens.help_screen import HelpScreen

    set_language(lang)
    source = MemoryOrderSource(sample_entries(), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        if where == "detail":
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, DetailScreen)
        await pilot.press("question_mark")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        words = set(catalog(lang).values())
        untranslated = [(row.keys, row.text) for row in app.screen.rows if row.text not in words]
        assert untranslated == []
        texts = {row.keys: row.text for row in app.screen.rows}
        labels = {"voucher.key.redeem": "v", "scheduled.key.scheduled": "t", "figures.key.open": "f",
                  "printing.key.reprint": "k", "printing.key.receipt": "R"}
        for label_key, key in labels.items():
            if key in texts:
                assert texts[key] != catalog(lang)[label_key], key
        assert "k" not in texts and "R" not in texts  # no printer set: nothing about one (README)
        if where == "detail":  # the detail scrolls: Textual's scroll keys, said in the language
            assert catalog(lang)["ui.help.scroll_up"] in texts.values()
        assert not any("tab" in row.keys for row in app.screen.rows)


async def test_more_time_asks_minutes_within_what_is_left_and_refuses_an_order_not_cooking() -> None:
    from o2o_tui.domain.limits import DELAY_TOTAL_MAX
    from o2o_tui.domain.requests import DelayBody

    entries = sample_entries()
    nearly = [e for e in entries if e.order.id == "ord-0040"][0]  # PREPARING
    entries = [
        QueueEntry(msgspec.structs.replace(e.order, delayed_minutes=DELAY_TOTAL_MAX - 7), e.pending)
        if e is nearly else e
        for e in entries
    ]
    source = MemoryOrderSource(entries, store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("plus")  # the cursor's new order: not accepted yet, nothing to delay
        await pilot.pause()
        assert source.submitted == [] and isinstance(app.screen, type(app.orders_screen))
        app.orders_screen.queue.select("ord-0041")  # CONFIRMED
        await pilot.press("plus", "enter")  # Enter takes the default
        await pilot.pause()
        assert source.submitted == [("order.delay", "ord-0041", DelayBody(minutes=10))]
        app.orders_screen.queue.select("ord-0040")  # 7 minutes of delay left: the default and the bound follow
        await pilot.press("plus")
        await pilot.pause()
        assert isinstance(app.screen, NumberPrompt) and "Enter adds 7 minutes" in _screen_text(app)
        await pilot.press("9", "enter")  # over what is left: said in the dialog, not sent
        await pilot.pause()
        assert len(source.submitted) == 1 and isinstance(app.screen, NumberPrompt)
        await pilot.press("backspace", "5", "enter")
        await pilot.pause()
        assert source.submitted[-1] == ("order.delay", "ord-0040", DelayBody(minutes=5))


async def test_more_time_on_an_order_at_the_delay_limit_says_the_limit_not_at_most_0() -> None:
    from o2o_tui.domain.limits import DELAY_TOTAL_MAX

    entries = [
        QueueEntry(msgspec.structs.replace(e.order, delayed_minutes=DELAY_TOTAL_MAX), e.pending)
        if e.order.id == "ord-0040"  # PREPARING, delayed 120 minutes already
        else e
        for e in sample_entries()
    ]
    source = MemoryOrderSource(entries, store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        app.orders_screen.queue.select("ord-0040")
        await pilot.press("plus")
        await pilot.pause()
        said = " ".join(str(n.message).replace("\n", " ") for n in app._notifications)
        assert source.submitted == [] and isinstance(app.screen, type(app.orders_screen))
        assert f"{DELAY_TOTAL_MAX} minutes already" in said and "at most 0" not in said


async def test_a_fully_refunded_order_says_refunded_where_its_total_was() -> None:
    from o2o_tui.domain.money import Money, format_money
    from o2o_tui.domain.refunds import Refund

    def _plain(line: object) -> str:
        return line.plain if hasattr(line, "plain") else "".join(s.text for s in line)  # type: ignore[attr-defined]

    def refunded(entry: QueueEntry, amount: int) -> QueueEntry:
        total = entry.order.totals.total
        refund = Refund(id=f"rf-{amount}", amount=Money(amount, total.currency), reason_code="LATE")
        return QueueEntry(msgspec.structs.replace(entry.order, refunds=[refund]), entry.pending)

    entries = {e.order.id: e for e in sample_entries()}
    whole = entries["ord-0041"].order.totals.total.amount
    entries["ord-0041"] = refunded(entries["ord-0041"], whole)
    entries["ord-0040"] = refunded(entries["ord-0040"], 100)  # part of it: the total stays as it was
    source = MemoryOrderSource(list(entries.values()), store=sample_store())
    app = _app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        rows = {row.order_id: _plain(row.render()).rstrip() for row in _rows(app)}
        assert rows["ord-0041"].endswith("Refunded")
        assert rows["ord-0040"].endswith(format_money(entries["ord-0040"].order.totals.total))
