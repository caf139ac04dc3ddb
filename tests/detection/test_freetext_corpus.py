"""Free-text detection: each label variant real invoices use, with the fields it must give."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chorus_tui.detection import ChorusFields, detect_chorus_data
from chorus_tui.sources.text import clean_text

VALMORIN = "21170753455688"  # Commune de Valmorin in the simulator's directory
BEAURIVAGE = "21151884000015"
SUPPLIER = "81588139669879"  # the demo supplier
MANDATAIRE = "53241877900015"
BAD_CHECKSUM = "21170753455689"
FOOTER = (
    "Atelier Verdier Maintenance SARL au capital de 20 000 € - SIRET 815 881 396 69879 - "
    "RCS Orléans 815 881 396 - APE 3312Z"
)


def detect(text: str, **kwargs):
    return detect_chorus_data(clean_text(text), **kwargs)


# (case id, text, expected fields). A field missing from the dict is not checked;
# a field set to None must be absent.
CASES = [
    # --- SIRET label and value forms
    ("siret-colon", f"SIRET : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-no-colon", f"SIRET {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-lower", f"siret: {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-spaces", "SIRET : 211 707 534 55688", {"recipient_siret": VALMORIN}),
    ("siret-dots", "SIRET : 211.707.534.55688", {"recipient_siret": VALMORIN}),
    ("siret-dashes", "SIRET : 211-707-534-55688", {"recipient_siret": VALMORIN}),
    ("siret-nbsp", "SIRET\u00a0:\u00a0211\u00a0707\u00a0534\u00a055688", {"recipient_siret": VALMORIN}),
    ("siret-thin-spaces", "SIRET\u202f: 211\u2009707\u2009534\u200955688", {"recipient_siret": VALMORIN}),
    ("siret-next-line", f"SIRET\n{VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-next-line-colon", f"SIRET :\n  {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-number-word", f"N° SIRET : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-destinataire", f"SIRET du destinataire : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-client", f"Siret client {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-acheteur-accent-free", f"SIRET de l'acheteur : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("code-destinataire", f"Code destinataire : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("siret-unlabelled", f"Commune de Valmorin\n{VALMORIN}\n1 place de la Mairie", {"recipient_siret": VALMORIN}),
    ("siret-bad-checksum", f"SIRET : {BAD_CHECKSUM}", {"recipient_siret": BAD_CHECKSUM, "warning": "detect.siret_checksum"}),
    ("siret-13-digits", "SIRET : 211 707 534 5568", {"recipient_siret": None, "warning": "detect.siret_length"}),
    ("siret-in-iban-ignored", "IBAN : FR76 1751 5900 0004 5123 4567 818", {"recipient_siret": None}),
    # --- supplier exclusion
    ("footer-only", FOOTER, {"recipient_siret": None, "warning": "detect.only_supplier_siret"}),
    ("footer-and-recipient", f"SIRET : {VALMORIN}\n{FOOTER}", {"recipient_siret": VALMORIN}),
    ("footer-first", f"{FOOTER}\nClient : Commune de Valmorin\nSIRET : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("supplier-param", f"SIRET : {SUPPLIER}\nSIRET : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("supplier-param-only", f"SIRET : {SUPPLIER}", {"recipient_siret": None, "warning": "detect.only_supplier_siret"}),
    ("supplier-siren-param", f"SIRET : 815 881 396 00021\nSIRET : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("rcs-siren-excludes", f"RCS Orléans 815 881 396\nSIRET : 815 881 396 00021\nSIRET : {VALMORIN}", {"recipient_siret": VALMORIN}),
    ("vat-excludes", f"TVA intracommunautaire FR35815881396\nSIRET 81588139600021\nSIRET : {VALMORIN}", {"recipient_siret": VALMORIN}),
    (
        "letterhead-excluded",
        f"Atelier Verdier\nSIRET : 815 881 396 69879\nFACTURE N° FAC-2026-0001\nClient\nCommune de Valmorin\nSIRET : {VALMORIN}",
        {"recipient_siret": VALMORIN},
    ),
    (
        "letterhead-only",
        "Atelier Verdier\nSIRET : 81588139669879\nClient : Commune de Valmorin",
        {"recipient_siret": None, "warning": "detect.only_supplier_siret"},
    ),
    ("no-customer-label-no-letterhead", f"Commune de Valmorin\nSIRET : {VALMORIN}\nFacture FAC-2026-0001", {"recipient_siret": VALMORIN}),
    # --- service code
    ("service-colon", "Service : ST", {"service_code": "ST"}),
    ("service-no-colon", "Service ST", {"service_code": "ST"}),
    ("service-next-line", "Service :\nFINANCES", {"service_code": "FINANCES"}),
    ("code-service", "Code service : DIR_ACHATS", {"service_code": "DIR_ACHATS"}),
    ("code-du-service", "Code du service : ab12", {"service_code": "ab12"}),
    ("code-service-underscore", "Code service : SERVICE_FACTURIER", {"service_code": "SERVICE_FACTURIER"}),
    ("service-executant", "Service exécutant : SE-ACHATS", {"service_code": "SE-ACHATS"}),
    ("service-executant-no-accent", "SERVICE EXECUTANT SE01", {"service_code": "SE01"}),
    ("reference-acheteur", "Référence acheteur : SERVEXEC", {"service_code": "SERVEXEC"}),
    ("code-service-lone-word", "Code service : achats", {"service_code": "achats"}),
    ("service-executant-name-ignored", "Service exécutant : Direction des achats", {"service_code": None}),
    ("code-service-none", "Code service : néant", {"service_code": None}),
    ("service-prose-ignored", "Service : Direction des achats", {"service_code": None}),
    ("service-client-ignored", "Service client : 01 23 45 67 89", {"service_code": None}),
    ("service-apres-vente-ignored", "Service après-vente : SAV2026", {"service_code": None}),
    ("service-prose-number-ignored", "Prestation de service : 12 h", {"service_code": None}),
    ("service-after-dash", f"SIRET {VALMORIN} - Service : CCAS", {"service_code": "CCAS"}),
    ("generic-service-dropped", "Service : FACTURES_PUBLIQUES", {"service_code": None, "warning": "detect.generic_service"}),
    # --- engagement number
    ("engagement-n-degree", "N° engagement : 1300012345", {"engagement_number": "1300012345"}),
    ("engagement-no", "No engagement 1300012345", {"engagement_number": "1300012345"}),
    ("engagement-lower-n", "n° d'engagement : 1300012345", {"engagement_number": "1300012345"}),
    ("engagement-numero", "Numéro d'engagement : BC-2026-01", {"engagement_number": "BC-2026-01"}),
    ("engagement-numero-no-accent", "Numero d engagement : BC-2026-01", {"engagement_number": "BC-2026-01"}),
    ("engagement-ordinal", "Nº engagement : 1300012345", {"engagement_number": "1300012345"}),
    ("engagement-curly-apostrophe", "Numéro d’engagement juridique : 2100456789", {"engagement_number": "2100456789"}),
    ("engagement-juridique", "Engagement juridique : 2100456789", {"engagement_number": "2100456789"}),
    ("engagement-juridique-upper", "ENGAGEMENT JURIDIQUE 2100456789", {"engagement_number": "2100456789"}),
    ("ej-colon", "EJ : 1300045127", {"engagement_number": "1300045127"}),
    ("ej-number-word", "N° EJ 1300045127", {"engagement_number": "1300045127"}),
    ("ej-dash", "EJ - 1300045127", {"engagement_number": "1300045127"}),
    ("ej-parenthesis", "N° d'engagement (EJ) : 1300045127", {"engagement_number": "1300045127"}),
    ("bon-de-commande", "Bon de commande : BC2026-118", {"engagement_number": "BC2026-118"}),
    ("n-bon-de-commande", "N° bon de commande 4500012345", {"engagement_number": "4500012345"}),
    ("n-de-commande", "N° de commande : PO445", {"engagement_number": "PO445"}),
    ("engagement-next-line", "Numéro d'engagement juridique :\n  1300067001", {"engagement_number": "1300067001"}),
    ("votre-commande", "Votre commande n° 4500012345 du 02/03/2026", {"engagement_number": "4500012345"}),
    ("ref-commande", "Réf. commande : CMD-2026-88", {"engagement_number": "CMD-2026-88"}),
    ("purchase-order", "Purchase order: PO-2026-77", {"engagement_number": "PO-2026-77"}),
    ("bdc", "BDC 2026/0412", {"engagement_number": "2026/0412"}),
    ("engagement-prose-ignored", "Merci de rappeler le numéro d'engagement sur vos factures.", {"engagement_number": None}),
    # --- contract number
    ("marche-n-degree", "N° marché : M2026-12", {"contract_number": "M2026-12"}),
    ("marche-numero", "Numéro de marché : 2026-MAPA-012", {"contract_number": "2026-MAPA-012"}),
    ("marche-no-accent", "No marche 2026-MAPA-012", {"contract_number": "2026-MAPA-012"}),
    ("ref-marche", "Réf. marché MSPE2017", {"contract_number": "MSPE2017"}),
    ("marche-public", "Marché public n° 2026-014", {"contract_number": "2026-014"}),
    ("n-de-contrat", "N° de contrat : CT2018120802", {"contract_number": "CT2018120802"}),
    ("marche-code-like", "N° marché : MAPA-TRAVAUX", {"contract_number": "MAPA-TRAVAUX"}),
    ("marche-in-sentence", "Travaux réalisés dans le cadre du marché n° 2026-014.", {"contract_number": "2026-014"}),
    ("marche-prose-ignored", "Le marché de travaux est soldé.", {"contract_number": None}),
    # --- mandataire
    (
        "mandataire-dash-siret",
        f"Mandataire : Exemple BTP SAS – SIRET {MANDATAIRE}\nSIRET : {VALMORIN}",
        {"mandataire_siret": MANDATAIRE, "mandataire_name": "Exemple BTP SAS", "recipient_siret": VALMORIN},
    ),
    (
        "mandataire-bare-siret",
        "Mandataire : Constructions Armor SAS 532 418 779 00015",
        {"mandataire_siret": MANDATAIRE, "mandataire_name": "Constructions Armor SAS", "recipient_siret": None},
    ),
    (
        "mandataire-lower",
        f"mandataire constructions armor (siret {MANDATAIRE})",
        {"mandataire_siret": MANDATAIRE, "mandataire_name": "constructions armor"},
    ),
    (
        "mandataire-siret-next-line",
        f"Mandataire : Exemple BTP SAS\nSIRET : 532 418 779 00015\nSIRET du destinataire : {VALMORIN}",
        {"mandataire_siret": MANDATAIRE, "mandataire_name": "Exemple BTP SAS", "recipient_siret": VALMORIN},
    ),
    ("mandataire-name-only", "Mandataire : Exemple BTP SAS", {"mandataire_siret": None, "mandataire_name": "Exemple BTP SAS"}),
    (
        "mandataire-bad-checksum",
        "Mandataire : Exemple BTP – SIRET 53241877900016",
        {"mandataire_siret": "53241877900016", "warning": "detect.mandataire_siret_checksum"},
    ),
    # --- tables and odd order
    (
        "table-tabs",
        f"Code service\tN° marché\tSIRET\nDIRACH\tMSPE2017\t{VALMORIN}",
        {"service_code": "DIRACH", "contract_number": "MSPE2017", "recipient_siret": VALMORIN},
    ),
    (
        "table-bars-odd-order",
        f"N° marché | SIRET du destinataire | EJ\nM-2026-1 | {VALMORIN} | 1300012345",
        {"contract_number": "M-2026-1", "recipient_siret": VALMORIN, "engagement_number": "1300012345"},
    ),
    (
        "table-single-spaces-siret-grouped",
        "N° engagement Service exécutant N° marché SIRET destinataire\n2100093210 DRFIP_IMMO DRFIP-2026-07 211 707 534 55688",
        {"engagement_number": "2100093210", "service_code": "DRFIP_IMMO", "contract_number": "DRFIP-2026-07",
         "recipient_siret": VALMORIN},
    ),
    (
        "table-two-names-one-column",
        "REFERENCE ACHETEUR / SERVICE EXECUTANT N° BON DE COMMANDE N° CONTRAT\nSERVEXEC PO201925478 CT2018120802",
        {"service_code": "SERVEXEC", "engagement_number": "PO201925478", "contract_number": "CT2018120802"},
    ),
    (
        "label-rows-odd-order",
        f"N° marché M-7\nService ST\nEJ 1300000001\nSIRET {VALMORIN}",
        {"contract_number": "M-7", "service_code": "ST", "engagement_number": "1300000001", "recipient_siret": VALMORIN},
    ),
    (
        "footer-block-one-line",
        f"SIRET : {VALMORIN} - Service : ST - N° engagement : EJ-77 - N° marché : M-77",
        {"recipient_siret": VALMORIN, "service_code": "ST", "engagement_number": "EJ-77", "contract_number": "M-77"},
    ),
    (
        "glued-extraction",
        f"SIRET: {VALMORIN}Service: ST",
        {"recipient_siret": VALMORIN, "service_code": "ST"},
    ),
    # --- disagreement within free text: the first value is kept, with a warning
    ("two-services", "Service : ST\nCode service : CCAS", {"service_code": "ST", "warning": "detect.disagree_service_code"}),
    # --- kinds of customer
    ("foreign-vat", "Client : Stadt Köln\nN° TVA client : DE123456789", {"recipient_kind": "foreign", "warning": "detect.recipient_foreign"}),
    ("foreign-country-block", "Client\nVille de Liège\nPlace du Marché 2\n4000 Liège\nBelgique", {"recipient_kind": "foreign"}),
    ("country-outside-block-ignored", f"Client : Commune de Valmorin\nSIRET : {VALMORIN}\n\n\n\n\n\n\nHuile d'Italie", {"recipient_kind": None}),
    ("french-vat-not-foreign", f"N° TVA client FR19787878784\nSIRET : {VALMORIN}", {"recipient_kind": None}),
    ("no-data", "Facture FAC-2026-0001\nTotal TTC 120,00 €", {"recipient_siret": None, "warning": "detect.no_recipient_siret"}),
]


@pytest.mark.parametrize(("case_id", "text", "expected"), CASES, ids=[case[0] for case in CASES])
def test_freetext_case(case_id, text, expected):
    # Only the "supplier-…" cases pass the supplier's SIRET; the others must do without it.
    supplier_sirets = {SUPPLIER} if case_id.startswith("supplier-") else set()
    if case_id == "supplier-siren-param":
        supplier_sirets = {SUPPLIER[:9]}
    detection = detect(text, supplier_sirets=supplier_sirets)
    for field, value in expected.items():
        if field == "warning":
            keys = [warning.key for warning in detection.warnings]
            assert value in keys
        else:
            assert getattr(detection, field) == value, field


def test_corpus_is_large():
    assert len(CASES) >= 60


def test_supplier_never_recipient_without_param():
    detection = detect(f"{FOOTER}\nSIRET : {VALMORIN}")
    assert detection.recipient_siret == VALMORIN
    supplier = [candidate for candidate in detection.candidates if candidate.siret == SUPPLIER]
    assert supplier and supplier[0].score < 0
    assert supplier[0].reason.key == "detect.reason_supplier_footer"


def test_candidates_ranked_by_score():
    detection = detect(f"SIRET du destinataire : {VALMORIN}\nAutre établissement {BEAURIVAGE}", supplier_sirets={SUPPLIER})
    scores = [candidate.score for candidate in detection.candidates]
    assert scores == sorted(scores, reverse=True)
    assert detection.candidates[0].siret == VALMORIN
    assert detection.candidates[0].reason.key == "detect.reason_label_recipient"


def test_private_person_named():
    detection = detect("Facture FAC-2026-0001", customer_name="M. Jean Dupont")
    assert detection.recipient_kind == "private"
    assert "detect.recipient_private" in [warning.key for warning in detection.warnings]


def test_mandataire_not_recipient():
    detection = detect(f"Mandataire : Exemple BTP – SIRET {MANDATAIRE}\nSIRET : {VALMORIN}")
    assert detection.recipient_siret == VALMORIN
    assert detection.mandataire_siret == MANDATAIRE


def test_mandataire_siret_never_recipient():
    detection = detect(f"Mandataire : Exemple BTP {MANDATAIRE}\nCo-traitant {MANDATAIRE}")
    assert detection.recipient_siret is None


@given(st.text(max_size=400))
@settings(max_examples=200, deadline=None)
def test_detection_never_raises(text):
    detection = detect(text)
    for warning in detection.warnings:
        str(warning).encode("utf-8")
    if detection.recipient_siret is not None:
        assert len(detection.recipient_siret) == 14


label_words = st.sampled_from(["SIRET", "Service", "N° engagement", "EJ", "N° marché", "Mandataire", ":", "\n", " ",
                               "211 707 534 55688", "ST", "1300012345", "FACTURES_PUBLIQUES", "\u00a0", "capital"])


@given(st.lists(label_words, max_size=40))
@settings(max_examples=200, deadline=None)
def test_detection_never_raises_on_label_soup(words):
    detection = detect("".join(words), supplier_sirets={SUPPLIER})
    assert detection.recipient_siret in (None, VALMORIN)


def test_structured_fields_beat_free_text():
    structured = ChorusFields(recipient_siret=BEAURIVAGE, service_code="CCAS", engagement_number="EJ-SRC")
    detection = detect(f"SIRET : {VALMORIN}\nService : ST\nN° marché : M-1", structured=structured)
    assert detection.recipient_siret == BEAURIVAGE
    assert detection.sources["recipient_siret"] == "source"
    assert detection.service_code == "CCAS"
    assert detection.sources["service_code"] == "source"
    assert detection.engagement_number == "EJ-SRC"
    assert detection.contract_number == "M-1"
    assert detection.sources["contract_number"] == "text"
    keys = [warning.key for warning in detection.warnings]
    assert "detect.disagree_recipient_siret" in keys
    assert "detect.disagree_service_code" in keys


def test_structured_invalid_siret_warns():
    detection = detect("", structured=ChorusFields(recipient_siret="1234"))
    assert detection.recipient_siret is None
    assert "detect.siret_length" in [warning.key for warning in detection.warnings]
