"""Transverses, Utilisateurs and Engagements endpoints, checked against the reference's field names."""

from __future__ import annotations

import base64

import pytest

from chorus_tui.sandbox.directory import DEMO_SUPPLIER

# Endpoint, list key, {field: type} of each entry. The field names come from the Chorus Pro API
# reference used by the project (§3 and §5.4); tauxtva's values are numbers.
LIST_ENDPOINTS = [
    ("/cpro/transverses/v1/recuperer/structures/actives/fournisseur", "listeStructures",
     {"idStructureCPP": int, "identifiant": str, "designationStructure": str}),
    ("/cpro/transverses/v1/recuperer/tauxtva", "listeTauxTva",
     {"codeTauxTva": str, "libelleTauxTva": str, "valeurTauxTva": (int, float)}),
    ("/cpro/transverses/v1/recuperer/motifs/exonerationtva", "listeMotifsExonerationTva",
     {"codeMotifExonerationTva": str, "libelleMotifExonerationTva": str}),
    ("/cpro/transverses/v1/recuperer/modereglements", "listeModePaiement", {"modePaiement": str}),
    ("/cpro/transverses/v1/recuperer/devises", "listeDevises", {"codeDevise": str, "libelleDevise": str}),
]


@pytest.mark.parametrize("path,key,fields", LIST_ENDPOINTS)
def test_reference_lists(api, path, key, fields):
    answer = api.call(path, {"codeLangue": "FR"})
    assert answer["codeRetour"] == 0
    assert isinstance(answer["libelle"], str)
    assert answer[key]
    for entry in answer[key]:
        for name, expected in fields.items():
            assert isinstance(entry[name], expected), (name, entry)


def test_payment_modes_match_enum(api):
    answer = api.call("/cpro/transverses/v1/recuperer/modereglements")
    modes = {entry["modePaiement"] for entry in answer["listeModePaiement"]}
    assert modes == {"CHEQUE", "PRELEVEMENT", "VIREMENT", "ESPECE", "AUTRE", "REPORT"}


def test_bank_accounts_of_supplier(api):
    answer = api.call("/cpro/transverses/v1/recuperer/coordbanc/valides",
                      {"idStructure": DEMO_SUPPLIER.id_structure_cpp})
    assert answer["codeRetour"] == 0
    assert answer["listeCoordonneeBancaire"] == [{"idCoordonneeBancaire": 4107,
                                                  "nomCoordonneeBancaire": "Compte courant Atelier Verdier"}]
    for name in ("pageCourante", "pages", "nbResultatsParPage", "total"):
        assert isinstance(answer[name], int)


def test_bank_accounts_of_other_structure(api):
    answer = api.call("/cpro/transverses/v1/recuperer/coordbanc/valides", {"idStructure": 25800101})
    assert answer["codeRetour"] == 20116


def test_health_check_is_get(api):
    response = api.http.get("/cpro/transverses/v1/health-check", headers=api.headers())
    assert response.status_code == 200
    assert response.json()["statusCodeValue"] == 200


def test_user_attachments(api):
    answer = api.call("/cpro/utilisateurs/v1/monCompte/recuperer/rattachements",
                      {"parametresRecherche": {"nbResultatsParPage": 10, "pageResultatDemandee": 1}})
    assert answer["codeRetour"] == 0
    entry = answer["listeStructureRattachement"][0]
    fields = {"idStructure": int, "identifiantStructure": str, "designationStructure": str,
              "typeIdentifiantStructure": str, "roleUtilisateur": str, "statutRattachementStructure": str,
              "statutUtilisateur": str, "idRattachementStructure": int, "listeServicesRattache": list}
    for name, expected in fields.items():
        assert isinstance(entry[name], expected), name
    assert entry["idStructure"] == DEMO_SUPPLIER.id_structure_cpp
    assert answer["parametresRetour"]["total"] == 1


def test_engagement_found(api):
    answer = api.call("/cpro/engagementsJuridiques/v1/rechercher", {
        "structureReceptriceEngagementJuridique": str(DEMO_SUPPLIER.id_structure_cpp),
        "numeroEngagementJuridique": "1300045127", "etatCourantEngagementJuridique": "COMMANDE"})
    assert answer["codeRetour"] == 0
    assert len(answer["listeEngagementJuridique"]) == 1
    assert answer["listeEngagementJuridique"][0]["numeroEngagementJuridique"] == "1300045127"


def test_engagement_unknown_is_empty(api):
    answer = api.call("/cpro/engagementsJuridiques/v1/rechercher", {
        "structureReceptriceEngagementJuridique": str(DEMO_SUPPLIER.id_structure_cpp),
        "numeroEngagementJuridique": "9999999999"})
    assert answer["listeEngagementJuridique"] == []


def test_engagement_of_other_supplier_is_empty(api):
    answer = api.call("/cpro/engagementsJuridiques/v1/rechercher", {
        "structureReceptriceEngagementJuridique": "123", "numeroEngagementJuridique": "1300045127"})
    assert answer["listeEngagementJuridique"] == []


def _upload(api, content: bytes, name: str = "piece.pdf", extension: str = "PDF"):
    return api.post("/cpro/transverses/v1/ajouter/fichier", {
        "pieceJointeFichier": base64.b64encode(content).decode(), "pieceJointeNom": name,
        "pieceJointeTypeMime": "application/pdf", "pieceJointeExtension": extension})


def test_upload_attachment(api, sim):
    response = _upload(api, b"%PDF-1.4 content")
    answer = response.json()
    assert response.status_code == 200
    assert answer["codeRetour"] == 0
    assert answer["libelle"] == "GCU_MSG_01_000"
    stored = sim.ledger.files[answer["pieceJointeId"]]
    assert stored.size == len(b"%PDF-1.4 content")
    assert len(stored.sha256) == 64


def test_upload_too_large(api):
    response = _upload(api, b"0" * (10 * 1024 * 1024 + 1))
    assert response.status_code == 400
    assert response.json()["codeRetour"] == 20003


def test_upload_exactly_ten_megabytes(api):
    assert _upload(api, b"0" * (10 * 1024 * 1024)).json()["codeRetour"] == 0


@pytest.mark.parametrize("name,extension", [("x" * 47 + ".pdf", "PDF"), ("sans-extension", "PDF"),
                                            ("programme.exe", "EXE")])
def test_upload_bad_names(api, name, extension):
    assert _upload(api, b"data", name, extension).json()["codeRetour"] == 20125


def test_upload_missing_content(api):
    answer = api.call("/cpro/transverses/v1/ajouter/fichier", {"pieceJointeNom": "a.pdf"})
    assert answer["codeRetour"] == 20114
    assert "pieceJointeFichier" in answer["libelle"]


def test_upload_bad_base64(api):
    answer = api.call("/cpro/transverses/v1/ajouter/fichier", {
        "pieceJointeFichier": "***", "pieceJointeNom": "a.pdf", "pieceJointeTypeMime": "application/pdf",
        "pieceJointeExtension": "PDF"})
    assert answer["codeRetour"] == 20118
