"""Merchant console, a cancellation request and a few narrow corners (an outside tester's findings):
- who asks to cancel is read from the request's own `requested_by`: an admin's request (the platform's: it was
  stored as the store's) reads as the platform's in the detail and the `c` dialog, a customer's as the customer's
  (the real platform on loopback, a real cache);
- the simple screen answers a request: a fourth key, shown only while the order on show has one, opens the answer
  dialog; 1-3 on that order only say to answer it first (2 no longer marks it ready);
- the queue's narrow footer offers `c` first on a row with a request (it offered `r` Ready instead);
- the dispatch board's help explains the `refused` tag and that A leaves such orders out (a sends one anyway);
- the queue's header ends its last title where the rows end their amounts while the queue scrolls.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from rich.cells import cell_len
from textual.widgets import Static

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import Cancellation, OrderStatus, Party
from o2o_tui.domain.requests import EmptyBody
from o2o_tui.i18n import SUPPORTED, catalog, set_language, t
from screens.app import MerchantApp
from screens.detail_screen import DetailScreen
from screens.dialogs import ChoicePrompt
from screens.memory_source import MemoryOrderSource
from screens.simple_screen import SimpleScreen
from screens.source import LinkState, QueueEntry
from screens.widgets.footer import KeyFooter
from screens.widgets.order_detail import detail_parts
from screens.widgets.order_list import OrderList
from tests.support.deep_variants import ENGLISH_HERE_CHINESE_DEEP
from tests.support.platform import RunningPlatform, api
from tests.test_ui_live import CountingApp, _place, wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_entries, sample_link, sample_order, sample_store

PARTIES = [party.value for party in Party]


@pytest.fixture(params=ENGLISH_HERE_CHINESE_DEEP)
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _text(app: MerchantApp) -> str:
    return "\n".join("".join(s.text for s in strip) for strip in app.screen._compositor.render_strips())


def _asking(number: int, by: Party, status: OrderStatus = OrderStatus.CONFIRMED, reason: str = "") -> QueueEntry:
    order = sample_order(number, status, minutes_ago=3)
    request = Cancellation(requested_by=by, reason_code="OTHER", reason=reason, requested_at=FROZEN_NOW)
    return QueueEntry(msgspec.structs.replace(order, cancellation=request))


# -- 1. who asks ---------------------------------------------------------------------------------------------------


def test_every_party_has_its_own_words_in_both_languages() -> None:
    for lang in SUPPORTED:
        words = catalog(lang)
        for prefix in (
            "ui.detail.cancel_requested",
            "ui.dialog.cancellation",
            "ui.dialog.cancellation_reason",
            "simple.cancel_request",
        ):
            said = [words[f"{prefix}.{party}"] for party in PARTIES]
            assert len(set(said)) == len(said), (lang, prefix, said)


def test_the_detail_says_who_asks_from_the_request(lang: str) -> None:
    for party in Party:
        parts = detail_parts(_asking(15, party, reason="changed plans"), FROZEN_NOW)
        plain = "".join(part if isinstance(part, str) else part[0] for part in parts)
        assert t(f"ui.detail.cancel_requested.{party.value}") in plain, (party, plain)
        others = [p for p in PARTIES if p != party.value]
        assert not any(t(f"ui.detail.cancel_requested.{other}") in plain for other in others), plain


@pytest.fixture
def profile(platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    seed = platform.seed
    assert seed is not None
    return save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )


def _console(profile: Profile) -> CountingApp:
    from o2o_tui.sync.session import make_client, make_engine, open_cache
    from screens.engine_source import EngineOrderSource

    cache = open_cache(profile)
    client = make_client(profile, timeout=5.0)
    engine = make_engine(profile, cache, client, poll_wait=0.5, backoff_cap=0.5)
    return CountingApp(EngineOrderSource(engine, cache, client, profile.store_id or ""), profile=profile)


def _request(platform: RunningPlatform, role: str, order_id: str, **body: str) -> None:
    caller = api(platform, role)
    try:
        answer = caller.post(f"/v1/orders/{order_id}/cancellation", body)
        assert answer.status_code in (200, 202), answer.text
    finally:
        caller.close()


async def test_an_admins_request_reads_as_the_stores_in_the_detail_and_the_dialog(
    platform: RunningPlatform, profile: Profile, lang: str
) -> None:
    app = _console(profile)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state is LinkState.ONLINE)
        admins = await asyncio.to_thread(_place, platform)
        customers = await asyncio.to_thread(_place, platform)
        await asyncio.to_thread(_request, platform, "admin", admins["id"], reason_code="OTHER", reason="duplicate")
        await asyncio.to_thread(_request, platform, "customer", customers["id"], reason_code="CUSTOMER_CHANGED_MIND")
        screen = app.orders_screen

        def asked(order_id: str) -> bool:
            entry = screen.queue.entry(order_id)
            return entry is not None and entry.order.cancellation is not None

        await wait_until(pilot, lambda: asked(admins["id"]) and asked(customers["id"]))
        admin_entry = screen.queue.entry(admins["id"])
        assert admin_entry is not None and admin_entry.order.cancellation is not None
        assert admin_entry.order.cancellation.requested_by is Party.PLATFORM  # an admin's: the platform's
        for order_id, party in ((admins["id"], "PLATFORM"), (customers["id"], "CUSTOMER")):
            other = "CUSTOMER" if party == "PLATFORM" else "PLATFORM"
            screen.queue.select(order_id)
            await pilot.press("enter")
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
            await pilot.pause(0.1)
            text = _text(app)
            assert t(f"ui.detail.cancel_requested.{party}") in text, text
            assert t(f"ui.detail.cancel_requested.{other}") not in text, text
            await pilot.press("c")
            await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt))
            await pilot.pause(0.1)
            number = screen.queue.entry(order_id).order.display_number  # type: ignore[union-attr]
            title = t(f"ui.dialog.cancellation.{party}", number=number).rstrip(".。")
            if party == "PLATFORM":  # its own words
                title = t(f"ui.dialog.cancellation_reason.{party}", number=number, reason="duplicate")
            assert title in _text(app).replace("\n", ""), _text(app)
            await pilot.press("escape")
            await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
            await pilot.press("escape")
            await wait_until(pilot, lambda: app.screen is screen)


# -- 2. the simple screen answers a request --------------------------------------------------------------------


class SimpleApp(MerchantApp):
    def bell(self) -> None:
        pass

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said = [*getattr(self, "said", []), message]
        super().say(message, severity=severity, timeout=timeout)


def _simple(entries: list[QueueEntry]) -> tuple[SimpleApp, MemoryOrderSource]:
    store = msgspec.structs.replace(sample_store(), default_prep_minutes=25)
    source = MemoryOrderSource(entries, store=store, link=sample_link())
    return SimpleApp(source, clock=lambda: FROZEN_NOW, simple=True), source


async def _show(pilot, app: SimpleApp, order_id: str) -> SimpleScreen:  # type: ignore[no-untyped-def]
    screen = app.screen
    assert isinstance(screen, SimpleScreen)
    for _ in range(12):  # to the first order, then down to it
        await pilot.press("up")
    for _ in range(12):
        if screen.cursor_id == order_id:
            break
        await pilot.press("down")
    assert screen.cursor_id == order_id
    await pilot.pause()
    return screen


@pytest.mark.parametrize("size", [(80, 24), (40, 15)])
async def test_the_simple_screen_answers_a_request_with_four_and_holds_ready_until_then(
    lang: str, size: tuple[int, int]
) -> None:
    store_asks = _asking(15, Party.MERCHANT)
    app, source = _simple([*sample_entries(), store_asks])
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        screen = await _show(pilot, app, "ord-0040")  # no request: the three keys
        shown = [key for key in "1234" if screen.query_one(f"#simple-key-{key}").display]
        assert shown == ["1", "2", "3"]
        await _show(pilot, app, "ord-0039")  # the customer asks: its answer is the one key on show
        shown = [key for key in "1234" if screen.query_one(f"#simple-key-{key}").display]
        assert shown == ["4"]
        text = _text(app)
        assert t("simple.cancel_request.CUSTOMER") in text, text
        assert f"4 {t('simple.key.answer')}" in text, text
        assert screen.query_one("#simple-key-4").has_class("-next")
        for key in ("1", "2", "3"):  # none acts before the answer; each says to answer first
            await pilot.press(key)
            await pilot.pause()
        assert source.submitted == []
        assert app.said.count(t("simple.answer_first", number=39)) == 3, app.said
        await pilot.press("4")
        await wait_until(pilot, lambda: isinstance(app.screen, ChoicePrompt))
        assert t("ui.dialog.cancellation_reason.CUSTOMER", number="#0039", reason="等太久了") in _text(app).replace(
            "\n", ""
        )
        await pilot.press("1")  # agree
        await wait_until(pilot, lambda: bool(source.submitted))
        assert source.submitted == [("order.cancellation.accept", "ord-0039", EmptyBody())]
        await _show(pilot, app, "ord-0015")  # the store's own request (an admin's) says so
        assert t("simple.cancel_request.MERCHANT") in _text(app)


async def test_four_without_a_request_sends_nothing_and_says_the_keys() -> None:
    set_language("en")
    try:
        app, source = _simple(sample_entries())
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await _show(pilot, app, "ord-0040")
            await pilot.press("4")
            await pilot.pause()
            assert not isinstance(app.screen, ChoicePrompt) and source.submitted == []
            assert any(t("simple.other_key") in said for said in app.said), app.said
            await pilot.press("2")  # the order's own step still works
            await pilot.pause()
            assert source.submitted == [("order.ready", "ord-0040", EmptyBody())]
    finally:
        set_language(None)


# -- 3. the narrow footer offers the answer first ----------------------------------------------------------------


@pytest.mark.parametrize("size", [(40, 15), (80, 24)])
async def test_the_footer_offers_c_on_a_row_with_a_request(lang: str, size: tuple[int, int]) -> None:
    entries = [_asking(15, Party.CUSTOMER, OrderStatus.PREPARING), *sample_entries()]
    app = MerchantApp(MemoryOrderSource(entries, store=sample_store()), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=size) as pilot:
        await pilot.pause()
        app.orders_screen.query_one(OrderList).select("ord-0015")
        await pilot.pause(0.2)
        shown = [entry.binding_id for entry in app.screen.query_one(KeyFooter).layout_for()[1]]
        assert "queue.cancellation" in shown, shown
        footer = "".join(s.text for s in app.screen._compositor.render_strips()[-1])
        assert t("ui.key.cancellation") in footer, footer
        await pilot.press("enter")
        await wait_until(pilot, lambda: isinstance(app.screen, DetailScreen))
        await pilot.pause(0.1)
        shown = [entry.binding_id for entry in app.screen.query_one(KeyFooter).layout_for()[1]]
        assert "detail.cancellation" in shown, shown


# -- 4. the board's help explains `refused` -----------------------------------------------------------------------


async def test_the_board_help_explains_the_refused_tag_and_what_a_and_capital_a_do(lang: str) -> None:
    from screens.dispatch_board import DispatchApp
    from screens.dispatch_help import BoardHelp
    from tests.test_ui_dispatch import MemoryFleet, board_of, until
    from tests.test_ui_dispatch_board_fit import ten_couriers

    app = DispatchApp(MemoryFleet(ten_couriers()), poll_seconds=3600)
    async with app.run_test(size=(80, 24)) as pilot:
        board = board_of(app)
        await until(pilot, lambda: board.rounds >= 1, "first round")
        await pilot.press("question_mark")
        await until(pilot, lambda: isinstance(app.screen, BoardHelp), "the help opened")
        notes = ["".join(str(note.render()).split("\n")) for note in app.screen.query(".help-note").results(Static)]
        refused = [note for note in notes if note.startswith(t("dispatch.board.tag.refused"))]
        assert refused == [t("dispatch.board.help.refused")], notes
        assert "A" in refused[0] and "a" in refused[0]


# -- 5. the header's last title fits beside the scrollbar ----------------------------------------------------------


@pytest.mark.parametrize("size", [(40, 15), (80, 24)])
async def test_the_headers_amount_title_ends_where_the_rows_amounts_end_while_the_queue_scrolls(
    lang: str, size: tuple[int, int]
) -> None:
    entries = [QueueEntry(sample_order(100 + i, OrderStatus.PREPARING, minutes_ago=i)) for i in range(30)]
    app = MerchantApp(MemoryOrderSource(entries, store=sample_store()), clock=lambda: FROZEN_NOW)
    async with app.run_test(size=size) as pilot:
        await pilot.pause(0.2)
        queue = app.orders_screen.query_one(OrderList)
        assert queue.show_vertical_scrollbar  # it scrolls
        lines = _text(app).splitlines()
        title = t("ui.column.total")
        header = next(line for line in lines if title in line)
        row = next(line for line in lines if "#0129" in line)
        money = "¥85.00"
        assert money in row, row
        header_end = cell_len(header[: header.index(title) + len(title)])
        row_end = cell_len(row[: row.index(money) + len(money)])
        assert header_end == row_end, (header, row)
        assert header_end <= queue.scrollable_content_region.width  # never under the scrollbar
