"""Every Factures and Structures response of the simulator validated against AIFE's Swagger schemas."""

from __future__ import annotations

import base64
import json
from datetime import date

import httpx
import pytest

from chorus_tui.clock import ManualClock
from chorus_tui.sandbox.directory import DEMO_SUPPLIER, STRUCTURES_BY_SIRET
from chorus_tui.sandbox.simulator import Simulator
from tests.openapi_schema import SwaggerSchemas

from .conftest import Api, pdf_body
from .facturx_builder import facturx_pdf

SWAGGER_BASES = ("/cpro/factures", "/cpro/structures")


class RecordingApi(Api):
    """An Api whose every exchange is kept as (path, status, request body, response body)."""

    def __init__(self, simulator: Simulator) -> None:
        self.exchanges: list[tuple[str, int, object, object]] = []

        def record(request: httpx.Request) -> httpx.Response:
            response = simulator.handle(request)
            sent = json.loads(request.content) if request.headers.get("Content-Type", "").startswith(
                "application/json") and request.content else None
            self.exchanges.append((request.url.path, response.status_code, sent, response.content))
            return response

        self.simulator = simulator
        self.http = httpx.Client(transport=httpx.MockTransport(record), base_url="http://simulator.invalid")
        self.token = self.new_token()


def run_scenario(api: RecordingApi, clock: ManualClock) -> None:
    """Call every Factures and Structures operation the simulator serves, with success and refusals."""
    region = STRUCTURES_BY_SIRET["20059972879292"]
    hospital = STRUCTURES_BY_SIRET["26628360561052"]
    api.call("/cpro/structures/v1/rechercher", {"structure": {"identifiantStructure": region.siret,
                                                              "typeIdentifiantStructure": "SIRET"}})
    api.call("/cpro/structures/v1/rechercher", {"structure": {"libelleStructure": "commune"},
                                                "parametres": {"nbResultatsParPage": 3, "pageResultatDemandee": 2}})
    api.call("/cpro/structures/v1/consulter", {"idStructureCPP": hospital.id_structure_cpp, "codeLangue": "fr"})
    api.call("/cpro/structures/v1/consulter", {"idStructureCPP": DEMO_SUPPLIER.id_structure_cpp})
    api.call("/cpro/structures/v1/consulter", {"idStructureCPP": 1})
    api.call("/cpro/structures/v1/rechercher/services", {"idStructure": region.id_structure_cpp,
                                                         "parametresRechercherServicesStructure": {
                                                             "pageResultatDemandee": 3}})
    for service in hospital.services[:3]:
        api.call("/cpro/structures/v1/consulter/service", {"idStructure": hospital.id_structure_cpp,
                                                           "idService": service.id})
    inactive_service = next(s for s in hospital.services if not s.active)
    api.call("/cpro/structures/v1/consulter/service", {"idStructure": hospital.id_structure_cpp,
                                                       "idService": inactive_service.id})

    ids = []
    for index in range(12):
        answer = api.call("/cpro/factures/v1/soumettre", pdf_body(api, number=f"CONF-{index:02d}"))
        ids.append(answer["identifiantFactureCPP"])
    api.call("/cpro/factures/v1/soumettre", pdf_body(api, number="CONF-00"))  # duplicate
    saisie = pdf_body(api, number="CONF-S")
    saisie["modeDepot"] = "SAISIE_API"
    saisie["lignePoste"] = [{"lignePosteNumero": 1, "lignePosteDenomination": "Maintenance",
                             "lignePosteQuantite": 1, "lignePosteMontantUnitaireHT": 1000.0,
                             "lignePosteTauxTvaManuel": 20}]
    api.call("/cpro/factures/v1/soumettre", saisie)
    flow = api.call("/cpro/factures/v1/deposer/flux", {
        "fichierFlux": base64.b64encode(facturx_pdf("CONF-FX", "21170753455688")).decode(),
        "nomFichier": "conf.pdf", "syntaxeFlux": "IN_DP_E2_CII_FACTURX", "avecSignature": False})
    clock.advance(3000)  # less than the token lifetime, so no call returns HTTP 401
    api.simulator.add_existing_invoice("CONF-OLD", date(2025, 6, 1), "21170753455688", status="REJETEE",
                                       comment="Montant erroné")
    api.simulator.set_status(ids[1], "A_RECYCLER", "Service destinataire erroné.")
    api.simulator.set_status(ids[2], "SUSPENDUE", "Bon de livraison manquant.")
    api.call("/cpro/factures/v1/rechercher/fournisseur", {"numeroFluxDepot": flow["numeroFluxDepot"]})
    api.call("/cpro/factures/v1/rechercher/fournisseur", {"rechercheFactureParFournisseur": {
        "pageResultatDemandee": 2, "nbResultatsParPage": 5, "triColonne": "DateDepot", "triSens": "Descendant"}})
    for invoice in api.simulator.invoices():
        api.call("/cpro/factures/v1/consulter/fournisseur", {"identifiantFactureCPP": invoice.id})
        api.call("/cpro/factures/v1/consulter/historique", {"idFacture": invoice.id})
        if invoice.status == "A_RECYCLER":
            api.call("/cpro/factures/v1/recycler", {"identifiantFactureCPP": invoice.id,
                                                    "destinataire": {"codeDestinataire": "21170753455688"}})
        if invoice.status == "SUSPENDUE":
            api.call("/cpro/factures/v1/completer", {"identifiantFactureCPP": invoice.id, "commentaire": "Joint"})
        if invoice.status == "REJETEE":
            api.call("/cpro/factures/v1/traiterRejet", {"listeDemandePaiement": [{"idDemandePaiement": invoice.id}]})
            api.call("/cpro/factures/v1/consulter/historique", {"idFacture": invoice.id})
    api.call("/cpro/factures/v1/recycler", {"identifiantFactureCPP": ids[0]})
    api.call("/cpro/factures/v1/completer", {"identifiantFactureCPP": 1})


@pytest.fixture(scope="module")
def exchanges():
    clock = ManualClock()
    api = RecordingApi(Simulator(clock, seed=7))
    run_scenario(api, clock)
    return api.exchanges


@pytest.fixture(scope="module")
def schemas(shared_dir):
    return SwaggerSchemas.from_dir(shared_dir / "openapi")


def test_scenario_covers_every_served_operation(exchanges):
    served = {path for path, *_ in exchanges if path.startswith(SWAGGER_BASES)}
    expected = {
        "/cpro/structures/v1/rechercher", "/cpro/structures/v1/consulter", "/cpro/structures/v1/rechercher/services",
        "/cpro/structures/v1/consulter/service", "/cpro/factures/v1/soumettre", "/cpro/factures/v1/deposer/flux",
        "/cpro/factures/v1/rechercher/fournisseur", "/cpro/factures/v1/consulter/fournisseur",
        "/cpro/factures/v1/consulter/historique", "/cpro/factures/v1/recycler", "/cpro/factures/v1/completer",
        "/cpro/factures/v1/traiterRejet",
    }
    assert served == expected
    statuses = {status for path, status, *_ in exchanges if path.startswith(SWAGGER_BASES)}
    assert statuses == {200, 400}
    succeeded = {path for path, status, *_ in exchanges if status == 200}
    assert expected <= succeeded


def test_responses_match_swagger(exchanges, schemas):
    checked = 0
    for path, status, _, content in exchanges:
        if not path.startswith(SWAGGER_BASES):
            continue
        body = json.loads(content)
        schemas.validate_response(path, status, body)
        assert isinstance(body["codeRetour"], int), path
        assert isinstance(body["libelle"], str), path
        checked += 1
    assert checked > 60


def test_refusals_carry_code_and_label(exchanges):
    refusals = [json.loads(content) for path, status, _, content in exchanges
                if path.startswith(SWAGGER_BASES) and status == 400]
    assert len(refusals) >= 3
    for body in refusals:
        assert body["codeRetour"] != 0
        assert body["libelle"]


def test_test_requests_match_swagger(exchanges, schemas):
    for path, _, sent, _ in exchanges:
        if not path.startswith(SWAGGER_BASES) or sent is None:
            continue
        schemas.validate_request(path, sent, strict=True)


def test_validator_catches_wrong_types(schemas):
    import jsonschema

    with pytest.raises(jsonschema.ValidationError):
        schemas.validate_response("/v1/soumettre", 200, {"codeRetour": "0", "libelle": "x"})
    with pytest.raises(jsonschema.ValidationError):
        schemas.validate_response("/cpro/factures/v1/rechercher/fournisseur", 200,
                                  {"codeRetour": 0, "libelle": "x", "listeFactures": [{"montantHT": "12"}]})
    with pytest.raises(jsonschema.ValidationError):
        schemas.validate_request("/v1/rechercher/fournisseur",
                                 {"rechercheFactureParFournisseur": {"triSense": "Ascendant"}}, strict=True)
    schemas.validate_request("/v1/rechercher/fournisseur", {"rechercheFactureParFournisseur": {"triSens": "Ascendant"}},
                             strict=True)
    with pytest.raises(KeyError, match="not in the Swagger"):
        schemas.validate_response("/v1/unknown", 200, {})
