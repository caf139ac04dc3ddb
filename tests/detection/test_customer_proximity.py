"""Ranking of recipient SIRETs by where they sit: by the customer's label or name, in the header, elsewhere."""

from __future__ import annotations

from chorus_tui.detection import detect_chorus_data
from chorus_tui.sources.text import clean_text

VALMORIN = "21170753455688"  # Commune de Valmorin in the simulator's directory
RECTORAT = "18594069900019"  # Rectorat de l'académie de Montclair
SUPPLIER = "81588139669879"  # Atelier Verdier, the demo supplier

# The customer's SIRET alone at the top of the page, another public body's SIRET in the
# footer, and no supplier SIRET printed.
HEADER_AND_FOOTER = """SIRET : 211 707 534 55688
FACTURE N° NC3-002
Date : 01/12/2026
Client : Commune de Valmorin, 1 place de la Mairie, 17000 Valmorin
Code service : RÉGIE_EAU
N° EJ 1300081234
Entretien des pompes - décembre 2026
Total HT : 100,00 €
TVA 20 % : 20,00 €
Total TTC : 120,00 €

SIRET : 185 940 699 00019 - Rectorat, service facturier"""
CUSTOMER = "Commune de Valmorin, 1 place de la Mairie, 17000 Valmorin"


def detect(text: str, supplier_sirets=(), customer_name=None):
    return detect_chorus_data(clean_text(text), supplier_sirets=supplier_sirets, customer_name=customer_name)


def candidate(detection, siret):
    return next(item for item in detection.candidates if item.siret == siret)


def test_header_siret_kept_when_supplier_known():
    detection = detect(HEADER_AND_FOOTER, supplier_sirets={SUPPLIER}, customer_name=CUSTOMER)

    assert detection.recipient_siret == VALMORIN
    valmorin_candidate = candidate(detection, VALMORIN)
    assert valmorin_candidate.reason.key == "detect.reason_label_near_customer"
    assert valmorin_candidate.reason.params == {"label": "SIRET", "near": "Client"}
    assert str(valmorin_candidate.reason) == "Mention « SIRET » près de « Client »"
    assert candidate(detection, RECTORAT).score < valmorin_candidate.score


def test_header_siret_set_aside_when_supplier_unknown():
    # Without the supplier's SIRET, a SIRET above the customer block is most likely the supplier's.
    detection = detect(HEADER_AND_FOOTER, customer_name=CUSTOMER)

    assert candidate(detection, VALMORIN).reason.key == "detect.reason_supplier_letterhead"
    assert detection.recipient_siret == RECTORAT


def test_customer_block_beats_earlier_label():
    text = (
        f"SIRET : {RECTORAT}\nObjet : maintenance\nPériode : novembre\nLieu : école\nContact : M. Durand\n"
        f"Destinataire :\nCommune de Valmorin\n1 place de la Mairie\nSIRET : {VALMORIN}"
    )
    detection = detect(text, supplier_sirets={SUPPLIER})

    assert detection.recipient_siret == VALMORIN
    assert candidate(detection, VALMORIN).reason.params["near"] == "Destinataire"
    assert candidate(detection, RECTORAT).reason.key == "detect.reason_label"


def test_customer_name_line_beats_earlier_label():
    text = f"SIRET : {RECTORAT}\nEntretien des pompes\nCommune de Valmorin - SIRET : {VALMORIN}"
    detection = detect(text, customer_name="Commune de Valmorin (mairie)")

    assert detection.recipient_siret == VALMORIN
    assert candidate(detection, VALMORIN).reason.params["near"] == "Commune de Valmorin"


def test_unlabelled_siret_in_customer_block_reason():
    text = f"Facturé à :\nCommune de Valmorin\n{VALMORIN}"
    detection = detect(text)

    valmorin_candidate = candidate(detection, VALMORIN)
    assert valmorin_candidate.reason.key == "detect.reason_unlabelled_near_customer"
    assert valmorin_candidate.reason.params["near"] == "Facturé à"


def test_label_in_reason_is_trimmed():
    detection = detect(f"SIRET : {VALMORIN}")

    assert detection.candidates[0].reason.params["label"] == "SIRET"
    assert str(detection.candidates[0].reason) == "Mention « SIRET » dans le texte"


def test_label_keeps_printed_case():
    detection = detect(f"n° siret   du client : {VALMORIN}")

    assert detection.candidates[0].reason.params["label"] == "n° siret du client"


def test_disagreement_warning_names_ranking():
    # Both SIRETs come from the text, so no source is more trusted: the ranking decided.
    detection = detect(HEADER_AND_FOOTER, supplier_sirets={SUPPLIER}, customer_name=CUSTOMER)

    assert [str(warning) for warning in detection.warnings] == [
        f"Plusieurs SIRET de destinataire trouvés : {VALMORIN} retenu (le mieux classé), {RECTORAT} écarté. "
        "Vérifiez le destinataire."
    ]
