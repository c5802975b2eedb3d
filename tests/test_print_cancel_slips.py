"""A kitchen that printed a ticket learns when it will not be collected (merchant report 2026-12-06, defect 4):
a cancelled order's ticket and receipt say CANCELLED; a ticket printed for an accept still queued offline says it
is not confirmed; when an order whose ticket printed here is cancelled, or the accept it was printed for is
refused, a cancellation slip prints once (the print queue knows what it printed, also after a restart), and a
ticket of it still waiting for the printer is dropped instead. Layouts read back from their ESC/POS bytes, the
queue on disk, Pilot on a memory source and on the real platform behind a fault proxy, with a fake printer."""

from __future__ import annotations

import asyncio
import fcntl
import os
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import msgspec
import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app as cli_app
from o2o_tui.config import Profile, profile_cache_dir, save_profile
from o2o_tui.domain.money import format_money
from o2o_tui.domain.order import Order, OrderStatus, Party, PaymentStatus
from o2o_tui.domain.refunds import Refund
from o2o_tui.i18n import set_language
from o2o_tui.printing.decode import Printed, decode
from o2o_tui.printing.devices import parse_target
from o2o_tui.printing.layout import JobKind, cancel_reason, cancel_slip, kitchen_ticket, receipt
from o2o_tui.printing.render import render
from o2o_tui.printing.spool import PRINT_LOCK, Countermand, PrintQueue
from o2o_tui.sync.session import make_client, make_engine, open_cache, profile_cache
from screens import printing
from screens.app import MerchantApp
from screens.engine_source import EngineOrderSource
from screens.memory_source import MemoryOrderSource
from screens.source import ConflictView, LinkState, QueueEntry
from tests.support.fake_printer import FakePrinter
from tests.support.faultproxy import FaultProxy
from tests.support.platform import RunningPlatform, api, start_platform
from tests.test_sync_engine import place_orders
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _cancelled(number: int = 6, **changes: object) -> Order:
    order = sample_order(number, OrderStatus.CANCELLED, minutes_ago=3)
    fields: dict[str, object] = {
        "cancel_reason_code": "ACCEPT_TIMEOUT",
        "cancelled_by": Party.PLATFORM,
        "ended_at": FROZEN_NOW,
    }
    fields.update(changes)
    return msgspec.structs.replace(order, **fields)


def _lines(ops: list) -> list[str]:  # type: ignore[type-arg]
    return decode(render(ops)).lines


# -- what the paper says ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(("lang", "mark", "stop", "why"), [
    ("en", "*** CANCELLED ***", "Do not prepare", "Cancelled by the platform: No answer in time"),
    ("zh", "*** 已取消 ***", "请勿制作", "平台取消：超时未接单"),
])  # fmt: skip
def test_a_cancelled_orders_ticket_and_receipt_say_cancelled(lang: str, mark: str, stop: str, why: str) -> None:
    set_language(lang)
    order = _cancelled()
    ticket = _lines(kitchen_ticket(order, sample_store(), FROZEN_NOW, reprint=True))
    assert ticket[1:4] == [mark, stop, why]  # first, under the reprint mark
    assert ticket[-2] == mark  # and at the foot, the end a cook spikes
    bill = _lines(receipt(order, sample_store(), FROZEN_NOW))
    assert mark in bill and why in bill
    live = _lines(kitchen_ticket(sample_order(7, OrderStatus.CONFIRMED, minutes_ago=3), sample_store(), FROZEN_NOW))
    assert mark not in live and stop not in live


@pytest.mark.parametrize(("lang", "paid", "not_paid", "refunded"), [
    ("en", "Paid online", "Cancelled: not paid", "Cancelled: paid online, all {total} refunded"),
    ("zh", "已在线支付", "已取消：无需支付", "已取消：已在线支付，已全额退款 {total}"),
])  # fmt: skip
def test_a_cancelled_orders_receipt_says_it_was_not_paid(lang: str, paid: str, not_paid: str, refunded: str) -> None:
    """A cancelled order paid online got all its total back with the cancel (it said "not paid")."""
    set_language(lang)
    live = _lines(receipt(sample_order(7, OrderStatus.CONFIRMED, minutes_ago=3), sample_store(), FROZEN_NOW))
    assert paid in live
    order = _cancelled()  # the platform keeps its payment PAID: its money goes back with the cancel
    assert order.payment.status is PaymentStatus.PAID
    bill = _lines(receipt(order, sample_store(), FROZEN_NOW))
    refunded = refunded.format(total=format_money(order.totals.total).replace("¥", "￥"))
    assert refunded in bill and paid not in bill and not_paid not in bill
    pending = msgspec.structs.replace(order.payment, status=PaymentStatus.PENDING)
    unpaid = msgspec.structs.replace(order, payment=pending)
    assert not_paid in _lines(receipt(unpaid, sample_store(), FROZEN_NOW))
    # money the order says went back (a whole refund before the cancel): said so; never "paid after refunds"
    back = msgspec.structs.replace(
        order,
        payment=msgspec.structs.replace(order.payment, status=PaymentStatus.REFUNDED),
        totals=msgspec.structs.replace(order.totals, refunded=order.totals.total),
        refunds=[_whole_refund(order)],
    )
    bill = _lines(receipt(back, sample_store(), FROZEN_NOW))
    assert refunded in bill and paid not in bill and not_paid not in bill
    assert not any(line.startswith(("Paid after refunds", "退款后实付")) for line in bill), bill


def _whole_refund(order: Order) -> Refund:
    return Refund(
        id="r1",
        amount=order.totals.total,
        reason_code="STORE_ERROR",
        whole=True,
        by="merchant",
        by_role="merchant",
        at=FROZEN_NOW,
    )


def test_the_reason_names_who_cancelled() -> None:
    customer = _cancelled(cancelled_by=Party.CUSTOMER, cancel_reason_code="CUSTOMER_CHANGED_MIND")
    assert cancel_reason(customer) == "Cancelled by the customer: Customer changed their mind"
    rejected = _cancelled(cancelled_by=Party.MERCHANT, cancel_reason_code="STORE_BUSY", confirmed_at=None)
    assert cancel_reason(rejected) == "Rejected by the store: Too busy"
    odd = _cancelled(cancel_reason_code="\x1b[2JWHATEVER")  # a code the catalog does not know: made safe
    assert "\x1b" not in cancel_reason(odd)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_slip_is_short_large_and_says_why(lang: str) -> None:
    set_language(lang)
    order = _cancelled()
    printed = decode(
        render(
            cancel_slip(
                order, sample_store(), FROZEN_NOW, reason="cancelled by the platform [/] \x1b]0;x\x07",
                ticket_printed_at=FROZEN_NOW - timedelta(minutes=4),
            )
        )
    )  # fmt: skip
    big = ["#0006", "*** CANCELLED ***", "Do not prepare"] if lang == "en" else ["#0006", "*** 已取消 ***", "请勿制作"]
    assert printed.big == big and printed.cuts == 1
    assert any("cancelled by the platform [/]" in line and "\x1b" not in line for line in printed.lines)
    assert ("Its kitchen ticket printed at 12:26" if lang == "en" else "该单后厨小票已于 12:26 打印") in printed.lines
    assert "2 x 宫保鸡丁 Kung Pao Chicken" in printed.lines  # what to stop making
    refused = decode(render(cancel_slip(order, sample_store(), FROZEN_NOW, reason="r", refused=True))).big
    assert refused[1] == ("*** ACCEPT REFUSED ***" if lang == "en" else "*** 接单被拒 ***")


# -- the queue remembers what it printed -------------------------------------------------------------------------


def _slip_for(order: Order) -> Countermand:
    def slip(at: object) -> list:  # type: ignore[type-arg]
        return cancel_slip(order, None, FROZEN_NOW, reason=cancel_reason(order), ticket_printed_at=at)  # type: ignore[arg-type]

    return Countermand(order.id, order.display_number, slip)


def test_a_slip_is_queued_once_for_a_printed_ticket_also_by_a_queue_opened_again(tmp_path: Path) -> None:
    order = _cancelled()
    with FakePrinter() as printer:
        target = parse_target(printer.target)
        queue = PrintQueue(tmp_path)
        assert queue.countermand([_slip_for(order)]).slips == []  # nothing printed for it: nothing to say
        ticket = kitchen_ticket(sample_order(6, OrderStatus.CONFIRMED, minutes_ago=3), None, FROZEN_NOW)
        queue.add(JobKind.TICKET, ticket, order_id=order.id, number="#0006", arms=True)
        queue.add(JobKind.RECEIPT, receipt(order, None, FROZEN_NOW), order_id=order.id, number="#0006")
        assert len(queue.drain(target).printed) == 2
        assert list(queue.printed_tickets()) == [order.id]  # the ticket, not the receipt

        answer = queue.countermand([_slip_for(order)])
        assert [slip.kind for slip in answer.slips] == [JobKind.SLIP] and answer.dropped == []
        assert queue.countermand([_slip_for(order)]).slips == []  # asked again: nothing more
        queue.close()
        again = PrintQueue(tmp_path)  # the console started again
        assert again.countermand([_slip_for(order)]).slips == [] and again.printed_tickets() == {}
        assert len(again.drain(target).printed) == 1
        printed = printer.wait_for_cuts(3)
        again.close()
    assert printed.tickets()[2][:3] == ["#0006", "*** CANCELLED ***", "Do not prepare"]


def test_a_ticket_still_waiting_is_dropped_not_countermanded(tmp_path: Path) -> None:
    order = _cancelled()
    queue = PrintQueue(tmp_path)
    try:
        ticket = kitchen_ticket(sample_order(6, OrderStatus.CONFIRMED, minutes_ago=3), None, FROZEN_NOW)
        queue.add(JobKind.TICKET, ticket, order_id=order.id, number="#0006", arms=True)  # the printer is off
        answer = queue.countermand([_slip_for(order)])
        assert answer.slips == [] and [job.number for job in answer.dropped] == ["#0006"]
        assert queue.jobs() == []
    finally:
        queue.close()


def test_nothing_is_countermanded_while_another_process_sends(tmp_path: Path) -> None:
    order = _cancelled()
    with FakePrinter() as printer:
        queue = PrintQueue(tmp_path)
        ticket = kitchen_ticket(sample_order(6, OrderStatus.CONFIRMED, minutes_ago=3), None, FROZEN_NOW)
        queue.add(JobKind.TICKET, ticket, order_id=order.id, number="#0006", arms=True)
        queue.drain(parse_target(printer.target))
        fd = os.open(tmp_path / PRINT_LOCK, os.O_RDWR)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)  # another process is printing this queue's jobs
            assert queue.countermand([_slip_for(order)]).busy
            assert list(queue.printed_tickets()) == [order.id] and queue.jobs() == []
        finally:
            os.close(fd)
        assert len(queue.countermand([_slip_for(order)]).slips) == 1  # asked again once it is free
        queue.close()


# -- the console ---------------------------------------------------------------------------------------------------


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


def _memory_app(source: MemoryOrderSource) -> Counter:
    profile = Profile(name="counter", url="http://127.0.0.1:9", token="t", role="merchant", store_id="store-1")
    app = Counter(source, clock=lambda: FROZEN_NOW, profile=profile)
    app.said = []
    return app


async def _until(condition: object, seconds: float = 20.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():  # type: ignore[operator]
            return
        await asyncio.sleep(0.05)
    raise AssertionError("condition not met")


async def _cuts(printer: FakePrinter, count: int, seconds: float = 30.0) -> Printed:
    """What the printer printed once it cut `count` times, waited for without stopping the app's loop."""
    try:
        await _until(lambda: printer.printed.cuts >= count, seconds)
    except AssertionError:
        raise AssertionError(f"{printer.printed.cuts} of {count} printed: {printer.printed.lines}") from None
    return printer.printed


@pytest.mark.parametrize("lang", ["en", "zh"])
async def test_the_console_countermands_a_printed_ticket_once_also_after_a_restart(
    printer: FakePrinter, lang: str
) -> None:
    set_language(lang)
    accepted = sample_order(41, OrderStatus.PREPARING, minutes_ago=6)
    source = MemoryOrderSource([QueueEntry(accepted)], store=sample_store())
    app = _memory_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.printing is not None)  # `k` acts only once the printer is taken up
        await pilot.press("k")  # the kitchen has its ticket
        await _cuts(printer, 1)
        await _until(lambda: app.printing is not None and app.printing._queue.printed_tickets())
        cancelled = msgspec.structs.replace(
            accepted,
            status=OrderStatus.CANCELLED,
            cancelled_by=Party.CUSTOMER,
            cancel_reason_code="CUSTOMER_CHANGED_MIND",
            ended_at=FROZEN_NOW,
        )
        source.put(cancelled, pending=("order.cancellation.accept",))  # this counter's answer, not confirmed yet
        await pilot.pause(0.5)
        assert printer.printed.cuts == 1  # the platform has not said so yet: nothing
        source.put(cancelled)  # confirmed
        slip = (await _cuts(printer, 2)).tickets()[1]
        if lang == "en":
            assert slip[:3] == ["#0041", "*** CANCELLED ***", "Do not prepare"]
            assert "Cancelled by the customer: Customer changed their mind" in " ".join(slip)
            await _until(lambda: any("#0041 will not be collected" in text for text in app.said))
        else:
            assert slip[:3] == ["#0041", "*** 已取消 ***", "请勿制作"]
            assert "顾客取消：顾客改变主意" in slip
        source.put(cancelled)  # news of the same order again
        await pilot.press("k")  # a reprint now says what it is
        reprint = (await _cuts(printer, 3)).tickets()[2]
        assert reprint[1] == ("*** CANCELLED ***" if lang == "en" else "*** 已取消 ***")
        await pilot.press("enter", "R")
        bill = (await _cuts(printer, 4)).tickets()[3]
        assert ("*** CANCELLED ***" if lang == "en" else "*** 已取消 ***") in bill
        await pilot.pause(0.5)
        assert printer.printed.cuts == 4  # one slip, however often the order is seen

    again = _memory_app(MemoryOrderSource([QueueEntry(cancelled)], store=sample_store()))
    async with again.run_test(size=(80, 24)) as pilot:  # the console started again on the same profile
        await _until(lambda: again.printing is not None)
        await pilot.pause(1.0)
        assert printer.printed.cuts == 4


async def test_an_order_cancelled_while_the_console_was_closed_gets_its_slip_at_start(printer: FakePrinter) -> None:
    accepted = sample_order(41, OrderStatus.PREPARING, minutes_ago=6)
    app = _memory_app(MemoryOrderSource([QueueEntry(accepted)], store=sample_store()))
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.printing is not None)  # `k` acts only once the printer is taken up
        await pilot.press("k")
        await _cuts(printer, 1)
        await _until(lambda: app.printing is not None and app.printing._queue.printed_tickets())
    again = _memory_app(MemoryOrderSource([QueueEntry(_cancelled(41))], store=sample_store()))
    async with again.run_test(size=(80, 24)):
        slip = (await _cuts(printer, 2)).tickets()[1]
        assert slip[:3] == ["#0041", "*** CANCELLED ***", "Do not prepare"]


async def test_no_slip_for_an_order_that_ended_longer_ago_than_tickets_are_kept(printer: FakePrinter) -> None:
    accepted = sample_order(41, OrderStatus.PREPARING, minutes_ago=6)
    source = MemoryOrderSource([QueueEntry(accepted)], store=sample_store())
    app = _memory_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.printing is not None)  # `k` acts only once the printer is taken up
        await pilot.press("k")
        await _cuts(printer, 1)
        await _until(lambda: app.printing is not None and app.printing._queue.printed_tickets())
        source.put(_cancelled(41, ended_at=FROZEN_NOW - timedelta(hours=7)))  # the window is 6 h
        await pilot.pause(1.0)
        assert printer.printed.cuts == 1


async def test_a_refused_accept_of_an_order_still_open_prints_an_accept_refused_slip(printer: FakePrinter) -> None:
    new = sample_order(42, OrderStatus.CREATED, minutes_ago=1)
    source = MemoryOrderSource([QueueEntry(new)], store=sample_store())
    app = _memory_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("a", "enter")  # the ticket prints; the memory source leaves the order New
        await _cuts(printer, 1)
        await _until(lambda: app.printing is not None and app.printing._queue.printed_tickets())
        why = "the platform refused the accept [/] of #0042"
        source.add_conflict(
            ConflictView("k1", "order.confirm", "accept", new.id, 42, why, FROZEN_NOW)
        )  # fmt: skip
        slip = (await _cuts(printer, 2)).tickets()[1]
        assert slip[:3] == ["#0042", "*** ACCEPT REFUSED ***", "Do not prepare"] and why in slip


async def test_a_ticket_waiting_for_a_broken_printer_is_dropped_when_its_order_is_cancelled(
    printer: FakePrinter,
) -> None:
    printer.power_off()
    accepted = sample_order(41, OrderStatus.PREPARING, minutes_ago=6)
    source = MemoryOrderSource([QueueEntry(accepted)], store=sample_store())
    app = _memory_app(source)
    async with app.run_test(size=(80, 24)) as pilot:
        await _until(lambda: app.printing is not None)  # `k` acts only once the printer is taken up
        await pilot.press("k")
        await _until(lambda: app.printing is not None and app.printing.warning is not None)
        source.put(_cancelled(41))
        await _until(lambda: any("#0041 was cancelled before its kitchen ticket printed" in s for s in app.said))
        printer.power_on()
        await pilot.pause(1.0)
        assert printer.printed.cuts == 0 and app.printing is not None and app.printing.warning is None


# -- the tester's case on the real platform --------------------------------------------------------------------


@pytest.fixture
def timing_out(tmp_path: Path) -> Iterator[RunningPlatform]:
    running = start_platform(
        tmp_path / "platform", env={"O2O_ACCEPT_TIMEOUT_SECONDS": "6", "O2O_JOB_INTERVAL_SECONDS": "0.2"}
    )
    try:
        yield running
    finally:
        running.stop()


def _console(profile: Profile, proxy_port: int) -> tuple[Counter, EngineOrderSource]:
    via_proxy = msgspec.structs.replace(profile, url=f"http://127.0.0.1:{proxy_port}")
    cache = open_cache(via_proxy)
    client = make_client(via_proxy, timeout=2.0)
    engine = make_engine(via_proxy, cache, client, poll_wait=0.5, backoff_cap=0.5)
    source = EngineOrderSource(engine, cache, client, via_proxy.store_id or "")
    app = Counter(source, profile=via_proxy)
    app.said = []
    return app, source


def _status(running: RunningPlatform, order_id: str) -> str:
    admin = api(running, "admin")
    try:
        return str(admin.get(f"/v1/orders/{order_id}").json()["status"])
    finally:
        admin.close()


async def test_an_accept_queued_offline_that_the_platform_refuses_prints_a_slip_once(
    timing_out: RunningPlatform, printer: FakePrinter, tmp_path: Path
) -> None:
    seed = timing_out.seed
    assert seed is not None
    profile = save_profile(
        "counter", url=timing_out.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    with FaultProxy(timing_out.port) as proxy:
        app, source = _console(profile, proxy.port)
        async with app.run_test(size=(80, 24)) as pilot:
            [order_id] = await asyncio.to_thread(place_orders, timing_out.url, seed, 1)
            await _until(lambda: source.order(order_id) is not None)
            number = source.order(order_id).order.display_number  # type: ignore[union-attr]
            proxy.drop()
            await _until(lambda: source.link().state is LinkState.OFFLINE)
            app.orders_screen.queue.select(order_id)
            await pilot.press("a", "enter")  # queued offline: the kitchen starts on it
            ticket = (await _cuts(printer, 1)).tickets()[0]
            assert ticket[:2] == [number, "NOT YET CONFIRMED BY THE PLATFORM"]
            await _until(lambda: _status(timing_out, order_id) == "CANCELLED")  # nobody accepted it in time
            assert printer.printed.cuts == 1
            proxy.pass_through()
            slip = (await _cuts(printer, 2)).tickets()[1]
            assert slip[:3] == [number, "*** CANCELLED ***", "Do not prepare"]
            assert "Cancelled by the platform: No answer in time" in " ".join(slip)
            assert source.link().conflicts == 1  # the refused accept, listed under `!` as before
            await pilot.pause(1.0)
            assert printer.printed.cuts == 2

        app, source = _console(profile, proxy.port)  # the console again, on the same profile
        async with app.run_test(size=(80, 24)) as pilot:
            await _until(lambda: source.order(order_id) is not None and app.printing is not None)
            await _until(lambda: source.link().state is LinkState.ONLINE)
            await pilot.pause(1.5)
            assert printer.printed.cuts == 2


async def test_an_accepted_order_cancelled_on_the_platform_prints_a_slip(
    timing_out: RunningPlatform, printer: FakePrinter
) -> None:
    seed = timing_out.seed
    assert seed is not None
    profile = save_profile(
        "counter", url=timing_out.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    with FaultProxy(timing_out.port) as proxy:
        app, source = _console(profile, proxy.port)
        async with app.run_test(size=(80, 24)) as pilot:
            [order_id] = await asyncio.to_thread(place_orders, timing_out.url, seed, 1)
            await _until(lambda: source.order(order_id) is not None)
            app.orders_screen.queue.select(order_id)
            await pilot.press("a", "enter")  # online: printed once the platform took it
            ticket = (await _cuts(printer, 1)).tickets()[0]
            assert "NOT YET CONFIRMED BY THE PLATFORM" not in ticket
            customer, merchant = api(timing_out, "customer"), api(timing_out, "merchant")
            try:  # the customer asks, another counter of the store accepts
                asked = customer.post(f"/v1/orders/{order_id}/cancellation", {"reason_code": "TAKING_TOO_LONG"})
                assert asked.status_code == 200, asked.text
                answer = merchant.post(f"/v1/orders/{order_id}/cancellation/accept", None)
                assert answer.status_code == 200, answer.text
            finally:
                customer.close()
                merchant.close()
            slip = (await _cuts(printer, 2)).tickets()[1]
            assert slip[1:3] == ["*** CANCELLED ***", "Do not prepare"]
            assert "Cancelled by the customer: Taking too long" in " ".join(slip)
            await pilot.pause(1.0)
            assert printer.printed.cuts == 2


# -- o2o print ----------------------------------------------------------------------------------------------------


def _o2o(home: Path, lang: str, printer: str, *args: str) -> str:
    env = {"O2O_HOME": str(home), "O2O_LANG": lang, "O2O_PRINTER": printer, "O2O_PROFILE": None, "COLUMNS": "200"}
    result = CliRunner().invoke(cli_app, list(args), env=env, catch_exceptions=False)
    assert result.exit_code == 0, (args, result.stdout, result.stderr)
    return result.stdout


@pytest.mark.parametrize(("lang", "mark", "why"), [
    ("en", "*** CANCELLED ***", "Cancelled by the customer: Customer changed their mind"),
    ("zh", "*** 已取消 ***", "顾客取消：顾客改变主意"),
])  # fmt: skip
def test_o2o_print_ticket_and_receipt_of_a_cancelled_order_say_so_in_print_show(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str, mark: str, why: str
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    home, paper = tmp_path / "home", tmp_path / "tickets.bin"
    printer = f"file:{paper}"
    [order_id] = place_orders(shared_platform.url, seed, 1)
    customer = api(shared_platform, "customer")
    try:
        gone = customer.post(f"/v1/orders/{order_id}/cancel", {"reason_code": "CUSTOMER_CHANGED_MIND"})
        assert gone.status_code == 200, gone.text
    finally:
        customer.close()
    _o2o(home, lang, printer, "login", "--url", shared_platform.url, "--token", seed.tokens["merchant"])
    _o2o(home, lang, printer, "sync", "--once")
    _o2o(home, lang, printer, "print", "ticket", order_id)
    _o2o(home, lang, printer, "print", "ticket", order_id, "--receipt")
    shown = _o2o(home, lang, printer, "print", "show", str(paper)).splitlines()
    cut = next(index for index, line in enumerate(shown) if line.startswith("✂"))
    ticket, bill = shown[:cut], shown[cut + 1 :]
    assert ticket[:2] == [mark, "Do not prepare" if lang == "en" else "请勿制作"] and why in " ".join(ticket)
    assert ticket[-1] == mark
    assert mark in bill and why in " ".join(bill)
    monkeypatch.setenv("O2O_HOME", str(home))
    queue = PrintQueue(profile_cache_dir("default"))
    try:  # a ticket that says CANCELLED sets nobody cooking: nothing to countermand
        assert queue.printed_tickets() == {}
    finally:
        queue.close()


def test_o2o_print_ticket_of_an_accept_queued_offline_says_it_is_not_confirmed(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = shared_platform.seed
    assert seed is not None
    home, paper = tmp_path / "home", tmp_path / "tickets.bin"
    printer = f"file:{paper}"
    [order_id] = place_orders(shared_platform.url, seed, 1)
    _o2o(home, "en", printer, "login", "--url", shared_platform.url, "--token", seed.tokens["merchant"])
    _o2o(home, "en", printer, "sync", "--once")
    monkeypatch.setenv("O2O_HOME", str(home))  # the link drops: the profile's platform unreachable (port 9)
    save_profile(
        "default", url="http://127.0.0.1:9", token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    _o2o(home, "en", printer, "orders", "accept", order_id)  # queued
    _o2o(home, "en", printer, "print", "ticket", order_id)
    shown = _o2o(home, "en", printer, "print", "show", str(paper)).splitlines()
    assert shown[1:3] == ["NOT YET CONFIRMED BY THE PLATFORM", "Accepted offline: a slip prints if it is refused"]
    queue = PrintQueue(profile_cache_dir("default"))
    try:  # the console countermands it if the platform refuses that accept, or another device's accept stood
        assert list(queue.printed_tickets()) == [order_id]
        printed_for = queue.printed_tickets()[order_id].accept_key
    finally:
        queue.close()
    with profile_cache("default") as (_, cache):
        [accept] = [entry for entry in cache.outbox.pending() if entry.action == "order.confirm"]
    assert printed_for == accept.key  # the accept it was printed for (a duplicate slip can follow)
