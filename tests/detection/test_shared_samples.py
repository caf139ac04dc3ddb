"""The four FNFE Factur-X samples, read in place from the shared reference folder."""

from __future__ import annotations

from decimal import Decimal

import pytest

from chorus_tui.domain import InvoiceKind
from chorus_tui.sources import read_invoice

SAMPLES = {
    "correct_Avoir_FR_type381_BASIC.pdf": ("basic", "AV-2017-0005", InvoiceKind.CREDIT_NOTE, Decimal("233.47")),
    "correct_Facture_FR_BASICWL.pdf": ("basicwl", "FA-2017-0010", InvoiceKind.INVOICE, Decimal("671.15")),
    "correct_Facture_FR_MINIMUM.pdf": ("minimum", "FA-2017-0010", InvoiceKind.INVOICE, Decimal("671.15")),
    "fail_Facture_FR_EN16931.pdf": ("en16931", "FA-2017-0010", InvoiceKind.INVOICE, Decimal("671.15")),
}
RECIPIENT = "78787878400035"
SELLER = "99999999800010"


@pytest.fixture(params=sorted(SAMPLES))
def sample(request, shared_dir):
    name = request.param
    return name, read_invoice(shared_dir / "samples" / "factur-x" / name)


def test_sample_invoice_fields(sample):
    name, invoice = sample
    profile, number, kind, total = SAMPLES[name]
    assert invoice.errors == []
    assert invoice.facturx_profile == profile
    assert invoice.invoice_number == number
    assert invoice.kind == kind
    assert invoice.amounts.total_ttc == total
    assert invoice.customer_name == "Ma jolie boutique"


def test_sample_recipient_with_checksum_warning(sample):
    _, invoice = sample
    detection = invoice.detection
    assert detection.recipient_siret == RECIPIENT
    assert "detect.siret_checksum" in [warning.key for warning in detection.warnings]


def test_sample_never_proposes_seller(sample):
    _, invoice = sample
    detection = invoice.detection
    assert detection.recipient_siret != SELLER
    seller = [candidate for candidate in detection.candidates if candidate.siret == SELLER]
    assert seller, "the footer SIRET should be listed as an excluded candidate"
    assert all(candidate.score < 0 for candidate in seller)


def test_sample_chorus_references(sample):
    name, invoice = sample
    detection = invoice.detection
    assert detection.service_code is None
    assert detection.engagement_number == "PO445"
    assert detection.sources["engagement_number"] == "facturx"
    assert detection.contract_number == "MSPE2017"
    if name == "correct_Facture_FR_MINIMUM.pdf":
        # MINIMUM has no contract reference in its XML; the printed "Réf. marché" fills it in.
        assert detection.sources["contract_number"] == "text"
    else:
        assert detection.sources["contract_number"] == "facturx"


def test_sample_even_with_supplier_param(shared_dir):
    path = shared_dir / "samples" / "factur-x" / "fail_Facture_FR_EN16931.pdf"
    invoice = read_invoice(path, supplier_sirets={SELLER})
    assert invoice.detection.recipient_siret == RECIPIENT


def test_sample_credit_note_original(shared_dir):
    invoice = read_invoice(shared_dir / "samples" / "factur-x" / "correct_Avoir_FR_type381_BASIC.pdf")
    assert invoice.original_invoice_number == "FA-2017-0010"
