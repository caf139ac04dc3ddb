from decimal import Decimal

from chorus_tui.domain import Amounts, CheckLevel, DepositForm, Detection, SourceInvoice
from chorus_tui.validation.billing_frame import A1, A2, A9, A12, check_billing_frame, suggest_billing_frame

D = Decimal
MANDATAIRE_SIRET = "84645060900017"
SUPPLIER_SIRET = "81588139669879"


def invoice(**fields) -> SourceInvoice:
    return SourceInvoice(source_key="FAC-2026-0042.pdf", file_path=None, **fields)


def form(**fields) -> DepositForm:
    values = {"invoice_number": "FAC-2026-0042", "invoice_date": None, "recipient_siret": "21170753455688",
              "amounts": Amounts(D("100.00"), D("20.00"), D("120.00"), D("120.00"))}
    values.update(fields)
    return DepositForm(**values)


def test_ordinary_invoice_suggests_a1():
    frame, reason = suggest_billing_frame(invoice(amounts=Amounts(D("100.00"), D("20.00"), D("120.00"), D("120.00"))))
    assert frame == A1
    assert str(reason) == "Facture ordinaire : cadre A1, facture fournisseur."


def test_paid_invoice_suggests_a2():
    frame, reason = suggest_billing_frame(invoice(amounts=Amounts(D("100.00"), D("20.00"), D("120.00"), D("0"))))
    assert frame == A2
    assert str(reason) == "La facture est déjà payée (rien à payer) : cadre A2, facture déjà payée."
    assert suggest_billing_frame(invoice(already_paid=True))[0] == A2


def test_detected_mandataire_suggests_a12_with_its_name():
    detection = Detection(mandataire_siret=MANDATAIRE_SIRET, mandataire_name="Exemple BTP SAS")
    frame, reason = suggest_billing_frame(invoice(detection=detection))
    assert frame == A12
    assert str(reason) == (
        "La facture mentionne un mandataire (Exemple BTP SAS, SIRET 84645060900017) : cadre A12, facture de "
        "cotraitant, à faire valider par le mandataire. Choisissez A9 si vous êtes sous-traitant payé directement."
    )


def test_a1_passes():
    results = check_billing_frame(form())
    assert [result.level for result in results] == [CheckLevel.PASS]
    assert str(results[0].message) == "Cadre de facturation : A1 – facture fournisseur."


def test_a2_with_amount_to_pay_is_blocking():
    results = check_billing_frame(form(billing_frame=A2))
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert str(results[0].message) == (
        "Le cadre A2 (facture déjà payée) exige un montant à payer nul : choisissez le cadre A1, ou saisissez 0 "
        "comme montant à payer si la facture est réglée."
    )


def test_a2_invoice_due_asks_other_frame():
    # The form locks an amount to pay read from the invoice, so only the cadre can change.
    printed = invoice(amounts=Amounts(D("100.00"), D("20.00"), D("120.00"), D("120.00")))
    results = check_billing_frame(form(billing_frame=A2), printed)
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    text = str(results[0].message)
    assert "saisissez 0" not in text
    assert text == (
        "Le cadre A2 (facture déjà payée) exige un montant à payer nul, or la facture indique "
        "120,00\u00a0€ à payer : choisissez un autre cadre, A1 pour une facture à payer."
    )


def test_a2_ttc_due_asks_other_frame():
    # An invoice that prints no amount to pay owes its TTC total, which the form also locks.
    unprinted = invoice(amounts=Amounts(D("100.00"), D("20.00"), D("120.00"), None))
    results = check_billing_frame(form(billing_frame=A2), unprinted)
    assert [result.message.key for result in results] == ["checks.frame_a2_invoice_due"]


def test_a2_typed_due_asks_zero():
    # No amount printed at all: the user typed the amount to pay, and may type 0 instead.
    blank = invoice(amounts=Amounts())
    results = check_billing_frame(form(billing_frame=A2), blank)
    assert [result.message.key for result in results] == ["checks.frame_a2_not_paid"]


def test_a2_invoice_due_in_english():
    printed = invoice(amounts=Amounts(D("100.00"), D("20.00"), D("120.00"), D("120.00")))
    results = check_billing_frame(form(billing_frame=A2), printed)
    assert results[0].message.render("en") == (
        "Frame A2 (invoice already paid) requires a zero amount to pay, but the invoice states "
        "€120.00 to pay: choose another frame, A1 for an invoice still to be paid."
    )


def test_a1_with_nothing_to_pay_warns():
    paid = Amounts(D("100.00"), D("20.00"), D("120.00"), D("0"))
    results = check_billing_frame(form(amounts=paid))
    assert [result.level for result in results] == [CheckLevel.WARNING]


def test_a12_without_validator_is_blocking():
    results = check_billing_frame(form(billing_frame=A12))
    assert results[0].level is CheckLevel.BLOCKING
    assert results[0].field == "validator_siret"
    assert str(results[0].message) == (
        "SIRET du mandataire manquant : le cadre « A12 – facture de cotraitant » exige la structure qui valide la "
        "facture (le mandataire ou le titulaire du marché). Saisissez son SIRET."
    )


def test_a9_with_invalid_validator_names_the_mandataire():
    results = check_billing_frame(form(billing_frame=A9, validator_siret="84645060900018"))
    assert results[0].level is CheckLevel.BLOCKING
    assert str(results[0].message).startswith("SIRET du mandataire invalide")


def test_a12_with_valid_validator_passes():
    results = check_billing_frame(form(billing_frame=A12, validator_siret=MANDATAIRE_SIRET))
    assert {result.level for result in results} == {CheckLevel.PASS}


def test_supplier_as_its_own_validator_is_blocking():
    results = check_billing_frame(form(billing_frame=A12, validator_siret=SUPPLIER_SIRET),
                                  supplier_sirets=frozenset({SUPPLIER_SIRET}))
    assert results[0].level is CheckLevel.BLOCKING
    assert "votre propre structure" in str(results[0].message)


def test_mandataire_on_invoice_with_a1_warns():
    detection = Detection(mandataire_siret=MANDATAIRE_SIRET, mandataire_name="Exemple BTP SAS")
    results = check_billing_frame(form(), invoice(detection=detection))
    assert [result.level for result in results] == [CheckLevel.WARNING]
    assert str(results[0].message) == (
        "La facture mentionne un mandataire (Exemple BTP SAS, SIRET 84645060900017) : choisissez le cadre A12 "
        "(cotraitant) ou A9 (sous-traitant) pour qu'il valide la facture."
    )


def test_unknown_frame_is_blocking():
    results = check_billing_frame(form(billing_frame="A3_MEMOIRE_JUSTICE"))
    assert results[0].level is CheckLevel.BLOCKING


def test_subcontracting_suggests_a9_with_main_contractor():
    detection = Detection(subcontracting=True, mandataire_siret=MANDATAIRE_SIRET, mandataire_name="Exemple BTP SAS")
    frame, reason = suggest_billing_frame(invoice(detection=detection))
    assert frame == A9
    assert "Exemple BTP SAS" in str(reason)
    assert MANDATAIRE_SIRET in str(reason)


def test_subcontracting_without_contractor_asks_siret():
    frame, reason = suggest_billing_frame(invoice(detection=Detection(subcontracting=True)))
    assert frame == A9
    assert reason.key == "checks.frame_reason_subcontracting_no_contractor"


def test_subcontracting_with_a12_warns():
    detection = Detection(subcontracting=True, mandataire_siret=MANDATAIRE_SIRET)
    results = check_billing_frame(form(billing_frame=A12, validator_siret=MANDATAIRE_SIRET), invoice(detection=detection))
    frame_results = [result for result in results if result.field == "billing_frame"]
    assert [result.level for result in frame_results] == [CheckLevel.WARNING]
    assert frame_results[0].message.key == "checks.frame_subcontracting_detected"


def test_subcontracting_with_a9_passes():
    detection = Detection(subcontracting=True, mandataire_siret=MANDATAIRE_SIRET)
    results = check_billing_frame(form(billing_frame=A9, validator_siret=MANDATAIRE_SIRET), invoice(detection=detection))
    assert all(result.level is CheckLevel.PASS for result in results)
