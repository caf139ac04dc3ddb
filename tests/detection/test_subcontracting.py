"""Subcontracting with direct payment (frame A9): the flag, the main contractor, and what stays the recipient."""

from __future__ import annotations

import pytest

from chorus_tui.detection import detect_chorus_data
from chorus_tui.domain import SourceInvoice
from chorus_tui.sources.text import clean_text
from chorus_tui.validation.billing_frame import A9, suggest_billing_frame

VALMORIN = "21170753455688"  # Commune de Valmorin in the simulator's directory
CONTRACTOR = "53241877900015"


def detect(text: str):
    return detect_chorus_data(clean_text(text))


SUBCONTRACTING_PHRASES = [
    pytest.param("Sous-traitant de premier rang, paiement direct", id="subcontractor-and-direct-payment"),
    pytest.param("Paiement direct du sous-traitant (article R2193-10)", id="direct-payment-of-subcontractor"),
    pytest.param("Facture de sous-traitance", id="subcontracting-word"),
    pytest.param("SOUS TRAITANCE - PAIEMENT DIRECT", id="upper-no-hyphen"),
    pytest.param("Sous-traitant\nPaiement direct par le maître d'ouvrage", id="phrases-on-two-lines"),
    pytest.param("Facture de sous\u2011traitance", id="non-breaking-hyphen"),
    pytest.param("Sous\u2010traitant de premier rang, paiement direct", id="unicode-hyphen"),
]


@pytest.mark.parametrize("text", SUBCONTRACTING_PHRASES)
def test_subcontracting_phrase_sets_flag(text):
    assert detect(f"{text}\nSIRET : {VALMORIN}").subcontracting is True


NOT_SUBCONTRACTING = [
    pytest.param("Sous-traitant : Exemple Peinture SARL", id="subcontractor-named-only"),
    pytest.param("Paiement direct par virement", id="direct-payment-only"),
    pytest.param("Prestation réalisée sans sous-traitance", id="denied"),
    pytest.param("Sous-traitance : néant", id="denied-after"),
    pytest.param("Prestation réalisée sans sous\u2011traitance", id="denied-non-breaking-hyphen"),
    pytest.param("Sous-traitance : non – paiement direct : non", id="both-denied"),
    pytest.param(f"Mandataire : Exemple BTP SAS – SIRET {CONTRACTOR}", id="co-contractor"),
    pytest.param("Service : ST", id="nothing"),
]


@pytest.mark.parametrize("text", NOT_SUBCONTRACTING)
def test_other_phrase_keeps_flag_off(text):
    assert detect(f"{text}\nSIRET : {VALMORIN}").subcontracting is False


def test_main_contractor_on_next_line():
    detection = detect(
        "Sous-traitance avec paiement direct\n"
        "Entreprise principale : Exemple BTP SAS\n"
        "SIRET : 532 418 779 00015\n"
        f"Client : Commune de Valmorin\nSIRET : {VALMORIN}"
    )

    assert detection.subcontracting is True
    assert detection.mandataire_name == "Exemple BTP SAS"
    assert detection.mandataire_siret == CONTRACTOR
    assert detection.recipient_siret == VALMORIN


def test_main_contractor_never_recipient():
    # The contractor's SIRET is printed first, and the customer's has no label.
    detection = detect(f"Paiement direct du sous-traitant\nTitulaire du marché : {CONTRACTOR}\n{VALMORIN}")

    assert detection.recipient_siret == VALMORIN
    excluded = next(candidate for candidate in detection.candidates if candidate.siret == CONTRACTOR)
    assert excluded.score < 0
    assert excluded.reason.key == "detect.reason_main_contractor"


def test_titulaire_without_subcontracting_not_mandataire():
    # On an ordinary invoice the "titulaire du marché" is the supplier: no frame A12 or A9.
    detection = detect(f"Titulaire du marché : Exemple BTP SAS – SIRET {CONTRACTOR}\nSIRET client : {VALMORIN}")

    assert detection.subcontracting is False
    assert detection.mandataire_siret is None
    assert detection.recipient_siret == VALMORIN


def test_main_contractor_beats_mandataire_when_subcontracting():
    detection = detect(
        "Sous-traitance, paiement direct\n"
        "Mandataire du groupement : Autre SAS – SIRET 21170753455688\n"
        f"Titulaire du marché : Exemple BTP SAS – SIRET {CONTRACTOR}"
    )

    assert detection.mandataire_siret == CONTRACTOR
    assert detection.recipient_siret is None


def test_subcontracting_suggests_a9():
    detection = detect(
        "Sous-traitant, paiement direct\n"
        f"Titulaire du marché : Exemple BTP SAS – SIRET {CONTRACTOR}\n"
        f"SIRET du destinataire : {VALMORIN}"
    )

    frame, reason = suggest_billing_frame(SourceInvoice("FAC-1", None, detection=detection))

    assert frame == A9
    assert reason.params["siret"] == CONTRACTOR
