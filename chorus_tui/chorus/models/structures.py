"""Structures API (`/cpro/structures/v1`): the directory of public recipients."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pydantic import Field

from chorus_tui.chorus.models.base import Address, ChorusResponse, PageInfo, WireModel
from chorus_tui.chorus.wire import WireDate, WireDateTime


class StructureHit(WireModel):
    """One result of `structures/v1/rechercher`."""

    structure_id: int = Field(alias="idStructureCPP")
    identifier: str | None = Field(None, alias="identifiantStructure")
    name: str | None = Field(None, alias="designationStructure")
    identifier_type: str | None = Field(None, alias="typeIdentifiantStructure")
    status: str | None = Field(None, alias="statut")  # ACTIVE | INACTIVE

    @property
    def active(self) -> bool:
        return self.status != "INACTIVE"


class StructureSearchResponse(ChorusResponse):
    structures: list[StructureHit] = Field(default_factory=list, alias="listeStructures")
    paging: PageInfo | None = Field(None, alias="parametresRetour")


class StructureParameters(WireModel):
    """`parametres` of `structures/v1/consulter`."""

    service_required: bool = Field(False, alias="codeServiceDoitEtreRenseigne")
    engagement_required: bool = Field(False, alias="numeroEJDoitEtreRenseigne")
    service_or_engagement: bool = Field(False, alias="gestionNumeroEJOuCodeService")
    payment_status_not_reported: bool = Field(False, alias="statutMiseEnPaiementNestPasRemonte")
    edi_connection: bool | None = Field(None, alias="connexionEDI")
    receives_edi: bool | None = Field(None, alias="recevoirDonneesViaEDI")
    moa_only: bool | None = Field(None, alias="estMoaUniquement")
    moa: bool | None = Field(None, alias="getaMoa")
    delegated_validator: bool | None = Field(None, alias="estValideurDelegue")
    not_public_insee: bool | None = Field(None, alias="nonDiffusibleInsee")


class StructureGeneralInfo(WireModel):
    """`informationGenerales` of `structures/v1/consulter`."""

    structure_id: int | None = Field(None, alias="idStructureCPP")
    identifier: str | None = Field(None, alias="identifiantStructure")
    identifier_type: str | None = Field(None, alias="typeIdentifiantStructure")
    company_name: str | None = Field(None, alias="raisonSocialeStructure")
    label: str | None = Field(None, alias="libelleStructure")
    last_name: str | None = Field(None, alias="nomStructure")
    first_name: str | None = Field(None, alias="prenomStructure")
    email: str | None = Field(None, alias="emailStructure")
    rcs_number: str | None = Field(None, alias="numeroRcsStructure")
    vat_number: str | None = Field(None, alias="numeroTVA")
    public_or_private: str | None = Field(None, alias="structurePriveePublique")  # PRIVEE | PUBLIQUE
    origin_structure_id: int | None = Field(None, alias="idStructureOrigine")
    password_expiry: WireDate = Field(None, alias="dateExpirationMotPasseCompteTech")


@dataclass(frozen=True)
class StructureRules:
    """Deposit requirements of a recipient, read from its parameters."""

    service_required: bool
    engagement_required: bool
    service_or_engagement: bool
    payment_status_not_reported: bool
    password_expiry: date | None  # set only when the structure is the technical account's own


class StructureDetails(ChorusResponse):
    """Response of `structures/v1/consulter`."""

    parameters: StructureParameters = Field(default_factory=StructureParameters, alias="parametres")
    general: StructureGeneralInfo = Field(default_factory=StructureGeneralInfo, alias="informationGenerales")
    head_office_address: Address | None = Field(None, alias="adressePostaleDuSiege")

    @property
    def name(self) -> str | None:
        general = self.general
        full_name = " ".join(part for part in (general.first_name, general.last_name) if part) or None
        return general.company_name or general.label or full_name

    @property
    def rules(self) -> StructureRules:
        return StructureRules(
            service_required=self.parameters.service_required,
            engagement_required=self.parameters.engagement_required,
            service_or_engagement=self.parameters.service_or_engagement,
            payment_status_not_reported=self.parameters.payment_status_not_reported,
            password_expiry=self.general.password_expiry,
        )


class Service(WireModel):
    """One service of a structure (`rechercher/services`)."""

    service_id: int = Field(alias="idService")
    code: str = Field(alias="codeService")
    label: str | None = Field(None, alias="libelleService")
    active: bool = Field(True, alias="estActif")
    status: str | None = Field(None, alias="statutService")
    start_date: WireDate = Field(None, alias="dateDbtService")
    end_date: WireDate = Field(None, alias="dateFinService")


class ServiceSearchResponse(ChorusResponse):
    services: list[Service] = Field(default_factory=list, alias="listeServices")
    paging: PageInfo | None = Field(None, alias="parametresRetour")


class ServiceGeneralInfo(WireModel):
    code: str | None = Field(None, alias="codeService")
    name: str | None = Field(None, alias="nomService")
    description: str | None = Field(None, alias="descriptionService")


class ServiceParameters(WireModel):
    engagement_required: bool = Field(False, alias="numeroEngagement")
    payment_reported: bool | None = Field(None, alias="miseEnPaiement")
    created: WireDateTime = Field(None, alias="dateCreation")
    valid_from: WireDateTime = Field(None, alias="dateDebutValidite")
    valid_to: WireDateTime = Field(None, alias="dateFinValidite")
    modified: WireDateTime = Field(None, alias="dateModification")


class ServiceDetails(ChorusResponse):
    """Response of `structures/v1/consulter/service`."""

    general: ServiceGeneralInfo = Field(default_factory=ServiceGeneralInfo, alias="informationsGenerales")
    parameters: ServiceParameters = Field(default_factory=ServiceParameters, alias="parametres")
    address: Address | None = Field(None, alias="adressePostale")
