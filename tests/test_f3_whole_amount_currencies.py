"""A price with decimals in a currency that has none (JPY, KRW, VND) is refused saying the currency has no decimals
and takes whole amounts, never "at most 0 decimals" (`menu_edits.EditError.text`, `menu_draft.error.
too_many_decimals.whole`), in English and Chinese: where a person types a price (the editor's form, `o2o menu
edit`) and in a sheet's price cell."""

from __future__ import annotations

import msgspec
import pytest

from o2o_tui.i18n import set_language
from o2o_tui.menu_edits import EditError, price_from_text
from o2o_tui.menu_io import MenuImportError, describe, import_csv
from o2o_tui.platform.seed import demo_menu

SAID = {
    "en": "{currency} prices have no decimals: whole amounts only, such as 1200.",
    "zh": "{currency} 价格没有小数，只能是整数金额，例如 1200。",
}


@pytest.mark.parametrize("lang", ["en", "zh"])
@pytest.mark.parametrize("currency", ["JPY", "KRW", "VND"])
def test_a_price_with_decimals_in_a_currency_without_them_says_whole_amounts(lang: str, currency: str) -> None:
    set_language(lang)
    try:
        with pytest.raises(EditError) as refused:
            price_from_text("1200.5", currency)
        assert refused.value.code == "too_many_decimals"
        said = refused.value.text()
        assert said == SAID[lang].format(currency=currency)
        assert "0" not in said.replace("1200", "")  # no "at most 0 decimals"
        assert "whole" in str(refused.value)  # the untranslated message too
    finally:
        set_language(None)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_currency_with_decimals_keeps_its_count(lang: str) -> None:
    set_language(lang)
    try:
        with pytest.raises(EditError) as refused:
            price_from_text("12.555", "USD")
        assert "2" in refused.value.text()
        with pytest.raises(EditError) as cny:
            price_from_text("12.555", "CNY")
        assert cny.value.text() == {"en": "A price in yuan has at most 2 decimals (to the fen).",
                                    "zh": "价格最多两位小数（到分）。"}[lang]
    finally:
        set_language(None)


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_a_sheets_price_cell_says_it_too(lang: str) -> None:
    base = msgspec.structs.replace(demo_menu(), currency="JPY")
    set_language(lang)
    try:
        with pytest.raises(MenuImportError) as refused:
            import_csv(b"item_id,price\r\nmapo-tofu,1200.50\r\n", base, partial=True)
        said = [describe(problem) for problem in refused.value.problems]
        assert any(SAID[lang].format(currency="JPY") in line for line in said), said
    finally:
        set_language(None)
