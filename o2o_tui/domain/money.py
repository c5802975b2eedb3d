"""Money as integer minor units plus an ISO-4217 currency code; never floats."""

from __future__ import annotations

import msgspec

_MINOR_DIGITS = {"JPY": 0, "KRW": 0, "VND": 0}


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
    return _MINOR_DIGITS.get(currency, 2)


def format_money(money: Money) -> str:
    """`2350 CNY` -> `¥23.50`; unknown currencies keep their code."""
    digits = minor_digits(money.currency)
    symbol = {"CNY": "¥", "USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}.get(money.currency)
    sign = "-" if money.amount < 0 else ""
    value = abs(money.amount)
    text = f"{value // 10**digits}.{value % 10**digits:0{digits}d}" if digits else str(value)
    return f"{sign}{symbol}{text}" if symbol else f"{sign}{text} {money.currency}"
