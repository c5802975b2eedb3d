"""One set of words for order types and statuses: what `o2o orders list` prints (and the refusal sentences say)
is the console's word for the same thing, in each language (English: the list writes statuses in capitals)."""

from __future__ import annotations

import pytest

from o2o_tui.domain.order import OrderStatus, OrderType
from o2o_tui.domain.transitions import shown_status
from o2o_tui.i18n import SUPPORTED, catalog


@pytest.mark.parametrize("lang", SUPPORTED)
def test_the_cli_says_each_status_and_type_as_the_console_does(lang: str) -> None:
    words = catalog(lang)
    names = {status.value for status in OrderStatus} | {shown_status(OrderStatus.DELIVERED, k) for k in OrderType}
    for name in sorted(names):
        assert words[f"orders.status.{name.lower()}"].casefold() == words[f"ui.status.{name}"].casefold(), name
    for kind in OrderType:
        assert words[f"orders.type.{kind.value.lower()}"].casefold() == words[f"ui.type.{kind.value}"].casefold()


def test_the_console_words_the_tester_met_are_the_clis() -> None:
    zh, en = catalog("zh"), catalog("en")
    assert (zh["orders.type.delivery"], zh["orders.status.preparing"], zh["orders.status.ready_for_pickup"]) == (
        "外卖",
        "制作中",
        "待取餐",
    )
    assert en["orders.type.takeout"] == "pickup"
