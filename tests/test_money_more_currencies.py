"""A Toronto store prices in Canadian dollars: the currencies a local-commerce console meets first (CAD, AUD, NZD,
HKD, MOP, TWD, SGD, MYR, THB, PHP, INR, CHF, with CNY, USD, EUR, GBP, JPY, KRW, VND) are taken by `o2o admin
create-store --currency`, priced with their ISO 4217 minor units and written with the sign their places use,
the same in English and Chinese."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from o2o_tui.domain.money import CURRENCIES, Money, format_money, minor_digits
from o2o_tui.i18n import set_language
from o2o_tui.menu_edits import EditError, price_from_text, price_text

SHOWN = {  # 1234.50 (or 123450 where the currency has no minor unit), and its sign's place
    "CAD": "CA$1234.50",
    "AUD": "A$1234.50",
    "NZD": "NZ$1234.50",
    "HKD": "HK$1234.50",
    "MOP": "MOP$1234.50",
    "TWD": "NT$1234.50",
    "SGD": "S$1234.50",
    "MYR": "RM1234.50",
    "THB": "฿1234.50",
    "PHP": "₱1234.50",
    "INR": "₹1234.50",
    "CHF": "CHF 1234.50",
    "CNY": "¥1234.50",
    "USD": "$1234.50",
    "EUR": "€1234.50",
    "GBP": "£1234.50",
    "JPY": "¥123450",
    "KRW": "123450 KRW",
    "VND": "123450 VND",
}
NO_MINOR_UNIT = {"JPY", "KRW", "VND"}


@pytest.mark.parametrize("lang", ["en", "zh"])
def test_each_currency_reads_with_its_sign_and_minor_units(lang: str) -> None:
    set_language(lang)
    try:
        assert set(CURRENCIES) == set(SHOWN)
        for code, shown in SHOWN.items():
            assert minor_digits(code) == (0 if code in NO_MINOR_UNIT else 2), code
            assert format_money(Money(123450, code)) == shown, code
            negative = format_money(Money(-123450, code))
            assert negative == "-" + shown, code
    finally:
        set_language(None)


def test_a_price_typed_in_canadian_dollars_keeps_its_cents() -> None:
    price = price_from_text("12.5", "CAD")
    assert price == Money(1250, "CAD") and price_text(price) == "12.50" and format_money(price) == "CA$12.50"
    assert price_from_text("120", "TWD") == Money(12000, "TWD")
    with pytest.raises(EditError):
        price_from_text("12.555", "CHF")  # at most 2 decimals
    with pytest.raises(EditError):
        price_from_text("1.5", "JPY")  # none at all


def _o2o(*args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {"PATH": "/usr/bin:/bin", "O2O_HOME": str(home), "O2O_LANG": "en", "HOME": str(home)}
    return subprocess.run(
        [sys.executable, "-c", "from o2o_tui.cli import main; main()", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_create_store_takes_canadian_dollars_and_lists_every_currency_it_formats(tmp_path: Path) -> None:
    from o2o_tui.platform import stores
    from o2o_tui.platform.db import open_database

    db = f"sqlite:///{tmp_path / 'p.db'}"
    made = _o2o(
        "admin", "create-store", "--name", "Maple Dumplings", "--address", "123 Queen St W, Toronto",
        "--currency", "cad", "--timezone", "America/Toronto", "--json", "--db", db, home=tmp_path,
    )  # fmt: skip
    assert made.returncode == 0, made.stderr
    store_id = json.loads(made.stdout)["store_id"]
    engine = open_database(db)
    with engine.connect() as conn:
        store = stores.load(conn, store_id)
    engine.dispose()
    assert store is not None and store.currency == "CAD"
    refused = _o2o("admin", "create-store", "--name", "X", "--currency", "XYZ", "--db", db, home=tmp_path)
    assert refused.returncode == 2, refused.stderr
    for code in SHOWN:
        assert code in refused.stderr, (code, refused.stderr)
    typed = _o2o("admin", "create-store", "--name", "X", "--currency", "NTD", "--db", db, home=tmp_path)
    assert typed.returncode == 2 and "Did you mean TWD?" in typed.stderr, typed.stderr
