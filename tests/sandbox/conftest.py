"""Fixtures for the simulator tests: a manual clock, a simulator and an authenticated API client."""

from __future__ import annotations

import base64
from datetime import date
from decimal import Decimal
from typing import Any

import httpx
import pytest

from chorus_tui.clock import ManualClock
from chorus_tui.sandbox.directory import DEMO_SUPPLIER
from chorus_tui.sandbox.simulator import Simulator

ACCOUNT_HEADER = base64.b64encode(b"TECH_1_81588139669879@cpro.fr:secret-password").decode()


class Api:
    """An httpx client on the simulator's transport that sends the token and `cpro-account` headers."""

    def __init__(self, simulator: Simulator) -> None:
        self.simulator = simulator
        self.http = httpx.Client(transport=simulator.transport(), base_url="http://simulator.invalid")
        self.token = self.new_token()

    def new_token(self) -> str:
        response = self.http.post("/api/oauth/token", data={
            "grant_type": "client_credentials", "client_id": "app-id", "client_secret": "app-secret",
            "scope": "openid"})
        assert response.status_code == 200, response.text
        return response.json()["access_token"]

    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", "cpro-account": ACCOUNT_HEADER}

    def post(self, path: str, body: dict[str, Any] | None = None) -> httpx.Response:
        """POST with the current token, and once more with a new token after an HTTP 401 (expiry)."""
        response = self.http.post(path, json=body if body is not None else {}, headers=self.headers())
        if response.status_code == 401 and "invalid_token" in response.headers.get("WWW-Authenticate", ""):
            self.token = self.new_token()
            response = self.http.post(path, json=body if body is not None else {}, headers=self.headers())
        return response

    def call(self, path: str, body: dict[str, Any] | None = None) -> dict[str, Any]:
        """POST and return the JSON answer, whatever its HTTP status."""
        return self.post(path, body).json()

    def upload(self, content: bytes = b"%PDF-1.4 simulated invoice", name: str = "facture.pdf") -> int:
        answer = self.call("/cpro/transverses/v1/ajouter/fichier", {
            "pieceJointeFichier": base64.b64encode(content).decode(), "pieceJointeNom": name,
            "pieceJointeTypeMime": "application/pdf", "pieceJointeExtension": "PDF"})
        assert answer["codeRetour"] == 0, answer
        return answer["pieceJointeId"]


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
def sim(clock: ManualClock) -> Simulator:
    return Simulator(clock, seed=7)


@pytest.fixture
def api(sim: Simulator) -> Api:
    return Api(sim)


def pdf_body(api: Api, *, number: str = "F-2026-0001", siret: str = "21170753455688", service: str = "",
             engagement: str = "", invoice_date: date = date(2026, 2, 27), ht: str = "1000.00",
             vat: str = "200.00", ttc: str = "1200.00", attachment_as_list: bool = False) -> dict[str, Any]:
    """Build a valid DEPOT_PDF_API body for `soumettre`, uploading its main attachment first."""
    attachment = {"pieceJointePrincipaleDesignation": "Facture", "pieceJointePrincipaleId": api.upload()}
    body: dict[str, Any] = {
        "modeDepot": "DEPOT_PDF_API",
        "numeroFactureSaisi": number,
        "dateFacture": invoice_date.isoformat(),
        "destinataire": {"codeDestinataire": siret},
        "fournisseur": {"idFournisseur": DEMO_SUPPLIER.id_structure_cpp,
                        "codeCoordonneesBancairesFournisseur": DEMO_SUPPLIER.bank_accounts[0].id},
        "cadreDeFacturation": {"codeCadreFacturation": "A1_FACTURE_FOURNISSEUR"},
        "references": {"deviseFacture": "EUR", "typeFacture": "FACTURE", "typeTva": "TVA_SUR_DEBIT",
                       "modePaiement": "VIREMENT"},
        "montantTotal": {"montantHtTotal": float(Decimal(ht)), "montantTVA": float(Decimal(vat)),
                         "montantTtcTotal": float(Decimal(ttc)), "montantAPayer": float(Decimal(ttc))},
        "pieceJointePrincipale": [attachment] if attachment_as_list else attachment,
    }
    if service:
        body["destinataire"]["codeServiceExecutant"] = service
    if engagement:
        body["references"]["numeroBonCommande"] = engagement
    return body
