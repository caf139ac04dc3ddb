"""Display formats of money, dates and identifiers; the only place where a Decimal becomes text."""

from __future__ import annotations

import re
from datetime import date, datetime
from decimal import ROUND_HALF_EVEN, Decimal
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from chorus_tui.clock import Clock
from chorus_tui.domain import InvoiceKind
from chorus_tui.i18n import current_language, t

if TYPE_CHECKING:
    from chorus_tui.store import InvoiceRow

# French amounts group thousands with a narrow no-break space and put a no-break space before
# the symbol, so "1 234,56 €" never wraps. Rich measures both as one cell, as a plain space.
_NBSP = "\u00a0"
_NARROW_NBSP = "\u202f"
_PARIS = ZoneInfo("Europe/Paris")
_CURRENCY_SYMBOLS = {"EUR": "€"}
# An amount in plain decimal notation once separators are removed. Decimal would also read
# "inf", "NaN" or "1e40", which the checks cannot compare or round to the cent.
# At most 15 digits before the point keep sums and cent rounding exact within Decimal's
# default precision of 28 digits.
_PLAIN_AMOUNT = re.compile(r"[+-]?[0-9]{1,15}(?:\.[0-9]+)?")
# "1.000.000" and "1,000,000"; "1.000" and "12,345", which may be thousands or decimals.
_GROUPED_THOUSANDS = {sep: re.compile(rf"[+-]?[1-9][0-9]{{0,2}}(?:\{sep}[0-9]{{3}})+") for sep in ",."}
_ONE_GROUP_OF_THOUSANDS = {sep: re.compile(rf"[+-]?[1-9][0-9]{{0,2}}\{sep}[0-9]{{3}}") for sep in ",."}


def format_money(amount: Decimal | None, currency: str = "EUR", lang: str | None = None) -> str:
    """Format `amount` as "1 234,56 €" in French or "€1,234.56" in English; "" when None."""
    if amount is None:
        return ""
    lang = lang or current_language()
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    grouped = f"{abs(cents):,.2f}"  # "1,234.56"
    sign = "-" if cents < 0 else ""
    symbol = _CURRENCY_SYMBOLS.get(currency, currency)
    if lang == "fr":
        integer, fraction = grouped.split(".")
        return f"{sign}{integer.replace(',', _NARROW_NBSP)},{fraction}{_NBSP}{symbol}"
    if symbol == currency:
        return f"{sign}{grouped}{_NBSP}{symbol}"
    return f"{sign}{symbol}{grouped}"


# A credit note's total gets a real minus sign, so that it stands out in a column of invoices.
_MINUS = "\u2212"


def format_invoice_total(amount: Decimal | None, currency: str, kind: InvoiceKind) -> str:
    """Format an invoice total; a credit note's gets a minus sign ("−71,52 €"), its amount stays positive."""
    text = format_money(amount, currency)
    if kind is InvoiceKind.CREDIT_NOTE and amount is not None and amount > 0:
        return _MINUS + text
    return text


def invoice_heading(row: InvoiceRow, invoice_key: str, credit_note_key: str) -> str:
    """Return the title `invoice_key` for an invoice, or `credit_note_key` naming the credited invoice."""
    number = row.number or row.source_key
    if row.kind is InvoiceKind.CREDIT_NOTE:
        return t(credit_note_key, number=number, original=row.original_invoice_number or t("ui.original_unknown"))
    return t(invoice_key, number=number)


def format_date(value: date | None, lang: str | None = None) -> str:
    """Format a date as 02/03/2026 in French and 2026-03-02 in English; "" when None."""
    if value is None:
        return ""
    if (lang or current_language()) == "fr":
        return value.strftime("%d/%m/%Y")
    return value.isoformat()


def format_datetime(value: datetime | None, lang: str | None = None) -> str:
    """Format an aware datetime in Paris time, the time zone of Chorus Pro's portal."""
    if value is None:
        return ""
    local = value.astimezone(_PARIS)
    return f"{format_date(local.date(), lang)} {local:%H:%M}"


def paris_today(clock: Clock) -> date:
    """Return today's date in Paris, the date Chorus Pro checks invoice dates against."""
    return clock.now().astimezone(_PARIS).date()


def format_siret(siret: str | None) -> str:
    """Return the 14-digit SIRET unchanged, or "" when None (a SIRET is printed without spaces on the portal)."""
    return siret or ""


def format_amount_input(amount: Decimal | None, lang: str | None = None) -> str:
    """Format an amount for an input field as the list shows it, without the symbol: "1 234,56" in French.

    `parse_amount` reads the text back, with or without the grouping.
    """
    if amount is None:
        return ""
    cents = amount.quantize(Decimal("0.01"), rounding=ROUND_HALF_EVEN)
    grouped = f"{cents:,.2f}"  # "1,234.56"
    if (lang or current_language()) == "fr":
        return grouped.replace(",", _NBSP).replace(".", ",")
    return grouped


class AmbiguousAmountError(ValueError):
    """Error for an amount whose one separator may mark thousands or decimals ("1.000", "1,000")."""

    def __init__(self, text: str, digits: str) -> None:
        super().__init__(f"ambiguous amount: {text!r}")
        self.digits = digits  # the amount read as thousands, without the separator: "1000"


def parse_amount(text: str) -> Decimal | None:
    """Read an amount typed as "1 234,56", "1.234,56", "1234.56" or "1234,56 €"; None when empty.

    With both "," and ".", the last one is the decimal separator. One of them
    repeated between groups of 3 digits separates thousands ("1.000.000"). A
    single one followed by exactly 3 digits, after 1 to 3 digits that do not
    start with 0, may mean either ("1.000" is one thousand in French and one
    in English), so AmbiguousAmountError is raised. Raises ValueError naming
    the text when it is not a plain decimal number of at most 15 integer digits.
    """
    cleaned = text.replace("€", "").replace(_NBSP, "").replace("\u202f", "").replace(" ", "").strip()
    if not cleaned:
        return None
    if "," in cleaned and "." in cleaned:
        # Whichever separator comes last is the decimal one ("1.234,56" or "1,234.56").
        if cleaned.rfind(",") > cleaned.rfind("."):
            cleaned = cleaned.replace(".", "").replace(",", ".")
        else:
            cleaned = cleaned.replace(",", "")
    else:
        separator = "," if "," in cleaned else "."
        if cleaned.count(separator) > 1 and _GROUPED_THOUSANDS[separator].fullmatch(cleaned):
            cleaned = cleaned.replace(separator, "")
        elif _ONE_GROUP_OF_THOUSANDS[separator].fullmatch(cleaned):
            raise AmbiguousAmountError(text, cleaned.replace(separator, ""))
        else:
            cleaned = cleaned.replace(",", ".")
    if _PLAIN_AMOUNT.fullmatch(cleaned) is None:
        raise ValueError(f"not an amount: {text!r}")
    return Decimal(cleaned)
