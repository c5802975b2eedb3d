"""The queue's columns at every width: a row never runs past the screen (the list would clip its right end, and
the right end is the total: ¥8.00 read as ¥8.0), and an amount is never cut without its ellipsis; one wider than
its column (¥199,999.00) takes cells from the items instead of losing its cents."""

from __future__ import annotations

from collections.abc import Iterator

import msgspec
import pytest
from rich.cells import cell_len

from o2o_tui.domain.money import Money, format_money
from o2o_tui.i18n import set_language
from screens import order_format as fmt
from screens.source import QueueEntry
from screens.widgets.order_row import render_done, render_live, row_look
from tests.test_ui_samples import FROZEN_NOW, sample_entries


@pytest.fixture(autouse=True, params=["en", "zh"])
def language(request: pytest.FixtureRequest) -> Iterator[None]:
    set_language(request.param)
    yield
    set_language(None)


def _costing(entry: QueueEntry, amount: int) -> QueueEntry:
    totals = entry.order.totals
    money = Money(amount, totals.total.currency)
    return QueueEntry(msgspec.structs.replace(entry.order, totals=msgspec.structs.replace(totals, total=money)))


def _entries() -> list[QueueEntry]:
    base = sample_entries()
    return [_costing(base[0], 800), _costing(base[1], 1_128_600), _costing(base[2], 19_999_900), *base[3:]]


@pytest.mark.parametrize("width", [*range(18, 62), 80, 119, 120, 160])  # below 18: the number and status alone
def test_a_row_fits_its_width_and_its_amount_is_whole_or_marked_cut(width: int) -> None:
    for entry in _entries():
        look = row_look(entry, FROZEN_NOW, alerting=False, urgent=False)
        for row in (render_live(entry, look, width), render_done(entry, width, FROZEN_NOW)):
            text = row.plain
            assert cell_len(text) <= width, (width, text)
            money = format_money(entry.order.totals.total)
            shown = text.rstrip().rsplit(" ", 1)[-1]
            if fmt.columns_for(width).total:
                assert shown == money or shown.endswith("…"), (width, text)  # whole, or plainly cut
            else:
                assert money not in text and "¥" not in text  # no room: no amount rather than a wrong one


def test_a_wide_amount_keeps_its_cents_where_the_items_can_give_way() -> None:
    entry = _entries()[2]  # ¥199,999.00: one cell more than the column
    look = row_look(entry, FROZEN_NOW, alerting=False, urgent=False)
    for width in (40, 80, 160):
        assert render_live(entry, look, width).plain.rstrip().endswith(format_money(entry.order.totals.total))
