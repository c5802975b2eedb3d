"""The paper changes from 80 to 58 mm while tickets wait in the print queue: they print laid out for 58 mm (each job
keeps its layout for every paper, `Job.layouts`), a job queued without them (an older version's) is sent as it is;
the console says the paper changed (not "Printer changed ... now <the same printer>") and names its printer with
the paper; `o2o orders accept` says the paper beside the printer, as `o2o print ticket` does. Real queue files in a
temp directory, a fake network printer on loopback, the real platform for the command."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import msgspec
import pytest

from o2o_tui.domain.order import OrderStatus
from o2o_tui.i18n import set_language
from o2o_tui.paths import config_dir
from o2o_tui.printing.devices import parse_target
from o2o_tui.printing.layout import JobKind, Op, cancel_reason, cancel_slip, kitchen_ticket
from o2o_tui.printing.spool import QUEUE_FILE, Countermand, PrintQueue, paper_layouts
from screens import printing
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform
from tests.test_accept_twice import _device
from tests.test_print_accept_command import _queue_of
from tests.test_print_paper_width import LONG_NAME, _joined, _long_order, _tickets_widest
from tests.test_sync_engine import place_orders
from tests.test_ui_live import wait_until
from tests.test_ui_samples import FROZEN_NOW, sample_store
from tests.test_ui_settings_followed import _write_settings


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def test_a_ticket_queued_for_80mm_prints_laid_out_for_58mm_once_the_paper_changed(tmp_path: Path) -> None:
    order = _long_order()
    laid = paper_layouts(lambda width: kitchen_ticket(order, sample_store(), FROZEN_NOW, width=width))
    with FakePrinter() as printer:
        target = parse_target(printer.target)
        printer.power_off()
        queue = PrintQueue(tmp_path)
        try:
            queue.add(JobKind.TICKET, laid[48], order_id=order.id, number="#0007", arms=True, layouts=laid)
            assert queue.drain(target, "native", 48).waiting == 1  # the printer is off: it waits, laid out for 80 mm
        finally:
            queue.close()
        printer.power_on()
        queue = PrintQueue(tmp_path)  # another process (the console) sends it, once the paper is 58 mm
        try:
            assert len(queue.drain(target, "native", 32).printed) == 1
        finally:
            queue.close()
        ticket = printer.wait_for_cuts(1)
        assert ticket.too_wide(32) == [] and _tickets_widest(ticket) == [32]  # nothing the printer folds
        assert LONG_NAME.replace(" ", "") in _joined(ticket.tickets()[0])


def test_a_job_queued_without_layouts_by_an_older_version_is_read_and_sent_as_it_is(tmp_path: Path) -> None:
    order = _long_order()
    ops = kitchen_ticket(order, sample_store(), FROZEN_NOW)  # 80 mm's
    queue = PrintQueue(tmp_path)
    queue.add(JobKind.TICKET, ops, order_id=order.id, number="#0007", arms=True)
    queue.close()
    stored = json.loads((tmp_path / QUEUE_FILE).read_text(encoding="utf-8"))
    for doc in stored["jobs"].values():
        doc.pop("layouts", None)  # as an older version wrote it
    (tmp_path / QUEUE_FILE).write_text(json.dumps(stored), encoding="utf-8")
    with FakePrinter() as printer:
        queue = PrintQueue(tmp_path)
        try:
            [job] = queue.jobs()
            assert job.layouts == () and job.ops_for(32) == ops
            assert len(queue.drain(parse_target(printer.target), "native", 32).printed) == 1
        finally:
            queue.close()
        assert _tickets_widest(printer.wait_for_cuts(1)) == [48]  # sent as it is


def test_a_cancellation_slip_queued_for_80mm_prints_for_58mm(tmp_path: Path) -> None:
    order = msgspec.structs.replace(_long_order(), status=OrderStatus.CANCELLED, cancel_reason_code="OUT_OF_STOCK")

    def slip(printed_at: datetime | None, *, width: int = 48) -> list[Op]:
        return cancel_slip(
            order, None, FROZEN_NOW, reason=cancel_reason(order), ticket_printed_at=printed_at, width=width
        )

    with FakePrinter() as printer:
        target = parse_target(printer.target)
        queue = PrintQueue(tmp_path)
        try:
            ticket = kitchen_ticket(order, None, FROZEN_NOW, width=32)
            queue.add(JobKind.TICKET, ticket, order_id=order.id, number="#0007", arms=True)
            assert len(queue.drain(target, "native", 32).printed) == 1
            printer.power_off()
            assert len(queue.countermand([Countermand(order.id, "#0007", slip, any_paper=True)]).slips) == 1
            assert queue.drain(target, "native", 48).waiting == 1  # laid out for 80 mm, the printer off
            printer.power_on()
            assert len(queue.drain(target, "native", 32).printed) == 1
        finally:
            queue.close()
        printed = printer.wait_for_cuts(2)
        assert printed.too_wide(32) == [] and _tickets_widest(printed) == [32, 32]


async def test_the_console_prints_what_waits_for_the_new_paper_and_says_the_paper_changed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from o2o_tui.config import Profile
    from screens.app import MerchantApp
    from screens.memory_source import MemoryOrderSource
    from screens.source import QueueEntry

    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("O2O_PRINTER", raising=False)
    monkeypatch.delenv("O2O_PRINTER_PAPER", raising=False)
    monkeypatch.setattr(printing, "RETRY_S", 0.2)
    config_dir().mkdir(parents=True, exist_ok=True)
    with FakePrinter() as printer:
        printer.power_off()
        _write_settings({"printer": printer.target, "printer_paper": 80})
        order = msgspec.structs.replace(_long_order(), status=OrderStatus.CREATED)
        profile = Profile(name="counter", url="http://127.0.0.1:9", token="t", role="merchant", store_id="store-1")
        app = MerchantApp(
            MemoryOrderSource([QueueEntry(order)], store=sample_store()), clock=lambda: FROZEN_NOW, profile=profile
        )
        said: list[str] = []
        real_say = app.say

        def say(text: str, **kw: Any) -> None:
            said.append(text)
            real_say(text, **kw)

        monkeypatch.setattr(app, "say", say)
        async with app.run_test(size=(80, 24)) as pilot:
            await pilot.pause()
            await pilot.press("a", "enter")  # accepted: its kitchen ticket waits (the printer is off), for 80 mm
            await wait_until(pilot, lambda: app.printing is not None and app.printing.warning is not None)
            _write_settings({"printer": printer.target, "printer_paper": "58mm"})
            await wait_until(
                pilot, lambda: app.printing is not None and getattr(app.printing.config, "paper_mm", 0) == 58
            )
            changed = [text for text in said if "settings.json" in text]
            paper = f"Printer paper changed in settings.json: tickets on {printer.target} now print for 58 mm paper."
            assert changed == [paper], said
            printer.power_on()
            await wait_until(pilot, lambda: printer.printed.cuts >= 1)  # the console's retry sends it
            ticket = printer.printed
            assert ticket.too_wide(32) == [] and _tickets_widest(ticket) == [32]

            printer.power_off()  # another printer named: said with its paper
            _write_settings({"printer": "tcp://127.0.0.1:21899", "printer_paper": 58})
            await wait_until(pilot, lambda: any("Printer changed" in text for text in said))
            assert "Printer changed in settings.json: now tcp://127.0.0.1:21899 (58 mm paper)." in said, said


def test_the_ticket_of_a_commands_accept_waiting_for_80mm_prints_for_58mm(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from o2o_tui.config import Profile, profile_cache_dir
    from o2o_tui.printing.accepted import print_accept_ticket

    monkeypatch.setenv("O2O_HOME", str(tmp_path / "home"))
    monkeypatch.setenv("O2O_PRINTER_PAPER", "80")
    profile = Profile(name="counter", url="http://127.0.0.1:9", token="t", role="merchant", store_id="store-1")
    order = _long_order()
    with FakePrinter() as printer:
        monkeypatch.setenv("O2O_PRINTER", printer.target)
        printer.power_off()
        store = sample_store()
        ticket = print_accept_ticket(profile, order, store, accept_key="k-1", unconfirmed=False, now=FROZEN_NOW)
        assert (ticket.state, ticket.paper_mm) == ("queued", 80)
        printer.power_on()
        monkeypatch.setenv("O2O_PRINTER_PAPER", "58")  # the paper changed: whoever drains next sends it for 58 mm
        queue = PrintQueue(profile_cache_dir(profile))
        try:
            assert len(queue.drain(parse_target(printer.target), "native", 32).printed) == 1
        finally:
            queue.close()
        printed = printer.wait_for_cuts(1)
        assert printed.too_wide(32) == [] and _tickets_widest(printed) == [32]


def test_o2o_orders_accept_says_the_paper_beside_the_printer(
    shared_platform: RunningPlatform, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert shared_platform.seed is not None
    with FakePrinter() as printer:
        monkeypatch.setenv("O2O_PRINTER", printer.target)
        monkeypatch.setenv("O2O_PRINTER_PAPER", "58")
        counter = _device(shared_platform, tmp_path / "a")
        printed, queued = place_orders(shared_platform.url, shared_platform.seed, 2)
        counter("sync", "--once")
        said = counter("orders", "accept", printed, "--prep", "9").stdout
        assert f"on {printer.target} (58 mm paper)." in said, said
        assert "{paper}" not in said
        printer.power_off()  # the next ticket waits, laid out for 80 mm paper
        monkeypatch.setenv("O2O_PRINTER_PAPER", "80")
        said = counter("orders", "accept", queued, "--prep", "9").stdout
        assert f"({printer.target}, 80 mm paper)" in said, said
        printer.power_on()  # now 58 mm paper: sent by whoever drains the queue next (the console, say)
        queue = _queue_of(counter.home, monkeypatch)
        try:
            assert len(queue.drain(parse_target(printer.target), "native", 32).printed) == 1
        finally:
            queue.close()
        both = printer.wait_for_cuts(2)
        assert both.too_wide(32) == [] and _tickets_widest(both) == [32, 32]
