from chorus_tui.domain import CheckLevel
from chorus_tui.validation.identifiers import Party, check_siren, check_siret, normalise_siret, siren_of

RECIPIENT_SIRET = "21170753455688"  # Commune de Valmorin in the simulated directory


def test_valid_siret_passes_with_its_siren():
    result = check_siret(RECIPIENT_SIRET, party=Party.RECIPIENT, field="recipient_siret")
    assert result.level is CheckLevel.PASS
    assert str(result.message) == "SIRET du destinataire valide : 21170753455688 (SIREN 211707534)."


def test_printed_siret_with_spaces_is_normalised():
    result = check_siret("211 707 534 55688", party=Party.RECIPIENT, field="recipient_siret")
    assert result.level is CheckLevel.PASS
    assert normalise_siret("211.707.534-55688") == RECIPIENT_SIRET


def test_siret_with_wrong_last_digit_names_the_party():
    result = check_siret("21170753455689", party=Party.MANDATAIRE, field="validator_siret")
    assert result.level is CheckLevel.BLOCKING
    assert result.field == "validator_siret"
    assert str(result.message) == (
        "SIRET du mandataire invalide : la clé de contrôle de « 21170753455689 » est fausse, sans doute une faute "
        "de frappe. Vérifiez le numéro sur la facture ou sur l'annuaire des entreprises."
    )


def test_siret_whose_siren_key_is_wrong_names_the_siren():
    # 12345678900012 passes no key: the SIREN 123456789 itself is wrong.
    result = check_siret("123 456 789 00012", party=Party.RECIPIENT, field="recipient_siret")
    assert result.level is CheckLevel.BLOCKING
    assert "le SIREN 123456789 tiré de « 12345678900012 »" in str(result.message)


def test_la_poste_establishment_siret_is_valid():
    # La Poste's establishments share SIREN 356000000 and use a sum-of-digits key, not Luhn.
    result = check_siret("35600000000048", party=Party.RECIPIENT, field="recipient_siret")
    assert result.level is CheckLevel.PASS


def test_siren_typed_instead_of_siret_asks_for_the_nic():
    result = check_siret("211707534", party=Party.SUPPLIER, field="supplier_siret")
    assert result.level is CheckLevel.BLOCKING
    assert str(result.message) == (
        "SIRET du fournisseur incomplet : « 211707534 » est un SIREN (9 chiffres). Ajoutez les 5 chiffres de "
        "l'établissement (NIC) pour obtenir les 14 chiffres du SIRET."
    )


def test_ten_digit_identifier_is_rejected_with_its_length():
    result = check_siret("1234567890", party=Party.RECIPIENT, field="recipient_siret")
    assert result.level is CheckLevel.BLOCKING
    assert str(result.message) == (
        "SIRET du destinataire invalide : « 1234567890 » compte 10 chiffres au lieu de 14. "
        "Recopiez le SIRET depuis la facture."
    )


def test_siret_with_letters_is_rejected():
    result = check_siret("2117075345568A", party=Party.RECIPIENT, field="recipient_siret")
    assert result.level is CheckLevel.BLOCKING
    assert "contient d'autres caractères que des chiffres" in str(result.message)


def test_missing_siret_is_blocking():
    for value in (None, "", "   "):
        result = check_siret(value, party=Party.RECIPIENT, field="recipient_siret")
        assert result.level is CheckLevel.BLOCKING
        assert str(result.message) == "SIRET du destinataire manquant : saisissez les 14 chiffres de son SIRET."


def test_siren_is_derived_from_siret():
    assert siren_of(RECIPIENT_SIRET) == "211707534"
    result = check_siren(siren_of(RECIPIENT_SIRET), party=Party.RECIPIENT, field="recipient_siren")
    assert result.level is CheckLevel.PASS
    assert str(result.message) == "SIREN du destinataire valide : 211707534."


def test_siren_of_wrong_length_is_rejected():
    result = check_siren("1234567890", party=Party.SUPPLIER, field="supplier_siren")
    assert result.level is CheckLevel.BLOCKING
    assert str(result.message) == (
        "SIREN du fournisseur invalide : « 1234567890 » compte 10 caractères au lieu de 9 chiffres. "
        "Saisissez les 9 premiers chiffres du SIRET."
    )


def test_siren_with_wrong_key_is_rejected():
    result = check_siren("211707535", party=Party.RECIPIENT, field="recipient_siren")
    assert result.level is CheckLevel.BLOCKING
    assert "211707535" in str(result.message)


def test_messages_render_in_english():
    result = check_siret("21170753455689", party=Party.MANDATAIRE, field="validator_siret")
    assert result.message.render("en").startswith("The SIRET of the lead contractor (mandataire) is invalid")
