from decimal import Decimal
from pathlib import Path

from chorus_tui.domain import Amounts, CheckLevel, DepositRoute, Detection, InvoiceKind, SourceInvoice, VatLine
from chorus_tui.validation import form_from_invoice
from chorus_tui.validation.checks import check_flow_matches_form

D = Decimal


def invoice(**fields) -> SourceInvoice:
    values = {"source_key": "FAC-2026-0042.pdf", "file_path": Path("FAC-2026-0042.pdf"),
              "invoice_number": "FAC-2026-0042",
              "amounts": Amounts(D("100.00"), D("20.00"), D("120.00"), None,
                                 [VatLine(D("20"), D("100.00"), D("20.00"))])}
    values.update(fields)
    return SourceInvoice(**values)


def test_detection_fills_the_form():
    detection = Detection(recipient_siret="211 707 534 55688", service_code="MAIRIE", engagement_number="BC-12",
                          contract_number="M-2026-3")
    form = form_from_invoice(invoice(detection=detection), supplier_id=25790001, bank_account_id=4107)
    assert form.recipient_siret == "21170753455688"
    assert form.service_code == "MAIRIE"
    assert form.engagement_number == "BC-12"
    assert form.contract_number == "M-2026-3"
    assert form.supplier_id == 25790001
    assert form.bank_account_id == 4107
    assert form.payment_mode == "VIREMENT"
    assert form.billing_frame == "A1_FACTURE_FOURNISSEUR"
    assert form.vat_type == "TVA_SUR_DEBIT"
    assert form.attachment_path == Path("FAC-2026-0042.pdf")
    assert form.route is DepositRoute.PDF


def test_missing_amount_due_defaults_to_ttc():
    form = form_from_invoice(invoice())
    assert form.amounts.amount_due == D("120.00")


def test_form_amounts_are_a_copy():
    source = invoice()
    form = form_from_invoice(source)
    form.amounts.total_ttc = D("1.00")
    assert source.amounts.total_ttc == D("120.00")


def test_credit_note_gets_no_payment_mode():
    form = form_from_invoice(invoice(kind=InvoiceKind.CREDIT_NOTE, original_invoice_number="FAC-2026-0010"),
                             bank_account_id=4107)
    assert form.kind is InvoiceKind.CREDIT_NOTE
    assert form.original_invoice_number == "FAC-2026-0010"
    assert form.payment_mode is None
    assert form.bank_account_id is None


def test_exempt_invoice_gets_exoneration_and_reason():
    exempt = Amounts(D("500.00"), D("0.00"), D("500.00"), D("500.00"),
                     [VatLine(D("0"), D("500.00"), D("0.00"), "Article 261 du CGI")])
    form = form_from_invoice(invoice(amounts=exempt))
    assert form.vat_type == "EXONERATION"
    assert form.vat_exemption_reason == "Article 261 du CGI"


def test_invoice_without_vat_gets_sans_tva():
    form = form_from_invoice(invoice(amounts=Amounts(D("500.00"), D("0.00"), D("500.00"), D("500.00"))))
    assert form.vat_type == "SANS_TVA"


def test_paid_invoice_gets_a2_and_nothing_to_pay():
    form = form_from_invoice(invoice(already_paid=True))
    assert form.billing_frame == "A2_FACTURE_FOURNISSEUR_DEJA_PAYEE"
    assert form.amounts.amount_due == D("0")


def test_mandataire_gets_a12_and_validator():
    detection = Detection(recipient_siret="21170753455688", mandataire_siret="84645060900017",
                          mandataire_name="Exemple BTP SAS")
    form = form_from_invoice(invoice(detection=detection))
    assert form.billing_frame == "A12_FACTURE_COTRAITANT"
    assert form.validator_siret == "84645060900017"


def test_full_facturx_goes_by_flow_and_minimum_by_pdf():
    full = form_from_invoice(invoice(facturx_xml=b"<x/>", facturx_profile="en16931"))
    minimum = form_from_invoice(invoice(facturx_xml=b"<x/>", facturx_profile="minimum"))
    assert full.route is DepositRoute.FLOW
    assert minimum.route is DepositRoute.PDF


def test_flow_warns_when_form_adds_service_missing_from_file():
    detection = Detection(recipient_siret="21170753455688", sources={"recipient_siret": "facturx"})
    source = invoice(detection=detection, facturx_xml=b"<x/>", facturx_profile="en16931")
    form = form_from_invoice(source)
    assert check_flow_matches_form(source, form) == []
    form.service_code = "MAIRIE"
    results = check_flow_matches_form(source, form)
    assert [result.level for result in results] == [CheckLevel.WARNING]
    assert results[0].field == "service_code"
    assert str(results[0].message) == (
        "Le dépôt en flux envoie le fichier Factur-X tel quel : la valeur saisie « MAIRIE » diffère de celle du "
        "fichier (« — ») et ne sera pas transmise. Corrigez le fichier, ou choisissez le dépôt PDF avec saisie."
    )


def test_flow_warns_when_contract_differs_from_file():
    detection = Detection(recipient_siret="21170753455688", contract_number="MAPA-2026-01",
                          sources={"recipient_siret": "facturx", "contract_number": "facturx"})
    source = invoice(detection=detection, facturx_xml=b"<x/>", facturx_profile="en16931")
    form = form_from_invoice(source)
    assert form.contract_number == "MAPA-2026-01"
    assert check_flow_matches_form(source, form) == []

    # The flow sends the XML's BT-12 (ContractReferencedDocument), not the number typed in the form.
    form.contract_number = "MAPA-2026-99"
    results = check_flow_matches_form(source, form)
    assert [result.level for result in results] == [CheckLevel.WARNING]
    assert results[0].field == "contract_number"
    assert results[0].message.params["value"] == "MAPA-2026-99"
    assert results[0].message.params["file_value"] == "MAPA-2026-01"


def test_subcontractor_gets_a9_and_validator():
    detection = Detection(recipient_siret="21170753455688", subcontracting=True, mandataire_siret="84645060900017")
    form = form_from_invoice(SourceInvoice(source_key="st.pdf", file_path=None, detection=detection))
    assert form.billing_frame == "A9_FACTURE_SOUSTRAITANT"
    assert form.validator_siret == "84645060900017"
