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
class FileSize:
    """A file size in bytes, shown in kilobytes below 1 MB and in megabytes (10^6 bytes) above."""

    size: int

    def __format__(self, spec: str) -> str:
        french = current_language() == "fr"
        if self.size < 1_000_000:
            kilobytes = -(-self.size // 1000)  # rounded up, so a 1-byte file shows as 1 kB, not 0
            return f"{kilobytes}\u00a0ko" if french else f"{kilobytes} kB"
        text = f"{self.size / 1_000_000:.2f}"
        return f"{text.replace('.', ',')}\u00a0Mo" if french else f"{text} MB"

    def __str__(self) -> str:
        return format(self)
