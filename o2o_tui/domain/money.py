"""Money as integer minor units plus an ISO-4217 currency code; never floats."""

from __future__ import annotations

import msgspec


class CurrencyFormat(msgspec.Struct, frozen=True):
    """How an amount of one currency reads: its minor digits (ISO 4217) and the sign written before the amount
    (with any space it takes: "CHF 12.50"); no sign: the amount, then the code ("12000 KRW")."""

    digits: int
    sign: str = ""


# The ISO 4217 currencies o2o formats (and `o2o admin create-store --currency` takes), those a local-commerce
# console meets first. The same in English and Chinese: the signs are those the places themselves write on a menu
# (HK$, NT$, RM, ฿, ₹), prefixed "CA$", "A$" ... where a bare "$" would be another country's dollar.
CURRENCIES: dict[str, CurrencyFormat] = {
    "CNY": CurrencyFormat(2, "¥"),
    "HKD": CurrencyFormat(2, "HK$"),
    "MOP": CurrencyFormat(2, "MOP$"),
    "TWD": CurrencyFormat(2, "NT$"),
    "JPY": CurrencyFormat(0, "¥"),
    "KRW": CurrencyFormat(0),
    "SGD": CurrencyFormat(2, "S$"),
    "MYR": CurrencyFormat(2, "RM"),
    "THB": CurrencyFormat(2, "฿"),
    "VND": CurrencyFormat(0),
    "PHP": CurrencyFormat(2, "₱"),
    "INR": CurrencyFormat(2, "₹"),
    "AUD": CurrencyFormat(2, "A$"),
    "NZD": CurrencyFormat(2, "NZ$"),
    "USD": CurrencyFormat(2, "$"),
    "CAD": CurrencyFormat(2, "CA$"),
    "EUR": CurrencyFormat(2, "€"),
    "GBP": CurrencyFormat(2, "£"),
    "CHF": CurrencyFormat(2, "CHF "),
}


class Money(msgspec.Struct, frozen=True):
    amount: int
    currency: str

    def __add__(self, other: Money) -> Money:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} + {other.currency}")
        return Money(self.amount + other.amount, self.currency)

    def times(self, quantity: int) -> Money:
        return Money(self.amount * quantity, self.currency)


def zero(currency: str) -> Money:
    return Money(0, currency)


def minor_digits(currency: str) -> int:
    """The digits after the decimal point (ISO 4217): 2 for a currency o2o does not know."""
    known = CURRENCIES.get(currency)
    return known.digits if known is not None else 2


def format_money(money: Money) -> str:
    """`2350 CNY` -> `¥23.50`, `2350 CAD` -> `CA$23.50`, `2350 CHF` -> `CHF 23.50`; a currency without a sign
    (`12000 KRW`) and an unknown one keep their code after the amount."""
    digits = minor_digits(money.currency)
    known = CURRENCIES.get(money.currency)
    symbol = known.sign if known is not None else ""
    sign = "-" if money.amount < 0 else ""
    value = abs(money.amount)
    text = f"{value // 10**digits}.{value % 10**digits:0{digits}d}" if digits else str(value)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {money.currency}"
