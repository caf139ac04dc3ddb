"""The cadre de facturation of a Factur-X flow: the XML's business process (BT-23), not the form's cadre."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from lxml import etree

from chorus_tui.domain import CheckLevel, DepositRoute
from chorus_tui.sources import read_invoice
from chorus_tui.validation import check_form, form_from_invoice
from chorus_tui.validation.flow_xml import check_flow_billing_frame, chorus_billing_frame
from tests.detection.builders import sample_cii, write_facturx
from tests.validation.test_flow_xml import RAM, edit_xml, keys

# A day after the sample invoice's date (12/03/2026), which the checks reject when in the future.
TODAY = date(2026, 3, 20)
RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
# Visible text of a subcontractor's invoice that names no main contractor.
SUBCONTRACTING_TEXT = ["Facture FAC-2026-0901", "Sous-traitance avec paiement direct"]


def subcontracting_invoice(tmp_path, lines=SUBCONTRACTING_TEXT, **overrides):
    invoice = read_invoice(write_facturx(tmp_path / "flow.pdf", sample_cii(**overrides), "en16931", lines))
    assert invoice.detection.subcontracting
    assert invoice.detection.mandataire_siret is None
    return invoice


def set_business_process(root, value: str) -> None:
    """Write BT-23 (BusinessProcessSpecifiedDocumentContextParameter/ID) before the guideline, as CII orders them."""
    context = root.find(f"{{{RSM}}}ExchangedDocumentContext")
    parameter = etree.Element(f"{{{RAM}}}BusinessProcessSpecifiedDocumentContextParameter")
    etree.SubElement(parameter, f"{{{RAM}}}ID").text = value
    context.insert(0, parameter)


def frame_results(results):
    return [result for result in results if result.field == "billing_frame"]


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("A9", "A9_FACTURE_SOUSTRAITANT"),
        ("a12", "A12_FACTURE_COTRAITANT"),
        ("A2_FACTURE_FOURNISSEUR_DEJA_PAYEE", "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE"),
        ("A1_AUTRE", None),
        ("S5", None),
        ("A10", None),
        ("", None),
    ],
)
def test_business_process_read_as_chorus_frame(value, code):
    assert chorus_billing_frame(value) == code


def test_flow_subcontracting_without_validator_not_blocked(tmp_path):
    invoice = subcontracting_invoice(tmp_path)
    form = form_from_invoice(invoice, supplier_id=1, bank_account_id=1)
    assert form.route is DepositRoute.FLOW
    assert form.billing_frame == "A9_FACTURE_SOUSTRAITANT"
    assert form.validator_siret is None

    # The flow sends no cadre and no validator from the form: the XML, which states no cadre, decides.
    results = check_form(invoice, form, today=TODAY)
    assert not [result for result in results if result.level is CheckLevel.BLOCKING]
    assert not [result for result in results if result.field == "validator_siret"]
    frame = frame_results(results)
    assert keys(frame) == ["checks.flow_frame_missing"]
    assert frame[0].level is CheckLevel.WARNING
    text = str(frame[0].message)
    assert "BT-23" in text
    assert "A9 – facture de sous-traitant" in text
    assert "dépôt PDF avec saisie" in text

    # The PDF deposit sends the form's cadre A9, which needs the main contractor's SIRET.
    pdf = form_from_invoice(invoice, supplier_id=1, bank_account_id=1)
    pdf.route = DepositRoute.PDF
    pdf_results = check_form(invoice, pdf, today=TODAY)
    assert "checks.validator_missing" in keys(pdf_results)


def test_flow_frame_a9_in_xml_passes(tmp_path):
    invoice = subcontracting_invoice(tmp_path)
    edit_xml(invoice, lambda root: set_business_process(root, "A9_FACTURE_SOUSTRAITANT"))
    frame = check_flow_billing_frame(invoice)
    assert keys(frame) == ["checks.flow_frame_ok"]
    assert frame[0].level is CheckLevel.PASS


def test_flow_frame_other_than_a9_warns(tmp_path):
    invoice = subcontracting_invoice(tmp_path)
    edit_xml(invoice, lambda root: set_business_process(root, "A1"))
    frame = check_flow_billing_frame(invoice)
    assert keys(frame) == ["checks.flow_frame_differs"]
    assert frame[0].level is CheckLevel.WARNING
    assert frame[0].message.params["value"] == "A1"


def test_flow_frame_absent_on_ordinary_invoice_passes(tmp_path):
    invoice = read_invoice(write_facturx(tmp_path / "flow.pdf", sample_cii(), "en16931"))
    frame = check_flow_billing_frame(invoice)
    assert keys(frame) == ["checks.flow_frame_absent"]
    assert frame[0].level is CheckLevel.PASS


def test_flow_frame_a2_with_amount_due_warns(tmp_path):
    invoice = read_invoice(write_facturx(tmp_path / "flow.pdf", sample_cii(), "en16931"))
    assert invoice.amounts.amount_due == Decimal("1200.00")
    edit_xml(invoice, lambda root: set_business_process(root, "A2"))
    frame = check_flow_billing_frame(invoice)
    assert keys(frame) == ["checks.flow_frame_a2_not_paid"]
    assert frame[0].level is CheckLevel.WARNING


def test_flow_ignores_unsent_form_fields(tmp_path):
    invoice = read_invoice(write_facturx(tmp_path / "flow.pdf", sample_cii(), "en16931"))
    form = form_from_invoice(invoice, supplier_id=1, bank_account_id=1)
    assert form.route is DepositRoute.FLOW
    # Values the flow route greys out and does not send, each of which blocks a PDF deposit.
    form.billing_frame = "A12_FACTURE_COTRAITANT"
    form.vat_type = "SANS_TVA"
    form.comment = "x" * 5000

    flow_fields = {result.field for result in check_form(invoice, form, today=TODAY)
                   if result.level is CheckLevel.BLOCKING}
    assert flow_fields == set()

    form.route = DepositRoute.PDF
    pdf_fields = {result.field for result in check_form(invoice, form, today=TODAY)
                  if result.level is CheckLevel.BLOCKING}
    assert {"validator_siret", "vat_type", "comment"} <= pdf_fields
