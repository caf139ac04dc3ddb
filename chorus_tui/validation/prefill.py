"""Pre-filling the deposit form from an invoice read from a source and its detection."""

from __future__ import annotations

import copy

from chorus_tui.domain import DepositForm, DepositRoute, InvoiceKind, SourceInvoice
from chorus_tui.validation.amounts import prefilled_amount_due, suggest_vat_type
from chorus_tui.validation.billing_frame import FRAMES_WITH_VALIDATOR, suggest_billing_frame
from chorus_tui.validation.identifiers import normalise_siret

# Factur-X profiles complete enough to be deposited as a flow; MINIMUM and BASIC WL carry
# no invoice lines, so those files go through the PDF deposit with the form's data.
FLOW_PROFILES = frozenset({"basic", "en16931", "extended"})


def form_from_invoice(invoice: SourceInvoice, *, supplier_id: int | None = None,
                      bank_account_id: int | None = None, vat_regime: str = "TVA_SUR_DEBIT") -> DepositForm:
    """Build the deposit form the user will confirm, from what the invoice and its detection carry.

    `vat_regime` is the supplier's usual VAT type (on debits or on receipts), used when the
    invoice charges VAT; an invoice without VAT gets SANS_TVA or EXONERATION instead.
    A credit note gets no payment mode, since Chorus Pro rejects one on credit notes.
    """
    detection = invoice.detection
    frame, _reason = suggest_billing_frame(invoice)
    vat_type, exemption_reason = suggest_vat_type(invoice.amounts)
    is_credit_note = invoice.kind is InvoiceKind.CREDIT_NOTE
    route = DepositRoute.FLOW if invoice.is_facturx and invoice.facturx_profile in FLOW_PROFILES else DepositRoute.PDF
    amounts = copy.deepcopy(invoice.amounts)
    # A document that prints no amount to pay owes its whole TTC total, or nothing once paid.
    amounts.amount_due = prefilled_amount_due(invoice.amounts, invoice.already_paid)
    return DepositForm(
        invoice_number=invoice.invoice_number or "",
        invoice_date=invoice.invoice_date,
        recipient_siret=normalise_siret(detection.recipient_siret or ""),
        service_code=detection.service_code,
        engagement_number=detection.engagement_number,
        contract_number=detection.contract_number,
        billing_frame=frame,
        validator_siret=detection.mandataire_siret if frame in FRAMES_WITH_VALIDATOR else None,
        vat_type=vat_type or vat_regime,
        vat_exemption_reason=exemption_reason,
        kind=invoice.kind,
        original_invoice_number=invoice.original_invoice_number if is_credit_note else None,
        amounts=amounts,
        supplier_id=supplier_id,
        bank_account_id=None if is_credit_note else bank_account_id,
        payment_mode=None if is_credit_note else "VIREMENT",
        attachment_path=invoice.file_path,
        route=route,
    )
