"""Message parameters that format themselves in the language a message is rendered in.

A French accountant reads `1 234,56 €` and `05/03/2026`; the English catalogue shows
`€1,234.56` and `2026-03-05`. The language is read when the message is rendered, so one
CheckResult can be shown in either language.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from chorus_tui.i18n import current_language


def format_money(amount: Decimal, lang: str, currency: str = "EUR") -> str:
    """Format an amount with two decimals at least, in the conventions of `lang`."""
    exponent = amount.as_tuple().exponent
    places = max(2, -exponent) if isinstance(exponent, int) else 2
    grouped = f"{amount:,.{places}f}"
    symbol = "€" if currency == "EUR" else currency
    if lang == "fr":
        # French groups thousands with a narrow no-break space and uses a decimal comma.
        french = grouped.replace(",", "\u202f").replace(".", ",")
        return f"{french}\u00a0{symbol}"
    return f"{symbol}{grouped}" if symbol == "€" else f"{grouped} {symbol}"


def format_day(day: date, lang: str) -> str:
    return day.strftime("%d/%m/%Y") if lang == "fr" else day.isoformat()


@dataclass(frozen=True)
class Money:
    """An amount shown as money in the current language."""

    amount: Decimal
    currency: str = "EUR"

    def __format__(self, spec: str) -> str:
        return format_money(self.amount, current_language(), self.currency)

    def __str__(self) -> str:
        return format(self)


@dataclass(frozen=True)
class Day:
    """A date shown in the current language's usual form."""

    value: date

    def __format__(self, spec: str) -> str:
        return format_day(self.value, current_language())

    def __str__(self) -> str:
        return format(self)


@dataclass(frozen=True)
class Megabytes:
    """A file size in bytes, shown in megabytes (10^6 bytes) with two decimals."""

    size: int

    def __format__(self, spec: str) -> str:
        text = f"{self.size / 1_000_000:.2f}"
        return text.replace(".", ",") if current_language() == "fr" else text

    def __str__(self) -> str:
        return format(self)
