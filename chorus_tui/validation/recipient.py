"""Directory-backed checks of the recipient (destinataire) and of the mandataire who validates.

The recipient must be in the Chorus Pro directory, active and public, and must not be
the supplier itself. A SIRET that matches several structures needs the user's choice.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from chorus_tui.chorus.errors import ChorusError
from chorus_tui.chorus.models.structures import StructureDetails
from chorus_tui.domain import CheckLevel, CheckOption, CheckResult, DepositForm
from chorus_tui.validation.directory import Directory
from chorus_tui.validation.identifiers import Party, check_siret, normalise_siret
from chorus_tui.validation.results import blocking, passed, warning

logger = logging.getLogger(__name__)

RECIPIENT_FIELD = "recipient_siret"
VALIDATOR_FIELD = "validator_siret"


@dataclass
class RecipientCheck:
    """Results of the recipient checks and, when it was found, the structure chosen."""

    results: list[CheckResult] = field(default_factory=list)
    structure_id: int | None = None
    details: StructureDetails | None = None


def _structure_options(hits: list) -> list[CheckOption]:
    return [CheckOption(str(hit.structure_id), f"{hit.name or hit.identifier} ({hit.structure_id})") for hit in hits]


def _choose_hit(hits: list, chosen_id: int | None):
    for hit in hits:
        if hit.structure_id == chosen_id:
            return hit
    return None


async def _unknown_recipient(siret: str, customer_name: str | None, directory: Directory) -> CheckResult:
    """Block an unknown SIRET, offering the directory's structures named like the invoice's customer."""
    name = (customer_name or "").strip()
    if not name:
        return blocking(RECIPIENT_FIELD, "recipient_unknown", siret=siret)
    try:
        similar = await directory.search_structures_by_name(name)
    except ChorusError as error:
        logger.warning("search by name %r failed after unknown SIRET %s: %s", name, siret, error)
        return blocking(RECIPIENT_FIELD, "recipient_unknown", siret=siret)
    similar = [hit for hit in similar if hit.active and hit.identifier and hit.identifier != siret]
    if not similar:
        return blocking(RECIPIENT_FIELD, "recipient_unknown", siret=siret)
    # The suggestions stay in the message: the options of a recipient result are structure ids
    # (a choice among structures sharing one SIRET), and these are SIRETs to type instead.
    return blocking(RECIPIENT_FIELD, "recipient_unknown_similar", siret=siret, name=name,
                    names=", ".join(f"{hit.name or hit.identifier} ({hit.identifier})" for hit in similar))


async def check_recipient(form: DepositForm, directory: Directory, *,
                          supplier_sirets: frozenset[str] = frozenset(),
                          customer_name: str | None = None) -> RecipientCheck:
    """Check the recipient's SIRET, then look it up in the Chorus Pro directory.

    When the directory has no structure with the SIRET, `customer_name` (the invoice's customer) is
    searched by name, and the structures found are offered in place of the typed SIRET.
    """
    check = RecipientCheck()
    identifier = check_siret(form.recipient_siret, party=Party.RECIPIENT, field=RECIPIENT_FIELD)
    if identifier.level is not CheckLevel.PASS:
        check.results.append(identifier)
        return check
    siret = normalise_siret(form.recipient_siret)
    if siret in supplier_sirets:
        check.results.append(blocking(RECIPIENT_FIELD, "recipient_is_supplier", siret=siret))
        return check

    try:
        hits = await directory.search_structure(siret)
    except ChorusError as error:
        logger.warning("recipient lookup failed for SIRET %s: %s", siret, error)
        check.results.append(warning(RECIPIENT_FIELD, "recipient_lookup_failed", siret=siret, error=error.message))
        return check
    if not hits:
        check.results.append(await _unknown_recipient(siret, customer_name, directory))
        return check
    if len(hits) > 1:
        hit = _choose_hit(hits, form.recipient_structure_id)
        if hit is None:
            result = blocking(RECIPIENT_FIELD, "recipient_several", siret=siret, count=len(hits),
                              names=", ".join(option.label for option in _structure_options(hits)))
            result.options = _structure_options(hits)
            check.results.append(result)
            return check
    else:
        hit = hits[0]
    name = hit.name or siret
    if not hit.active:
        check.results.append(blocking(RECIPIENT_FIELD, "recipient_inactive", siret=siret, name=name))
        return check

    try:
        details = await directory.structure(hit.structure_id)
    except ChorusError as error:
        logger.warning("structure %s could not be read: %s", hit.structure_id, error)
        check.results.append(warning(RECIPIENT_FIELD, "recipient_lookup_failed", siret=siret, error=error.message))
        return check
    if details.general.public_or_private == "PRIVEE":
        check.results.append(blocking(RECIPIENT_FIELD, "recipient_private", siret=siret, name=name))
        return check
    check.structure_id = hit.structure_id
    check.details = details
    check.results.append(passed(RECIPIENT_FIELD, "recipient_found", siret=siret, name=name))
    return check


async def check_validator_in_directory(form: DepositForm, directory: Directory) -> CheckResult | None:
    """Look up the mandataire (codeStructureValideur), who must be on Chorus Pro to validate."""
    if not form.validator_siret:
        return None
    siret = normalise_siret(form.validator_siret)
    try:
        hits = await directory.search_structure(siret)
    except ChorusError as error:
        logger.warning("validator lookup failed for SIRET %s: %s", siret, error)
        return warning(VALIDATOR_FIELD, "validator_lookup_failed", siret=siret, error=error.message)
    if not hits:
        # NOTE: no source states whether Chorus Pro rejects a validator missing from its directory.
        # A mandataire validates in its own Chorus Pro space, so it should be there, but this
        # only warns.
        return warning(VALIDATOR_FIELD, "validator_unknown", siret=siret)
    active = [hit for hit in hits if hit.active]
    if not active:
        return blocking(VALIDATOR_FIELD, "validator_inactive", siret=siret, name=hits[0].name or siret)
    return passed(VALIDATOR_FIELD, "validator_found", siret=siret, name=active[0].name or siret)
