"""SIRET and SIREN checks for the parties of an invoice (recipient, mandataire, supplier).

python-stdnum's `stdnum.fr.siret` applies the Luhn key and La Poste's exception: its
establishments share the SIREN 356000000 and use a sum-of-digits key instead.
"""

from __future__ import annotations

import enum
import re

from stdnum.exceptions import ValidationError
from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

from chorus_tui.domain import CheckResult
from chorus_tui.i18n import Message
from chorus_tui.validation.results import blocking, passed

# Separators people type or print inside a SIRET: spaces (normal, no-break, narrow), dots, dashes.
_SEPARATORS = re.compile(r"[\s.\-\u00a0\u202f]")


class Party(enum.StrEnum):
    """The party a SIRET identifies; the value is the message key of the party's name."""

    RECIPIENT = "party_recipient"  # destinataire
    MANDATAIRE = "party_mandataire"
    SUPPLIER = "party_supplier"  # fournisseur


def normalise_siret(value: str) -> str:
    """Remove the spaces, dots and dashes of a typed or printed SIRET or SIREN."""
    return _SEPARATORS.sub("", value)


def siren_of(siret: str) -> str:
    """Return the SIREN (first 9 digits) of a normalised SIRET."""
    return siret[:9]


def check_siret(value: str | None, *, party: Party, field: str) -> CheckResult:
    """Check that `value` is a well-formed SIRET and name the party in the message."""
    party_name = Message(f"checks.{party.value}")
    if value is None or not value.strip():
        return blocking(field, "siret_missing", party=party_name)
    siret = normalise_siret(value)
    if not siret.isdigit():
        return blocking(field, "siret_not_digits", party=party_name, value=value)
    if len(siret) == 9:
        # A SIREN where a SIRET is expected: the establishment's NIC (5 digits) is missing.
        return blocking(field, "siret_is_siren", party=party_name, value=siret)
    if len(siret) != 14:
        return blocking(field, "siret_length", party=party_name, value=siret, length=len(siret))
    siren = siren_of(siret)
    try:
        stdnum_siret.validate(siret)
    except ValidationError:
        # stdnum checks the SIREN's own key too: tell the user which of the two keys is wrong.
        if not stdnum_siren.is_valid(siren):
            return blocking(field, "siren_checksum", party=party_name, value=siret, siren=siren)
        return blocking(field, "siret_checksum", party=party_name, value=siret)
    return passed(field, "siret_valid", party=party_name, value=siret, siren=siren)


def check_siren(value: str | None, *, party: Party, field: str) -> CheckResult:
    """Check a 9-digit SIREN, for the places where a party is identified by its company only."""
    party_name = Message(f"checks.{party.value}")
    if value is None or not value.strip():
        return blocking(field, "siren_missing", party=party_name)
    siren = normalise_siret(value)
    if not siren.isdigit() or len(siren) != 9:
        return blocking(field, "siren_format", party=party_name, value=value, length=len(siren))
    if not stdnum_siren.is_valid(siren):
        return blocking(field, "siren_checksum", party=party_name, value=siren, siren=siren)
    return passed(field, "siren_valid", party=party_name, value=siren)
