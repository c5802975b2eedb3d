"""Kitchen tickets and losing-side actions with two counters (outside tester, h10): `o2o orders accept` prints the
kitchen ticket as the console's accept does (a printer set), into the profile's ledger, once; a duplicate slip
says the other counter's ticket stands only when it knows that ticket printed; an accept answered online prints as
confirmed whatever the view still shows; `o2o orders accept/reject` refuse at once (exit 4, nothing sent) what the
cache shows another counter won, as the console's keys do; the console's accept dialog closes when its order is
accepted elsewhere meanwhile. The real platform on loopback, real caches, a fake network printer."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import msgspec
import pytest

from o2o_tui.cli.exits import Exit
from o2o_tui.config import load_profile, profile_cache_dir, save_profile
from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from o2o_tui.printing import PrinterConfig
from o2o_tui.printing.decode import decode
from o2o_tui.printing.devices import parse_target
from o2o_tui.printing.layout import JobKind, kitchen_ticket
from o2o_tui.printing.spool import Countermand, PrintQueue
from screens import printing
from screens.app import MerchantApp
from screens.console_messages import PrintRequested
from screens.dialogs import NumberPrompt
from screens.launch import open_source
from screens.source import LinkState
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform
from tests.test_accept_twice import _accept, _device, _order
from tests.test_sync_engine import place_orders
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store

UNCONFIRMED = "NOT YET CONFIRMED BY THE PLATFORM"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


@pytest.fixture
def kitchen(monkeypatch: pytest.MonkeyPatch) -> Iterator[FakePrinter]:
    with FakePrinter() as fake:
        monkeypatch.setenv("O2O_PRINTER", fake.target)
        monkeypatch.setattr(printing, "RETRY_S", 0.2)
        yield fake


def _number(running: RunningPlatform, order_id: str) -> str:
    return f"#{_order(running, order_id)['number']:04d}"


# -- 1a: the command's accept prints the kitchen's ticket --------------------------------------------------------


def test_the_commands_accept_prints_the_ticket_once_into_the_ledger_and_no_print_skips_it(
    platform: RunningPlatform, kitchen: FakePrinter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert platform.seed is not None
    counter = _device(platform, tmp_path / "a")
    taken, skipped = place_orders(platform.url, platform.seed, 2)
    counter("sync", "--once")
    answer = counter.json("orders", "accept", taken, "--prep", "9")
    assert answer["outcome"] == "done" and answer["ticket"]["printed"] is True
    assert answer["ticket"]["unconfirmed"] is False
    printed = kitchen.wait_for_cuts(1)
    number = _number(platform, taken)
    [ticket] = printed.tickets()
    assert ticket[0] == number and UNCONFIRMED not in ticket
    # in the profile's ledger, under the accept that stood: the console of this profile knows it printed
    stood = _order(platform, taken)["accept_key"]
    queue = _queue_of(counter.home, monkeypatch)
    try:
        assert queue.ticket_printed_for(stood) and queue.has_ticket(taken)
    finally:
        queue.close()
    # run again (the same minutes, already accepted here): nothing sent, no second ticket
    again = counter("orders", "accept", taken, "--prep", "9")
    assert "already printed here" in again.stdout
    # --no-print: accepted, nothing printed, and --json says so
    quiet = counter.json("orders", "accept", skipped, "--prep", "9", "--no-print")
    assert quiet["outcome"] == "done" and quiet["ticket"] == {**quiet["ticket"], "printed": False, "state": "skipped"}
    kitchen_after = kitchen.printed
    assert kitchen_after.cuts == 1


def _queue_of(home: Path, monkeypatch: pytest.MonkeyPatch) -> PrintQueue:
    """The print queue of the default profile of the O2O_HOME `home` (the Cli runs each command with its own)."""
    monkeypatch.setenv("O2O_HOME", str(home))
    return PrintQueue(profile_cache_dir(load_profile(None)))


def test_a_command_accept_queued_offline_prints_unconfirmed_with_its_key(
    platform: RunningPlatform, kitchen: FakePrinter, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert platform.seed is not None
    counter = _device(platform, tmp_path / "a")
    [order_id] = place_orders(platform.url, platform.seed, 1)
    counter("sync", "--once")
    platform.stop()
    try:
        answer = counter.json("orders", "accept", order_id, "--prep", "9")
    finally:
        platform.restart()
    assert answer["outcome"] == "queued" and answer["ticket"]["printed"] is True
    assert answer["ticket"]["unconfirmed"] is True
    [ticket] = kitchen.wait_for_cuts(1).tickets()
    assert UNCONFIRMED in ticket
    queue = _queue_of(counter.home, monkeypatch)
    try:
        assert queue.printed_tickets()[order_id].accept_key == answer["key"]
    finally:
        queue.close()


# -- 1b: the duplicate slip tells the kitchen to set its ticket aside only when it knows -------------------------


def _duplicate_of(order: Any, stood: str) -> Countermand:
    return Countermand(order.id, order.display_number, printing._duplicate_slip(order, None, FROZEN_NOW), stood=stood)


def test_a_duplicate_slip_says_to_check_unless_the_ticket_that_stood_printed_here(tmp_path: Path) -> None:
    target = parse_target(f"file:{tmp_path / 'paper.bin'}")
    order = msgspec.structs.replace(
        sample_order(6, OrderStatus.CONFIRMED, minutes_ago=3), promised_ready_at=FROZEN_NOW + timedelta(minutes=15)
    )
    known = msgspec.structs.replace(order, id=order.id + "-known")
    (tmp_path / "q").mkdir()
    queue = PrintQueue(tmp_path / "q")
    try:
        ops = kitchen_ticket(order, None, FROZEN_NOW, unconfirmed=True)
        # known: the accept that stood printed its ticket on this profile too (the command's), then ours offline
        queue.add(JobKind.TICKET, ops, order_id=known.id, number="#0006", arms=True, accept_key="theirs")
        queue.add(JobKind.TICKET, ops, order_id=known.id, number="#0006", arms=True, accept_key="mine")
        queue.add(JobKind.TICKET, ops, order_id=order.id, number="#0006", arms=True, accept_key="mine")
        assert len(queue.drain(target).printed) == 3
        answer = queue.countermand([_duplicate_of(order, "theirs"), _duplicate_of(known, "theirs")])
        assert len(answer.slips) == 2 and answer.unsure == {order.id}
        before = (tmp_path / "paper.bin").read_bytes()
        assert len(queue.drain(target).printed) == 2
    finally:
        queue.close()
    unsure, sure = [" ".join(slip) for slip in decode((tmp_path / "paper.bin").read_bytes()[len(before) :]).tickets()]
    assert "check that its ticket printed before setting this one aside" in unsure and "(ready " in unsure
    assert "set it aside." not in unsure and "its kitchen ticket stands" not in unsure
    assert "its kitchen ticket stands" in sure and "is a duplicate: set it aside." in sure


# -- 2: an accept the platform took prints as confirmed, whatever the view still shows ---------------------------


class _Loop:
    """Just enough of the app for `ConsolePrinting.request` (run on a loop: its thread's work comes back there)."""

    def __init__(self, entry: Any) -> None:
        self.source = SimpleNamespace(
            order=lambda _id: entry, link=lambda: SimpleNamespace(state=LinkState.ONLINE), queued_entries=None
        )
        self.screen_stack: list[Any] = []
        self.workers: list[Any] = []

    def now(self) -> Any:
        return FROZEN_NOW

    def run_worker(self, work: Any, **_: Any) -> None:
        self.workers.append(work)
        work.close()

    def say(self, *_: Any, **__: Any) -> None:
        pass


async def test_a_confirmed_accept_prints_confirmed_although_the_view_still_shows_it_pending(tmp_path: Path) -> None:
    order = sample_order(7, OrderStatus.CREATED, minutes_ago=1)
    stale = SimpleNamespace(order=order, pending=("order.confirm",))  # the view has not dropped the accept yet
    app = _Loop(stale)
    paper = tmp_path / "paper.bin"
    console = printing.ConsolePrinting(
        app,  # type: ignore[arg-type]
        PrinterConfig(parse_target(f"file:{paper}"), "native"),
        PrintQueue(_made(tmp_path / "q")),
    )
    try:
        console.request(order, sample_store(), PrintRequested(order.id, prep_minutes=9, accept_key="k", confirmed=True))
        for _ in range(200):  # the loop runs: the printer thread's result comes back to it
            if paper.exists() and decode(paper.read_bytes()).cuts:
                break
            await asyncio.sleep(0.02)
        [ticket] = decode(paper.read_bytes()).tickets()
        assert ticket[0] == "#0007" and UNCONFIRMED not in ticket and not app.workers
        # queued (the link dropped while it waited): said so
        console.request(order, sample_store(), PrintRequested(order.id, prep_minutes=9, confirmed=False))
    finally:
        console.close()


# -- 3: the losing side's actions are refused where the cache already shows the winner --------------------------


def test_the_commands_accept_and_reject_refuse_what_the_cache_shows_another_counter_won(
    platform: RunningPlatform, tmp_path: Path
) -> None:
    assert platform.seed is not None
    counter = _device(platform, tmp_path / "b")
    [order_id] = place_orders(platform.url, platform.seed, 1)
    assert _accept(platform, order_id, 15, key="other-counter").status_code == 200
    counter("sync", "--once")  # the cache shows it accepted by the other counter
    number = _number(platform, order_id)
    refused = counter("orders", "reject", order_id, "--reason", "STORE_BUSY", code=Exit.REJECTED)
    assert f"Cannot reject {number}: it is Accepted." in refused.stderr
    day_number = int(number.lstrip("#"))  # an accepted order is taken back by a cancel: the command says which
    assert f"cancelled, not rejected: `o2o orders cancel {day_number} --reason REASON`" in refused.stderr
    accept = counter("orders", "accept", order_id, "--prep", "20", code=Exit.REJECTED)
    assert f"{number} is already Accepted: nothing to accept." in accept.stderr
    assert counter.json("conflicts", "list") == []  # nothing was sent: no conflict
    assert _order(platform, order_id)["status"] == "CONFIRMED"


async def test_the_accept_dialog_closes_when_another_counter_accepts_the_order_meanwhile(
    platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seed = platform.seed
    assert seed is not None
    monkeypatch.setenv("O2O_HOME", str(tmp_path / "counter"))
    profile = save_profile(
        "counter", url=platform.url, token=seed.tokens["merchant"], role="merchant", store_id=seed.store_id
    )
    app = MerchantApp(open_source(profile), profile=profile)
    said: list[str] = []
    app.say = lambda message, **_: said.append(message)  # type: ignore[method-assign]
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.source.link().state.value == "ONLINE")
        [order_id] = await asyncio.to_thread(place_orders, platform.url, seed, 1)
        await wait_until(pilot, lambda: app.source.order(order_id) is not None)
        app.orders_screen.queue.select(order_id)
        await pilot.press("a")
        await wait_until(pilot, lambda: isinstance(app.screen, NumberPrompt))
        assert (await asyncio.to_thread(_accept, platform, order_id, 25)).status_code == 200
        number = await asyncio.to_thread(_number, platform, order_id)
        await wait_until(pilot, lambda: not isinstance(app.screen, NumberPrompt))
        assert any(text.startswith(f"{number} is Accepted now") for text in said), said
        await pilot.press("enter")  # nothing is asked any more: no accept sent
        await pilot.pause(0.5)
        assert not app.source.order(order_id).pending  # type: ignore[union-attr]
        assert app.source.conflicts() == []


def _made(directory: Path) -> Path:
    directory.mkdir()
    return directory
