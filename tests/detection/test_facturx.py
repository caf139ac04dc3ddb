"""Factur-X files of every profile, built in the test with the factur-x library."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from chorus_tui.domain import InvoiceKind
from chorus_tui.sources import read_invoice
from chorus_tui.sources.cii import CiiLine, CiiParty
from chorus_tui.sources.facturx import FacturxError, parse_facturx_xml, profile_from_guideline

from .builders import BUYER_SIRET, sample_cii, write_facturx

PROFILES = ["minimum", "basicwl", "basic", "en16931", "extended"]


@pytest.mark.parametrize("profile", PROFILES)
def test_profile_fields(tmp_path, profile):
    path = write_facturx(tmp_path / f"{profile}.pdf", sample_cii(), profile)
    invoice = read_invoice(path)
    assert invoice.errors == []
    assert invoice.is_facturx
    assert invoice.facturx_profile == profile
    assert invoice.invoice_number == "FAC-2026-0901"
    assert invoice.invoice_date == date(2026, 3, 12)
    assert invoice.kind == InvoiceKind.INVOICE
    assert invoice.customer_name == "Commune de Valmorin"
    assert invoice.amounts.total_ht == Decimal("1000.00")
    assert invoice.amounts.total_vat == Decimal("200.00")
    assert invoice.amounts.total_ttc == Decimal("1200.00")
    assert invoice.amounts.amount_due == Decimal("1200.00")
    detection = invoice.detection
    assert detection.recipient_siret == BUYER_SIRET
    assert detection.sources["recipient_siret"] == "facturx"
    assert detection.service_code == "MAIRIE"
    assert detection.engagement_number == "EJ-2026-55"
    assert detection.warnings == []


@pytest.mark.parametrize("profile", PROFILES)
def test_profile_contract_reference(tmp_path, profile):
    path = write_facturx(tmp_path / f"{profile}.pdf", sample_cii(), profile)
    detection = read_invoice(path).detection
    if profile == "minimum":
        assert detection.contract_number is None  # MINIMUM has no ContractReferencedDocument
    else:
        assert detection.contract_number == "MAPA-2026-01"


@pytest.mark.parametrize("profile", ["basicwl", "en16931"])
def test_vat_breakdown_read(tmp_path, profile):
    invoice = sample_cii(lines=[
        CiiLine("Pièces", Decimal("1"), Decimal("100.00"), Decimal("20")),
        CiiLine("Livres", Decimal("1"), Decimal("50.00"), Decimal("5.5")),
    ])
    amounts = read_invoice(write_facturx(tmp_path / "vat.pdf", invoice, profile)).amounts
    rates = sorted((line.rate, line.base_ht, line.vat) for line in amounts.vat_lines)
    assert rates == [(Decimal("5.5"), Decimal("50.00"), Decimal("2.75")), (Decimal("20"), Decimal("100.00"), Decimal("20.00"))]


def test_vat_exemption_reason(tmp_path):
    invoice = sample_cii(
        lines=[CiiLine("Formation", Decimal("1"), Decimal("900.00"), Decimal("0"), vat_category="E")],
        exemption_reason="Exonération de TVA, article 261-4-4° du CGI",
    )
    amounts = read_invoice(write_facturx(tmp_path / "exempt.pdf", invoice, "en16931")).amounts
    assert amounts.total_vat == Decimal("0.00")
    assert amounts.vat_lines[0].exemption_reason == "Exonération de TVA, article 261-4-4° du CGI"


def test_credit_note_type_381(tmp_path):
    invoice = sample_cii(number="FAC-2026-0902", type_code="381", original_invoice="FAC-2026-0901")
    read = read_invoice(write_facturx(tmp_path / "avoir.pdf", invoice, "en16931"))
    assert read.kind == InvoiceKind.CREDIT_NOTE
    assert read.original_invoice_number == "FAC-2026-0901"
    assert read.amounts.total_ttc == Decimal("1200.00")


def test_siret_under_scheme_0002_accepted(tmp_path):
    buyer = CiiParty("Commune de Valmorin", BUYER_SIRET, "0002")
    detection = read_invoice(write_facturx(tmp_path / "s.pdf", sample_cii(buyer=buyer), "en16931")).detection
    assert detection.recipient_siret == BUYER_SIRET


def test_siret_in_global_id_0009(tmp_path):
    buyer = CiiParty("Commune de Valmorin", None, global_ids=[("0009", BUYER_SIRET)])
    detection = read_invoice(write_facturx(tmp_path / "g.pdf", sample_cii(buyer=buyer), "en16931")).detection
    assert detection.recipient_siret == BUYER_SIRET


def test_service_code_from_scheme_0224(tmp_path):
    buyer = CiiParty("Commune de Valmorin", BUYER_SIRET, "0009", global_ids=[("0224", "ECOLES")])
    invoice = sample_cii(buyer=buyer, buyer_reference=None)
    detection = read_invoice(write_facturx(tmp_path / "r.pdf", invoice, "extended")).detection
    assert detection.service_code == "ECOLES"


def test_buyer_siren_only_warns(tmp_path):
    buyer = CiiParty("Commune de Valmorin", BUYER_SIRET[:9], "0002")
    detection = read_invoice(write_facturx(tmp_path / "n.pdf", sample_cii(buyer=buyer), "en16931")).detection
    assert detection.recipient_siret is None
    assert "detect.buyer_siren_only" in [warning.key for warning in detection.warnings]


def test_xml_wins_over_text_with_warning(tmp_path):
    lines = ["Facture FAC-2026-0901", "SIRET : 211 518 840 00015", "Service : ST", "N° engagement : EJ-TEXTE-1"]
    detection = read_invoice(write_facturx(tmp_path / "d.pdf", sample_cii(), "en16931", lines)).detection
    assert detection.recipient_siret == BUYER_SIRET
    assert detection.service_code == "MAIRIE"
    assert detection.engagement_number == "EJ-2026-55"
    keys = [warning.key for warning in detection.warnings]
    assert "detect.disagree_recipient_siret" in keys
    assert "detect.disagree_service_code" in keys
    assert "detect.disagree_engagement_number" in keys


def test_text_fills_what_xml_lacks(tmp_path):
    lines = ["Facture FAC-2026-0901", "N° marché : MAPA-2026-01"]
    invoice = sample_cii(buyer_reference=None, contract_reference=None)
    detection = read_invoice(write_facturx(tmp_path / "m.pdf", invoice, "minimum", lines)).detection
    assert detection.contract_number == "MAPA-2026-01"
    assert detection.sources["contract_number"] == "text"
    assert detection.sources["engagement_number"] == "facturx"


def test_seller_siret_never_recipient(tmp_path):
    seller = CiiParty("Atelier Verdier", "81588139669879", "0002", vat_number="FR35815881396")
    buyer = CiiParty("Client", None, None)
    lines = ["Facture FAC-2026-0901", "SIRET : 815 881 396 69879"]
    detection = read_invoice(write_facturx(tmp_path / "x.pdf", sample_cii(seller=seller, buyer=buyer), "en16931", lines)).detection
    assert detection.recipient_siret is None
    assert detection.candidates[0].reason.key == "detect.reason_supplier_xml"


def test_foreign_buyer_said(tmp_path):
    buyer = CiiParty("Stadt Köln", None, None, country="DE", vat_number="DE123456789")
    detection = read_invoice(write_facturx(tmp_path / "de.pdf", sample_cii(buyer=buyer), "en16931")).detection
    assert detection.recipient_kind == "foreign"
    assert detection.recipient_siret is None
    assert "detect.recipient_foreign" in [warning.key for warning in detection.warnings]


def test_profile_names_from_guidelines():
    assert profile_from_guideline("urn:factur-x.eu:1p0:minimum") == "minimum"
    assert profile_from_guideline("urn:factur-x.eu:1p0:basicwl") == "basicwl"
    assert profile_from_guideline("urn:cen.eu:en16931:2017#compliant#urn:factur-x.eu:1p0:basic") == "basic"
    assert profile_from_guideline("urn:cen.eu:en16931:2017") == "en16931"
    assert profile_from_guideline("urn:cen.eu:en16931:2017#conformant#urn:factur-x.eu:1p0:extended") == "extended"
    assert profile_from_guideline(None) is None


def test_parse_rejects_other_xml():
    with pytest.raises(FacturxError):
        parse_facturx_xml(b"<Invoice xmlns='urn:oasis:names:specification:ubl:schema:xsd:Invoice-2'/>")
    with pytest.raises(FacturxError):
        parse_facturx_xml(b"<not xml")


def test_parse_ignores_external_entities(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    xml = (
        f'<?xml version="1.0"?><!DOCTYPE r [<!ENTITY x SYSTEM "file://{secret}">]>'
        '<rsm:CrossIndustryInvoice xmlns:rsm="urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100" '
        'xmlns:ram="urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100">'
        "<rsm:ExchangedDocument><ram:ID>&x;</ram:ID></rsm:ExchangedDocument></rsm:CrossIndustryInvoice>"
    ).encode()
    data = parse_facturx_xml(xml)
    assert data.invoice_number is None or "TOP-SECRET" not in data.invoice_number
