"""Utilisateurs API (`/cpro/utilisateurs/v1`): the structures the technical account is attached to."""

from __future__ import annotations

from pydantic import AliasChoices, Field

from chorus_tui.chorus.models.base import ChorusResponse, PageInfo, WireModel
from chorus_tui.chorus.wire import WireDate


class AttachedService(WireModel):
    service_id: int | None = Field(None, alias="idService")
    code: str | None = Field(None, alias="codeService")
    label: str | None = Field(None, alias="libelleService")
    active: bool | None = Field(None, alias="estActif")
    status: str | None = Field(None, alias="statutService")
    attachment_status: str | None = Field(None, alias="statutRattachementService")
    attachment_id: int | None = Field(None, alias="idRattachementService")
    start_date: WireDate = Field(None, alias="dateDbtService")
    end_date: WireDate = Field(None, alias="dateFinService")


class UserAttachment(WireModel):
    """A structure the technical user is attached to, with its role and services."""

    structure_id: int = Field(alias="idStructure")
    identifier: str | None = Field(None, alias="identifiantStructure")
    name: str | None = Field(None, alias="designationStructure")
    identifier_type: str | None = Field(None, alias="typeIdentifiantStructure")
    user_role: str | None = Field(None, alias="roleUtilisateur")
    attachment_status: str | None = Field(None, alias="statutRattachementStructure")
    user_status: str | None = Field(None, alias="statutUtilisateur")
    attachment_id: int | None = Field(None, alias="idRattachementStructure")
    services: list[AttachedService] = Field(default_factory=list, alias="listeServicesRattache")


class UserAttachmentsResponse(ChorusResponse):
    # NOTE: go-choruspro and a TypeScript client read `listeStructureRattachement`, cpro-docs
    # writes `listeRattachements`; no official Swagger settles it, so both keys are read.
    attachments: list[UserAttachment] = Field(
        default_factory=list,
        validation_alias=AliasChoices("listeStructureRattachement", "listeRattachements", "attachments"),
        serialization_alias="listeStructureRattachement",
    )
    paging: PageInfo | None = Field(None, alias="parametresRetour")
