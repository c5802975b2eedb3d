"""A ticket printed for an accept queued offline that turns out a duplicate is taken back (merchant report, kitchen
tickets): meanwhile another device accepted the same order with the same minutes and printed its ticket, and when
the link is back the platform answers the queued accept as done with that device's `accept_key`. The console that
printed the unconfirmed ticket prints one duplicate slip, once across restarts, as it does cancellation slips; a
ticket of it still waiting for the printer is dropped instead. The slip read back from its ESC/POS bytes, the
queue on disk, and two console sessions (a restart between) on the real platform behind a fault proxy, with a fake
network printer."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest

from o2o_tui.config import Profile, save_profile
from o2o_tui.domain.order import Order, OrderStatus
from o2o_tui.i18n import set_language
from o2o_tui.printing.decode import decode
from o2o_tui.printing.devices import parse_target
from o2o_tui.printing.layout import JobKind, duplicate_slip, kitchen_ticket
from o2o_tui.printing.render import render
from o2o_tui.printing.spool import Countermand, PrintQueue
from o2o_tui.sync.session import make_client, make_engine, open_cache
from screens import printing
from screens.app import MerchantApp
from screens.engine_source import EngineOrderSource
from screens.source import LinkState
from tests.support.fake_printer import FakePrinter
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api
from tests.test_sync_engine import place_orders
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _accepted(number: int = 6) -> Order:
    order = sample_order(number, OrderStatus.CONFIRMED, minutes_ago=3)
    return msgspec.structs.replace(order, promised_ready_at=FROZEN_NOW + timedelta(minutes=15))


# -- what the paper says ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "big", "why", "printed"), [
    ("en", ["#0006", "*** DUPLICATE TICKET ***", "Do not prepare twice"],
     "Another counter accepted this order first: its kitchen ticket stands.",
     "The ticket printed here at 12:26 is a duplicate: set it aside."),
    ("zh", ["#0006", "*** 重复小票 ***", "请勿重复制作"],
     "另一台设备先接了此单：以它的后厨小票为准。",
     "此处 12:26 打印的小票是重复的：请撤下。"),
])  # fmt: skip
def test_a_duplicate_slip_is_short_large_and_says_whose_ticket_stands(
    lang: str, big: list[str], why: str, printed: str
) -> None:
    set_language(lang)
    at = FROZEN_NOW - timedelta(minutes=4)
    ops = duplicate_slip(_accepted(), sample_store(), FROZEN_NOW, ticket_printed_at=at, stood_printed=True)
    paper = decode(render(ops))
    assert paper.big == big and paper.cuts == 1
    text = " ".join(paper.lines)  # a long line wraps at the printer's width
    assert why in text and printed in text
    assert ("Ready by 12:45" if lang == "en" else "12:45 前出餐") in paper.lines  # the time that stands
    assert "2 x 宫保鸡丁 Kung Pao Chicken" in paper.lines  # what not to make a second time


# -- the queue remembers which accept it printed for ------------------------------------------------------------


def _duplicate(order: Order, stood: str) -> Countermand:
    def slip(at: object, stood_printed: bool = False) -> list:  # type: ignore[type-arg]
        return duplicate_slip(  # type: ignore[arg-type]
            order, None, FROZEN_NOW, ticket_printed_at=at, stood_printed=stood_printed  # type: ignore[arg-type]
        )

    return Countermand(order.id, order.display_number, slip, stood=stood)


def test_a_ticket_printed_for_an_accept_that_did_not_stand_gets_one_slip_also_from_a_queue_opened_again(
    tmp_path: Path,
) -> None:
    order, online = _accepted(6), _accepted(7)
    with FakePrinter() as printer:
        target = parse_target(printer.target)
        queue = PrintQueue(tmp_path)
        ticket = kitchen_ticket(order, None, FROZEN_NOW, unconfirmed=True)
        queue.add(JobKind.TICKET, ticket, order_id=order.id, number="#0006", arms=True, accept_key="mine")
        # a ticket printed once the platform took the accept (or a reprint): no key, never a duplicate here
        ticket = kitchen_ticket(online, None, FROZEN_NOW)
        queue.add(JobKind.TICKET, ticket, order_id=online.id, number="#0007", arms=True)
        assert len(queue.drain(target).printed) == 2
        assert queue.printed_tickets()[order.id].accept_key == "mine"

        assert queue.countermand([_duplicate(order, "mine"), _duplicate(online, "theirs")]).slips == []
        answer = queue.countermand([_duplicate(order, "theirs")])  # another device's accept stood
        assert [(slip.kind, slip.number) for slip in answer.slips] == [(JobKind.SLIP, "#0006")]
        assert queue.countermand([_duplicate(order, "theirs")]).slips == []  # asked again: nothing more
        queue.close()
        again = PrintQueue(tmp_path)  # the console started again
        assert again.countermand([_duplicate(order, "theirs")]).slips == []
        assert list(again.printed_tickets()) == [online.id]
        assert len(again.drain(target).printed) == 1
        paper = printer.wait_for_cuts(3)
        again.close()
    assert paper.tickets()[2][:3] == ["#0006", "*** DUPLICATE TICKET ***", "Do not prepare twice"]


def test_a_duplicate_still_waiting_for_the_printer_is_dropped(tmp_path: Path) -> None:
    order = _accepted(6)
    queue = PrintQueue(tmp_path)
    try:  # the printer is off: the unconfirmed ticket waits
        ticket = kitchen_ticket(order, None, FROZEN_NOW, unconfirmed=True)
        queue.add(JobKind.TICKET, ticket, order_id=order.id, number="#0006", arms=True, accept_key="mine")
        # and a reprint a person asked for once the platform had answered (no accept of theirs waits): it stays
        reprint = queue.add(JobKind.TICKET, kitchen_ticket(order, None, FROZEN_NOW, reprint=True), order_id=order.id,
                            number="#0006", arms=True)  # fmt: skip
        assert queue.countermand([_duplicate(order, "mine")]).dropped == []  # its own accept stood: it prints
        answer = queue.countermand([_duplicate(order, "theirs")])
        assert answer.slips == [] and [job.accept_key for job in answer.dropped] == ["mine"]
        assert [job.id for job in queue.jobs()] == [reprint.id]
    finally:
        queue.close()


# -- the tester's case on the real platform ---------------------------------------------------------------------


@pytest.fixture
def printer(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePrinter]:
    with FakePrinter() as fake:
        monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
        monkeypatch.setenv("O2O_PRINTER", fake.target)
        monkeypatch.setattr(printing, "RETRY_S", 0.2)
        yield fake


class Counter(MerchantApp):
    said: list[str]

    def say(self, message: str, *, severity: str = "information", timeout: float = 5) -> None:
        self.said.append(message)
        super().say(message, severity=severity, timeout=timeout)


def _console(profile: Profile, proxy_port: int) -> tuple[Counter, EngineOrderSource]:
    via_proxy = msgspec.structs.replace(profile, url=f"http://127.0.0.1:{proxy_port}")
    cache = open_cache(via_proxy)
    client = make_client(via_proxy, timeout=2.0)
    engine = make_engine(via_proxy, cache, client, poll_wait=0.5, backoff_cap=0.5)
    source = EngineOrderSource(engine, cache, client, via_proxy.store_id or "")
    app = Counter(source, profile=via_proxy)
    app.said = []
    return app, source


async def _until(condition: object, seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met")


async def _cuts(printer: FakePrinter, count: int, seconds: float = 30.0) -> list[list[str]]:
    try:
        await _until(lambda: printer.printed.cuts >= count, seconds)
    except AssertionError:
        raise AssertionError(f"{printer.printed.cuts} of {count} printed: {printer.printed.lines}") from None
    return printer.printed.tickets()


def _pending(source: EngineOrderSource, order_id: str) -> tuple[str, ...]:
    entry = source.order(order_id)
    return entry.pending if entry is not None else ()


def _server_order(running: RunningPlatform, order_id: str) -> dict:  # type: ignore[type-arg]
    admin = api(running, "admin")
    try:
        return admin.get(f"/v1/orders/{order_id}").json()  # type: ignore[no-any-return]
    finally:
        admin.close()


async def test_an_unconfirmed_ticket_whose_order_another_device_accepted_gets_one_duplicate_slip(
    platform: RunningPlatform, printer: FakePrinter
) -> None:
    seed = platform.seed
    assert seed is not None
    profile = save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    with FaultProxy(platform.port) as proxy:
        app, source = _console(profile, proxy.port)
        async with app.run_test(size=(80, 24)) as pilot:
            taken, other_time, ours = orders = await asyncio.to_thread(place_orders, platform.url, seed, 3)
            await _until(lambda: None not in [source.order(order_id) for order_id in orders])
            numbers = {oid: source.order(oid).order.display_number for oid in orders}  # type: ignore[union-attr]
            proxy.drop()
            await _until(lambda: source.link().state is LinkState.OFFLINE)
            for order_id in orders:  # queued offline: the kitchen starts on all three
                app.orders_screen.queue.select(order_id)
                await pilot.press("a", "enter")
                await _until(lambda order_id=order_id: _pending(source, order_id))
            tickets = await _cuts(printer, 3)
            assert [ticket[:2] for ticket in tickets] == [
                [numbers[order_id], "NOT YET CONFIRMED BY THE PLATFORM"] for order_id in orders
            ]
            [queued] = [e for e in await source.queued_entries() if e.target == taken]
            minutes = json.loads(queued.body)["preparation_minutes"]
        # the console is closed (a restart between); meanwhile another counter accepts two of them: one with the
        # same minutes (the queued accept will be answered 200, done), one with others (it will be refused)
        merchant = api(platform, "merchant")
        try:
            for order_id, key, sent in ((taken, "other-counter", minutes), (other_time, "late", minutes + 5)):
                answer = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": sent}, key=key)
                assert answer.status_code == 200, answer.text
        finally:
            merchant.close()
        proxy.pass_through()

        app, source = _console(profile, proxy.port)  # started again, the link back: the queued accepts go
        async with app.run_test(size=(80, 24)) as pilot:
            slips = sorted(ticket[:3] for ticket in (await _cuts(printer, 5))[3:])
            mark = ["*** DUPLICATE TICKET ***", "Do not prepare twice"]
            assert slips == sorted([numbers[order_id], *mark] for order_id in (taken, other_time))
            await _until(lambda: not any(_pending(source, order_id) for order_id in orders))
            assert _server_order(platform, taken)["accept_key"] == "other-counter"  # 200, the other's accept stood
            assert _server_order(platform, ours)["status"] == "CONFIRMED"  # this console's stood: its ticket holds
            for order_id in (taken, other_time):
                said = f"{numbers[order_id]} was accepted on another device first: a slip went to the printer"
                await _until(lambda said=said: any(text.startswith(said) for text in app.said))
            assert [c.order_id for c in source.conflicts()] == [other_time]  # refused: the other minutes stand
            await pilot.pause(1.0)
            assert printer.printed.cuts == 5

        app, source = _console(profile, proxy.port)  # and again: the slip printed once
        async with app.run_test(size=(80, 24)) as pilot:
            await _until(lambda: source.link().state is LinkState.ONLINE and app.printing is not None)
            await pilot.pause(1.5)
            assert printer.printed.cuts == 5


async def test_the_ticket_keeps_the_key_the_accept_was_made_under_when_the_outbox_no_longer_has_it(
    platform: RunningPlatform, printer: FakePrinter
) -> None:
    """A link that came back at once can send the accept before the printer looks for its key in the outbox: the
    accept's own key, which the console's accept passes with its print request, still ties the ticket to it."""
    from screens.console_messages import PrintRequested

    seed = platform.seed
    assert seed is not None
    profile = save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    with FaultProxy(platform.port) as proxy:
        app, source = _console(profile, proxy.port)
        async with app.run_test(size=(80, 24)):
            [order_id] = await asyncio.to_thread(place_orders, platform.url, seed, 1)
            merchant = api(platform, "merchant")
            try:  # another counter's accept stands
                answer = merchant.post(f"/v1/orders/{order_id}/confirm", {"preparation_minutes": 15}, key="other")
                assert answer.status_code == 200, answer.text
            finally:
                merchant.close()
            await _until(lambda: (e := source.order(order_id)) is not None and e.order.accept_key == "other")
            proxy.drop()
            await _until(lambda: source.link().state is LinkState.OFFLINE)
            assert await source.queued_entries() == []  # nothing in the outbox to look the key up in
            app.post_message(PrintRequested(order_id, prep_minutes=15, accept_key="mine-sent-already"))
            await asyncio.sleep(3)
            printed = "\n".join(printer.printed.lines)
            # the ticket was taken back: dropped before it printed, or followed by its duplicate slip
            assert "NOT YET CONFIRMED" not in printed or "DUPLICATE TICKET" in printed, printed
            assert printer.printed.cuts in (0, 2), printed
