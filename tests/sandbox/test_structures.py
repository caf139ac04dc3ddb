"""Structures endpoints: search, consult (both request keys), services with paging, one service."""

from __future__ import annotations

import pytest

from chorus_tui.sandbox.directory import DEMO_SUPPLIER, STRUCTURES_BY_SIRET

SEARCH = "/cpro/structures/v1/rechercher"
CONSULT = "/cpro/structures/v1/consulter"
SERVICES = "/cpro/structures/v1/rechercher/services"
SERVICE = "/cpro/structures/v1/consulter/service"

REGION = STRUCTURES_BY_SIRET["20059972879292"]  # 25 services
ASSIGNED_HOSPITAL = STRUCTURES_BY_SIRET["26628360561052"]


def test_search_by_siret(api):
    answer = api.call(SEARCH, {"structure": {"identifiantStructure": "21294055516987",
                                             "typeIdentifiantStructure": "SIRET"}})
    assert answer["codeRetour"] == 0
    assert answer["parametresRetour"]["total"] == 1
    hit = answer["listeStructures"][0]
    assert hit == {"idStructureCPP": 25800103, "identifiantStructure": "21294055516987",
                   "designationStructure": "Ville de Montclair", "typeIdentifiantStructure": "SIRET",
                   "statut": "ACTIVE"}


def test_search_unknown_siret_is_empty(api):
    answer = api.call(SEARCH, {"structure": {"identifiantStructure": "11111111111111"}})
    assert answer["codeRetour"] == 0
    assert answer["listeStructures"] == []
    assert answer["parametresRetour"]["total"] == 0


def test_search_finds_supplier_itself(api):
    answer = api.call(SEARCH, {"structure": {"identifiantStructure": DEMO_SUPPLIER.siret}})
    assert answer["listeStructures"][0]["idStructureCPP"] == DEMO_SUPPLIER.id_structure_cpp


def test_search_inactive_status(api):
    answer = api.call(SEARCH, {"structure": {"identifiantStructure": "21400297475342"}})
    assert answer["listeStructures"][0]["statut"] == "INACTIVE"


def test_search_restricts_private(api):
    answer = api.call(SEARCH, {"structure": {"identifiantStructure": "84645060900017"},
                               "restreindreStructuresPrivees": True})
    assert answer["listeStructures"] == []


def test_search_paging_walk(api):
    seen = []
    page = 1
    while True:
        answer = api.call(SEARCH, {"structure": {"libelleStructure": "montclair"},
                                   "parametres": {"nbResultatsParPage": 2, "pageResultatDemandee": page,
                                                  "triColonne": "DesignationStructure", "triSens": "Ascendant"}})
        seen += [hit["designationStructure"] for hit in answer["listeStructures"]]
        assert answer["parametresRetour"]["pageCourante"] == page
        if page >= answer["parametresRetour"]["pages"]:
            break
        page += 1
    assert len(seen) == answer["parametresRetour"]["total"]
    assert seen == sorted(seen)
    assert len(seen) >= 5


@pytest.mark.parametrize("key", ["idStructureCPP", "idStructure"])
def test_consult_accepts_both_keys(api, key):
    answer = api.call(CONSULT, {key: ASSIGNED_HOSPITAL.id_structure_cpp, "codeLangue": "fr"})
    assert answer["codeRetour"] == 0
    assert answer["parametres"]["codeServiceDoitEtreRenseigne"] is True
    assert answer["parametres"]["numeroEJDoitEtreRenseigne"] is True
    assert answer["parametres"]["gestionNumeroEJOuCodeService"] is False
    assert answer["informationGenerales"]["identifiantStructure"] == ASSIGNED_HOSPITAL.siret
    assert answer["informationGenerales"]["structurePriveePublique"] == "PUBLIQUE"


def test_consult_supplier_gives_password_expiry(api):
    answer = api.call(CONSULT, {"idStructureCPP": DEMO_SUPPLIER.id_structure_cpp})
    assert answer["informationGenerales"]["dateExpirationMotPasseCompteTech"] == "2027-10-01T00:00:00.000+02:00"


def test_consult_unknown_structure(api):
    response = api.post(CONSULT, {"idStructureCPP": 1})
    assert response.status_code == 400
    assert response.json()["codeRetour"] == 20122


def test_consult_requires_identifier(api):
    assert api.call(CONSULT, {})["codeRetour"] == 20114


def test_consult_rejects_text_identifier(api):
    assert api.call(CONSULT, {"idStructureCPP": "abc"})["codeRetour"] == 20118


def test_services_default_page_is_ten(api):
    answer = api.call(SERVICES, {"idStructure": REGION.id_structure_cpp})
    assert len(answer["listeServices"]) == 10
    assert answer["parametresRetour"] == {"pageCourante": 1, "pages": 3, "nbResultatsParPage": 10, "total": 25}


def test_services_paging_walk(api):
    codes = []
    for page in (1, 2, 3):
        answer = api.call(SERVICES, {"idStructure": REGION.id_structure_cpp,
                                     "parametresRechercherServicesStructure": {"pageResultatDemandee": page}})
        codes += [service["codeService"] for service in answer["listeServices"]]
    assert codes == [service.code for service in REGION.services]
    inactive = [s for s in answer["listeServices"] if not s["estActif"]]
    assert inactive
    assert inactive[0]["statutService"] == "INACTIF"


def test_services_unknown_structure(api):
    assert api.call(SERVICES, {"idStructure": 42})["codeRetour"] == 20122


def test_consult_service_engagement_flag(api):
    service = ASSIGNED_HOSPITAL.service_by_code("PHARMA")
    answer = api.call(SERVICE, {"idStructure": ASSIGNED_HOSPITAL.id_structure_cpp, "idService": service.id})
    assert answer["codeRetour"] == 0
    assert answer["informationsGenerales"]["codeService"] == "PHARMA"
    assert answer["parametres"]["numeroEngagement"] is True
    other = ASSIGNED_HOSPITAL.service_by_code("ACHATS")
    answer = api.call(SERVICE, {"idStructure": ASSIGNED_HOSPITAL.id_structure_cpp, "idService": other.id})
    assert answer["parametres"]["numeroEngagement"] is False


def test_consult_service_of_other_structure(api):
    service = REGION.services[0]
    answer = api.call(SERVICE, {"idStructure": ASSIGNED_HOSPITAL.id_structure_cpp, "idService": service.id})
    assert answer["codeRetour"] == 20123
