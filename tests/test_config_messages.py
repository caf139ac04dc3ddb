"""Configuration errors are explained in French, with the file, the line and the key, never in pydantic's English."""

from __future__ import annotations

import pytest

from chorus_tui import i18n
from chorus_tui.config import ConfigError, check_profile_name, config_path, load_config


@pytest.fixture(autouse=True)
def french():
    previous = i18n.current_language()
    i18n.set_language("fr")
    yield
    i18n.set_language(previous)


def load_error(text: str) -> ConfigError:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config()
    return caught.value


@pytest.mark.parametrize(
    ("text", "key", "line", "explanation"),
    [
        ('[profiles.a]\npoll_interval_seconds = "abc"\n', "profiles.a.poll_interval_seconds", 2,
         "« abc » n'est pas un nombre entier"),
        ("[profiles.a]\npoll_interval_seconds = 5\n", "profiles.a.poll_interval_seconds", 2,
         "5 est trop petit : le minimum est 30"),
        ('[profiles.a]\nenvironment = "staging"\n', "profiles.a.environment", 2,
         "« staging » n'est pas une valeur possible : choisissez parmi 'demo', 'qualification', 'production'"),
        ("[profiles.a]\nclient_id = 3\n", "profiles.a.client_id", 2, "« 3 » doit être un texte entre guillemets"),
        ('[profiles.a]\ntechnical_password_expiry = "bientôt"\n', "profiles.a.technical_password_expiry", 2,
         "« bientôt » n'est pas une date : écrivez-la AAAA-MM-JJ"),
        ('[profiles.a]\nsupplier_siret = "123"\n', "profiles.a.supplier_siret", 2,
         "un SIRET compte exactement 14 chiffres"),
        ('[profiles.a]\nurls.qualification.token_url = "ftp://x"\n', "profiles.a.urls.qualification.token_url", 2,
         "l'adresse doit commencer par https://"),
        ('language = "de"\n', "language", 1, "« de » n'est pas une valeur possible"),
        ('profiles = "a"\n', "profiles", 1, "cette clé doit être une section"),
    ],
)
def test_value_error_in_french(text, key, line, explanation):
    error = load_error(text)
    message = str(error.message)
    assert error.key == key
    assert error.line == line
    assert f"Valeur invalide pour la clé « {key} » dans {config_path()} (ligne {line}) : {explanation}" in message
    assert "Input should" not in message
    assert "Value error" not in message


@pytest.mark.parametrize(
    ("text", "line", "explanation"),
    [
        ('[profiles.a]\nclient_id "x"\n', 2, "il manque « = » entre la clé et sa valeur"),
        ('language = "fr\n', 1, "un texte ouvert par un guillemet n'est pas refermé"),
        ("language = fr\n", 1, "valeur illisible"),
        ('[profiles.a\nclient_id = "x"\n', 1, "un titre de section n'est pas refermé"),
        ('language = "fr"\nlanguage = "en"\n', 2, "cette clé ou cette section est déjà définie"),
        ('language = "fr" "en"\n', 1, "une seule clé par ligne"),
    ],
)
def test_syntax_error_in_french(text, line, explanation):
    error = load_error(text)
    message = str(error.message)
    assert error.line == line
    assert f"Erreur de syntaxe TOML dans {config_path()}, ligne {line}" in message
    assert explanation in message
    assert "Expected" not in message


def test_syntax_error_in_english():
    i18n.set_language("en")
    message = str(load_error('[profiles.a]\nclient_id "x"\n').message)
    assert '"=" is missing between the key and its value' in message


def test_accented_profile_name_names_characters():
    with pytest.raises(ValueError) as caught:
        check_profile_name("Société A")
    message = str(caught.value)
    assert "caractères refusés ' ', 'é'" in message
    assert "lettres sans accent" in message
