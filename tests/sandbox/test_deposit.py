"""`factures/v1/soumettre`: both deposit modes, both attachment shapes, and every refusal."""

from __future__ import annotations

import copy
from datetime import date

import pytest

from .conftest import pdf_body

SUBMIT = "/cpro/factures/v1/soumettre"


@pytest.mark.parametrize("as_list", [False, True])
def test_pdf_deposit_accepts_both_attachment_shapes(api, sim, as_list):
    response = api.post(SUBMIT, pdf_body(api, attachment_as_list=as_list))
    answer = response.json()
    assert response.status_code == 200
    assert answer["codeRetour"] == 0
    assert answer["libelle"] == "GCU_MSG_01_000"
    assert answer["statutFacture"] == "DEPOSEE"
    assert answer["numeroFacture"] == "F-2026-0001"
    assert answer["dateDepot"] == "2026-03-02"
    stored = sim.invoices()
    assert [invoice.id for invoice in stored] == [answer["identifiantFactureCPP"]]
    assert stored[0].attachment_id is not None


def test_saisie_api_generates_number(api, sim):
    body = pdf_body(api)
    body["modeDepot"] = "SAISIE_API"
    del body["numeroFactureSaisi"]
    del body["pieceJointePrincipale"]
    del body["dateFacture"]
    answer = api.call(SUBMIT, body)
    assert answer["codeRetour"] == 0
    assert len(answer["numeroFacture"]) == 20
    assert answer["numeroFacture"].startswith("2026")
    assert sim.invoices()[0].invoice_date == date(2026, 3, 2)


def test_saisie_api_keeps_given_number(api):
    body = pdf_body(api, number="SAISIE-1")
    body["modeDepot"] = "SAISIE_API"
    assert api.call(SUBMIT, body)["numeroFacture"] == "SAISIE-1"


ROUTING_REFUSALS = [
    ("11111111111111", "", "", 20101),  # not in the directory
    ("21400297475342", "", "", 20102),  # inactive commune
    ("11017568420526", "", "1300070000", 20102),  # inactive State structure
    ("84645060900017", "", "", 20103),  # private company
    ("21151884000015", "", "", 20104),  # service code required
    ("21151884000015", "INCONNU", "", 20105),  # service code not in its list
    ("21151884000015", "VOIRIE_OLD", "", 20106),  # inactive service
    ("21170753455688", "FACTURES_PUBLIQUES", "", 20107),  # reserved pseudo-service
    ("21716897084691", "", "", 20108),  # engagement required by the structure
    ("22819331484524", "LABO", "", 20108),  # engagement required by the service
    ("21788093908197", "", "", 20110),  # service or engagement required
    ("11822264561642", "", "9999999999", 20109),  # State structure, unknown engagement
    ("21304118955799", "MAIRIE_ANCIENNE", "", 20106),  # every service inactive
]


@pytest.mark.parametrize("siret,service,engagement,code", ROUTING_REFUSALS)
def test_routing_refusals(api, sim, siret, service, engagement, code):
    response = api.post(SUBMIT, pdf_body(api, siret=siret, service=service, engagement=engagement))
    answer = response.json()
    assert response.status_code == 400
    assert answer["codeRetour"] == code
    assert siret in answer["libelle"] or service in answer["libelle"]
    assert sim.invoices() == []


ROUTING_ACCEPTED = [
    ("21788093908197", "", "EJ-LIBRE-1"),  # either rule, engagement only
    ("21788093908197", "ADMIN", ""),  # either rule, service only
    ("21672731377843", "TRAVAUX", "EJ-42"),  # both required
    ("11822264561642", "", "1300045127"),  # State, known engagement
    ("11252477264729", "DRFIP_IMMO", "2100093210"),  # State, both
    ("26628360561052", "PHARMA", "EJ-CHU-7"),  # hospital, both
    ("21716897084691", "", "EJ-ANY"),  # non-State engagement is not checked
]


@pytest.mark.parametrize("siret,service,engagement", ROUTING_ACCEPTED)
def test_routing_accepted(api, siret, service, engagement):
    answer = api.call(SUBMIT, pdf_body(api, siret=siret, service=service, engagement=engagement))
    assert answer["codeRetour"] == 0, answer


REQUIRED_FIELDS = [
    "numeroFactureSaisi", "dateFacture", "destinataire.codeDestinataire", "fournisseur.idFournisseur",
    "cadreDeFacturation.codeCadreFacturation", "references.deviseFacture", "references.typeFacture",
    "references.typeTva", "montantTotal.montantHtTotal", "montantTotal.montantTVA",
    "montantTotal.montantTtcTotal", "montantTotal.montantAPayer", "modeDepot",
]


@pytest.mark.parametrize("field", REQUIRED_FIELDS)
def test_required_fields(api, field):
    body = pdf_body(api)
    node = body
    *parents, last = field.split(".")
    for part in parents:
        node = node[part]
    del node[last]
    answer = api.call(SUBMIT, body)
    assert answer["codeRetour"] == 20114
    assert field in answer["libelle"]


def test_main_attachment_required(api):
    body = pdf_body(api)
    del body["pieceJointePrincipale"]
    answer = api.call(SUBMIT, body)
    assert answer["codeRetour"] == 20114
    assert "pieceJointePrincipaleId" in answer["libelle"]


def test_main_attachment_must_exist(api):
    body = pdf_body(api)
    body["pieceJointePrincipale"]["pieceJointePrincipaleId"] = 123
    assert api.call(SUBMIT, body)["codeRetour"] == 20115


def test_duplicate_number_same_year(api):
    assert api.call(SUBMIT, pdf_body(api))["codeRetour"] == 0
    answer = api.call(SUBMIT, pdf_body(api, siret="21864887166340"))
    assert answer["codeRetour"] == 20111
    assert "F-2026-0001" in answer["libelle"]


def test_same_number_other_year_is_accepted(api):
    assert api.call(SUBMIT, pdf_body(api))["codeRetour"] == 0
    assert api.call(SUBMIT, pdf_body(api, invoice_date=date(2025, 12, 30)))["codeRetour"] == 0


def test_draft_does_not_block_number(api, sim):
    sim.add_existing_invoice("F-2026-0001", date(2026, 2, 1), "21170753455688", draft=True)
    assert api.call(SUBMIT, pdf_body(api))["codeRetour"] == 0


def test_existing_invoice_blocks_number(api, sim):
    sim.add_existing_invoice("F-2026-0001", date(2026, 1, 5), "21170753455688", status="MANDATEE")
    assert api.call(SUBMIT, pdf_body(api))["codeRetour"] == 20111


def test_future_date_refused(api):
    answer = api.call(SUBMIT, pdf_body(api, invoice_date=date(2026, 3, 3)))
    assert answer["codeRetour"] == 20112
    assert "2026-03-03" in answer["libelle"]


def test_today_is_accepted(api):
    assert api.call(SUBMIT, pdf_body(api, invoice_date=date(2026, 3, 2)))["codeRetour"] == 0


def test_number_equal_to_date_refused(api):
    assert api.call(SUBMIT, pdf_body(api, number="20260302"))["codeRetour"] == 20118


def test_inconsistent_amounts(api):
    answer = api.call(SUBMIT, pdf_body(api, ttc="1250.00"))
    assert answer["codeRetour"] == 20113


def test_vat_lines_must_add_up(api):
    body = pdf_body(api)
    body["ligneTva"] = [{"ligneTvaTauxManuel": 20, "ligneTvaMontantBaseHtParTaux": 600.0,
                         "ligneTvaMontantTvaParTaux": 120.0},
                        {"ligneTvaTauxManuel": 20, "ligneTvaMontantBaseHtParTaux": 300.0,
                         "ligneTvaMontantTvaParTaux": 60.0}]
    answer = api.call(SUBMIT, body)
    assert answer["codeRetour"] == 20113
    assert "ligneTvaMontantBaseHtParTaux" in answer["libelle"]


def test_vat_lines_matching_totals(api):
    body = pdf_body(api)
    body["ligneTva"] = [{"ligneTvaTauxManuel": 20, "ligneTvaMontantBaseHtParTaux": 700.0,
                         "ligneTvaMontantTvaParTaux": 140.0},
                        {"ligneTvaTauxManuel": 20, "ligneTvaMontantBaseHtParTaux": 300.0,
                         "ligneTvaMontantTvaParTaux": 60.01}]
    assert api.call(SUBMIT, body)["codeRetour"] == 0


def test_date_with_time_is_http_500(api, sim):
    body = pdf_body(api)
    body["dateFacture"] = "2026-02-27T00:00:00"
    assert api.post(SUBMIT, body).status_code == 500
    assert sim.invoices() == []


def test_unparsable_date(api):
    body = pdf_body(api)
    body["dateFacture"] = "27/02/2026"
    assert api.call(SUBMIT, body)["codeRetour"] == 20118


@pytest.mark.parametrize("path,value,code", [
    ("fournisseur.idFournisseur", 25800101, 20116),
    ("fournisseur.codeCoordonneesBancairesFournisseur", 1, 20117),
    ("cadreDeFacturation.codeCadreFacturation", "A3_MEMOIRE_JUSTICE", 20118),
    ("cadreDeFacturation.codeCadreFacturation", "A9_FACTURE_SOUSTRAITANT", 20114),
    ("references.typeFacture", "ACOMPTE", 20118),
    ("references.typeTva", "EXONERATION", 20114),
    ("references.modePaiement", "BITCOIN", 20118),
    ("commentaire", "x" * 201, 20118),
    ("references.numeroBonCommande", "E" * 51, 20118),
    ("modeDepot", "DEPOT_PAPIER", 20118),
])
def test_invalid_values(api, path, value, code):
    body = pdf_body(api)
    node = body
    *parents, last = path.split(".")
    for part in parents:
        node = node[part]
    node[last] = value
    assert api.call(SUBMIT, body)["codeRetour"] == code


def test_unknown_complementary_attachment(api):
    body = pdf_body(api)
    body["pieceJointeComplementaire"] = [{"pieceJointeComplementaireId": 77}]
    assert api.call(SUBMIT, body)["codeRetour"] == 20115


def test_invalid_json_body(api):
    response = api.http.post(SUBMIT, content=b"{not json", headers={**api.headers(),
                                                                     "Content-Type": "application/json"})
    assert response.status_code == 400
    assert response.json()["codeRetour"] == 20126


def test_body_not_an_object(api):
    response = api.http.post(SUBMIT, json=[1, 2], headers=api.headers())
    assert response.json()["codeRetour"] == 20126


def test_refusal_leaves_body_untouched(api):
    body = pdf_body(api, siret="84645060900017")
    before = copy.deepcopy(body)
    api.call(SUBMIT, body)
    assert body == before
