"""Kitchen tickets and receipts (o2o_tui/printing/): the ESC/POS python-escpos builds, read back by a fake network
printer on loopback (tests/support/fake_printer.py) or from a file; the durable queue with a printer that is off
or out of paper; `o2o print` against the real platform. USB cannot be tested here (no printer on the machine)."""

from __future__ import annotations

import json
import os
import stat
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import msgspec
import pytest
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.domain.order import Order, OrderStatus, OrderType
from o2o_tui.i18n import set_language
from o2o_tui.printing.decode import decode
from o2o_tui.printing.devices import Problem, parse_target, send
from o2o_tui.printing.layout import JobKind, kitchen_ticket, receipt
from o2o_tui.printing.render import cjk_font_path, render
from o2o_tui.printing.spool import QUEUE_FILE, PrintQueue
from tests.support.fake_printer import FakePrinter
from tests.support.platform import RunningPlatform
from tests.test_sync_engine import place_orders
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _order() -> Order:
    order = sample_order(42, OrderStatus.CONFIRMED, minutes_ago=2, note="多放葱 extra scallions \x1b@\x1bp")
    return msgspec.structs.replace(order, type=OrderType.TAKEOUT)


def test_python_escpos_sends_chinese_as_gb_bytes() -> None:
    from escpos.printer import Dummy

    printer = Dummy()
    printer.text("宫保鸡丁 x2\n")
    assert "宫保鸡丁".encode("gb18030") in printer.output
    assert "宫保鸡丁".encode("gb18030") == "宫保鸡丁".encode("gbk")  # common characters: GBK bytes too


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_kitchen_ticket_over_the_network_reads_back(lang: str) -> None:
    set_language(lang)
    order = _order()
    with FakePrinter() as printer:
        send(parse_target(printer.target), render(kitchen_ticket(order, sample_store(), FROZEN_NOW)))
        printed = printer.wait_for_cuts(1)
    text = printed.text()
    assert printed.chinese_mode and printed.cuts == 1
    assert "#0042" in printed.big  # the number large
    assert ("Pickup" if lang == "en" else "自取") in printed.big
    assert ("Ready by 12:44" if lang == "en" else "12:44 前出餐") in printed.big  # promised, store's time
    assert "2 x 宫保鸡丁 Kung Pao Chicken" in text and "+ 微辣 Mild" in text and "少辣" in text
    assert "2 x 米饭 Rice" in text
    assert "多放葱 extra scallions ?@?p" in text  # the note's ESC bytes never reach the printer as commands
    assert printed.qr == ["4821"]
    assert printed.status_requests == [1, 4]  # it asked whether it could print first


def test_a_reprinted_kitchen_ticket_leaves_out_what_was_refunded() -> None:
    from o2o_tui.domain.money import Money
    from o2o_tui.domain.refunds import Refund, RefundLine
    from o2o_tui.printing.layout import TextOp

    order = _order()
    assert [line.quantity for line in order.lines] == [2, 2]
    refunds = [
        Refund(id="r1", amount=Money(400, "CNY"), reason_code="ITEM_UNAVAILABLE", lines=[RefundLine(line=1, quantity=2, amount=Money(400, "CNY"))]),
        Refund(id="r2", amount=Money(3800, "CNY"), reason_code="QUALITY", lines=[RefundLine(line=0, quantity=1, amount=Money(3800, "CNY"))]),
    ]
    ops = kitchen_ticket(msgspec.structs.replace(order, refunds=refunds), sample_store(), FROZEN_NOW, reprint=True)
    text = "\n".join(op.text for op in ops if isinstance(op, TextOp))
    assert "1 x 宫保鸡丁 Kung Pao Chicken" in text and "(1 of 2 refunded)" in text  # one still to make
    assert "REFUNDED, do not make: 米饭 Rice" in text and "2 x 米饭 Rice" not in text


def test_a_receipt_with_a_refund_from_a_file_printer_and_o2o_print_show(tmp_path: Path) -> None:
    from o2o_tui.domain.money import Money
    from o2o_tui.domain.order import Totals
    from o2o_tui.domain.refunds import Refund

    order = _order()
    refund = Refund(id="r1", amount=Money(400, "CNY"), reason_code="ITEM_UNAVAILABLE")
    totals = Totals(**{**msgspec.structs.asdict(order.totals), "refunded": Money(400, "CNY")})
    order = msgspec.structs.replace(order, refunds=[refund], totals=totals)
    target = parse_target(f"file:{tmp_path / 'tickets.bin'}")
    send(target, render(kitchen_ticket(order, sample_store(), FROZEN_NOW)))
    send(target, render(receipt(order, sample_store(), FROZEN_NOW)))  # appended, not over the first
    printed = decode((tmp_path / "tickets.bin").read_bytes())
    assert printed.cuts == 2
    assert (tmp_path / "tickets.bin").stat().st_mode & 0o777 == 0o600  # pickup codes and names: the user's only
    slip = "\n".join(printed.tickets()[1])
    assert printed.big[-2:] == ["老王川菜馆 Lao Wang", "Sichuan Kitchen"]  # double size: wrapped at 24 cells
    assert "Total" in slip and "￥80.00" in slip
    assert "Refund: Item unavailable" in slip and "-￥4.00" in slip and "￥76.00" in slip

    shown = CliRunner().invoke(app, ["print", "show", str(tmp_path / "tickets.bin"), "--json"])
    assert shown.exit_code == 0, shown.output
    assert len(json.loads(shown.stdout)["tickets"]) == 2


@pytest.mark.skipif(
    cjk_font_path() is None, reason="no CJK font: apt-get install fonts-wqy-microhei (.ci/run does)"
)
def test_without_a_chinese_mode_chinese_lines_print_as_images() -> None:
    set_language("zh")
    data = render(kitchen_ticket(_order(), sample_store(), FROZEN_NOW), "image")
    printed = decode(data)
    assert not printed.chinese_mode
    assert "#0042" in printed.big  # plain ASCII stays text
    assert printed.images >= 5 and not any("宫" in line for line in printed.lines)
    assert all(byte < 0x80 for line in printed.lines for byte in line.encode())  # no GB text at all


def test_a_printer_that_is_off_keeps_the_ticket_queued_until_it_prints_it_once(tmp_path: Path) -> None:
    printer = FakePrinter()
    target = parse_target(printer.target)
    printer.power_off()
    try:
        queue = PrintQueue(tmp_path)
        queue.add(
            JobKind.TICKET, kitchen_ticket(_order(), None, FROZEN_NOW), order_id="ord-0042", number="#0042"
        )
        assert stat.S_IMODE(os.stat(tmp_path / QUEUE_FILE).st_mode) == 0o600
        result = queue.drain(target)
        assert result.problem is not None and result.problem.kind is Problem.UNREACHABLE
        assert result.waiting == 1
        other = PrintQueue(tmp_path)  # another process on the profile sees it and why
        assert other.status().waiting == 1 and other.status().state.problem is Problem.UNREACHABLE

        printer.power_on()
        result = other.drain(target)
        assert [job.number for job in result.printed] == ["#0042"] and result.waiting == 0
        printer.wait_for_cuts(1)
        assert queue.drain(target).printed == [] and other.status().state.problem is None
        assert printer.printed.cuts == 1 and printer.connections == 1
    finally:
        printer.close()


@pytest.mark.parametrize(
    ("condition", "problem"), [("paper_out", Problem.PAPER_OUT), ("cover_open", Problem.COVER_OPEN)]
)
def test_out_of_paper_or_cover_open_is_read_from_the_printer_status(
    tmp_path: Path, condition: str, problem: Problem
) -> None:
    with FakePrinter() as printer:
        printer.condition = condition  # type: ignore[assignment]
        target = parse_target(printer.target)
        queue = PrintQueue(tmp_path)
        queue.add(JobKind.TICKET, kitchen_ticket(_order(), None, FROZEN_NOW))
        result = queue.drain(target)
        assert result.problem is not None and result.problem.kind is problem and result.waiting == 1
        assert printer.printed.cuts == 0 and printer.printed.lines == []  # nothing of the ticket was sent
        printer.condition = "ok"
        assert len(queue.drain(target).printed) == 1
        printer.wait_for_cuts(1)


def _o2o(home: Path, *args: str, printer: str, code: int = 0) -> dict:
    env = {
        "O2O_HOME": str(home),
        "O2O_LANG": "en",
        "O2O_PRINTER": printer,
        "O2O_PROFILE": None,
        "COLUMNS": "200",
    }
    result = CliRunner().invoke(app, [*args, "--json"], env=env, catch_exceptions=False)
    assert result.exit_code == code, (args, result.stdout, result.stderr)
    return json.loads(result.stdout) if result.stdout.strip() else {}


@pytest.fixture
def utc_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This machine's clock on UTC: eight hours off the store's Shanghai."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_o2o_print_ticket_status_and_test_against_the_platform(
    shared_platform: RunningPlatform, tmp_path: Path, utc_machine: None
) -> None:
    home = tmp_path / "home"
    first, second = place_orders(shared_platform.url, shared_platform.seed, 2)
    with FakePrinter() as printer:
        token = shared_platform.seed.tokens["merchant"]
        _o2o(home, "login", "--url", shared_platform.url, "--token", token, printer=printer.target)
        _o2o(home, "sync", "--once", printer=printer.target)

        done = _o2o(home, "print", "ticket", first, printer=printer.target)
        assert done["printed"] is True and done["waiting"] == 0 and done["problem"] is None
        assert printer.wait_for_cuts(1).big[0] == done["display_number"]

        printer.power_off()
        queued = _o2o(home, "print", "ticket", second, "--receipt", printer=printer.target)  # exit 0: queued
        assert queued["printed"] is False and queued["queued"] is True and queued["problem"] == "unreachable"
        status = _o2o(home, "print", "status", printer=printer.target)
        assert status["waiting"] == 1 and status["problem"] == "unreachable"
        assert status["jobs"][0]["kind"] == "receipt"
        failed = _o2o(home, "print", "test", printer=printer.target, code=3)  # nothing queued for a test page
        assert failed["printed"] is False
        assert _o2o(home, "print", "status", printer=printer.target)["waiting"] == 1

        printer.power_on()
        _o2o(home, "print", "ticket", first, printer=printer.target)  # sends the waiting receipt first
        tickets = printer.wait_for_cuts(3).tickets()
        assert any(line.startswith("Receipt") for line in tickets[1])
        last = _o2o(home, "print", "status", printer=printer.target)
        assert last["waiting"] == 0
        # said on the store's clock (Shanghai), as the tickets' times, whatever this machine's zone
        env = {"O2O_HOME": str(home), "O2O_LANG": "en", "O2O_PRINTER": printer.target, "O2O_PROFILE": None}
        said = CliRunner().invoke(app, ["print", "status"], env=env, catch_exceptions=False).stdout
        shanghai = datetime.fromisoformat(last["last_printed_at"]).astimezone(ZoneInfo("Asia/Shanghai"))
        assert f"Last printed at {shanghai:%Y-%m-%d %H:%M}" in said, said
        assert _o2o(home, "print", "test", printer=printer.target)["printed"] is True
        assert printer.wait_for_cuts(4).qr[-1] == "o2o test"
    nothing = CliRunner().invoke(app, ["print", "status"], env={"O2O_HOME": str(home), "O2O_PRINTER": "off"})
    assert nothing.exit_code == 2 and "No printer is set" in nothing.output


def test_the_ticket_printed_on_accept_promises_what_the_platform_does_in_a_busy_store() -> None:
    from datetime import timedelta

    from o2o_tui.domain.store import StoreState, StoreStatus
    from o2o_tui.printing.layout import TextOp

    store = msgspec.structs.replace(sample_store(), status=StoreStatus(state=StoreState.BUSY, extra_minutes=20))
    ops = kitchen_ticket(_order(), store, FROZEN_NOW, prep_minutes=15)
    text = "\n".join(op.text for op in ops if isinstance(op, TextOp))
    ready = (FROZEN_NOW + timedelta(minutes=35)).astimezone(ZoneInfo(store.timezone)).strftime("%H:%M")
    assert f"Ready by {ready}" in text  # 15 minutes asked + 20 the busy store adds


def test_a_usb_printer_without_its_driver_is_a_problem_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    from o2o_tui.printing import devices

    monkeypatch.setattr(devices, "usb_usable", lambda: False)  # python-escpos without pyusb (most machines)
    with pytest.raises(devices.PrinterProblem) as caught:
        send(parse_target("usb:0x04b8:0x0202"), b"x")
    assert caught.value.kind is Problem.NO_DRIVER
    from o2o_tui.cli.printing import problem_text

    set_language("zh")
    assert "pyusb" in problem_text(caught.value.kind.value)  # said in the user's language, with what to do


def test_the_ticket_printed_on_accept_promises_what_the_platform_does_for_later_and_while_closed() -> None:
    """One rule for the ticket and the platform's accept (`schedule.promised_on_accept`): an order for later is
    promised no sooner than the time asked for, and a busy store adds its minutes even outside its hours."""
    from datetime import timedelta

    from o2o_tui.domain.order import Timing, TimingType
    from o2o_tui.domain.schedule import promised_on_accept
    from o2o_tui.domain.store import OpeningHours, StoreState, StoreStatus
    from o2o_tui.printing.layout import TextOp

    def ready_line(order: Order, store: object) -> str:
        ops = kitchen_ticket(order, store, FROZEN_NOW, prep_minutes=15)
        return next(op.text for op in ops if isinstance(op, TextOp) and op.text.startswith("Ready by"))

    zone = ZoneInfo(sample_store().timezone)
    asked = FROZEN_NOW + timedelta(hours=2)
    later = msgspec.structs.replace(_order(), timing=Timing(type=TimingType.SCHEDULED, window_start=asked))
    assert ready_line(later, sample_store()) == f"Ready by {asked.astimezone(zone):%H:%M}"
    assert promised_on_accept(later, sample_store().status, 15, FROZEN_NOW) == asked

    local_hour = FROZEN_NOW.astimezone(zone).hour
    shut = [OpeningHours(weekday=d, opens=f"{(local_hour + 3) % 24:02d}:00", closes=f"{(local_hour + 4) % 24:02d}:00")
            for d in range(7)]  # fmt: skip
    busy = StoreStatus(state=StoreState.BUSY, extra_minutes=20)
    closed_busy = msgspec.structs.replace(sample_store(), status=busy, opening_hours=shut)
    ready = (FROZEN_NOW + timedelta(minutes=35)).astimezone(zone)
    assert ready_line(_order(), closed_busy) == f"Ready by {ready:%H:%M}"
