"""Order of trust between the three sources: Factur-X XML, then structured fields, then free text."""

from __future__ import annotations

from chorus_tui.detection import ChorusFields, detect_chorus_data
from chorus_tui.sources.facturx import FacturxData, PartyIdentifier
from chorus_tui.sources.text import clean_text

VALMORIN = "21170753455688"
BEAURIVAGE = "21151884000015"
LUSSAC = "21716897084691"


def test_xml_beats_structured_beats_text():
    facturx = FacturxData(buyer_identifiers=[PartyIdentifier("0009", VALMORIN, "legal")], buyer_reference="MAIRIE",
                          order_reference="EJ-XML", contract_reference="M-XML")
    structured = ChorusFields(recipient_siret=BEAURIVAGE, service_code="CCAS", engagement_number="EJ-SRC",
                              contract_number="M-SRC")
    text = clean_text(f"SIRET : {LUSSAC}\nService : ST\nN° engagement : EJ-TXT\nN° marché : M-TXT")

    detection = detect_chorus_data(text, facturx=facturx, structured=structured)

    assert detection.recipient_siret == VALMORIN
    assert detection.service_code == "MAIRIE"
    assert detection.engagement_number == "EJ-XML"
    assert detection.contract_number == "M-XML"
    assert set(detection.sources.values()) == {"facturx"}
    keys = [warning.key for warning in detection.warnings]
    for field in ("recipient_siret", "service_code", "engagement_number", "contract_number"):
        assert f"detect.disagree_{field}" in keys, field


def test_structured_fills_what_xml_lacks():
    facturx = FacturxData(buyer_identifiers=[PartyIdentifier("0009", VALMORIN, "legal")])
    structured = ChorusFields(service_code="CCAS")
    text = clean_text("Service : ST")

    detection = detect_chorus_data(text, facturx=facturx, structured=structured)

    assert detection.service_code == "CCAS"
    assert detection.sources["service_code"] == "source"
    assert "detect.disagree_service_code" in [warning.key for warning in detection.warnings]


def test_siret_under_scheme_0002_in_legal_id():
    facturx = FacturxData(buyer_identifiers=[PartyIdentifier("0002", VALMORIN, "legal")])
    detection = detect_chorus_data("", facturx=facturx)
    assert detection.recipient_siret == VALMORIN
    assert detection.sources["recipient_siret"] == "facturx"
