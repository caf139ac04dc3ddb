"""The Chorus Pro client: one async method per API operation a supplier tool needs."""

from __future__ import annotations

import base64
import logging
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import PurePath
from typing import Any, TypeVar

import httpx
from pydantic import ValidationError

from chorus_tui.chorus.errors import ChorusUnavailable, OutcomeUnknown
from chorus_tui.chorus.http import ChorusHttp
from chorus_tui.chorus.models.base import ChorusResponse, PageInfo, WireModel
from chorus_tui.chorus.models.engagements import Engagement, EngagementSearchResponse
from chorus_tui.chorus.models.factures import (
    AdditionalAttachment,
    CompleteResult,
    FlowDepositResult,
    InvoiceDetails,
    InvoiceDetailsResponse,
    InvoiceHistory,
    InvoicePage,
    InvoiceReferences,
    InvoiceSearch,
    InvoiceSummary,
    RecycleResult,
    SubmitInvoiceRequest,
    SubmitInvoiceResult,
)
from chorus_tui.chorus.models.structures import (
    Service,
    ServiceDetails,
    ServiceSearchResponse,
    StructureDetails,
    StructureHit,
    StructureSearchResponse,
)
from chorus_tui.chorus.models.transverses import (
    AttachmentUploadResponse,
    BankAccount,
    BankAccountsResponse,
    FlowReport,
    PaymentMode,
    PaymentModesResponse,
    SupplierStructure,
    SupplierStructuresResponse,
    VatExemptionReason,
    VatExemptionReasonsResponse,
    VatRate,
    VatRatesResponse,
)
from chorus_tui.chorus.models.utilisateurs import UserAttachment, UserAttachmentsResponse
from chorus_tui.chorus.retry import RetryPolicy
from chorus_tui.chorus.settings import ConnectionSettings, Credentials
from chorus_tui.clock import Clock, SystemClock

logger = logging.getLogger(__name__)

M = TypeVar("M", bound=WireModel)
Item = TypeVar("Item")

# Guard against a response that never reports its last page.
MAX_PAGES = 1000
LANGUAGE_CODE = "fr"
REFERENCE_LIST_LANGUAGE = "FR"


class ChorusClient:
    """Async client of the Chorus Pro API through PISTE; use it as `async with ChorusClient(...) as client`.

    `calls` counts HTTP attempts per endpoint path ("factures/v1/soumettre", "api/oauth/token"),
    retries included. `timeout` is the read timeout of one HTTP exchange, in seconds.
    """

    # Chorus Pro pages 10 results by default; larger pages save calls, and every search still
    # follows parametresRetour.pages. Tests lower them to walk several pages.
    structure_page_size = 100
    service_page_size = 1000
    attachment_page_size = 100
    history_page_size = 100

    def __init__(
        self,
        settings: ConnectionSettings,
        credentials: Credentials,
        *,
        transport: httpx.AsyncBaseTransport | None = None,
        clock: Clock = SystemClock(),
        retry: RetryPolicy | None = None,
        timeout: float = 60.0,
    ) -> None:
        self.settings = settings
        self.clock = clock
        self._http = ChorusHttp(
            settings, credentials, transport=transport, clock=clock, retry=retry, timeout=timeout
        )

    def __repr__(self) -> str:
        return f"ChorusClient({self._http!r})"

    @property
    def calls(self) -> Counter[str]:
        return self._http.calls

    @property
    def retry(self) -> RetryPolicy:
        return self._http.retry

    async def __aenter__(self) -> ChorusClient:
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        await self._http.aclose()

    async def authenticate(self) -> None:
        """Fetch a PISTE token now, which checks the application's client id and secret alone.

        Raises ApplicationRefused or ChorusUnavailable; the token is cached for later calls.
        """
        await self._http.bearer_token()

    async def _call(
        self, endpoint: str, body: dict[str, Any], response_model: type[M], *, idempotent: bool = True
    ) -> M:
        data = await self._http.post(endpoint, body, idempotent=idempotent)
        try:
            return response_model.model_validate(data)
        except ValidationError as error:
            logger.warning("Chorus Pro %s: response does not match %s: %s", endpoint, response_model.__name__, error)
            if not idempotent:
                raise OutcomeUnknown(endpoint, "truncated") from None
            raise ChorusUnavailable("bad_response", endpoint) from None

    async def _all_pages(self, fetch: Callable[[int], Awaitable[tuple[list[Item], PageInfo | None]]]) -> list[Item]:
        items: list[Item] = []
        page = 1
        while True:
            batch, paging = await fetch(page)
            items.extend(batch)
            pages = paging.pages if paging else 1
            if page >= pages or not batch or page >= MAX_PAGES:
                return items
            page += 1

    # -----------------------------------------------------------------------------------------
    # Structures

    async def search_structure(self, siret: str) -> list[StructureHit]:
        """Return the structures whose identifier is `siret` (empty when Chorus Pro does not know it)."""

        async def fetch(page: int) -> tuple[list[StructureHit], PageInfo | None]:
            body = {
                "structure": {"identifiantStructure": siret, "typeIdentifiantStructure": "SIRET"},
                "parametres": {"nbResultatsParPage": self.structure_page_size, "pageResultatDemandee": page},
            }
            response = await self._call("structures/v1/rechercher", body, StructureSearchResponse)
            return response.structures, response.paging

        return await self._all_pages(fetch)

    async def search_structures_by_name(self, name: str, limit: int = 10) -> list[StructureHit]:
        """Return at most `limit` active public structures whose name matches `name`, first page only.

        NOTE: whether Chorus Pro matches `raisonSocialeStructure` as a substring or a prefix is not
        documented; callers use the result only as suggestions.
        """
        body = {
            "structure": {"raisonSocialeStructure": name, "statutStructure": "ACTIF"},
            "restreindreStructuresPrivees": True,
            "parametres": {"nbResultatsParPage": limit, "pageResultatDemandee": 1},
        }
        response = await self._call("structures/v1/rechercher", body, StructureSearchResponse)
        return response.structures[:limit]

    async def get_structure(self, structure_id: int) -> StructureDetails:
        """Return a structure's parameters (`.rules`: service / engagement required…) and general data."""
        body = {"idStructureCPP": structure_id, "codeLangue": LANGUAGE_CODE}
        return await self._call("structures/v1/consulter", body, StructureDetails)

    async def list_services(self, structure_id: int) -> list[Service]:
        """Return every service of a structure, inactive ones and FACTURES_PUBLIQUES included."""

        async def fetch(page: int) -> tuple[list[Service], PageInfo | None]:
            body = {
                "idStructure": structure_id,
                "parametresRechercherServicesStructure": {
                    "nbResultatsParPage": self.service_page_size,
                    "pageResultatDemandee": page,
                },
            }
            response = await self._call("structures/v1/rechercher/services", body, ServiceSearchResponse)
            return response.services, response.paging

        return await self._all_pages(fetch)

    async def get_service(self, structure_id: int, service_id: int) -> ServiceDetails:
        """Return one service's parameters (`.parameters.engagement_required`)."""
        body = {"idStructure": structure_id, "idService": service_id, "codeLangue": LANGUAGE_CODE}
        return await self._call("structures/v1/consulter/service", body, ServiceDetails)

    # -----------------------------------------------------------------------------------------
    # Supplier side: own structures, attachments, bank accounts, engagements

    async def supplier_structures(self) -> list[SupplierStructure]:
        """Return the structures the technical account may deposit invoices for (idFournisseur)."""
        response = await self._call(
            "transverses/v1/recuperer/structures/actives/fournisseur", {}, SupplierStructuresResponse
        )
        return response.structures

    async def user_attachments(self) -> list[UserAttachment]:
        """Return the structures (and services) the technical user is attached to; a cheap connection test."""

        async def fetch(page: int) -> tuple[list[UserAttachment], PageInfo | None]:
            body = {"parametresRecherche": {"nbResultatsParPage": self.attachment_page_size, "pageResultatDemandee": page}}
            response = await self._call("utilisateurs/v1/monCompte/recuperer/rattachements", body, UserAttachmentsResponse)
            return response.attachments, response.paging

        return await self._all_pages(fetch)

    async def bank_accounts(self, structure_id: int) -> list[BankAccount]:
        """Return the valid bank details of the supplier structure."""
        response = await self._call(
            "transverses/v1/recuperer/coordbanc/valides", {"idStructure": structure_id}, BankAccountsResponse
        )
        return response.accounts

    async def search_engagements(
        self, supplier_id: int, engagement_number: str, state: str = "COMMANDE"
    ) -> list[Engagement]:
        """Return the State engagements (EJ) with this number placed with the supplier; empty when unknown."""
        body = {
            "structureReceptriceEngagementJuridique": str(supplier_id),
            "numeroEngagementJuridique": engagement_number,
            "etatCourantEngagementJuridique": state,
        }
        response = await self._call("engagementsJuridiques/v1/rechercher", body, EngagementSearchResponse)
        return response.engagements

    # -----------------------------------------------------------------------------------------
    # Reference lists

    async def vat_rates(self) -> list[VatRate]:
        body = {"codeLangue": REFERENCE_LIST_LANGUAGE}
        return (await self._call("transverses/v1/recuperer/tauxtva", body, VatRatesResponse)).rates

    async def vat_exemption_reasons(self) -> list[VatExemptionReason]:
        body = {"codeLangue": REFERENCE_LIST_LANGUAGE}
        response = await self._call("transverses/v1/recuperer/motifs/exonerationtva", body, VatExemptionReasonsResponse)
        return response.reasons

    async def payment_modes(self) -> list[PaymentMode]:
        return (await self._call("transverses/v1/recuperer/modereglements", {}, PaymentModesResponse)).modes

    # -----------------------------------------------------------------------------------------
    # Deposit

    async def upload_attachment(self, file_name: str, content: bytes, mime_type: str = "application/pdf") -> int:
        """Upload a file with `ajouter/fichier` and return its `pieceJointeId`.

        A repeated upload only leaves an unused file on Chorus Pro, so this call is retried like a read.
        """
        extension = PurePath(file_name).suffix.lstrip(".").upper()
        body = {
            "pieceJointeFichier": base64.b64encode(content).decode("ascii"),
            "pieceJointeNom": file_name,
            "pieceJointeTypeMime": mime_type,
            "pieceJointeExtension": extension,
        }
        response = await self._call("transverses/v1/ajouter/fichier", body, AttachmentUploadResponse)
        return response.attachment_id

    async def submit_invoice(self, request: SubmitInvoiceRequest) -> SubmitInvoiceResult:
        """Deposit an invoice with `soumettre`; raises OutcomeUnknown when the response is lost."""
        return await self._call("factures/v1/soumettre", request.to_wire(), SubmitInvoiceResult, idempotent=False)

    async def deposit_flow(
        self, file_name: str, content: bytes, syntax: str = "IN_DP_E2_CII_FACTURX", *, signed: bool = False
    ) -> FlowDepositResult:
        """Deposit an e-invoice file with `deposer/flux` (Factur-X by default); returns the flow number."""
        body = {
            "fichierFlux": base64.b64encode(content).decode("ascii"),
            "nomFichier": file_name,
            "syntaxeFlux": syntax,
            "avecSignature": signed,
        }
        return await self._call("factures/v1/deposer/flux", body, FlowDepositResult, idempotent=False)

    async def flow_report(self, flow_number: str, syntax: str | None = None) -> FlowReport:
        """Return the processing state of a flow with `consulterCRDetaille` (works for Factur-X)."""
        body: dict[str, Any] = {"numeroFluxDepot": flow_number}
        if syntax:
            body["syntaxeFlux"] = syntax
        return await self._call("transverses/v1/consulterCRDetaille", body, FlowReport)

    # -----------------------------------------------------------------------------------------
    # Tracking

    async def search_invoice_page(self, search: InvoiceSearch, page: int = 1) -> InvoicePage:
        """Return one page (1-based) of `rechercher/fournisseur`."""
        body = search.to_wire()
        paging: dict[str, Any] = {"pageResultatDemandee": page, "nbResultatsParPage": search.page_size}
        if search.sort_column:
            paging["triColonne"] = search.sort_column
        if search.sort_direction:
            paging["triSens"] = search.sort_direction
        body["rechercheFactureParFournisseur"] = paging
        return await self._call("factures/v1/rechercher/fournisseur", body, InvoicePage)

    async def iter_invoice_pages(self, search: InvoiceSearch) -> AsyncIterator[InvoicePage]:
        """Yield every page of a search in order; each page's `paging` gives the page number and page count."""
        page = 1
        while True:
            response = await self.search_invoice_page(search, page)
            yield response
            pages = response.paging.pages if response.paging else 1
            if page >= pages or not response.invoices or page >= MAX_PAGES:
                return
            page += 1

    async def search_invoices(self, search: InvoiceSearch) -> list[InvoiceSummary]:
        """Return the invoices of every page of a search."""
        invoices: list[InvoiceSummary] = []
        async for response in self.iter_invoice_pages(search):
            invoices.extend(response.invoices)
        return invoices

    async def get_invoice(self, invoice_id: int) -> InvoiceDetails:
        """Return an invoice as deposited (`consulter/fournisseur`); it carries no status history."""
        body = {"identifiantFactureCPP": invoice_id, "codeLangue": LANGUAGE_CODE}
        return (await self._call("factures/v1/consulter/fournisseur", body, InvoiceDetailsResponse)).invoice

    async def invoice_history(self, invoice_id: int) -> InvoiceHistory:
        """Return an invoice's status history with every status comment, all history pages merged."""
        history: InvoiceHistory | None = None
        page = 1
        while True:
            body = {
                "idFacture": invoice_id,
                "paramRechercheHistoStatuts": {
                    "pageResultatDemandeeListeHistoStatut": page,
                    "nbResultatsParPageListeHistoStatut": self.history_page_size,
                },
            }
            response = await self._call("factures/v1/consulter/historique", body, InvoiceHistory)
            if history is None:
                history = response
            else:
                history.status_history.entries.extend(response.status_history.entries)
            pages = response.status_history.pages or 1
            if page >= pages or not response.status_history.entries or page >= MAX_PAGES:
                return history
            page += 1

    # -----------------------------------------------------------------------------------------
    # Corrections

    async def recycle_invoice(
        self,
        invoice_id: int,
        *,
        recipient_siret: str,
        service_code: str | None = None,
        engagement_number: str | None = None,
        references: InvoiceReferences | None = None,
        comment: str | None = None,
    ) -> RecycleResult:
        """Send an A_RECYCLER invoice to a corrected recipient, service or engagement (`recycler`)."""
        destination: dict[str, Any] = {"codeDestinataire": recipient_siret}
        if service_code:
            destination["codeServiceExecutant"] = service_code
        body: dict[str, Any] = {"identifiantFactureCPP": invoice_id, "destinataire": destination}
        reference = references.to_wire() if references else {}
        if engagement_number:
            reference["numeroBonCommande"] = engagement_number
        if reference:
            body["reference"] = reference
        if comment:
            body["commentaire"] = comment
        return await self._call("factures/v1/recycler", body, RecycleResult, idempotent=False)

    async def complete_invoice(
        self,
        invoice_id: int,
        attachments: list[AdditionalAttachment] | None = None,
        comment: str | None = None,
    ) -> CompleteResult:
        """Complete a SUSPENDUE invoice with new attachments (uploaded first) and a comment (`completer`)."""
        body: dict[str, Any] = {"identifiantFactureCPP": invoice_id}
        if attachments:
            body["pieceJointeComplementaire"] = [
                attachment.model_dump(by_alias=True, exclude_none=True, exclude={"link_id"})
                for attachment in attachments
            ]
        if comment:
            body["commentaire"] = comment
        return await self._call("factures/v1/completer", body, CompleteResult, idempotent=False)

    async def handle_rejection(self, invoice_id: int) -> ChorusResponse:
        """Mark a REJETEE invoice's rejection as handled (`traiterRejet`)."""
        body = {"listeDemandePaiement": [{"idDemandePaiement": invoice_id}]}
        return await self._call("factures/v1/traiterRejet", body, ChorusResponse)
