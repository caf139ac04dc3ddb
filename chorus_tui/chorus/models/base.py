"""Common base of the wire models: English attributes, Chorus Pro's French names as aliases."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class WireModel(BaseModel):
    """A Chorus Pro object; unknown wire fields are kept (in `model_extra`) rather than rejected."""

    model_config = ConfigDict(populate_by_name=True, extra="allow")

    def to_wire(self) -> dict[str, Any]:
        """Return the object with Chorus Pro's field names, leaving out unset (None) fields."""
        return self.model_dump(by_alias=True, exclude_none=True, mode="python")


class ChorusResponse(WireModel):
    """Fields every response carries: `codeRetour` (0 = success) and `libelle`."""

    return_code: int = Field(0, alias="codeRetour")
    label: str | None = Field(None, alias="libelle")


class PageInfo(WireModel):
    """`parametresRetour` of a paged search."""

    page: int = Field(1, alias="pageCourante")
    pages: int = Field(1, alias="pages")
    page_size: int | None = Field(None, alias="nbResultatsParPage")
    total: int | None = Field(None, alias="total")


class Address(WireModel):
    """A postal address (`adressePostale`, `adressePostaleDuSiege`)."""

    address: str | None = Field(None, alias="adresse")
    complement1: str | None = Field(None, alias="complementAdresse1")
    complement2: str | None = Field(None, alias="complementAdresse2")
    postal_code: str | None = Field(None, alias="codePostal")
    city: str | None = Field(None, alias="ville")
    country: str | None = Field(None, alias="pays")
    phone: str | None = Field(None, alias="telephone")
    phone_prefix: str | None = Field(None, alias="indicatifTelephone")
    fax: str | None = Field(None, alias="fax")
    fax_prefix: str | None = Field(None, alias="indicatifFax")
