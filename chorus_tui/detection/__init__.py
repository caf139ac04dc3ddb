"""Detection of Chorus Pro data (recipient SIRET, service, engagement, contract, mandataire) in invoices."""

from chorus_tui.detection.detector import ChorusFields, detect_chorus_data
from chorus_tui.detection.siret import format_siret, is_valid_siret, normalise_siren, normalise_siret

__all__ = [
    "ChorusFields",
    "detect_chorus_data",
    "format_siret",
    "is_valid_siret",
    "normalise_siren",
    "normalise_siret",
]
