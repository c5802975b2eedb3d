"""A refund's reason reads the same in the order detail, `o2o orders show` and on the receipt (the catalog's
`care.reason.*`, in English and Chinese: QUALITY is "Quality problem" / 质量问题 everywhere); OTHER shows the note the
merchant typed in the detail and `orders show` (not "Other (say why)", the `$` dialog's choice), and only "Other" on
the customer's receipt."""

from __future__ import annotations

from collections.abc import Iterator
from zoneinfo import ZoneInfo

import msgspec
import pytest

from o2o_tui.cli.orders_care import show_lines
from o2o_tui.domain.money import Money
from o2o_tui.domain.order import Order, OrderStatus, OrderType
from o2o_tui.domain.refunds import Refund
from o2o_tui.i18n import set_language
from o2o_tui.printing.layout import TextOp, receipt
from screens.care_detail import care_parts
from tests.test_ui_samples import FROZEN_NOW, sample_order, sample_store


@pytest.fixture(params=["en", "zh"])
def lang(request: pytest.FixtureRequest) -> Iterator[str]:
    set_language(request.param)
    yield request.param
    set_language(None)


def _refunded(*refunds: Refund) -> Order:
    order = sample_order(42, OrderStatus.CONFIRMED, minutes_ago=2)
    return msgspec.structs.replace(order, type=OrderType.TAKEOUT, refunds=list(refunds))


def _detail(order: Order) -> str:
    return "".join(part if isinstance(part, str) else part[0] for part in care_parts(order, FROZEN_NOW))


def _shown(order: Order) -> str:
    return "\n".join(show_lines(order, ZoneInfo("Asia/Shanghai")))


def _slip(order: Order) -> str:
    return "\n".join(op.text for op in receipt(order, sample_store(), FROZEN_NOW) if isinstance(op, TextOp))


def test_one_label_for_a_reason_everywhere(lang: str) -> None:
    order = _refunded(Refund(id="r1", amount=Money(1000, "CNY"), reason_code="QUALITY"))
    label = {"en": "Quality problem", "zh": "质量问题"}[lang]
    for text in (_detail(order), _shown(order), _slip(order)):
        assert label in text
        assert "Cannot be made right" not in text and "无法做好" not in text and "quality\n" not in text


def test_other_shows_the_note_typed(lang: str) -> None:
    order = _refunded(Refund(id="r1", amount=Money(500, "CNY"), reason_code="OTHER", note="bag split  [b]x[/b]"))
    for text in (_detail(order), _shown(order)):
        assert "bag split [b]x[/b]" in text  # the note, as plain text
        assert "say why" not in text and "请说明" not in text and "Other" not in text and "其他" not in text
    slip = _slip(order)
    assert {"en": "Refund: Other", "zh": "退款：其他"}[lang] in slip and "bag split" not in slip
    late = _refunded(Refund(id="r2", amount=Money(500, "CNY"), reason_code="LATE", note="40 min"))
    assert {"en": "Very late · 40 min", "zh": "严重超时 · 40 min"}[lang] in _detail(late)
