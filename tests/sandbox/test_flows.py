"""`deposer/flux` and `consulterCRDetaille`: Factur-X, CII and UBL flows, archives, rejections."""

from __future__ import annotations

import base64
import io
import tarfile

import pytest

from chorus_tui.clock import ManualClock
from chorus_tui.sandbox.simulator import Simulator

from .conftest import Api
from .facturx_builder import cii_xml, facturx_pdf

DEPOSIT = "/cpro/factures/v1/deposer/flux"
REPORT = "/cpro/transverses/v1/consulterCRDetaille"
SEARCH = "/cpro/factures/v1/rechercher/fournisseur"


@pytest.fixture
def happy_api(clock: ManualClock) -> Api:
    return Api(Simulator(clock, seed=5, failure_shares=(0, 0, 0)))


def deposit_flow(api: Api, content: bytes, name: str = "facture.pdf", syntax: str = "IN_DP_E2_CII_FACTURX"):
    return api.post(DEPOSIT, {"fichierFlux": base64.b64encode(content).decode(), "nomFichier": name,
                              "syntaxeFlux": syntax, "avecSignature": False})


def wait_for_outcome(api: Api, clock: ManualClock, number: str) -> dict:
    states = []
    for _ in range(10):
        report = api.call(REPORT, {"numeroFluxDepot": number})
        states.append(report["etatCourantDepotFlux"])
        if report["etatCourantDepotFlux"] in ("IN_INTEGRE", "IN_INTEGRE_PARTIEL", "IN_REJETE"):
            report["seen_states"] = states
            return report
        clock.advance(10)
    raise AssertionError(f"flow {number} still at {states[-1]}")


def test_facturx_flow_integrated(happy_api, clock):
    response = deposit_flow(happy_api, facturx_pdf("FX-2026-1", "21151884000015", service="ST"))
    answer = response.json()
    assert response.status_code == 200
    assert answer["codeRetour"] == 0
    assert answer["libelle"] == "GCU_MSG_01_000"
    assert answer["numeroFluxDepot"].startswith("CPP")
    assert len(answer["numeroFluxDepot"]) == 25
    assert answer["syntaxeFlux"] == "IN_DP_E2_CII_FACTURX"
    assert happy_api.call(SEARCH, {"numeroFluxDepot": answer["numeroFluxDepot"]})["listeFactures"] == []

    report = wait_for_outcome(happy_api, clock, answer["numeroFluxDepot"])
    assert report["seen_states"][0] == "IN_RECU"
    assert "IN_EN_COURS_TRAITEMENT_CPP" in report["seen_states"]
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE"
    assert report["listeErreurDP"] == []
    assert report["nomFichier"] == "facture.pdf"

    rows = happy_api.call(SEARCH, {"numeroFluxDepot": answer["numeroFluxDepot"]})["listeFactures"]
    assert len(rows) == 1
    assert rows[0]["numeroFacture"] == "FX-2026-1"
    assert rows[0]["codeServiceExecutant"] == "ST"
    assert rows[0]["statut"] == "DEPOSEE"
    assert rows[0]["montantTTC"] == 600.0
    clock.advance(3600)
    row = happy_api.call(SEARCH, {"numeroFacture": "FX-2026-1"})["listeFactures"][0]
    assert row["statut"] == "MISE_EN_PAIEMENT"


def test_flow_dates_have_millis_and_offset(happy_api, clock):
    number = deposit_flow(happy_api, facturx_pdf("FX-D", "21170753455688")).json()["numeroFluxDepot"]
    report = happy_api.call(REPORT, {"numeroFluxDepot": number})
    assert report["dateDepotFlux"] == "2026-03-02T10:00:00.000+01:00"
    assert report["etatCourantDepotFlux"] == "IN_RECU"


@pytest.mark.parametrize("fields,message_part", [
    ({"buyer_siret": "11111111111111"}, "n'existe pas"),
    ({"buyer_siret": "21151884000015"}, "code service est obligatoire"),
    ({"buyer_siret": "21170753455688", "seller_siret": "99999999800010"}, "identifiant fournisseur"),
    ({"buyer_siret": "21170753455688", "ttc": "700.00"}, "incohérents"),
    ({"buyer_siret": "11822264561642", "engagement": "0000000001"}, "engagement"),
])
def test_facturx_flow_rejected(happy_api, clock, fields, message_part):
    buyer = fields.pop("buyer_siret")
    number = deposit_flow(happy_api, facturx_pdf("FX-BAD", buyer, **fields)).json()["numeroFluxDepot"]
    report = wait_for_outcome(happy_api, clock, number)
    assert report["etatCourantDepotFlux"] == "IN_REJETE"
    error = report["listeErreurDP"][0]
    assert error["numeroDP"] == "FX-BAD"
    assert error["identifiantDestinataire"] == buyer
    assert message_part in error["libelleErreurDP"]
    assert happy_api.call(SEARCH, {"numeroFluxDepot": number})["listeFactures"] == []


def test_archive_partially_integrated(happy_api, clock):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, content in (("a.pdf", facturx_pdf("LOT-1", "21170753455688")),
                              ("b.pdf", facturx_pdf("LOT-2", "84645060900017")),
                              ("c.pdf", facturx_pdf("LOT-3", "21864887166340"))):
            info = tarfile.TarInfo(name)
            info.size = len(content)
            archive.addfile(info, io.BytesIO(content))
    number = deposit_flow(happy_api, buffer.getvalue(), "lot.tar.gz").json()["numeroFluxDepot"]
    report = wait_for_outcome(happy_api, clock, number)
    assert report["etatCourantDepotFlux"] == "IN_INTEGRE_PARTIEL"
    assert [error["numeroDP"] for error in report["listeErreurDP"]] == ["LOT-2"]
    rows = happy_api.call(SEARCH, {"numeroFluxDepot": number})["listeFactures"]
    assert sorted(row["numeroFacture"] for row in rows) == ["LOT-1", "LOT-3"]


def test_duplicate_inside_flow(happy_api, clock):
    first = deposit_flow(happy_api, facturx_pdf("DUP-1", "21170753455688")).json()["numeroFluxDepot"]
    assert wait_for_outcome(happy_api, clock, first)["etatCourantDepotFlux"] == "IN_INTEGRE"
    second = deposit_flow(happy_api, facturx_pdf("DUP-1", "21170753455688")).json()["numeroFluxDepot"]
    report = wait_for_outcome(happy_api, clock, second)
    assert report["etatCourantDepotFlux"] == "IN_REJETE"
    assert "déjà été déposée" in report["listeErreurDP"][0]["libelleErreurDP"]


def test_cii_and_ubl_xml_flows(happy_api, clock):
    cii = deposit_flow(happy_api, cii_xml("CII-1", "21170753455688"), "f.xml", "IN_DP_E1_CII_16B").json()
    ubl_xml = b"""<?xml version="1.0"?>
<Invoice xmlns="urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
 xmlns:cac="urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
 xmlns:cbc="urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2">
 <cbc:ID>UBL-1</cbc:ID><cbc:IssueDate>2026-02-20</cbc:IssueDate><cbc:DocumentCurrencyCode>EUR</cbc:DocumentCurrencyCode>
 <cbc:BuyerReference>MAIRIE</cbc:BuyerReference>
 <cac:AccountingSupplierParty><cac:Party><cac:PartyLegalEntity><cbc:CompanyID>81588139669879</cbc:CompanyID>
 </cac:PartyLegalEntity></cac:Party></cac:AccountingSupplierParty>
 <cac:AccountingCustomerParty><cac:Party><cac:PartyLegalEntity><cbc:CompanyID>21864887166340</cbc:CompanyID>
 </cac:PartyLegalEntity></cac:Party></cac:AccountingCustomerParty>
 <cac:TaxTotal><cbc:TaxAmount currencyID="EUR">20.00</cbc:TaxAmount></cac:TaxTotal>
 <cac:LegalMonetaryTotal><cbc:TaxExclusiveAmount currencyID="EUR">100.00</cbc:TaxExclusiveAmount>
 <cbc:TaxInclusiveAmount currencyID="EUR">120.00</cbc:TaxInclusiveAmount>
 <cbc:PayableAmount currencyID="EUR">120.00</cbc:PayableAmount></cac:LegalMonetaryTotal>
</Invoice>"""
    ubl = deposit_flow(happy_api, ubl_xml, "f.xml", "IN_DP_E1_UBL_INVOICE").json()
    for answer in (cii, ubl):
        assert wait_for_outcome(happy_api, clock, answer["numeroFluxDepot"])["etatCourantDepotFlux"] == "IN_INTEGRE"
    rows = {row["numeroFacture"]: row for row in happy_api.call(SEARCH, {})["listeFactures"]}
    assert rows["CII-1"]["modeDepot"] == "EDI_XML_STRUCT"
    assert rows["UBL-1"]["codeServiceExecutant"] == "MAIRIE"
    assert rows["UBL-1"]["dateFacture"] == "2026-02-20"


def test_unreadable_flow_rejected(happy_api, clock):
    number = deposit_flow(happy_api, b"%PDF-1.4 not really a pdf").json()["numeroFluxDepot"]
    report = wait_for_outcome(happy_api, clock, number)
    assert report["etatCourantDepotFlux"] == "IN_REJETE"
    assert report["listeErreurTechnique"][0]["natureErreur"] == "TECHNIQUE"


def test_facturx_syntax_needs_pdf(happy_api, clock):
    number = deposit_flow(happy_api, cii_xml("X-1", "21170753455688"), "x.xml").json()["numeroFluxDepot"]
    assert wait_for_outcome(happy_api, clock, number)["etatCourantDepotFlux"] == "IN_REJETE"


def test_flow_too_large(happy_api):
    response = deposit_flow(happy_api, b"0" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 400
    assert response.json()["codeRetour"] == 20001
    assert "GDP_MSG_11.022" in response.json()["libelle"]


@pytest.mark.parametrize("body,code", [
    ({"nomFichier": "a.pdf", "syntaxeFlux": "IN_DP_E2_CII_FACTURX"}, 20114),
    ({"fichierFlux": "QQ==", "nomFichier": "a.pdf", "syntaxeFlux": "IN_DP_E9"}, 20118),
    ({"fichierFlux": "@@@", "nomFichier": "a.pdf", "syntaxeFlux": "IN_DP_E2_CII_FACTURX"}, 20002),
])
def test_flow_request_refusals(happy_api, body, code):
    assert happy_api.call(DEPOSIT, body)["codeRetour"] == code


def test_report_unknown_flow(happy_api):
    assert happy_api.call(REPORT, {"numeroFluxDepot": "CPP0"})["codeRetour"] == 20124
    assert happy_api.call(REPORT, {})["codeRetour"] == 20114


def test_shared_samples_rejected_for_unknown_parties(happy_api, clock, shared_dir):
    sample = shared_dir / "samples" / "factur-x" / "correct_Facture_FR_MINIMUM.pdf"
    number = deposit_flow(happy_api, sample.read_bytes(), sample.name).json()["numeroFluxDepot"]
    report = wait_for_outcome(happy_api, clock, number)
    assert report["etatCourantDepotFlux"] == "IN_REJETE"
    assert report["listeErreurDP"][0]["numeroDP"] == "FA-2017-0010"
    assert "99999999800010" in report["listeErreurDP"][0]["libelleErreurDP"]
