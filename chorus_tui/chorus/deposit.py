"""Build the `soumettre` request from the deposit form the user confirmed."""

from __future__ import annotations

from decimal import Decimal

from chorus_tui.chorus.models.factures import (
    BillingFrame,
    InvoiceLine,
    InvoiceRecipient,
    InvoiceReferences,
    InvoiceSupplier,
    InvoiceTotals,
    MainAttachment,
    SubmitInvoiceRequest,
    VatSummaryLine,
)
from chorus_tui.domain import DepositForm, DepositRoute, InvoiceKind


def submit_request_from_form(
    form: DepositForm, attachment_id: int | None, attachment_name: str | None
) -> SubmitInvoiceRequest:
    """Return the soumettre body for `form`: DEPOT_PDF_API with the uploaded PDF, or SAISIE_API without one.

    Lines are one summary line per VAT rate (quantity 1, the taxable base as unit price), because
    the form carries totals, not the invoice's own lines. Raises ValueError for a flow deposit, a
    form without supplier id, or a PDF deposit without attachment.
    """
    if form.route is DepositRoute.FLOW:
        raise ValueError(f"invoice {form.invoice_number} is deposited as a flow: use deposit_flow, not soumettre")
    if form.supplier_id is None:
        raise ValueError(f"invoice {form.invoice_number} has no supplier id (idFournisseur): pick the supplier structure")
    pdf_mode = form.route is DepositRoute.PDF
    if pdf_mode and attachment_id is None:
        raise ValueError(f"invoice {form.invoice_number} is deposited as a PDF but no attachment was uploaded")

    amounts = form.amounts
    is_credit_note = form.kind is InvoiceKind.CREDIT_NOTE
    references = InvoiceReferences(
        currency=amounts.currency or "EUR",
        invoice_type=form.kind.value,
        vat_type=form.vat_type,
        vat_exemption_reason=form.vat_exemption_reason,
        contract_number=form.contract_number or None,
        engagement_number=form.engagement_number or None,
        original_invoice_number=(form.original_invoice_number or None) if is_credit_note else None,
        payment_mode=form.payment_mode or None,
    )
    vat_lines = [
        VatSummaryLine(rate=line.rate, base_ht=line.base_ht, vat=line.vat) for line in amounts.vat_lines
    ]
    lines = [
        InvoiceLine(
            number=index,
            description=f"Base HT au taux de TVA de {_percent(line.rate)} %",
            quantity=Decimal(1),
            unit_price_ht=line.base_ht,
            vat_rate=line.rate,
        )
        for index, line in enumerate(amounts.vat_lines, start=1)
    ]
    if not lines and amounts.total_ht is not None:
        lines = [InvoiceLine(number=1, description="Total HT", quantity=Decimal(1), unit_price_ht=amounts.total_ht)]
    amount_due = amounts.amount_due if amounts.amount_due is not None else amounts.total_ttc
    totals = InvoiceTotals(
        total_ht=amounts.total_ht,
        total_vat=amounts.total_vat,
        total_ttc=amounts.total_ttc,
        amount_due=amount_due,
    )
    frame = BillingFrame(code=form.billing_frame, validator_code=form.validator_siret or None)
    return SubmitInvoiceRequest(
        deposit_mode="DEPOT_PDF_API" if pdf_mode else "SAISIE_API",
        invoice_number=form.invoice_number,
        invoice_date=form.invoice_date,
        recipient=InvoiceRecipient(siret=form.recipient_siret, service_code=form.service_code or None),
        supplier=InvoiceSupplier(supplier_id=form.supplier_id, bank_account_id=form.bank_account_id),
        billing_frame=frame,
        references=references,
        lines=lines or None,
        vat_lines=vat_lines or None,
        totals=totals,
        main_attachment=MainAttachment(designation=attachment_name, attachment_id=attachment_id) if pdf_mode else None,
        comment=form.comment or None,
    )


def _percent(rate: Decimal) -> str:
    text = format(rate.normalize(), "f")
    return text.replace(".", ",")
