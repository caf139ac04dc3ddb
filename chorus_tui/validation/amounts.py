"""Amount, VAT type and credit-note checks; every amount is a Decimal compared to the cent.

Chorus Pro takes two-decimal totals and expects them to agree: HT + TVA = TTC, the VAT
lines add up to the VAT total and their bases to the HT total, and the amount to pay is
at most the TTC total.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

from chorus_tui.domain import VAT_TYPES, Amounts, CheckLevel, CheckResult, DepositForm, InvoiceKind
from chorus_tui.validation.display import Money
from chorus_tui.i18n import Message
from chorus_tui.validation.results import blocking, message, passed, warning

CENT = Decimal("0.01")
ZERO = Decimal("0")

# (attribute of Amounts, message key of its French name) in the order the form shows them.
_TOTALS = (
    ("total_ht", "amount_name_ht"),
    ("total_vat", "amount_name_vat"),
    ("total_ttc", "amount_name_ttc"),
    ("amount_due", "amount_name_due"),
)


def prefilled_amount_due(amounts: Amounts, already_paid: bool) -> Decimal | None:
    """Return the amount to pay that the deposit form takes from an invoice, or None when it has none.

    That is the printed amount, else 0 for an invoice marked as paid, else the TTC total. The form
    locks an amount it took from the invoice, so the user cannot type another one there.
    """
    if amounts.amount_due is not None:
        return amounts.amount_due
    if already_paid:
        return ZERO
    return amounts.total_ttc


def _name(key: str) -> Message:
    return message(key)


def vat_type_label(code: str) -> Message | str:
    """Return the French name of a VAT type code, or the code itself when it is unknown."""
    return message(f"vat_label_{code.lower()}") if code in VAT_TYPES else code


def _has_more_than_cents(value: Decimal) -> bool:
    return value != value.quantize(CENT, rounding=ROUND_HALF_UP)


def expected_vat(base: Decimal, rate: Decimal) -> Decimal:
    """Return the VAT of one rate on one base, rounded half up to the cent."""
    return (base * rate / 100).quantize(CENT, rounding=ROUND_HALF_UP)


def _check_totals_present(amounts: Amounts, kind: InvoiceKind) -> list[CheckResult]:
    results: list[CheckResult] = []
    for attribute, name_key in _TOTALS:
        field = f"amounts.{attribute}"
        value = getattr(amounts, attribute)
        if value is None:
            results.append(blocking(field, "amount_missing", name=_name(name_key)))
        elif _has_more_than_cents(value):
            results.append(blocking(field, "amount_precision", name=_name(name_key),
                                    value=Money(value, amounts.currency)))
        elif value < 0:
            # NOTE: Chorus Pro is believed to take a credit note's amounts as positive numbers,
            # because the type AVOIR carries the sign. No source confirms it, so a negative
            # credit note only warns, while a negative invoice blocks.
            if kind is InvoiceKind.CREDIT_NOTE:
                results.append(warning(field, "amount_negative_credit_note", name=_name(name_key),
                                       value=Money(value, amounts.currency)))
            else:
                results.append(blocking(field, "amount_negative", name=_name(name_key),
                                        value=Money(value, amounts.currency)))
    return results


def _check_vat_lines(amounts: Amounts) -> list[CheckResult]:
    results: list[CheckResult] = []
    field = "amounts.vat_lines"
    for line in amounts.vat_lines:
        if line.exemption_reason is not None or line.vat == 0:
            continue
        expected = expected_vat(line.base_ht, line.rate)
        if abs(expected - line.vat) > CENT:
            results.append(warning(field, "vat_line_rate", rate=f"{line.rate.normalize():f}",
                                   base=Money(line.base_ht, amounts.currency),
                                   expected=Money(expected, amounts.currency),
                                   value=Money(line.vat, amounts.currency)))
    vat_sum = sum((line.vat for line in amounts.vat_lines), ZERO)
    base_sum = sum((line.base_ht for line in amounts.vat_lines), ZERO)
    if amounts.total_vat is not None and vat_sum != amounts.total_vat:
        results.append(blocking(field, "vat_lines_vat_sum", lines=Money(vat_sum, amounts.currency),
                                total=Money(amounts.total_vat, amounts.currency)))
    if amounts.total_ht is not None and base_sum != amounts.total_ht:
        results.append(blocking(field, "vat_lines_base_sum", lines=Money(base_sum, amounts.currency),
                                total=Money(amounts.total_ht, amounts.currency)))
    return results


def check_amounts(amounts: Amounts, kind: InvoiceKind = InvoiceKind.INVOICE) -> list[CheckResult]:
    """Check that every total is present, has cents at most, and agrees with the others."""
    results = _check_totals_present(amounts, kind)
    currency = amounts.currency
    ht, vat, ttc, due = amounts.total_ht, amounts.total_vat, amounts.total_ttc, amounts.amount_due
    if ht is not None and vat is not None and ttc is not None and ht + vat != ttc:
        results.append(blocking("amounts.total_ttc", "ttc_mismatch", ht=Money(ht, currency), vat=Money(vat, currency),
                                expected=Money(ht + vat, currency), ttc=Money(ttc, currency)))
    if amounts.vat_lines:
        results.extend(_check_vat_lines(amounts))
    if due is not None and ttc is not None:
        if abs(due) > abs(ttc):
            results.append(blocking("amounts.amount_due", "due_above_ttc", due=Money(due, currency),
                                    ttc=Money(ttc, currency)))
        elif 0 <= due < ttc:
            results.append(passed("amounts.amount_due", "due_partial", due=Money(due, currency),
                                  ttc=Money(ttc, currency)))
    if not any(result.level is not CheckLevel.PASS for result in results) and ttc is not None:
        results.append(passed("amounts.total_ttc", "amounts_ok", ttc=Money(ttc, currency)))
    return results


def exemption_reasons(amounts: Amounts) -> list[str]:
    """Return the distinct exemption reasons of the VAT lines, in order."""
    reasons: list[str] = []
    for line in amounts.vat_lines:
        if line.exemption_reason and line.exemption_reason not in reasons:
            reasons.append(line.exemption_reason)
    return reasons


def suggest_vat_type(amounts: Amounts) -> tuple[str | None, str | None]:
    """Return (VAT type, exemption reason) the amounts call for, or (None, None) to keep the regime.

    No VAT charged means SANS_TVA, or EXONERATION with the reason an exempted VAT line
    gives. When VAT is charged, the choice between VAT on debits and VAT on receipts is
    the supplier's and cannot be read from the amounts.
    """
    if amounts.total_vat is None and not amounts.vat_lines:
        return None, None
    lines_vat = sum((line.vat for line in amounts.vat_lines), ZERO)
    if (amounts.total_vat or ZERO) != 0 or lines_vat != 0:
        return None, None
    reasons = exemption_reasons(amounts)
    if reasons:
        return "EXONERATION", reasons[0]
    return "SANS_TVA", None


def check_vat_type(form: DepositForm) -> list[CheckResult]:
    field = "vat_type"
    amounts = form.amounts
    if form.vat_type not in VAT_TYPES:
        return [blocking(field, "vat_type_unknown", value=form.vat_type, allowed=", ".join(VAT_TYPES))]
    results: list[CheckResult] = []
    if form.vat_type == "EXONERATION" and not (form.vat_exemption_reason or "").strip():
        results.append(blocking("vat_exemption_reason", "vat_exemption_missing"))
    total_vat = amounts.total_vat
    if total_vat is None:
        return results
    charges_vat = total_vat != 0
    if charges_vat and form.vat_type in ("SANS_TVA", "EXONERATION"):
        results.append(blocking(field, "vat_type_with_vat", value=vat_type_label(form.vat_type),
                                vat=Money(total_vat, amounts.currency)))
    elif not charges_vat and form.vat_type in ("TVA_SUR_DEBIT", "TVA_SUR_ENCAISSEMENT"):
        results.append(blocking(field, "vat_type_without_vat", value=vat_type_label(form.vat_type)))
    elif not charges_vat and form.vat_type == "SANS_TVA" and exemption_reasons(amounts):
        results.append(warning(field, "vat_type_exemption_on_lines", reason=exemption_reasons(amounts)[0]))
    if not results:
        results.append(passed(field, "vat_type_ok", value=vat_type_label(form.vat_type)))
    return results


def check_credit_note(form: DepositForm) -> CheckResult | None:
    field = "original_invoice_number"
    original = (form.original_invoice_number or "").strip()
    if form.kind is InvoiceKind.CREDIT_NOTE:
        if not original:
            return blocking(field, "credit_note_no_original")
        if original == form.invoice_number.strip():
            return blocking(field, "credit_note_same_number", value=original)
        return passed(field, "credit_note_ok", value=original)
    if original:
        return warning(field, "original_on_invoice", value=original)
    return None
