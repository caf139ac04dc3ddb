"""All pre-deposit checks of one invoice, in the order the deposit form shows its fields.

`check_deposit` runs the checks that need only the form first, then those that read the
Chorus Pro directory through a `Directory` (recipient, rules, services, engagement,
bank account, duplicate guard). A lookup that fails (Chorus Pro unavailable, API not
subscribed) gives a warning naming what could not be verified, never a silent pass.
"""

from __future__ import annotations

import logging
from datetime import date

from chorus_tui.chorus.errors import ChorusError
from chorus_tui.domain import CheckLevel, CheckResult, DepositForm, DepositRoute, SourceInvoice
from chorus_tui.validation.amounts import check_amounts, check_credit_note, check_vat_type
from chorus_tui.validation.attachments import check_main_attachment
from chorus_tui.validation.billing_frame import FRAMES_WITH_VALIDATOR, check_billing_frame
from chorus_tui.validation.directory import Directory
from chorus_tui.validation.duplicates import check_duplicate
from chorus_tui.validation.flow_xml import check_flow_billing_frame, check_flow_xml
from chorus_tui.validation.formats import (
    check_comment,
    check_contract_number_format,
    check_engagement_number_format,
    check_invoice_date,
    check_invoice_number,
    check_service_code_format,
)
from chorus_tui.validation.identifiers import Party, check_siren, check_siret, normalise_siret
from chorus_tui.validation.payment import ACCOUNT_FIELD, check_bank_account, check_payment_mode
from chorus_tui.validation.recipient import RecipientCheck, check_recipient, check_validator_in_directory
from chorus_tui.validation.results import blocking, has_blocking, warning
from chorus_tui.validation.rules import check_recipient_rules

__all__ = ["check_deposit", "check_form", "has_blocking"]

logger = logging.getLogger(__name__)


def check_form(invoice: SourceInvoice, form: DepositForm, *, today: date,
               supplier_sirets: frozenset[str] = frozenset()) -> list[CheckResult]:
    """Run the checks that need no Chorus Pro lookup."""
    results: list[CheckResult] = []
    for error in invoice.errors:
        results.append(CheckResult("file", CheckLevel.WARNING, error))
    results.extend(check_invoice_number(form.invoice_number, printed_number=invoice.invoice_number))
    results.extend(check_invoice_date(form.invoice_date, today=today, printed_date=invoice.invoice_date))
    for supplier_siret in sorted(supplier_sirets):
        # Detection also takes the supplier's SIREN alone, so a 9-digit identifier is checked as one.
        check = check_siren if len(normalise_siret(supplier_siret)) == 9 else check_siret
        supplier_result = check(supplier_siret, party=Party.SUPPLIER, field="supplier_siret")
        if supplier_result.level is not CheckLevel.PASS:
            results.append(supplier_result)
    single_results = (
        check_service_code_format(form.service_code),
        check_engagement_number_format(form.engagement_number),
        check_contract_number_format(form.contract_number),
    )
    results.extend(result for result in single_results if result is not None)
    results.extend(check_amounts(form.amounts, form.kind))
    credit_note = check_credit_note(form)
    if credit_note is not None:
        results.append(credit_note)
    results.extend(check_main_attachment(form.attachment_path or invoice.file_path, form.route))
    if form.route is DepositRoute.FLOW:
        results.extend(check_flow_matches_form(invoice, form))
        results.extend(check_flow_billing_frame(invoice))
        results.extend(check_flow_xml(invoice))
    else:
        results.extend(_check_sent_form_fields(invoice, form, supplier_sirets))
    return results


def _check_sent_form_fields(invoice: SourceInvoice, form: DepositForm,
                            supplier_sirets: frozenset[str]) -> list[CheckResult]:
    """Check the form fields that a `soumettre` deposit sends and a flow does not.

    A flow sends its XML unchanged, so the form greys these fields out. check_flow_billing_frame
    and check_flow_xml check the cadre de facturation and the payment means of the XML instead.
    NOTE: no source states how Chorus Pro sets the VAT type (typeTva) of an invoice deposited as
    a flow, so the flow route checks no VAT type. The XML's VAT breakdown is checked through
    the amounts, which the form reads from it.
    """
    results = check_vat_type(form)
    results.extend(check_billing_frame(form, invoice, supplier_sirets=supplier_sirets))
    results.extend(check_payment_mode(form))
    comment = check_comment(form.comment)
    if comment is not None:
        results.append(comment)
    return results


# Form fields a Factur-X flow carries in its own XML, with the detection attribute of each.
_FLOW_FIELDS = (
    ("recipient_siret", "recipient_siret"),
    ("service_code", "service_code"),
    ("engagement_number", "engagement_number"),
    ("contract_number", "contract_number"),
)


def check_flow_matches_form(invoice: SourceInvoice, form: DepositForm) -> list[CheckResult]:
    """Warn where the form differs from the Factur-X file, which a flow deposit sends unchanged."""
    results: list[CheckResult] = []
    detection = invoice.detection
    for field, attribute in _FLOW_FIELDS:
        if detection.sources.get(attribute) != "facturx":
            file_value = None
        else:
            file_value = getattr(detection, attribute)
        form_value = (getattr(form, field) or "").strip() or None
        if form_value is not None and form_value != file_value:
            results.append(warning(field, "flow_differs_from_file", value=form_value, file_value=file_value or "—"))
    number = (form.invoice_number or "").strip()
    if invoice.invoice_number and number and number != invoice.invoice_number:
        results.append(warning("invoice_number", "flow_differs_from_file", value=number,
                               file_value=invoice.invoice_number))
    return results


async def check_deposit(invoice: SourceInvoice, form: DepositForm, directory: Directory, *, today: date,
                        supplier_sirets: frozenset[str] = frozenset(),
                        supplier_id: int | None = None) -> list[CheckResult]:
    """Run every pre-deposit check of one invoice and return the results, blocking ones included.

    `supplier_id` (idStructureCPP of the supplier) defaults to the form's; without either,
    the bank account and the duplicate guard cannot be checked, and a blocking result reports it.
    """
    supplier_id = supplier_id if supplier_id is not None else form.supplier_id
    results = check_form(invoice, form, today=today, supplier_sirets=supplier_sirets)

    recipient_kind = invoice.detection.recipient_kind
    if not (form.recipient_siret or "").strip() and recipient_kind in ("foreign", "private"):
        # Without a SIRET, say why: the invoice is addressed to a foreign or private customer.
        recipient = RecipientCheck([blocking("recipient_siret", f"recipient_kind_{recipient_kind}",
                                             name=invoice.customer_name or "—")])
    else:
        recipient = await check_recipient(form, directory, supplier_sirets=supplier_sirets,
                                          customer_name=invoice.customer_name)
    results.extend(recipient.results)
    if recipient.structure_id is not None and recipient.details is not None:
        results.extend(await check_recipient_rules(form, recipient.structure_id, recipient.details, directory,
                                                   supplier_id=supplier_id, today=today))

    # A flow sends no validator from the form: its cadre comes from the XML (check_flow_billing_frame).
    if form.route is not DepositRoute.FLOW and form.billing_frame in FRAMES_WITH_VALIDATOR and not has_blocking(
            result for result in results if result.field == "validator_siret"):
        validator = await check_validator_in_directory(form, directory)
        if validator is not None:
            results.append(validator)

    if supplier_id is None:
        results.append(blocking("supplier_id", "supplier_missing"))
    else:
        if form.route is not DepositRoute.FLOW:
            results.extend(await _check_bank_account(form, directory, supplier_id))
        results.extend(await check_duplicate(form, directory, supplier_id=supplier_id, today=today))
    return results


async def _check_bank_account(form: DepositForm, directory: Directory, supplier_id: int) -> list[CheckResult]:
    if form.bank_account_id is None:
        return []
    try:
        accounts = await directory.bank_accounts(supplier_id)
    except ChorusError as error:
        logger.warning("bank accounts of supplier %s could not be read: %s", supplier_id, error)
        return [warning(ACCOUNT_FIELD, "bank_accounts_lookup_failed", error=error.message)]
    result = check_bank_account(form, [(account.account_id, account.name or str(account.account_id))
                                       for account in accounts])
    return [result] if result is not None else []
