"""More free-text label variants, one per spelling, field and layout, each with the fields it must give."""

from __future__ import annotations

import pytest

from chorus_tui.detection import detect_chorus_data
from chorus_tui.sources.text import clean_text

VALMORIN = "21170753455688"  # Commune de Valmorin in the simulator's directory
CONTRACTOR = "53241877900015"


def detect(text: str):
    return detect_chorus_data(clean_text(text))


# (case id, text, expected fields). Each field in the dict must have exactly that value.
VARIANTS = [
    # SIRET: every number word, the value on the next line, spaces in unusual places
    ("siret-ordinal-sign", f"Nº SIRET : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-no-word", f"No SIRET : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-numero", f"Numéro SIRET : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-next-line-grouped", "N° SIRET\n211 707 534 55688", {"recipient_siret": VALMORIN}),
    ("siret-nbsp-dots", "Siret\u00a0: 211.707.534.55688", {"recipient_siret": VALMORIN}),
    ("siret-grouped-by-three", "SIRET : 211 707 534 556 88", {"recipient_siret": VALMORIN}),
    ("siret-colon-glued", f"SIRET: {VALMORIN}", {"recipient_siret": VALMORIN}),
    # service code
    ("service-nbsp", "Service\u00a0:\u00a0ST", {"service_code": "ST"}),
    ("service-thin-space", "Service\u2009: ST", {"service_code": "ST"}),
    ("code-service-upper", "CODE SERVICE : DIRACH", {"service_code": "DIRACH"}),
    ("code-service-next-line", "Code service\nDIRACH", {"service_code": "DIRACH"}),
    ("service-executant-upper-accent", "SERVICE EXÉCUTANT : SE-01", {"service_code": "SE-01"}),
    ("service-executant-next-line", "Service exécutant\nSE-01", {"service_code": "SE-01"}),
    # engagement number
    ("engagement-narrow-nbsp", "N°\u202fengagement\u00a0: 1300012345", {"engagement_number": "1300012345"}),
    ("engagement-numero-upper", "NUMÉRO D'ENGAGEMENT : 1300045127", {"engagement_number": "1300045127"}),
    ("engagement-juridique-numero", "Numero engagement juridique 1300045127", {"engagement_number": "1300045127"}),
    ("engagement-juridique-next-line", "Engagement juridique\n2100456789", {"engagement_number": "2100456789"}),
    ("ej-lower", "ej : 1300045127", {"engagement_number": "1300045127"}),
    ("ej-next-line", "EJ\n1300045127", {"engagement_number": "1300045127"}),
    ("ej-ordinal-sign", "Nº EJ : 1300045127", {"engagement_number": "1300045127"}),
    ("ej-d-apostrophe", "N° d'EJ : 1300045127", {"engagement_number": "1300045127"}),
    ("bon-de-commande-no-colon", "Bon de commande 4500012345", {"engagement_number": "4500012345"}),
    ("bon-de-commande-upper", "BON DE COMMANDE : 4500012345", {"engagement_number": "4500012345"}),
    ("bon-de-commande-next-line", "Bon de commande :\n4500012345", {"engagement_number": "4500012345"}),
    # contract number
    ("marche-ordinal-sign", "Nº marché : M-1", {"contract_number": "M-1"}),
    ("marche-lower-n", "n° marché M-1", {"contract_number": "M-1"}),
    ("marche-no", "No marché : M-1", {"contract_number": "M-1"}),
    ("marche-upper-no-accent", "NUMERO DE MARCHE : M-1", {"contract_number": "M-1"}),
    ("marche-next-line", "N° marché :\nM-2026-3", {"contract_number": "M-2026-3"}),
    # mandataire given by its SIRET alone
    ("mandataire-siret-only", "Mandataire : 532 418 779 00015", {"mandataire_siret": CONTRACTOR}),
    ("mandataire-upper-no-colon", f"MANDATAIRE {CONTRACTOR}", {"mandataire_siret": CONTRACTOR}),
    (
        "mandataire-siret-and-recipient",
        f"Mandataire : {CONTRACTOR}\nSIRET : {VALMORIN}",
        {"mandataire_siret": CONTRACTOR, "recipient_siret": VALMORIN},
    ),
    (
        "service-code-of-label-words",
        f"Code service : SERVICE MARCHE PUBLIC\nSIRET : {VALMORIN}",
        {"service_code": "SERVICE MARCHE PUBLIC", "recipient_siret": VALMORIN},
    ),
    # every label in one block, and a footer line in table order
    (
        "all-labels-block",
        "Service : ST\nSIRET : 211 707 534 55688\nN° engagement : 1300012345\nN° marché : M-1",
        {"service_code": "ST", "recipient_siret": VALMORIN, "engagement_number": "1300012345", "contract_number": "M-1"},
    ),
    (
        "footer-bars-after-totals",
        f"Total TTC 120,00 €\nCode service ST | EJ 1300012345 | SIRET {VALMORIN}",
        {"service_code": "ST", "engagement_number": "1300012345", "recipient_siret": VALMORIN},
    ),
]


@pytest.mark.parametrize(("case_id", "text", "expected"), VARIANTS, ids=[case[0] for case in VARIANTS])
def test_freetext_variant(case_id, text, expected):
    detection = detect(text)
    for field, value in expected.items():
        assert getattr(detection, field) == value, field


# Chorus Pro's service codes may contain accented Latin letters, digits, spaces, "_" and "-".
ACCENTED_SERVICE_CODES = [
    pytest.param("Code service : RÉGIE_EAU", "RÉGIE_EAU", id="accent-inside"),
    pytest.param("Code service : DÉPENSES", "DÉPENSES", id="accent-second-letter"),
    pytest.param("Code service : SERVICE_ÉCOLES", "SERVICE_ÉCOLES", id="accent-after-underscore"),
    pytest.param("Service exécutant : ÉCOLES", "ÉCOLES", id="accent-first-letter"),
    pytest.param("code service : régie", "régie", id="accent-lower-lone-word"),
]


# The value after a service code label runs to the line end, a separator or the next label.
SERVICE_CODE_RUNS = [
    pytest.param("Code service : SERVICE ACHATS", "SERVICE ACHATS", id="two-words"),
    pytest.param("Code service : SERVICE ACHATS\nN° EJ : 1300012345", "SERVICE ACHATS", id="two-words-then-line"),
    pytest.param("Service : ACHATS PUBLICS", "ACHATS PUBLICS", id="weak-label-two-words"),
    pytest.param("Code service : RÉGIE EAU - N° EJ : 1300012345", "RÉGIE EAU", id="dash-separator"),
    pytest.param("Code service : SERVICE ACHATS (direction)", "SERVICE ACHATS", id="parenthesis-ends"),
    pytest.param("Code service : ST, services techniques", "ST", id="comma-ends"),
    pytest.param("Service : ST EJ 1300012345", "ST", id="next-label-ends"),
    pytest.param("Code service : ACHATS MARCHE PUBLIC", "ACHATS MARCHE PUBLIC", id="label-word-without-value"),
    pytest.param("Code service : ST.", "ST", id="final-period"),
]


@pytest.mark.parametrize(("text", "code"), ACCENTED_SERVICE_CODES + SERVICE_CODE_RUNS)
def test_service_code_value(text, code):
    assert detect(text).service_code == code


# A value that is only partly a code gives no code: a fragment would be a wrong code.
PARTLY_CODES = [
    pytest.param("Code service : RÉGIE/EAU", id="slash-inside"),
    pytest.param("Code service : ΕΣΟΔΑ", id="greek-letters"),
    pytest.param("Code service : DIRACH pour la direction", id="code-then-prose"),
    pytest.param("Code service : SE.01", id="dot-inside"),
]


@pytest.mark.parametrize("text", PARTLY_CODES)
def test_partly_code_gives_none(text):
    assert detect(text).service_code is None


def test_contract_number_with_accent_not_cut():
    assert detect("N° marché : MARCHÉ-12").contract_number is None


def test_engagement_after_accented_code():
    detection = detect("Code service : SERVICE_ÉCOLES - N° EJ : 1300012345")

    assert detection.service_code == "SERVICE_ÉCOLES"
    assert detection.engagement_number == "1300012345"


def test_subcontracting_detected_with_contractor():
    detection = detect(
        "Sous-traitant de premier rang, paiement direct\n"
        f"Titulaire du marché : Exemple BTP SAS – SIRET {CONTRACTOR}\n"
        f"SIRET du destinataire : {VALMORIN}"
    )
    assert detection.subcontracting is True
    assert detection.mandataire_siret == CONTRACTOR
    assert detection.mandataire_name == "Exemple BTP SAS"
    assert detection.recipient_siret == VALMORIN


def test_co_contractor_is_not_subcontracting():
    detection = detect(f"Mandataire : Exemple BTP SAS – SIRET {CONTRACTOR}\nSIRET : {VALMORIN}")
    assert detection.subcontracting is False
    assert detection.mandataire_siret == CONTRACTOR


def test_corpus_reaches_80_cases():
    from tests.detection.test_freetext_corpus import CASES

    assert len(CASES) + len(VARIANTS) >= 80
