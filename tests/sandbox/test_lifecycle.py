"""Invoice life cycle on a ManualClock, corrections (recycler, completer, traiterRejet) and tracking."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from chorus_tui.clock import ManualClock
from chorus_tui.sandbox.simulator import Simulator

from .conftest import Api, pdf_body

SUBMIT = "/cpro/factures/v1/soumettre"
SEARCH = "/cpro/factures/v1/rechercher/fournisseur"
HISTORY = "/cpro/factures/v1/consulter/historique"
CONSULT = "/cpro/factures/v1/consulter/fournisseur"
HAPPY = ["DEPOSEE", "EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION", "SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT"]


@pytest.fixture
def happy_api(clock) -> Api:
    return Api(Simulator(clock, seed=3, failure_shares=(0, 0, 0)))


def deposit(api: Api, number: str, **fields) -> int:
    answer = api.call(SUBMIT, pdf_body(api, number=number, **fields))
    assert answer["codeRetour"] == 0, answer
    return answer["identifiantFactureCPP"]


def deposit_until_fate(api: Api, final_status: str) -> int:
    """Deposit invoices until one is planned to end at `final_status`; return its id."""
    for index in range(80):
        invoice_id = deposit(api, f"FATE-{index:03d}")
        if api.simulator.invoice(invoice_id).plan[-1][0] == final_status:
            return invoice_id
    raise AssertionError(f"no invoice planned to end {final_status} in 80 deposits")


def history_codes(api: Api, invoice_id: int) -> list[str]:
    answer = api.call(HISTORY, {"idFacture": invoice_id,
                                "paramRechercheHistoStatuts": {"nbResultatsParPageListeHistoStatut": 50}})
    return [entry["histoStatutCode"] for entry in answer["historiquesDesStatuts"]["histoStatut"]]


def test_happy_path_in_virtual_time(happy_api, clock):
    invoice_id = deposit(happy_api, "LC-1")
    assert history_codes(happy_api, invoice_id) == ["DEPOSEE"]
    for expected_length in range(2, 7):
        due = happy_api.simulator.invoice(invoice_id).next_step_at
        wait = (due - clock.now()).total_seconds()
        assert 10 <= wait <= 20
        clock.advance(wait - 0.001)
        assert history_codes(happy_api, invoice_id) == HAPPY[:expected_length - 1]
        clock.advance(0.001)
        assert history_codes(happy_api, invoice_id) == HAPPY[:expected_length]
    assert happy_api.simulator.invoice(invoice_id).next_step_at is None
    clock.advance(3600)
    assert history_codes(happy_api, invoice_id) == HAPPY


def test_history_dates_follow_steps(happy_api, clock):
    start = clock.now()
    invoice_id = deposit(happy_api, "LC-2")
    clock.advance(600)
    answer = happy_api.call(HISTORY, {"idFacture": invoice_id})
    entries = answer["historiquesDesStatuts"]["histoStatut"]
    assert answer["statutCourantCode"] == "MISE_EN_PAIEMENT"
    assert entries[0]["histoStatutDatePassage"] == "2026-03-02T10:00:00.000+01:00"
    from datetime import datetime

    moments = [datetime.fromisoformat(entry["histoStatutDatePassage"]) for entry in entries]
    gaps = [(later - earlier).total_seconds() for earlier, later in zip(moments, moments[1:])]
    assert moments[0] == start
    assert all(10 <= gap <= 20 for gap in gaps), gaps


def test_search_reports_current_status(happy_api, clock):
    invoice_id = deposit(happy_api, "LC-3")
    clock.advance(25)
    row = happy_api.call(SEARCH, {"numeroFacture": "LC-3"})["listeFactures"][0]
    assert row["identifiantFactureCPP"] == invoice_id
    assert row["statut"] in ("EN_COURS_ACHEMINEMENT", "MISE_A_DISPOSITION")
    assert row["dateHeureEtatCourant"].startswith("2026-03-02T10:00:")


def test_same_seed_same_timeline():
    timelines = []
    for _ in range(2):
        clock = ManualClock()
        api = Api(Simulator(clock, seed=11))
        ids = [deposit(api, f"SEED-{index}") for index in range(6)]
        clock.advance(500)
        timelines.append([[(h.code, h.at) for h in api.simulator.invoice(i).history] for i in ids])
    assert timelines[0] == timelines[1]


def test_payment_not_reported_stops_at_mandatee(happy_api, clock):
    invoice_id = deposit(happy_api, "LC-4", siret="21864887166340")  # Port-Joliet
    clock.advance(3600)
    assert history_codes(happy_api, invoice_id) == HAPPY[:5]


def test_rejected_invoice_has_reason(api, clock):
    invoice_id = deposit_until_fate(api, "REJETEE")
    clock.advance(3600)
    row = api.call(SEARCH, {"statutCourant": ["REJETEE"]})["listeFactures"]
    mine = [item for item in row if item["identifiantFactureCPP"] == invoice_id][0]
    assert mine["commentaireEtatCourant"]
    assert mine["rejetTraite"] is False
    history = api.call(HISTORY, {"idFacture": invoice_id})["historiquesDesStatuts"]["histoStatut"]
    assert history[-1]["histoStatutCode"] == "REJETEE"
    assert history[-1]["histoStatutCommentaire"] == mine["commentaireEtatCourant"]


def test_handle_rejection(api, clock):
    invoice_id = deposit_until_fate(api, "REJETEE")
    clock.advance(3600)
    answer = api.call("/cpro/factures/v1/traiterRejet", {"listeDemandePaiement": [{"idDemandePaiement": invoice_id}]})
    assert answer["codeRetour"] == 0
    row = api.call(SEARCH, {"identifiantFactureCPP": invoice_id, "rejetTraite": True})["listeFactures"]
    assert [item["identifiantFactureCPP"] for item in row] == [invoice_id]
    actions = api.call(HISTORY, {"idFacture": invoice_id})["historiquesDesActionsUtilisateurs"]["histoAction"]
    assert [action["histoActionCode"] for action in actions] == ["TRAITEMENT_REJET"]


def test_handle_rejection_refused_when_not_rejected(happy_api):
    invoice_id = deposit(happy_api, "LC-5")
    answer = happy_api.call("/cpro/factures/v1/traiterRejet",
                            {"listeDemandePaiement": [{"idDemandePaiement": invoice_id}]})
    assert answer["codeRetour"] == 20121


def test_suspended_then_completed(api, clock):
    invoice_id = deposit_until_fate(api, "SUSPENDUE")
    clock.advance(3600)
    assert history_codes(api, invoice_id)[-1] == "SUSPENDUE"
    extra = api.upload(b"bon de livraison", "bon-livraison.pdf")
    answer = api.call("/cpro/factures/v1/completer", {
        "identifiantFactureCPP": invoice_id, "commentaire": "Bon de livraison joint",
        "pieceJointeComplementaire": [{"pieceJointeComplementaireId": extra,
                                       "pieceJointeComplementaireDesignation": "BL",
                                       "pieceJointeComplementaireType": "BON_LIVRAISON"}]})
    assert answer["codeRetour"] == 0
    assert answer["dateTraitement"].startswith("2026-03-02T")
    assert history_codes(api, invoice_id)[-1] == "COMPLETEE"
    clock.advance(3600)
    assert history_codes(api, invoice_id)[-5:] == ["COMPLETEE", "MISE_A_DISPOSITION", "SERVICE_FAIT", "MANDATEE",
                                                  "MISE_EN_PAIEMENT"]
    consult = api.call(CONSULT, {"identifiantFactureCPP": invoice_id})
    assert consult["facture"]["listeDesPiecesJointes"]["pieceJointe"][0]["pieceJointeId"] == extra


def test_complete_refused_unless_suspended(happy_api):
    invoice_id = deposit(happy_api, "LC-6")
    assert happy_api.call("/cpro/factures/v1/completer", {"identifiantFactureCPP": invoice_id})["codeRetour"] == 20121


def test_to_recycle_then_recycled(api, clock):
    invoice_id = deposit_until_fate(api, "A_RECYCLER")
    clock.advance(3600)
    assert history_codes(api, invoice_id)[-1] == "A_RECYCLER"
    bad = api.call("/cpro/factures/v1/recycler", {"identifiantFactureCPP": invoice_id,
                                                  "destinataire": {"codeDestinataire": "21151884000015"}})
    assert bad["codeRetour"] == 20104
    answer = api.call("/cpro/factures/v1/recycler", {
        "identifiantFactureCPP": invoice_id,
        "destinataire": {"codeDestinataire": "21151884000015", "codeServiceExecutant": "ST"},
        "reference": {"numeroBonCommande": "EJ-77"}})
    assert answer["codeRetour"] == 0
    assert answer["statutFacture"] == "EN_COURS_ACHEMINEMENT"
    clock.advance(3600)
    invoice = api.simulator.invoice(invoice_id)
    assert invoice.status == "MISE_EN_PAIEMENT"
    assert invoice.recipient_siret == "21151884000015"
    assert invoice.service_code == "ST"
    assert invoice.engagement == "EJ-77"


def test_recycle_refused_unless_to_recycle(happy_api):
    invoice_id = deposit(happy_api, "LC-7")
    answer = happy_api.call("/cpro/factures/v1/recycler", {"identifiantFactureCPP": invoice_id})
    assert answer["codeRetour"] == 20121


def test_set_status_control(happy_api, clock):
    invoice_id = deposit(happy_api, "LC-8")
    happy_api.simulator.set_status(invoice_id, "SUSPENDUE", "Pièce manquante")
    clock.advance(3600)
    row = happy_api.call(SEARCH, {"numeroFacture": "LC-8"})["listeFactures"][0]
    assert row["statut"] == "SUSPENDUE"
    assert row["commentaireEtatCourant"] == "Pièce manquante"
    happy_api.simulator.set_status(invoice_id, "SERVICE_FAIT")
    clock.advance(3600)
    assert history_codes(happy_api, invoice_id)[-3:] == ["SERVICE_FAIT", "MANDATEE", "MISE_EN_PAIEMENT"]


def test_set_status_unknown_invoice(happy_api):
    with pytest.raises(KeyError):
        happy_api.simulator.set_status(1, "REJETEE")


def test_existing_invoice_visible_and_static(happy_api, clock):
    sim = happy_api.simulator
    existing = sim.add_existing_invoice("OLD-2025-9", date(2025, 11, 3), "22778768604576", status="MANDATEE",
                                        amount="480.00", service_code="ROUTES")
    draft = sim.add_existing_invoice("DRAFT-1", date(2026, 2, 1), "21170753455688", draft=True)
    clock.advance(3600)
    rows = {row["identifiantFactureCPP"]: row for row in happy_api.call(SEARCH, {})["listeFactures"]}
    assert rows[existing]["statut"] == "MANDATEE"
    assert rows[existing]["montantTTC"] == 480.0
    assert rows[existing]["codeServiceExecutant"] == "ROUTES"
    assert rows[draft]["statut"] == "BROUILLON"


def test_existing_invoice_can_follow_life_cycle(happy_api, clock):
    existing = happy_api.simulator.add_existing_invoice("OLD-2", date(2026, 1, 3), "21170753455688",
                                                        status="MISE_A_DISPOSITION", follow_life_cycle=True)
    clock.advance(3600)
    assert happy_api.simulator.invoice(existing).status == "MISE_EN_PAIEMENT"


def test_search_paging_walk(happy_api):
    ids = [deposit(happy_api, f"PAGE-{index:02d}") for index in range(23)]
    seen = []
    page = 1
    while True:
        answer = happy_api.call(SEARCH, {"rechercheFactureParFournisseur": {"pageResultatDemandee": page}})
        paging = answer["parametresRetour"]
        assert paging["nbResultatsParPage"] == 10
        assert paging["total"] == 23
        assert paging["pages"] == 3
        seen += [row["identifiantFactureCPP"] for row in answer["listeFactures"]]
        if page >= paging["pages"]:
            break
        page += 1
    assert seen == ids
    beyond = happy_api.call(SEARCH, {"rechercheFactureParFournisseur": {"pageResultatDemandee": 4}})
    assert beyond["listeFactures"] == []


def test_search_sort_descending(happy_api):
    for index in range(3):
        deposit(happy_api, f"SORT-{index}")
    answer = happy_api.call(SEARCH, {"rechercheFactureParFournisseur": {"triColonne": "NumeroFacture",
                                                                        "triSens": "Descendant"}})
    assert [row["numeroFacture"] for row in answer["listeFactures"]] == ["SORT-2", "SORT-1", "SORT-0"]


def test_search_filters(happy_api, clock):
    first = deposit(happy_api, "FIL-1", invoice_date=date(2026, 1, 15))
    clock.advance(3600)
    second = deposit(happy_api, "FIL-2", invoice_date=date(2026, 2, 20), siret="21864887166340")
    clock.advance(15)

    def found(body):
        return [row["identifiantFactureCPP"] for row in happy_api.call(SEARCH, body)["listeFactures"]]

    assert found({"numeroFacture": "FIL-2"}) == [second]
    assert found({"statutCourant": ["MISE_EN_PAIEMENT"]}) == [first]
    assert found({"statutCourant": ["DEPOSEE", "EN_COURS_ACHEMINEMENT"]}) == [second]
    assert found({"periodeDateFactureDu": "2026-02-01", "periodeDateFactureAu": "2026-02-28"}) == [second]
    assert found({"periodeDateDepotDu": "2026-03-02", "periodeDateDepotAu": "2026-03-02"}) == [first, second]
    assert found({"periodeDateDepotAu": "2026-03-01"}) == []
    window_start = (clock.now() - timedelta(seconds=60)).isoformat()
    assert found({"periodeDateHeureEtatCourantDu": window_start}) == [second]
    assert found({"listeDestinataire": [{"idDestinataire": 25800107}]}) == [second]
    assert found({"montantTTCMin": 1000, "montantTTCMax": 1300}) == [first, second]
    assert found({"montantTTCMin": 5000}) == []
    assert found({"modeDepot": "SAISIE_API"}) == []
    assert found({"typeFacture": "FACTURE"}) == [first, second]


def test_search_invalid_period(happy_api):
    assert happy_api.call(SEARCH, {"periodeDateDepotDu": "hier"})["codeRetour"] == 20118


def test_consult_invoice(happy_api):
    invoice_id = deposit(happy_api, "CONS-1", service="", engagement="")
    answer = happy_api.call(CONSULT, {"identifiantFactureCPP": invoice_id})
    facture = answer["facture"]
    assert facture["numeroFacture"] == "CONS-1"
    assert facture["statutFacture"] == "DEPOSEE"
    assert facture["references"]["dateFacture"] == "2026-02-27"
    assert facture["montantTotal"]["montantTtcTotal"] == 1200.0
    assert facture["destinataire"]["codeDestinataire"] == "21170753455688"
    assert facture["pieceJointePrincipale"]["idPieceJointePrincipale"] > 0


@pytest.mark.parametrize("path,key", [(CONSULT, "identifiantFactureCPP"), (HISTORY, "idFacture"),
                                      ("/cpro/factures/v1/recycler", "identifiantFactureCPP"),
                                      ("/cpro/factures/v1/completer", "identifiantFactureCPP")])
def test_unknown_invoice(happy_api, path, key):
    assert happy_api.call(path, {key: 123})["codeRetour"] == 20120
    assert happy_api.call(path, {})["codeRetour"] == 20114


def test_history_paging(happy_api, clock):
    invoice_id = deposit(happy_api, "HIST-1")
    clock.advance(3600)
    answer = happy_api.call(HISTORY, {"idFacture": invoice_id, "paramRechercheHistoStatuts": {
        "nbResultatsParPageListeHistoStatut": 4, "pageResultatDemandeeListeHistoStatut": 2,
        "triSensListeHistoStatut": "Descendant"}})
    history = answer["historiquesDesStatuts"]
    assert history["totalHistoStatut"] == 6
    assert history["pagesHistoStatut"] == 2
    assert [entry["histoStatutCode"] for entry in history["histoStatut"]] == ["EN_COURS_ACHEMINEMENT", "DEPOSEE"]
