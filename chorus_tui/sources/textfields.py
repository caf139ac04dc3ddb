"""Read invoice fields (number, date, customer, amounts) from the cleaned text of a PDF.

These are the fields of the invoice itself; the Chorus Pro data (SIRET,
service, engagement) is read by `chorus_tui.detection`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation

from chorus_tui.cached import cached_attribute
from chorus_tui.domain import Amounts, InvoiceKind, VatLine
from chorus_tui.sources.text import fold_text, split_lines

_MONTHS = {
    "janvier": 1, "janv": 1, "fevrier": 2, "fevr": 2, "fev": 2, "mars": 3, "avril": 4, "avr": 4,
    "mai": 5, "juin": 6, "juillet": 7, "juil": 7, "aout": 8, "septembre": 9, "sept": 9,
    "octobre": 10, "oct": 10, "novembre": 11, "nov": 11, "decembre": 12, "dec": 12,
}
_NUMERIC_DATE = re.compile(r"(?<!\d)(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?!\d)")
_ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")
_WORD_DATE = re.compile(r"(?<![a-z0-9])(1er|\d{1,2})\s+([a-z]{3,9})\.?\s+(\d{4})(?!\d)")

# An amount as printed in French or English: "1 234,56", "1.234,56", "1234.56", "-218,48 €".
AMOUNT_PATTERN = re.compile(
    r"(?<![\w.,])(-\s?)?(\d{1,3}(?:[ .']\d{3})+(?:,\d{1,2})?|\d{1,3}(?:,\d{3})+\.\d{1,2}|\d+(?:[.,]\d{1,2})?)(?![\d])"
)
# AMOUNT_PATTERN written to start with its first character, "-" or a digit, so the regex engine
# skips to those characters instead of trying the look-behind at every position. It matches
# the same text, as match.group(0), at the same positions (tests/detection/test_amount_scan.py).
_AMOUNT_SCAN = re.compile(
    r"[-\d](?<![\w.,][-\d])(?:(?<=-)\s?\d|(?<=\d))"
    r"(?:\d{0,2}(?:[ .']\d{3})+(?:,\d{1,2})?|\d{0,2}(?:,\d{3})+\.\d{1,2}|\d*(?:[.,]\d{1,2})?)(?!\d)"
)
_PERCENT = re.compile(r"(\d{1,2}(?:[.,]\d{1,2})?)\s?%")

_NUMBER_WORD = r"(?:n\s?[°o]\.?|no\.?|numero|num\.?|#)"
# Each label pattern, in order of preference, with the words one of which it needs: lines
# without them are skipped before running the pattern.
_INVOICE_NUMBER_LABELS = [
    (re.compile(rf"(?<![a-z]){_NUMBER_WORD}\s*(?:de\s+)?(?:la\s+)?(?:facture|avoir)\s*:?\s*"), ("facture", "avoir")),
    (re.compile(rf"(?<![a-z])(?:facture|avoir)\s*(?:{_NUMBER_WORD})?\s*:?\s*"), ("facture", "avoir")),
    (re.compile(r"(?<![a-z])invoice\s*(?:number|no\.?|#)?\s*:?\s*"), ("invoice",)),
]
_INVOICE_TOKEN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_\-./]*\d[A-Za-z0-9_\-./]*|\d+")
_NOT_INVOICE_NUMBER_CONTEXT = re.compile(r"(?:liee|origine|initiale|d'origine|annulee|rectifiee|date)\s*$")

_CREDIT_NOTE_TITLE = re.compile(r"^\s*(?:facture\s+d')?avoir(?![a-z])")
_INVOICE_TITLE = re.compile(r"^\s*facture(?![a-z])")
_ORIGINAL_INVOICE = re.compile(
    rf"(?:facture\s+(?:liee|d'origine|initiale|d'origine\s+n°?|rectifiee|annulee)|avoir\s+(?:sur|relatif\s+a)\s+(?:la\s+)?facture"
    rf"|en\s+reference\s+a\s+la\s+facture|annule\s+(?:et\s+remplace\s+)?la\s+facture|facture\s+concernee)"
    rf"\s*(?:{_NUMBER_WORD})?\s*:?\s*"
)

_DATE_LABEL = re.compile(r"date\s*(?:de\s+(?:la\s+)?facture|d'emission|de\s+facturation|facture)?\s*:?|(?<![a-z])(?:le|fait\s+le|emise?\s+le)\s")
_NOT_ISSUE_DATE = re.compile(r"echeance|livraison|reglement|paiement|valable|prestation|periode|limite|commande|virement|du\s|au\s")

_CUSTOMER_LABELS = re.compile(
    r"^\s*(?:client|destinataire|facture\s+a|facturer\s+a|adresse\s+de\s+facturation|a\s+l'attention\s+de|acheteur)\s*:?\s*"
)


@dataclass
class TextInvoiceFields:
    """Invoice fields read from a PDF's text; None where nothing was recognised."""

    invoice_number: str | None = None
    invoice_date: date | None = None
    customer_name: str | None = None
    kind: InvoiceKind = InvoiceKind.INVOICE
    original_invoice_number: str | None = None
    amounts: Amounts = field(default_factory=Amounts)


_DOTTED_THOUSANDS = re.compile(r"\d{1,3}(?:\.\d{3})+")


def parse_amount(value: str) -> Decimal | None:
    """Parse "1 234,56", "1.234,56", "1234.56", "-218,48" or "1,234.56" into a Decimal."""
    text = value.replace("€", "").replace("EUR", "").replace(" ", "").replace("'", "").strip()
    negative = text.startswith("-")
    text = text.lstrip("-+")
    if not text:
        return None
    if "," in text and "." in text:
        decimal_separator = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_separator == "," else ","
        text = text.replace(thousands, "").replace(decimal_separator, ".")
    elif "," in text:
        text = text.replace(",", ".")
    elif "." in text and _DOTTED_THOUSANDS.fullmatch(text):
        text = text.replace(".", "")  # "1.234" with dots as thousands separators
    try:
        amount = Decimal(text)
    except InvalidOperation:
        return None
    return -amount if negative else amount


def parse_french_date(text: str) -> date | None:
    """Return the first date in `text`: "12/03/2026", "12.03.26", "2026-03-12", "12 mars 2026", "1er avril 2026"."""
    folded = fold_text(text)
    found: list[tuple[int, date]] = []
    for match in _NUMERIC_DATE.finditer(folded):
        year = int(match.group(3))
        year = year + 2000 if year < 100 else year
        parsed = _safe_date(year, int(match.group(2)), int(match.group(1)))
        if parsed:
            found.append((match.start(), parsed))
    for match in _ISO_DATE.finditer(folded):
        parsed = _safe_date(int(match.group(1)), int(match.group(2)), int(match.group(3)))
        if parsed:
            found.append((match.start(), parsed))
    for match in _WORD_DATE.finditer(folded):
        month = _MONTHS.get(match.group(2))
        if month is None:
            continue
        day = 1 if match.group(1) == "1er" else int(match.group(1))
        parsed = _safe_date(int(match.group(3)), month, day)
        if parsed:
            found.append((match.start(), parsed))
    return min(found)[1] if found else None


def _safe_date(year: int, month: int, day: int) -> date | None:
    try:
        return date(year, month, day)
    except ValueError:
        return None


def read_text_fields(text: str) -> TextInvoiceFields:
    """Read the invoice number, date, customer, kind and totals from cleaned PDF text."""
    reader = TextFieldReader(text)
    return TextInvoiceFields(
        invoice_number=reader.invoice_number,
        invoice_date=reader.invoice_date,
        customer_name=reader.customer_name,
        kind=reader.kind,
        original_invoice_number=reader.original_invoice_number,
        amounts=reader.amounts,
    )


class TextFieldReader:
    """The fields of TextInvoiceFields for one cleaned PDF text, each read on first access.

    A Factur-X invoice takes from its text only the fields its XML lacks,
    so the other fields are never read.
    """

    def __init__(self, text: str) -> None:
        self._lines, self._folded_lines = split_lines(text)

    @cached_attribute
    def kind(self) -> InvoiceKind:
        return _kind(self._folded_lines)

    @cached_attribute
    def original_invoice_number(self) -> str | None:
        return _original_invoice_number(self._lines, self._folded_lines)

    @cached_attribute
    def invoice_number(self) -> str | None:
        return _invoice_number(self._lines, self._folded_lines, self.original_invoice_number)

    @cached_attribute
    def invoice_date(self) -> date | None:
        return _issue_date(self._lines, self._folded_lines)

    @cached_attribute
    def customer_name(self) -> str | None:
        return _customer_name(self._lines, self._folded_lines)

    @cached_attribute
    def amounts(self) -> Amounts:
        return read_amounts(self._lines, self._folded_lines)


def _kind(folded_lines: list[str]) -> InvoiceKind:
    for line in folded_lines[:25]:
        # Each title pattern needs its word ("avoir", "facture"), and a substring check costs less than a match.
        if "avoir" in line and _CREDIT_NOTE_TITLE.match(line):
            return InvoiceKind.CREDIT_NOTE
        if "facture" in line and "avoir" not in line and _INVOICE_TITLE.match(line):
            return InvoiceKind.INVOICE
    return InvoiceKind.INVOICE


def _original_invoice_number(lines: list[str], folded_lines: list[str]) -> str | None:
    for line, folded in zip(lines, folded_lines, strict=True):
        match = _ORIGINAL_INVOICE.search(folded) if "facture" in folded else None  # every alternative has it
        if match:
            token = _INVOICE_TOKEN.search(line, match.end())
            if token and token.start() - match.end() <= 3:
                return token.group(0).rstrip(".-/")
    return None


def _invoice_number(lines: list[str], folded_lines: list[str], original: str | None) -> str | None:
    for pattern, words in _INVOICE_NUMBER_LABELS:
        for line, folded in zip(lines, folded_lines, strict=True):
            if words[0] not in folded and words[-1] not in folded:
                continue  # `words` has one or two words
            for match in pattern.finditer(folded):
                if _NOT_INVOICE_NUMBER_CONTEXT.search(folded[: match.start()] + folded[match.start() : match.end()]):
                    continue
                token = _INVOICE_TOKEN.match(line, match.end())
                if token is None:
                    continue
                value = token.group(0).rstrip(".-/")
                if value != original and not _looks_like_date(value):
                    return value
    return None


def _looks_like_date(value: str) -> bool:
    return bool(_NUMERIC_DATE.fullmatch(value) or _ISO_DATE.fullmatch(value))


def _issue_date(lines: list[str], folded_lines: list[str]) -> date | None:
    for line, folded in zip(lines, folded_lines, strict=True):
        if "date" not in folded and "le" not in folded:
            continue  # every alternative of _DATE_LABEL has one of them
        for match in _DATE_LABEL.finditer(folded):
            if _NOT_ISSUE_DATE.search(folded[max(0, match.start() - 12) : match.end() + 4]):
                continue
            parsed = parse_french_date(line[match.end() :])
            if parsed:
                return parsed
    for line, folded in zip(lines, folded_lines, strict=True):
        if _NOT_ISSUE_DATE.search(folded):
            continue
        parsed = parse_french_date(line)
        if parsed:
            return parsed
    return None


def _customer_name(lines: list[str], folded_lines: list[str]) -> str | None:
    for index, folded in enumerate(folded_lines):
        match = _CUSTOMER_LABELS.match(folded)
        if not match:
            continue
        rest = lines[index][match.end() :].strip(" :")
        if rest:
            return rest
        for following in lines[index + 1 : index + 3]:
            if following.strip():
                return following.strip()
    return None


_TOTAL_HT = re.compile(r"(?:total|montant|net)\s*(?:general\s*)?h\.?\s?t\.?(?![a-z])|total\s+hors\s+taxes?|sous[\s-]total")
_TOTAL_VAT = re.compile(r"(?:total|montant)\s*(?:de\s+(?:la\s+)?)?t\.?v\.?a\.?(?![a-z])|total\s+taxes")
_TOTAL_TTC = re.compile(r"(?:total|montant)\s*(?:general\s*)?t\.?t\.?c\.?(?![a-z])|total\s+toutes\s+taxes")
_AMOUNT_DUE = re.compile(r"net\s+a\s+payer|solde\s+a\s+payer|reste\s+a\s+payer|montant\s+(?:du|a\s+payer)(?![a-z])")
# "TVA", "T.V.A"…: "t(?<![a-z]t)" checks the word start after the "t", so the engine skips to each "t".
_VAT_LINE = re.compile(r"t(?<![a-z]t)\.?v\.?a(?![a-z])")
_EXEMPTION = re.compile(
    r"tva\s+non\s+applicable[^\n]*|exon[eé]ration\s+de\s+tva[^\n]*|exonere[^\n]*|autoliquidation[^\n]*"
    r"|art(?:icle|\.)?\s*(?:293\s*b|261|262|283)[^\n]*"
)


def read_amounts(lines: list[str], folded_lines: list[str]) -> Amounts:
    """Read the totals and the VAT summary lines."""
    amounts = Amounts()
    baseless: list[VatLine] = []  # VAT lines that print no base ("TVA 20 % : 20,00 €")
    for line, folded in zip(lines, folded_lines, strict=True):
        # Each pattern needs one of the words checked before it, and a substring check costs
        # much less than a regex search. "tt", "t.t", "tv" and "t.v" are in every form of
        # "TTC" and "TVA".
        total = "total" in folded or "montant" in folded
        ttc = total and ("tt" in folded or "t.t" in folded or "toutes" in folded)
        vat = total and ("tv" in folded or "t.v" in folded or "taxes" in folded)
        if amounts.total_ttc is None and ttc and (match := _TOTAL_TTC.search(folded)):
            amounts.total_ttc = _last_amount(line, match.end())
        elif amounts.total_vat is None and vat and (match := _TOTAL_VAT.search(folded)):
            amounts.total_vat = _last_amount(line, match.end())
        elif amounts.total_ht is None and (total or "net" in folded) and (match := _TOTAL_HT.search(folded)):
            amounts.total_ht = _last_amount(line, match.end())
        elif (
            amounts.amount_due is None
            and ("payer" in folded or "montant" in folded)
            and (match := _AMOUNT_DUE.search(folded))
        ):
            amounts.amount_due = _last_amount(line, match.end())
        elif ("tv" in folded or "t.v" in folded) and _VAT_LINE.search(folded):
            read = _vat_line(line, folded)
            if read is not None:
                vat_line, base_printed = read
                amounts.vat_lines.append(vat_line)
                if not base_printed:
                    baseless.append(vat_line)
    if baseless:
        _fill_vat_bases(amounts, baseless)
    exemption = _exemption_reason(lines, folded_lines)
    if exemption:
        if not amounts.vat_lines:
            base = amounts.total_ht if amounts.total_ht is not None else Decimal("0")
            amounts.vat_lines.append(VatLine(Decimal("0"), base, Decimal("0"), exemption))
        for vat_line in amounts.vat_lines:
            if vat_line.rate == 0 and vat_line.exemption_reason is None:
                vat_line.exemption_reason = exemption
    if amounts.total_ttc is None and amounts.amount_due is not None and amounts.total_ht is not None:
        amounts.total_ttc = amounts.amount_due
    if amounts.total_vat is None and amounts.vat_lines:
        amounts.total_vat = sum((line.vat for line in amounts.vat_lines), Decimal("0"))
    return amounts


def _amounts_in(line: str, start: int = 0) -> list[Decimal]:
    values = []
    for match in _AMOUNT_SCAN.finditer(line, start):
        end = match.end()
        if line[end : end + 2].lstrip().startswith("%"):
            continue
        parsed = parse_amount(match.group(0))
        if parsed is not None:
            values.append(parsed)
    return values


def _last_amount(line: str, start: int) -> Decimal | None:
    values = _amounts_in(line, start)
    return values[-1] if values else None


# Words of a line that gives a VAT number, not a rate and an amount.
# "f(?<!\wf)" is "\bf" written to start with a letter, so the engine can skip to each "f".
_NOT_VAT_SUMMARY = re.compile(r"intra|n\s?°|numero|client|f(?<!\wf)r\d")


def _vat_line(line: str, folded: str) -> tuple[VatLine, bool] | None:
    """Read "TVA 20 % 16,38" or "TVA collectée 20,0% 81,90 € 16,38 €" (rate, then base and VAT).

    Returns the line and whether it prints its base. A line without one gets
    a zero base for now, and read_amounts replaces or drops it.
    """
    if _NOT_VAT_SUMMARY.search(folded):
        return None
    percent = _PERCENT.search(line)
    if percent is None:
        return None
    rate = parse_amount(percent.group(1))
    values = _amounts_in(line, percent.end())
    if rate is None or not values:
        return None
    if len(values) >= 2:
        return VatLine(rate, values[-2], values[-1]), True
    return VatLine(rate, Decimal("0"), values[-1]), False


def _fill_vat_bases(amounts: Amounts, baseless: list[VatLine]) -> None:
    """Give the VAT lines that print no base the total excluding VAT, or drop every VAT line.

    The total HT is the base only when the invoice has one VAT line. Otherwise
    no base is invented, because a made-up base would fail the checks of the
    VAT lines. The total VAT is then taken from the dropped lines when the
    invoice prints none.
    """
    if len(amounts.vat_lines) == 1 and amounts.total_ht is not None:
        baseless[0].base_ht = amounts.total_ht
        return
    if amounts.total_vat is None:
        amounts.total_vat = sum((line.vat for line in amounts.vat_lines), Decimal("0"))
    amounts.vat_lines = []


def _exemption_reason(lines: list[str], folded_lines: list[str]) -> str | None:
    for line, folded in zip(lines, folded_lines, strict=True):
        # Each alternative of _EXEMPTION has "tva" and "non", "exon", "autoliquidation", or "art"
        # and an article number. "art" alone is in many words ("part", "départ").
        vat_not_applicable = "non" in folded and "tva" in folded
        article = "art" in folded and ("293" in folded or "261" in folded or "262" in folded or "283" in folded)
        if not (vat_not_applicable or "exon" in folded or "autoliquidation" in folded or article):
            continue
        match = _EXEMPTION.search(folded)
        if match:
            return line[match.start() : match.end()].strip(" .;")
    return None
