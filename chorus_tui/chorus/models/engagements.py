"""Engagements juridiques API (`/cpro/engagementsJuridiques/v1`): State purchase commitments (EJ)."""

from __future__ import annotations

from pydantic import Field

from chorus_tui.chorus.models.base import ChorusResponse, WireModel


class Engagement(WireModel):
    """One legal commitment found by `engagementsJuridiques/v1/rechercher`.

    Only the number and state are read; every other field the response carries stays in `model_extra`.
    """

    number: str | None = Field(None, alias="numeroEngagementJuridique")
    state: str | None = Field(None, alias="etatCourantEngagementJuridique")


class EngagementSearchResponse(ChorusResponse):
    engagements: list[Engagement] = Field(default_factory=list, alias="listeEngagementJuridique")
