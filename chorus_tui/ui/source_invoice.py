"""Turn a stored invoice back into the SourceInvoice that the checks and the deposit expect."""

from __future__ import annotations

import logging

from chorus_tui.domain import Amounts, Detection, SourceInvoice
from chorus_tui.store import InvoiceRow

log = logging.getLogger(__name__)


def load_source_invoice(row: InvoiceRow, *, supplier_sirets: frozenset[str] = frozenset()) -> SourceInvoice:
    """Read the invoice's file again; fall back to the stored values when the file is gone or unreadable.

    Reading the file gives the checks what the database does not keep (the
    Factur-X XML, the VAT lines as printed). Blocks on PDF parsing: call it
    from a thread worker.
    """
    from chorus_tui.sources import read_invoice

    if row.file_path is not None and row.file_path.is_file():
        try:
            return read_invoice(row.file_path, supplier_sirets=supplier_sirets)
        except (OSError, ValueError) as error:
            log.warning("invoice file %s could not be read again: %s", row.file_path, error)
    return stored_source_invoice(row)


def stored_source_invoice(row: InvoiceRow) -> SourceInvoice:
    """Build a SourceInvoice from the values stored at import (no file content, no VAT lines)."""
    detection_data = row.detection.get("detection") or {}
    detection = Detection(
        recipient_siret=row.recipient_siret,
        service_code=detection_data.get("service_code"),
        engagement_number=detection_data.get("engagement_number"),
        contract_number=detection_data.get("contract_number"),
    )
    return SourceInvoice(
        source_key=row.source_key,
        file_path=row.file_path,
        invoice_number=row.number,
        invoice_date=row.invoice_date,
        customer_name=row.customer,
        kind=row.kind,
        original_invoice_number=row.original_invoice_number,
        amounts=Amounts(row.total_ht, row.total_vat, row.total_ttc, row.amount_due, currency=row.currency),
        detection=detection,
        facturx_profile=row.facturx_profile,
        file_sha256=row.file_sha256,
    )
