"""Transverses API (`/cpro/transverses/v1`): supplier structures, bank details, files, flow reports, lists."""

from __future__ import annotations

from decimal import Decimal

from pydantic import AliasChoices, Field

from chorus_tui.chorus.models.base import ChorusResponse, WireModel
from chorus_tui.chorus.wire import WireDateTime


class SupplierStructure(WireModel):
    """A structure the technical account may invoice for (`recuperer/structures/actives/fournisseur`)."""

    structure_id: int = Field(alias="idStructureCPP")
    identifier: str | None = Field(None, alias="identifiant")
    name: str | None = Field(None, alias="designationStructure")


class SupplierStructuresResponse(ChorusResponse):
    structures: list[SupplierStructure] = Field(default_factory=list, alias="listeStructures")


class BankAccount(WireModel):
    """One of the supplier's valid bank details; `account_id` goes to `codeCoordonneesBancairesFournisseur`."""

    # NOTE: two readings of the entry exist: {idCoordonneeBancaire, nomCoordonneeBancaire} (code
    # clients) and {codeCoordonneesBancaires, iban, bic} (a third-party doc); both are accepted.
    account_id: int = Field(
        validation_alias=AliasChoices("idCoordonneeBancaire", "codeCoordonneesBancaires", "account_id"),
        serialization_alias="idCoordonneeBancaire",
    )
    name: str | None = Field(None, alias="nomCoordonneeBancaire")
    iban: str | None = Field(None, alias="iban")
    bic: str | None = Field(None, alias="bic")


class BankAccountsResponse(ChorusResponse):
    # NOTE: the list key is `listeCoordonneeBancaire` for go-choruspro and zmog but
    # `listeCoordonneesBancaires` in cpro-docs; whichever is present is read.
    accounts: list[BankAccount] = Field(
        default_factory=list,
        validation_alias=AliasChoices("listeCoordonneeBancaire", "listeCoordonneesBancaires", "accounts"),
        serialization_alias="listeCoordonneeBancaire",
    )


class AttachmentUploadResponse(ChorusResponse):
    attachment_id: int = Field(alias="pieceJointeId")


class FlowDpError(WireModel):
    """An invoice of a flow that Chorus Pro rejected (`listeErreurDP`)."""

    supplier_identifier: str | None = Field(None, alias="identifiantFournisseur")
    recipient_identifier: str | None = Field(None, alias="identifiantDestinataire")
    invoice_number: str | None = Field(None, alias="numeroDP")
    message: str | None = Field(None, alias="libelleErreurDP")


class FlowTechnicalError(WireModel):
    code: str | None = Field(None, alias="codeErreur")
    message: str | None = Field(None, alias="libelleErreur")
    nature: str | None = Field(None, alias="natureErreur")


class FlowReport(ChorusResponse):
    """Response of `consulterCRDetaille`: the processing state of a deposited flow."""

    flow_number: str | None = Field(None, alias="numeroFluxDepot")
    # NOTE: consulterCRDetaille names the state `etatCourantDepotFlux`, consulterCR names it
    # `etatCourantFlux`; both are read (IN_RECU … IN_INTEGRE, IN_INTEGRE_PARTIEL, IN_REJETE, IN_INCIDENTE).
    state: str | None = Field(
        None,
        validation_alias=AliasChoices("etatCourantDepotFlux", "etatCourantFlux", "state"),
        serialization_alias="etatCourantDepotFlux",
    )
    interface_code: str | None = Field(None, alias="codeInterfaceDepotFlux")
    deposited_at: WireDateTime = Field(None, alias="dateDepotFlux")
    state_changed_at: WireDateTime = Field(None, alias="dateHeureEtatCourantFlux")
    file_name: str | None = Field(None, alias="nomFichier")
    invoice_errors: list[FlowDpError] = Field(default_factory=list, alias="listeErreurDP")
    technical_errors: list[FlowTechnicalError] = Field(default_factory=list, alias="listeErreurTechnique")


class VatRate(WireModel):
    code: str = Field(alias="codeTauxTva")
    label: str | None = Field(None, alias="libelleTauxTva")
    value: Decimal | None = Field(None, alias="valeurTauxTva")


class VatRatesResponse(ChorusResponse):
    rates: list[VatRate] = Field(default_factory=list, alias="listeTauxTva")


class VatExemptionReason(WireModel):
    code: str = Field(alias="codeMotifExonerationTva")
    label: str | None = Field(None, alias="libelleMotifExonerationTva")


class VatExemptionReasonsResponse(ChorusResponse):
    reasons: list[VatExemptionReason] = Field(default_factory=list, alias="listeMotifsExonerationTva")


class PaymentMode(WireModel):
    code: str = Field(alias="modePaiement")


class PaymentModesResponse(ChorusResponse):
    modes: list[PaymentMode] = Field(default_factory=list, alias="listeModePaiement")
