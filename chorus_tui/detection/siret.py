"""SIRET and SIREN normalisation and checks, on top of python-stdnum.

`stdnum.fr.siret` applies the exception for La Poste's establishments, whose
SIRETs do not pass the plain Luhn check.
"""

from __future__ import annotations

import re
from functools import lru_cache

from stdnum.fr import siren as stdnum_siren
from stdnum.fr import siret as stdnum_siret

# Separators people type inside a SIRET: spaces (any kind, after clean-up
# they are plain spaces), dots, dashes and slashes.
_SEPARATORS = re.compile(r"[\s.\-/_]")


def normalise_siret(value: str) -> str | None:
    """Return the 14 digits of a SIRET written with or without separators, or None.

    "123 456 789 00012", "123.456.789.00012" and "12345678900012" all give
    "12345678900012". The checksum is not checked here (see
    `is_valid_siret`), because a SIRET with a typo must still be shown.
    """
    return _digits_of(value, 14)


def normalise_siren(value: str) -> str | None:
    """Return the 9 digits of a SIREN written with or without separators, or None."""
    return _digits_of(value, 9)


def _digits_of(value: str, length: int) -> str | None:
    """Return `value` without separators when that leaves `length` ASCII digits, else None.

    Most numbers are printed with spaces or nothing between their digits,
    and `str.replace` removes spaces faster than the separator pattern.
    When removing the spaces alone leaves only digits, the pattern would
    have removed the same characters.
    """
    digits = value.replace(" ", "")
    if not (digits.isascii() and digits.isdigit()):
        digits = _SEPARATORS.sub("", value)
        if not (digits.isascii() and digits.isdigit()):
            return None
    return digits if len(digits) == length else None


@lru_cache(maxsize=4096)
def is_valid_siret(siret: str) -> bool:
    """Tell whether a normalised SIRET passes the checksum (La Poste's exception included).

    Cached because detection checks the same few SIRETs several times per invoice.
    """
    return stdnum_siret.is_valid(siret)


def is_valid_siren(siren: str) -> bool:
    return stdnum_siren.is_valid(siren)


def siren_of(identifier: str) -> str:
    """Return the SIREN part (first 9 digits) of a SIRET or SIREN."""
    return identifier[:9]


def format_siret(siret: str) -> str:
    """Return a normalised SIRET grouped for reading: "123 456 789 00012"."""
    return f"{siret[0:3]} {siret[3:6]} {siret[6:9]} {siret[9:14]}"
