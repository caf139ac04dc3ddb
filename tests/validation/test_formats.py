from datetime import date

from chorus_tui.domain import CheckLevel
from chorus_tui.validation.formats import (
    check_comment,
    check_contract_number_format,
    check_engagement_number_format,
    check_invoice_date,
    check_invoice_number,
    check_service_code_format,
    looks_like_date,
)
from tests.validation.conftest import TODAY


def test_service_code_with_accents_underscore_dash_space_is_accepted():
    assert check_service_code_format("SERVICE_ÉCOLES - Bâtiment 2") is None


def test_service_code_with_slash_is_blocking():
    result = check_service_code_format("ST/VOIRIE")
    assert result.level is CheckLevel.BLOCKING
    assert str(result.message) == (
        "Code service invalide : « ST/VOIRIE » contient « / ». Chorus Pro n'accepte que des lettres (accentuées "
        "comprises), des chiffres, des espaces, « _ » et « - » ; choisissez le code dans la liste des services "
        "du destinataire."
    )


def test_service_code_of_101_characters_is_blocking():
    result = check_service_code_format("A" * 101)
    assert result.level is CheckLevel.BLOCKING
    assert "compte 101 caractères, Chorus Pro en accepte 100 au plus" in str(result.message)
    assert check_service_code_format("A" * 100) is None


def test_service_code_with_greek_letter_is_blocking():
    result = check_service_code_format("SERVICE_Ω")
    assert result.level is CheckLevel.BLOCKING


def test_empty_service_code_is_left_to_recipient_rules():
    assert check_service_code_format(None) is None
    assert check_service_code_format("") is None


def test_engagement_number_limit_is_50():
    assert check_engagement_number_format("1" * 50) is None
    result = check_engagement_number_format("1" * 51)
    assert result.level is CheckLevel.BLOCKING
    assert str(result.message) == (
        f"N° d'engagement trop long : « {'1' * 51} » compte 51 caractères, Chorus Pro en accepte 50 au plus. "
        "Recopiez le numéro du bon de commande du destinataire."
    )


def test_contract_number_of_any_length_passes():
    result = check_contract_number_format("M" * 300)
    assert result.level is CheckLevel.PASS


def test_invoice_number_present_passes():
    results = check_invoice_number("FAC-2026-0042", printed_number="FAC-2026-0042")
    assert [result.level for result in results] == [CheckLevel.PASS]
    assert str(results[0].message) == "Numéro de facture : FAC-2026-0042."


def test_missing_invoice_number_is_blocking():
    results = check_invoice_number("  ")
    assert results[0].level is CheckLevel.BLOCKING
    assert str(results[0].message) == "Numéro de facture manquant : saisissez le numéro imprimé sur la facture."


def test_invoice_number_that_is_a_date_is_blocking():
    for number in ("20260305", "2026-03-05", "05/03/2026"):
        results = check_invoice_number(number)
        assert [result.level for result in results] == [CheckLevel.BLOCKING], number
    assert str(check_invoice_number("20260305")[0].message) == (
        "Numéro de facture refusé : « 20260305 » est une date, et Chorus Pro refuse un numéro de facture qui est "
        "une date. Saisissez le numéro imprimé sur la facture."
    )


def test_eight_digit_number_that_is_no_date_passes():
    assert not looks_like_date("20261399")
    assert check_invoice_number("20261399")[0].level is CheckLevel.PASS


def test_invoice_number_above_20_characters_warns_without_blocking():
    results = check_invoice_number("FAC-2026-ATELIER-000042")
    assert [result.level for result in results] == [CheckLevel.WARNING]
    assert str(results[0].message) == (
        "Numéro de facture long : « FAC-2026-ATELIER-000042 » compte 23 caractères. Chorus Pro pourrait le "
        "refuser au-delà de 20 ; raccourcissez-le sur la facture si le dépôt échoue."
    )
    assert check_invoice_number("F" * 20)[0].level is CheckLevel.PASS


def test_invoice_number_different_from_printed_one_warns():
    results = check_invoice_number("FAC-2026-42", printed_number="FAC-2026-0042")
    assert [result.level for result in results] == [CheckLevel.WARNING]
    assert "diffère du numéro imprimé sur la facture « FAC-2026-0042 »" in str(results[0].message)


def test_invoice_date_today_passes():
    results = check_invoice_date(TODAY, today=TODAY)
    assert [result.level for result in results] == [CheckLevel.PASS]
    assert str(results[0].message) == "Date de facture : 10/03/2026."


def test_invoice_date_in_future_is_blocking():
    results = check_invoice_date(date(2026, 3, 11), today=TODAY)
    assert [result.level for result in results] == [CheckLevel.BLOCKING]
    assert str(results[0].message) == (
        "Date de facture dans le futur : le 11/03/2026 est postérieur à aujourd'hui (10/03/2026). Chorus Pro "
        "refuse une facture datée après son dépôt ; corrigez la date ou attendez ce jour pour déposer."
    )


def test_missing_invoice_date_is_blocking():
    results = check_invoice_date(None, today=TODAY)
    assert str(results[0].message) == "Date de facture manquante : saisissez la date imprimée sur la facture."


def test_invoice_date_different_from_printed_one_warns():
    results = check_invoice_date(date(2026, 3, 1), today=TODAY, printed_date=date(2026, 3, 2))
    assert [result.level for result in results] == [CheckLevel.WARNING]


def test_comment_limit_is_200():
    assert check_comment("x" * 200) is None
    result = check_comment("x" * 201)
    assert result.level is CheckLevel.BLOCKING
    assert str(result.message) == (
        "Commentaire trop long : 201 caractères, Chorus Pro en accepte 200 au plus. Raccourcissez-le."
    )
