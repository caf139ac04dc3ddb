"""Duplicate guard: an invoice number already on Chorus Pro is never deposited again.

Chorus Pro refuses a second payment request with the same number from the same supplier
in the same year. A rejected invoice (REJETEE) cannot be corrected: a new invoice with a
new number replaces it, so a rejected number is never reused.
"""

from __future__ import annotations

import logging
from datetime import date

from chorus_tui.chorus.errors import ChorusError
from chorus_tui.domain import CheckResult, DepositForm
from chorus_tui.i18n import Message
from chorus_tui.statuses import DRAFT, REJECTED
from chorus_tui.validation.directory import Directory
from chorus_tui.validation.display import Day
from chorus_tui.validation.results import blocking, passed, warning

logger = logging.getLogger(__name__)

FIELD = "invoice_number"
# Deleted or abandoned invoices: whether Chorus Pro lets their number be used again is not
# documented, so they only raise a warning.
_GONE_STATUSES = frozenset({"SUPPRIMEE", "ABANDONNEE"})


def _status_name(code: str | None) -> Message | str:
    return Message(f"statuses.code.{code}") if code else "—"


def _deposit_day(invoice) -> Day | str:
    return Day(invoice.deposit_date) if invoice.deposit_date else "—"


def _in_another_year(found, invoice_date: date | None, today: date) -> bool:
    """Return True when the invoice found on Chorus Pro belongs to another year than the new one.

    NOTE: Chorus Pro keeps invoice numbers unique per supplier and per year, but which year
    (of the invoice date or of the deposit) is not documented. A number counts as free only
    when both readings give another year.
    """
    if found.deposit_date is None or found.deposit_date.year == today.year:
        return False
    if found.invoice_date is None or invoice_date is None:
        return True
    return found.invoice_date.year != invoice_date.year


async def check_duplicate(form: DepositForm, directory: Directory, *, supplier_id: int | None,
                          today: date) -> list[CheckResult]:
    """Search Chorus Pro for the supplier's invoices with the form's number and judge each hit."""
    number = (form.invoice_number or "").strip()
    if not number:
        return []
    if supplier_id is None:
        return [warning(FIELD, "duplicate_unchecked_no_supplier", number=number)]
    try:
        found = await directory.find_invoices(number, supplier_id)
    except ChorusError as error:
        logger.warning("duplicate search failed for invoice number %s: %s", number, error)
        return [warning(FIELD, "duplicate_lookup_failed", number=number, error=error.message)]

    results: list[CheckResult] = []
    for invoice in found:
        if (invoice.invoice_number or "").strip() != number:
            continue
        status = invoice.status
        params = {"number": number, "status": _status_name(status), "deposited": _deposit_day(invoice),
                  "invoice_id": invoice.invoice_id}
        if status == REJECTED:
            results.append(blocking(FIELD, "duplicate_rejected", **params))
        elif status == DRAFT:
            results.append(warning(FIELD, "duplicate_draft", **params))
        elif status in _GONE_STATUSES:
            results.append(warning(FIELD, "duplicate_gone", **params))
        elif _in_another_year(invoice, form.invoice_date, today):
            results.append(warning(FIELD, "duplicate_other_year", year=invoice.deposit_date.year, **params))
        else:
            results.append(blocking(FIELD, "duplicate_deposited", **params))
    if not results:
        results.append(passed(FIELD, "duplicate_none", number=number))
    return results
