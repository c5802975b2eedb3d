"""An outside tester of 58 mm paper (2026-12-06): an ended order's ticket printed its pickup code and QR (a code
the platform may have given to a new order since); a wrapped item name went on at column 0, reading as another
item; "*** CANCELLED ***" (and the accept-refused and duplicate marks) broke at double size on 16 cells; a
cancelled order's refund amount fell to a line of its own at the left; `o2o print show --paper 58` counted the
lines a printer would fold but did not say which; `o2o print test --json` gave `printed_at` in +08:00; the zh
slip line read badly. Layouts read back from their ESC/POS bytes (o2o_tui/printing/decode.py)."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import msgspec
import pytest
from rich.cells import cell_len
from typer.testing import CliRunner

from o2o_tui.cli import app
from o2o_tui.domain.order import Order, OrderLine, OrderStatus, Party, PaymentStatus
from o2o_tui.domain.refunds import Refund
from o2o_tui.i18n import set_language
from o2o_tui.printing.decode import Printed, decode
from o2o_tui.printing.devices import parse_target
from o2o_tui.printing.layout import JobKind, cancel_slip, duplicate_slip, kitchen_ticket, receipt
from o2o_tui.printing.render import render
from o2o_tui.printing.spool import PrintQueue
from tests.support.fake_printer import FakePrinter
from tests.test_ui_samples import FROZEN_NOW, cny, sample_order, sample_store

BEANS = "干煸四季豆 Dry-Fried Green Beans"


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _beans_order(status: OrderStatus = OrderStatus.CONFIRMED) -> Order:
    beans = OrderLine(item_id="beans", name=BEANS, quantity=12, unit_price=cny(2800), total=cny(33600))
    return sample_order(6, status, minutes_ago=5, lines=[beans])


def _cancelled_paid() -> Order:
    """Cancelled by the customer after paying online: all of it given back."""
    order = _beans_order(OrderStatus.CANCELLED)
    refund = Refund(
        id="r1", amount=order.totals.total, reason_code="STORE_ERROR", whole=True, by="merchant",
        by_role="merchant", at=FROZEN_NOW,
    )  # fmt: skip
    return msgspec.structs.replace(
        order,
        cancelled_by=Party.CUSTOMER,
        cancel_reason_code="CUSTOMER_CHANGED_MIND",
        ended_at=FROZEN_NOW,
        refunds=[refund],
        payment=msgspec.structs.replace(order.payment, status=PaymentStatus.REFUNDED),
        totals=msgspec.structs.replace(order.totals, refunded=order.totals.total),
    )


def _paper(ops: list, width: int = 32) -> Printed:
    return decode(render(ops, "native", width))


@pytest.mark.parametrize("width", [32, 48])
def test_an_ended_orders_ticket_and_receipt_print_no_pickup_code(width: int) -> None:
    live = _beans_order()
    ticket = _paper(kitchen_ticket(live, sample_store(), FROZEN_NOW, width=width), width)
    assert ticket.qr == ["4821"] and "Pickup code 4821" in ticket.lines  # a live order's: the counter reads it
    delivered = msgspec.structs.replace(live, status=OrderStatus.DELIVERED, ended_at=FROZEN_NOW)
    for ended in (_cancelled_paid(), delivered):  # the cached copy still holds the code the API blanks now
        assert ended.pickup_code == "4821"
        for ops in (
            kitchen_ticket(ended, sample_store(), FROZEN_NOW, reprint=True, width=width),
            receipt(ended, sample_store(), FROZEN_NOW, width=width),
        ):
            printed = _paper(ops, width)
            assert printed.qr == [] and "4821" not in printed.text(), printed.lines


def test_a_wrapped_item_name_goes_on_indented_on_58mm() -> None:
    for made in (kitchen_ticket, receipt):
        lines = _paper(made(_beans_order(), sample_store(), FROZEN_NOW, width=32)).lines
        first = next(index for index, line in enumerate(lines) if line.startswith("12 x "))
        after = lines[first + 1 : lines.index("-" * 32, first)]  # the rest of the name (and the amount)
        assert after and all(line.startswith("    ") for line in after), (made.__name__, lines)
        assert "Beans" in after[-1] and "Beans" not in lines[first], lines  # "Beans" no longer at column 0
        joined = " ".join(line.split("￥")[0].strip() for line in lines[first : first + 1 + len(after)])
        assert joined == f"12 x {BEANS}", joined


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_the_double_size_marks_stay_whole_on_58mm(lang: str) -> None:
    set_language(lang)
    order = _cancelled_paid()
    store = sample_store()
    layouts = {
        "ticket": kitchen_ticket(order, store, FROZEN_NOW, reprint=True, width=32),
        "receipt": receipt(order, store, FROZEN_NOW, width=32),
        "refused": cancel_slip(_beans_order(), store, FROZEN_NOW, reason="x", refused=True, width=32),
        "duplicate": duplicate_slip(_beans_order(), store, FROZEN_NOW, width=32),
    }
    words = {
        "en": {"ticket": "CANCELLED", "receipt": "CANCELLED", "refused": "REFUSED", "duplicate": "DUPLICATE"},
        "zh": {"ticket": "已取消", "receipt": "已取消", "refused": "接单被拒", "duplicate": "重复小票"},
    }[lang]  # fmt: skip
    for kind, ops in layouts.items():
        printed = _paper(ops)
        assert printed.too_wide(32) == []
        marks = [line for line in printed.big if words[kind] in line]
        assert marks, (kind, printed.big)  # the words whole on one double-size line ...
        assert all(line.strip("* ") == words[kind] for line in marks), (kind, printed.big)
        assert all(line.count("*") % 2 == 0 for line in marks)  # ... and never a line of stars alone
        assert all(line.startswith("***") and line.endswith("***") for line in marks)  # the short form's stars
        assert "***" not in printed.big and "*** CANCELLED" not in printed.big, (kind, printed.big)
    wide = _paper(kitchen_ticket(order, store, FROZEN_NOW, width=48), 48)  # 80 mm: the stars as before
    assert ("*** CANCELLED ***" if lang == "en" else "*** 已取消 ***") in wide.big


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("paid", [True, False])
def test_a_58mm_cancelled_receipts_refunded_amount_is_at_the_paper_edge(lang: str, paid: bool) -> None:
    set_language(lang)
    order = _cancelled_paid()
    if not paid:  # not paid yet, a part refunded before the cancel
        part = msgspec.structs.replace(order.refunds[0], amount=cny(10000), whole=False)
        order = msgspec.structs.replace(
            order, payment=msgspec.structs.replace(order.payment, status=PaymentStatus.PENDING),
            totals=msgspec.structs.replace(order.totals, refunded=cny(10000)), refunds=[part],
        )  # fmt: skip
    amount = "￥341.00" if paid else "￥100.00"
    printed = _paper(receipt(order, sample_store(), FROZEN_NOW, width=32))
    assert printed.too_wide(32) == []
    foot = printed.lines[printed.lines.index("-" * 32, printed.lines.index("-" * 32) + 4) :]
    said = [line for line in foot if amount in line and f"-{amount}" not in line]  # not the refund row
    assert said and all(line.endswith(amount) and cell_len(line) == 32 for line in said), foot  # at the edge
    assert all(line.strip() != amount for line in printed.lines), printed.lines  # never alone at the left
    words = {("en", True): "Cancelled: paid online", ("en", False): "Cancelled: not paid yet",
             ("zh", True): "已取消：已在线支付", ("zh", False): "已取消：尚未支付"}  # fmt: skip
    assert words[lang, paid] in printed.lines
    # 80 mm: the sentence whole on one line, as before
    wide = _paper(receipt(order, sample_store(), FROZEN_NOW, width=48), 48)
    sentence = {("en", True): f"Cancelled: paid online, all {amount} refunded",
                ("en", False): f"Cancelled: not paid yet, {amount} refunded",
                ("zh", True): f"已取消：已在线支付，已全额退款 {amount}",
                ("zh", False): f"已取消：尚未支付，已退款 {amount}"}  # fmt: skip
    assert sentence[lang, paid] in wide.lines


def test_o2o_print_show_marks_the_lines_58mm_would_fold(tmp_path: Path) -> None:
    paper = tmp_path / "tickets.bin"
    queue = PrintQueue(tmp_path)
    try:  # laid out for 80 mm: its rules and long lines are too wide for 58 mm
        queue.add(JobKind.TICKET, kitchen_ticket(_beans_order(), sample_store(), FROZEN_NOW))
        queue.drain(parse_target(f"file:{paper}"))
    finally:
        queue.close()
    env = {"O2O_HOME": str(tmp_path / "home"), "O2O_LANG": "en", "COLUMNS": "200"}
    shown = json.loads(CliRunner().invoke(app, ["print", "show", str(paper), "--paper", "58", "--json"], env=env).stdout)
    wide = {row["line"] for row in shown["too_wide"]}
    said = CliRunner().invoke(app, ["print", "show", str(paper), "--paper", "58"], env=env)
    lines = said.stdout.splitlines()
    marked = [number for number, line in enumerate(lines, 1) if line.startswith("» ")]
    assert marked and {lines[number - 1][2:] for number in marked} == wide, lines
    assert all(line.startswith("  ") for line in lines if not line.startswith("» "))  # the others in the margin
    assert f"lines {', '.join(map(str, marked))}" in said.stderr, said.stderr  # and named by number
    plain = CliRunner().invoke(app, ["print", "show", str(paper)], env=env).stdout  # no paper: as before
    assert not any(line.startswith(("» ", "  ")) for line in plain.splitlines() if line.strip()), plain
    zh = CliRunner().invoke(app, ["print", "show", str(paper), "--paper", "58"], env={**env, "O2O_LANG": "zh"})
    assert f"第 {'、'.join(map(str, marked))} 行" in zh.stderr, zh.stderr


@pytest.fixture
def shanghai_machine(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This machine on Shanghai's clock (+08:00): the page's clock when no store is cached."""
    monkeypatch.setenv("TZ", "Asia/Shanghai")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def test_o2o_print_test_json_says_printed_at_in_utc(tmp_path: Path, shanghai_machine: None) -> None:
    with FakePrinter() as printer:
        env = {"O2O_HOME": str(tmp_path / "home"), "O2O_LANG": "en", "O2O_PRINTER": printer.target,
               "O2O_PROFILE": None, "COLUMNS": "200"}  # fmt: skip
        before = datetime.now(UTC)
        result = CliRunner().invoke(app, ["print", "test", "--json"], env=env, catch_exceptions=False)
        after = datetime.now(UTC)
        assert result.exit_code == 0, result.output
        said = json.loads(result.stdout)
        assert said["printed_at"].endswith("Z"), said
        assert (said["clock"], said["timezone"]) == ("machine", "CST")  # the page's clock, said apart
        assert before <= datetime.fromisoformat(said["printed_at"]) <= after


def test_the_zh_slip_says_when_the_ticket_printed_plainly() -> None:
    set_language("zh")
    order = _cancelled_paid()
    printed = _paper(cancel_slip(order, sample_store(), FROZEN_NOW, reason="x", ticket_printed_at=FROZEN_NOW))
    assert "该单后厨小票已于 12:30 打印" in printed.lines, printed.lines
    assert not any("其后厨小票" in line for line in printed.lines)
