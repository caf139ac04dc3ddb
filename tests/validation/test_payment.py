from chorus_tui.domain import CheckLevel, DepositForm, InvoiceKind
from chorus_tui.validation.payment import check_bank_account, check_payment_mode


def form(**fields) -> DepositForm:
    values = {"invoice_number": "FAC-2026-0042", "invoice_date": None, "recipient_siret": "21170753455688"}
    values.update(fields)
    return DepositForm(**values)


def test_transfer_with_account_passes():
    results = check_payment_mode(form(bank_account_id=4107))
    assert [result.level for result in results] == [CheckLevel.PASS]
    assert str(results[0].message) == "Mode de paiement : Virement."


def test_transfer_without_account_is_blocking():
    results = check_payment_mode(form())
    assert results[0].level is CheckLevel.BLOCKING
    assert results[0].field == "bank_account_id"
    assert str(results[0].message) == (
        "Coordonnées bancaires manquantes : un paiement par virement exige l'un de vos comptes bancaires "
        "enregistrés sur Chorus Pro. Choisissez-le."
    )


def test_invoice_without_payment_mode_is_blocking():
    results = check_payment_mode(form(payment_mode=None))
    assert str(results[0].message) == "Mode de paiement manquant : choisissez-le (virement en général)."


def test_credit_note_with_payment_mode_is_blocking():
    results = check_payment_mode(form(kind=InvoiceKind.CREDIT_NOTE, payment_mode="VIREMENT"))
    assert results[0].level is CheckLevel.BLOCKING
    assert str(results[0].message) == (
        "Mode de paiement « Virement » sur un avoir : un avoir ne porte pas de mode de paiement, et Chorus Pro "
        "rejette des avoirs pour cette raison. Videz ce champ."
    )


def test_credit_note_without_payment_mode_passes():
    results = check_payment_mode(form(kind=InvoiceKind.CREDIT_NOTE, payment_mode=None))
    assert [result.level for result in results] == [CheckLevel.PASS]


def test_cheque_needs_no_account():
    assert check_payment_mode(form(payment_mode="CHEQUE"))[0].level is CheckLevel.PASS


def test_unknown_payment_mode_is_blocking():
    assert check_payment_mode(form(payment_mode="BITCOIN"))[0].level is CheckLevel.BLOCKING


def test_account_among_valid_ones_passes():
    result = check_bank_account(form(bank_account_id=4107), [(4107, "Compte courant Atelier Verdier")])
    assert result.level is CheckLevel.PASS
    assert str(result.message) == "Coordonnées bancaires : Compte courant Atelier Verdier."


def test_account_not_among_valid_ones_is_blocking():
    result = check_bank_account(form(bank_account_id=9999), [(4107, "Compte courant Atelier Verdier")])
    assert result.level is CheckLevel.BLOCKING
    assert str(result.message) == (
        "Le compte bancaire 9999 ne fait pas partie de vos comptes valides sur Chorus Pro "
        "(Compte courant Atelier Verdier (4107)). Choisissez l'un d'eux."
    )
