"""Factures API (`/cpro/factures/v1`): deposit, search, history and correction of invoices."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from pydantic import Field

from chorus_tui.chorus.models.base import ChorusResponse, PageInfo, WireModel
from chorus_tui.chorus.wire import WireDate, WireDateTime

# ---------------------------------------------------------------------------------------------
# soumettre


class InvoiceRecipient(WireModel):
    """`destinataire`: the recipient's SIRET (not its idStructureCPP) and the service CODE."""

    siret: str = Field(alias="codeDestinataire")
    service_code: str | None = Field(None, alias="codeServiceExecutant")


class InvoiceSupplier(WireModel):
    supplier_id: int = Field(alias="idFournisseur")
    supplier_service_id: int | None = Field(None, alias="idServiceFournisseur")
    bank_account_id: int | None = Field(None, alias="codeCoordonneesBancairesFournisseur")


class BillingFrame(WireModel):
    code: str = Field("A1_FACTURE_FOURNISSEUR", alias="codeCadreFacturation")
    validator_code: str | None = Field(None, alias="codeStructureValideur")
    validator_service_code: str | None = Field(None, alias="codeServiceValideur")


class InvoiceReferences(WireModel):
    """`references` of soumettre (and `reference` of recycler)."""

    currency: str | None = Field("EUR", alias="deviseFacture")
    invoice_type: str | None = Field("FACTURE", alias="typeFacture")  # FACTURE | AVOIR
    vat_type: str | None = Field(None, alias="typeTva")
    vat_exemption_reason: str | None = Field(None, alias="motifExonerationTva")
    contract_number: str | None = Field(None, alias="numeroMarche")
    engagement_number: str | None = Field(None, alias="numeroBonCommande")
    original_invoice_number: str | None = Field(None, alias="numeroFactureOrigine")
    payment_mode: str | None = Field(None, alias="modePaiement")


class InvoiceLine(WireModel):
    """`lignePoste`: give either `vat_rate_code` or `vat_rate` (percent)."""

    number: int = Field(alias="lignePosteNumero")
    reference: str | None = Field(None, alias="lignePosteReference")
    description: str | None = Field(None, alias="lignePosteDenomination")
    quantity: Decimal | None = Field(None, alias="lignePosteQuantite")
    unit: str | None = Field(None, alias="lignePosteUnite")
    unit_price_ht: Decimal | None = Field(None, alias="lignePosteMontantUnitaireHT")
    discount_ht: Decimal | None = Field(None, alias="lignePosteMontantRemiseHT")
    vat_rate_code: str | None = Field(None, alias="lignePosteTauxTva")
    vat_rate: Decimal | None = Field(None, alias="lignePosteTauxTvaManuel")


class VatSummaryLine(WireModel):
    """`ligneTva`: give either `rate_code` or `rate` (percent)."""

    rate_code: str | None = Field(None, alias="ligneTvaTaux")
    rate: Decimal | None = Field(None, alias="ligneTvaTauxManuel")
    base_ht: Decimal = Field(alias="ligneTvaMontantBaseHtParTaux")
    vat: Decimal = Field(alias="ligneTvaMontantTvaParTaux")


class InvoiceTotals(WireModel):
    total_ht: Decimal | None = Field(None, alias="montantHtTotal")
    total_vat: Decimal | None = Field(None, alias="montantTVA")
    total_ttc: Decimal | None = Field(None, alias="montantTtcTotal")
    global_discount_ttc: Decimal | None = Field(None, alias="montantRemiseGlobaleTTC")
    global_discount_reason: str | None = Field(None, alias="motifRemiseGlobaleTTC")
    amount_due: Decimal | None = Field(None, alias="montantAPayer")


class MainAttachment(WireModel):
    designation: str | None = Field(None, alias="pieceJointePrincipaleDesignation")
    attachment_id: int = Field(alias="pieceJointePrincipaleId")


class AdditionalAttachment(WireModel):
    """An extra document uploaded with `ajouter/fichier`, referenced in soumettre or completer."""

    designation: str | None = Field(None, alias="pieceJointeComplementaireDesignation")
    attachment_type: str | None = Field(None, alias="pieceJointeComplementaireType")
    line_number: int | None = Field(None, alias="pieceJointeComplementaireNumeroLigneFacture")
    attachment_id: int = Field(alias="pieceJointeComplementaireId")
    link_id: int | None = Field(None, alias="pieceJointeComplementaireIdLiaison")


class SubmitInvoiceRequest(WireModel):
    """Body of `factures/v1/soumettre` (SoumettreFactureParam). `idUtilisateurCourant` is never sent."""

    deposit_mode: str = Field("DEPOT_PDF_API", alias="modeDepot")  # SAISIE_API | DEPOT_PDF_API | DEPOT_PDF_SIGNE_API
    invoice_number: str | None = Field(None, alias="numeroFactureSaisi")
    invoice_date: date | None = Field(None, alias="dateFacture")  # sent as YYYY-MM-DD: a time part gave HTTP 500
    recipient: InvoiceRecipient = Field(alias="destinataire")
    supplier: InvoiceSupplier = Field(alias="fournisseur")
    billing_frame: BillingFrame = Field(default_factory=BillingFrame, alias="cadreDeFacturation")
    references: InvoiceReferences = Field(default_factory=InvoiceReferences, alias="references")
    lines: list[InvoiceLine] | None = Field(None, alias="lignePoste")
    vat_lines: list[VatSummaryLine] | None = Field(None, alias="ligneTva")
    totals: InvoiceTotals | None = Field(None, alias="montantTotal")
    # NOTE: the Swagger gives pieceJointePrincipale as one object; some clients send an array of
    # such objects. The Swagger object is sent; a refusal in qualification would point to the array.
    main_attachment: MainAttachment | None = Field(None, alias="pieceJointePrincipale")
    additional_attachments: list[AdditionalAttachment] | None = Field(None, alias="pieceJointeComplementaire")
    comment: str | None = Field(None, alias="commentaire")


class SubmitInvoiceResult(ChorusResponse):
    """Response of soumettre; `invoice_id` (identifiantFactureCPP) is the key of every tracking call."""

    invoice_id: int = Field(alias="identifiantFactureCPP")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    status: str | None = Field(None, alias="statutFacture")
    deposit_date: WireDate = Field(None, alias="dateDepot")
    structure_identifier: str | None = Field(None, alias="identifiantStructure")
    certificate_hash: str | None = Field(None, alias="empreinteCertificatDepot")


# ---------------------------------------------------------------------------------------------
# deposer/flux


class FlowDepositResult(ChorusResponse):
    flow_number: str = Field(alias="numeroFluxDepot")
    deposit_date: WireDate = Field(None, alias="dateDepot")
    syntax: str | None = Field(None, alias="syntaxeFlux")


# ---------------------------------------------------------------------------------------------
# rechercher/fournisseur


class RecipientCriterion(WireModel):
    recipient_id: int | None = Field(None, alias="idDestinataire")
    service_ids: list[int] | None = Field(None, alias="listeIdServiceExecutant")
    company_name: str | None = Field(None, alias="raisonSocialeStuctDmd")


class InvoiceSearch(WireModel):
    """Filters of `rechercher/fournisseur`; every one is optional. Paging is set by the client.

    Date filters are sent as YYYY-MM-DD (a time part caused HTTP 500 on another date field).
    """

    invoice_number: str | None = Field(None, alias="numeroFacture")
    flow_number: str | None = Field(None, alias="numeroFluxDepot")
    supplier_id: int | None = Field(None, alias="idFournisseur")
    supplier_service_id: int | None = Field(None, alias="idServiceFournisseur")
    recipients: list[RecipientCriterion] | None = Field(None, alias="listeDestinataire")
    search_recipient_siren: bool | None = Field(None, alias="rechercheSirenDestinataire")
    invoice_type: str | None = Field(None, alias="typeFacture")  # FACTURE | AVOIR | ACOMPTE
    billing_frame: str | None = Field(None, alias="cadreFacturation")
    statuses: list[str] | None = Field(None, alias="statutCourant")
    deposited_from: date | None = Field(None, alias="periodeDateDepotDu")
    deposited_to: date | None = Field(None, alias="periodeDateDepotAu")
    invoice_date_from: date | None = Field(None, alias="periodeDateFactureDu")
    invoice_date_to: date | None = Field(None, alias="periodeDateFactureAu")
    # NOTE: a datetime here is sent as ISO 8601 with its offset. The Swagger's date-time type
    # allows it, but no field report confirms it works, so a date is the safe choice.
    status_changed_from: datetime | date | None = Field(None, alias="periodeDateHeureEtatCourantDu")
    status_changed_to: datetime | date | None = Field(None, alias="periodeDateHeureEtatCourantAu")
    amount_ht_min: Decimal | None = Field(None, alias="montantHTMin")
    amount_ht_max: Decimal | None = Field(None, alias="montantHTMax")
    amount_ttc_min: Decimal | None = Field(None, alias="montantTTCMin")
    amount_ttc_max: Decimal | None = Field(None, alias="montantTTCMax")
    amount_due_min: Decimal | None = Field(None, alias="montantApayerMin")
    amount_due_max: Decimal | None = Field(None, alias="montantApayerMax")
    bank_account_id: int | None = Field(None, alias="coordonneeBancaire")
    creator_user_ids: list[int] | None = Field(None, alias="idUtilisateurCreateur")
    contract_number: str | None = Field(None, alias="numeroMarche")
    engagement_number: str | None = Field(None, alias="numeroBonCommande")
    original_invoice_number: str | None = Field(None, alias="numeroFactureOrigine")
    deposit_mode: str | None = Field(None, alias="modeDepot")
    validator_structure_id: int | None = Field(None, alias="idStructureValideur")
    fetch_size: bool | None = Field(None, alias="recupererTaille")
    rejection_handled: bool | None = Field(None, alias="rejetTraite")
    # Paging and sorting, sent inside `rechercheFactureParFournisseur`.
    page_size: int = Field(100, exclude=True)
    sort_column: str | None = Field(None, exclude=True)  # e.g. DateDepot, NumeroFacture
    sort_direction: str | None = Field(None, exclude=True)  # Ascendant | Descendant


class InvoiceSummary(WireModel):
    """One invoice of `rechercher/fournisseur`, with its current status and the recipient's comment."""

    invoice_id: int = Field(alias="identifiantFactureCPP")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    invoice_type: str | None = Field(None, alias="typeFacture")
    payment_request_type: str | None = Field(None, alias="typeDemandePaiement")
    invoice_date: WireDate = Field(None, alias="dateFacture")
    deposit_date: WireDate = Field(None, alias="dateDepot")
    amount_ht: Decimal | None = Field(None, alias="montantHT")
    amount_ttc: Decimal | None = Field(None, alias="montantTTC")
    amount_due: Decimal | None = Field(None, alias="montantAPayer")
    currency: str | None = Field(None, alias="devise")
    status: str | None = Field(None, alias="statut")
    status_changed_at: WireDateTime = Field(None, alias="dateHeureEtatCourant")
    status_comment: str | None = Field(None, alias="commentaireEtatCourant")
    rejection_handled: bool | None = Field(None, alias="rejetTraite")
    flow_number: str | None = Field(None, alias="numeroFluxDepot")
    deposit_mode: str | None = Field(None, alias="modeDepot")
    recipient_id: int | None = Field(None, alias="idDestinataire")
    recipient_siret: str | None = Field(None, alias="codeDestinataire")
    recipient_name: str | None = Field(None, alias="designationDestinataire")
    service_id: int | None = Field(None, alias="idServiceExecutant")
    service_code: str | None = Field(None, alias="codeServiceExecutant")
    service_name: str | None = Field(None, alias="nomServiceExecutant")
    supplier_code: str | None = Field(None, alias="codeFournisseur")
    supplier_name: str | None = Field(None, alias="designationFournisseur")
    contract_number: str | None = Field(None, alias="numeroMarche")
    engagement_number: str | None = Field(None, alias="numeroBonCommande")
    original_invoice_number: str | None = Field(None, alias="numeroFactureOrigine")
    creator_name: str | None = Field(None, alias="nomPrenomUtilisateurCreateur")
    size: int | None = Field(None, alias="taille")


class InvoicePage(ChorusResponse):
    """One page of `rechercher/fournisseur`; `paging` gives the page number, page count and total."""

    invoices: list[InvoiceSummary] = Field(default_factory=list, alias="listeFactures")
    paging: PageInfo | None = Field(None, alias="parametresRetour")


# ---------------------------------------------------------------------------------------------
# consulter/fournisseur


class InvoiceDetailsRecipient(WireModel):
    recipient_id: int | None = Field(None, alias="idDestinataire")
    siret: str | None = Field(None, alias="codeDestinataire")
    name: str | None = Field(None, alias="libelleDestinataire")
    service_id: int | None = Field(None, alias="idServiceExecutant")
    service_code: str | None = Field(None, alias="codeServiceExecutant")
    service_name: str | None = Field(None, alias="libelleServiceExecutant")
    payment_reported: bool | None = Field(None, alias="miseEnPaiementDestinataire")


class InvoiceDetailsSupplier(WireModel):
    supplier_id: int | None = Field(None, alias="idFournisseur")
    identifier: str | None = Field(None, alias="codeFournisseur")
    company_name: str | None = Field(None, alias="raisonSocialeFournisseur")
    bank_account_id: int | None = Field(None, alias="coordBancairesFournisseurId")
    bank_account_label: str | None = Field(None, alias="coordBancairesFournisseurLibelle")


class InvoiceDetailsReferences(WireModel):
    invoice_date: WireDate = Field(None, alias="dateFacture")
    deposit_date: WireDate = Field(None, alias="dateDepot")
    currency: str | None = Field(None, alias="codeDeviseFacture")
    invoice_type: str | None = Field(None, alias="typeFacture")
    vat_type: str | None = Field(None, alias="typeTva")
    vat_exemption_reason: str | None = Field(None, alias="motifExonerationTva")
    contract_number: str | None = Field(None, alias="numeroMarche")
    engagement_number: str | None = Field(None, alias="numeroBonCommande")
    original_invoice_number: str | None = Field(None, alias="numeroFactureOrigine")
    payment_mode: str | None = Field(None, alias="modePaiement")
    payment_due_date: WireDate = Field(None, alias="dateEcheancePaiement")


class InvoiceDetailsTotals(WireModel):
    total_ht: Decimal | None = Field(None, alias="montantHtTotal")
    total_vat: Decimal | None = Field(None, alias="montantTVA")
    total_ttc: Decimal | None = Field(None, alias="montantTtcTotal")
    amount_due: Decimal | None = Field(None, alias="montantAPayer")


class InvoiceDetails(WireModel):
    """`facture` of `consulter/fournisseur` (no status history: see `InvoiceHistory`)."""

    invoice_id: int = Field(alias="identifiantFactureCPP")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    status: str | None = Field(None, alias="statutFacture")
    deposit_mode: str | None = Field(None, alias="modeDepot")
    rejection_handled: bool | None = Field(None, alias="rejetTraite")
    comment: str | None = Field(None, alias="commentaire")
    recipient: InvoiceDetailsRecipient | None = Field(None, alias="destinataire")
    supplier: InvoiceDetailsSupplier | None = Field(None, alias="fournisseur")
    references: InvoiceDetailsReferences | None = Field(None, alias="references")
    totals: InvoiceDetailsTotals | None = Field(None, alias="montantTotal")


class InvoiceDetailsResponse(ChorusResponse):
    invoice: InvoiceDetails = Field(alias="facture")


# ---------------------------------------------------------------------------------------------
# consulter/historique


class StatusChange(WireModel):
    """One entry of `historiquesDesStatuts.histoStatut`; `comment` contains a rejection or suspension reason."""

    entry_id: int | None = Field(None, alias="histoStatutId")
    status: str = Field(alias="histoStatutCode")
    changed_at: WireDateTime = Field(None, alias="histoStatutDatePassage")
    comment: str | None = Field(None, alias="histoStatutCommentaire")
    user_first_name: str | None = Field(None, alias="histoStatutUtilisateurPrenom")
    user_last_name: str | None = Field(None, alias="histoStatutUtilisateurNom")


class StatusHistory(WireModel):
    entries: list[StatusChange] = Field(default_factory=list, alias="histoStatut")
    page: int | None = Field(None, alias="pageCouranteHistoStatut")
    pages: int | None = Field(None, alias="pagesHistoStatut")
    total: int | None = Field(None, alias="totalHistoStatut")


class HistoryEvent(WireModel):
    event_id: int | None = Field(None, alias="evenementId")
    label: str | None = Field(None, alias="evenementLibelle")
    actor: str | None = Field(None, alias="evenementQui")
    happened_at: WireDateTime = Field(None, alias="evenementDateHeure")


class EventHistory(WireModel):
    entries: list[HistoryEvent] = Field(default_factory=list, alias="evenement")


class UserAction(WireModel):
    action_id: int | None = Field(None, alias="histoActionId")
    code: str | None = Field(None, alias="histoActionCode")  # e.g. TRAITEMENT_REJET, ACQUITTEMENT_REJET
    happened_at: WireDateTime = Field(None, alias="histoActionDateHeure")


class UserActionHistory(WireModel):
    entries: list[UserAction] = Field(default_factory=list, alias="histoAction")


class InvoiceHistory(ChorusResponse):
    """Response of `consulter/historique`."""

    invoice_id: int | None = Field(None, alias="idFacture")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    deposit_mode: str | None = Field(None, alias="modeDepot")
    current_status: str | None = Field(None, alias="statutCourantCode")
    status_history: StatusHistory = Field(default_factory=StatusHistory, alias="historiquesDesStatuts")
    event_history: EventHistory = Field(default_factory=EventHistory, alias="historiquesDesEvenementsComplementaires")
    action_history: UserActionHistory = Field(
        default_factory=UserActionHistory, alias="historiquesDesActionsUtilisateurs"
    )

    @property
    def statuses(self) -> list[StatusChange]:
        return self.status_history.entries


# ---------------------------------------------------------------------------------------------
# recycler, completer


class RecycleResult(ChorusResponse):
    invoice_id: int | None = Field(None, alias="identifiantFactureCPP")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    status: str | None = Field(None, alias="statutFacture")
    deposit_date: WireDate = Field(None, alias="dateDepot")


class CompleteResult(ChorusResponse):
    invoice_id: int | None = Field(None, alias="identifiantFactureCPP")
    invoice_number: str | None = Field(None, alias="numeroFacture")
    processed_at: WireDateTime = Field(None, alias="dateTraitement")
