"""Kitchen printing (2026-12-06): the printer's Chinese mode reads GBK, which has no €, £, ฿, ₹ or ₱, so a EUR
store's receipt printed "?25.00" for every amount (and its refunds, its payment line); the amount now names the
currency's ISO code where the sign cannot print ("EUR 25.00", "-GBP 3.00"), while CNY and JPY keep the full-width
￥ (80 mm CNY bytes unchanged). And "NOT YET CONFIRMED BY THE PLATFORM" (33 cells) broke between its words on 58 mm
paper's 32: its short form prints there. Layouts read back from their ESC/POS bytes (o2o_tui/printing/decode.py),
through the print queue to a printer on a loopback socket (tests/support/fake_printer.py)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import msgspec
import pytest
from rich.cells import cell_len

from o2o_tui.domain.money import CURRENCIES, Money
from o2o_tui.domain.order import Order, OrderLine, OrderStatus, Party, PaymentStatus, Totals
from o2o_tui.domain.refunds import Refund
from o2o_tui.domain.store import Store
from o2o_tui.i18n import set_language, t
from o2o_tui.printing.charset import printable
from o2o_tui.printing.decode import Printed, decode
from o2o_tui.printing.devices import parse_target
from o2o_tui.printing.layout import JobKind, Op, kitchen_ticket, receipt
from o2o_tui.printing.render import CjkMode, render
from o2o_tui.printing.spool import PrintQueue
from tests.support.fake_printer import FakePrinter
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


@pytest.fixture(autouse=True)
def english() -> Iterator[None]:
    set_language("en")
    yield
    set_language(None)


def _store(currency: str) -> Store:
    return msgspec.structs.replace(sample_store(), currency=currency)


def _order(currency: str, *, cancelled: bool = False) -> Order:
    """25.00 + 3.00, 5.00 delivery, 2.00 off, 3.00 refunded (minor units as the currency has them)."""
    unit = 10 ** CURRENCIES[currency].digits

    def money(whole: int) -> Money:
        return Money(whole * unit, currency)

    lines = [
        OrderLine(item_id="k", name="Kung Pao Chicken", quantity=1, unit_price=money(25), total=money(25)),
        OrderLine(item_id="r", name="Rice", quantity=1, unit_price=money(3), total=money(3)),
    ]
    order = sample_order(6, OrderStatus.CANCELLED if cancelled else OrderStatus.CONFIRMED, minutes_ago=5, lines=lines)
    refund = Refund(
        id="r1", amount=money(3), reason_code="STORE_ERROR", whole=False, by="merchant", by_role="merchant",
        at=FROZEN_NOW,
    )  # fmt: skip
    order = msgspec.structs.replace(order, totals=Totals(money(28), money(5), money(2), money(31)), refunds=[refund])
    if cancelled:  # paid online, all of it given back: the payment line names the amount
        order = msgspec.structs.replace(
            order,
            cancelled_by=Party.CUSTOMER,
            cancel_reason_code="CUSTOMER_CHANGED_MIND",
            ended_at=FROZEN_NOW,
            payment=msgspec.structs.replace(order.payment, status=PaymentStatus.PAID),
        )
    return order


def _paper(ops: list[Op], width: int, cjk: CjkMode = "native") -> Printed:
    return decode(render(ops, cjk, width))


def _said(amount: str, currency: str) -> str:
    """How `amount` ("25", "-3") reads on paper in `currency`: its sign where GBK has it, else its code."""
    digits = CURRENCIES[currency].digits
    minus, whole = ("-", amount[1:]) if amount.startswith("-") else ("", amount)
    number = f"{whole}.{'0' * digits}" if digits else whole
    sign = CURRENCIES[currency].sign.replace("¥", "￥")
    if not sign:
        return f"{minus}{number} {currency}"
    if printable(sign) != sign:
        sign = f"{currency} "
    return f"{minus}{sign}{number}"


@pytest.mark.parametrize("width", [32, 48])
@pytest.mark.parametrize("lang", ["en", "zh"])
def test_every_currency_prints_its_sign_or_its_code_never_a_question_mark(lang: str, width: int) -> None:
    set_language(lang)
    for currency in CURRENCIES:
        for cancelled in (False, True):
            order = _order(currency, cancelled=cancelled)
            lines = _paper(receipt(order, _store(currency), FROZEN_NOW, width=width), width).lines
            text = "\n".join(lines)
            assert "?" not in text, (currency, text)
            for key, amount in (
                ("printing.receipt.subtotal", "28"),
                ("printing.receipt.delivery_fee", "5"),
                ("printing.receipt.discount", "-2"),
                ("printing.receipt.total", "31"),
            ):
                row = next(line for line in lines if line.startswith(t(key)))
                assert row.endswith(" " + _said(amount, currency)), (currency, row)
                assert cell_len(row) == width, row  # the amount at the paper's edge, the line whole
            assert any(line.endswith(" " + _said("-3", currency)) for line in lines), (currency, text)  # refund
            if cancelled:
                assert _said("31", currency) in text, (currency, text)  # "all EUR 31.00 refunded"


def test_the_signs_gbk_lacks_read_as_codes_and_the_yuan_and_yen_stay() -> None:
    rows = {}
    for currency in ("EUR", "GBP", "INR", "PHP", "THB", "CNY", "JPY", "CHF", "HKD", "KRW"):
        lines = _paper(receipt(_order(currency), _store(currency), FROZEN_NOW, width=32), 32).lines
        rows[currency] = next(line for line in lines if line.startswith("Total")).split("  ")[-1].strip()
    assert rows == {
        "EUR": "EUR 31.00", "GBP": "GBP 31.00", "INR": "INR 31.00", "PHP": "PHP 31.00", "THB": "THB 31.00",
        "CNY": "￥31.00", "JPY": "￥31", "CHF": "CHF 31.00", "HKD": "HK$31.00", "KRW": "31 KRW",
    }  # fmt: skip


def test_a_eur_receipt_in_image_mode_prints_its_amounts_as_text() -> None:
    """The image mode's font (wqy-microhei) has € but no ₹: the layout, made before the mode is known, names the
    code in both; an amount row of ASCII goes to the printer as text, never as an image of a missing glyph."""
    for currency in ("EUR", "INR"):
        lines = _paper(receipt(_order(currency), _store(currency), FROZEN_NOW, width=32), 32, "image").lines
        total = next(line for line in lines if line.startswith("Total"))
        assert total.endswith(f" {currency} 31.00") and cell_len(total) == 32, lines


def test_a_eur_stores_receipt_reaches_the_printer_with_codes(tmp_path: Path) -> None:
    with FakePrinter() as printer:
        queue = PrintQueue(tmp_path)
        try:
            order = _order("EUR", cancelled=True)
            queue.add(JobKind.RECEIPT, receipt(order, _store("EUR"), FROZEN_NOW, width=32), order_id=order.id)
            queue.drain(parse_target(printer.target), "native", 32)
        finally:
            queue.close()
        printed = printer.wait_for_cuts(1)
    text = printed.text()
    assert "?" not in text and "€" not in text
    assert "Total                  EUR 31.00" in printed.lines
    assert "Refund: Our mistake    -EUR 3.00" in printed.lines
    assert "All refunded           EUR 31.00" in printed.lines, printed.lines


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_not_yet_confirmed_is_one_line_on_58mm_and_the_full_words_on_80mm(lang: str) -> None:
    set_language(lang)
    order = sample_order(6, OrderStatus.CONFIRMED, minutes_ago=5)
    for width in (32, 48):
        ops = kitchen_ticket(order, sample_store(), FROZEN_NOW, unconfirmed=True, prep_minutes=15, width=width)
        lines = _paper(ops, width).lines
        full = t("printing.ticket.unconfirmed")
        said = full if cell_len(full) <= width else t("printing.ticket.unconfirmed.short")
        assert cell_len(said) <= width
        index = lines.index("#0006") + 1
        assert lines[index] == said, lines  # whole, on the line under the number
        assert t("printing.ticket.unconfirmed_hint").startswith(lines[index + 1]), lines
    assert cell_len(t("printing.ticket.unconfirmed.short")) <= 32
    if lang == "en":  # the 80 mm words are the full ones; 58 mm's the short ones
        assert "NOT YET CONFIRMED BY THE PLATFORM" in _paper(
            kitchen_ticket(order, sample_store(), FROZEN_NOW, unconfirmed=True, width=48), 48
        ).lines
