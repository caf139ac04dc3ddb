"""Detection behaviour for the reported Chorus Pro failures that concern it."""

from __future__ import annotations

from chorus_tui.detection import detect_chorus_data
from chorus_tui.detection.siret import is_valid_siret
from chorus_tui.sources import read_invoice
from chorus_tui.sources.cii import CiiParty
from chorus_tui.sources.text import clean_text

from .builders import BUYER_SIRET, sample_cii, write_facturx, write_pdf


def warning_keys(detection):
    return [warning.key for warning in detection.warnings]


def test_siret_typo_with_spaces_reported_with_warning():
    """A SIRET typed with spaces and a wrong last digit is normalised and flagged, not dropped."""
    detection = detect_chorus_data(clean_text("SIRET : 123 456 789 00012"))
    assert detection.recipient_siret == "12345678900012"
    assert not is_valid_siret("12345678900012")
    assert "detect.siret_checksum" in warning_keys(detection)
    assert detection.candidates[0].checksum_valid is False


def test_generic_public_invoices_service_not_proposed(tmp_path):
    path = write_pdf(tmp_path / "fp.pdf", ["Facture N° FAC-2026-0600", f"SIRET : {BUYER_SIRET}",
                                           "Service : FACTURES_PUBLIQUES"])
    detection = read_invoice(path).detection
    assert detection.service_code is None
    assert "detect.generic_service" in warning_keys(detection)


def test_generic_service_in_xml_not_proposed(tmp_path):
    path = write_facturx(tmp_path / "fp.pdf", sample_cii(buyer_reference="FACTURES_PUBLIQUES"), "en16931")
    detection = read_invoice(path).detection
    assert detection.service_code is None
    assert "detect.generic_service" in warning_keys(detection)


def test_nine_digit_buyer_identifier_named(tmp_path):
    buyer = CiiParty("Commune de Valmorin", "211707534", "0002")
    detection = read_invoice(write_facturx(tmp_path / "siren.pdf", sample_cii(buyer=buyer), "en16931")).detection
    assert detection.recipient_siret is None
    assert "detect.buyer_siren_only" in warning_keys(detection)


def test_ten_digit_identifier_is_not_a_siret(tmp_path):
    buyer = CiiParty("Commune de Valmorin", "1234567890", "0002")
    detection = read_invoice(write_facturx(tmp_path / "ten.pdf", sample_cii(buyer=buyer), "en16931")).detection
    assert detection.recipient_siret is None
    assert "detect.no_recipient_siret" in warning_keys(detection)


def test_facturx_input_is_recognised(tmp_path):
    """The deposit route depends on it: a Factur-X goes as a flow, a plain PDF with the form."""
    facturx_invoice = read_invoice(write_facturx(tmp_path / "fx.pdf", sample_cii(), "basic"))
    plain_invoice = read_invoice(write_pdf(tmp_path / "plain.pdf", ["Facture N° FAC-2026-0601"]))
    assert facturx_invoice.is_facturx
    assert facturx_invoice.facturx_profile == "basic"
    assert b"CrossIndustryInvoice" in facturx_invoice.facturx_xml
    assert not plain_invoice.is_facturx


def test_b2g_placement_of_service_and_siret(tmp_path):
    """Service code under scheme 0224 and buyer SIRET under scheme 0009, as the B2G rules read them."""
    buyer = CiiParty("Commune de Beaurivage-sur-Orne", None, None,
                     global_ids=[("0009", "21151884000015"), ("0224", "SERV-ACHATS")])
    invoice = sample_cii(buyer=buyer, buyer_reference=None)
    detection = read_invoice(write_facturx(tmp_path / "b2g.pdf", invoice, "extended")).detection
    assert detection.recipient_siret == "21151884000015"
    assert detection.service_code == "SERV-ACHATS"


def test_mandataire_line_captured():
    detection = detect_chorus_data(
        clean_text("Mandataire : Exemple BTP SAS – SIRET 98765432400019\nSIRET : 21151884000015")
    )
    assert detection.mandataire_name == "Exemple BTP SAS"
    assert detection.mandataire_siret == "98765432400019"
    assert detection.recipient_siret == "21151884000015"
    assert ("detect.mandataire_siret_checksum" in warning_keys(detection)) == (not is_valid_siret("98765432400019"))
