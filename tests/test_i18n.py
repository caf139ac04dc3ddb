"""The French and English catalogues must be complete and agree."""

import string

import pytest

from chorus_tui import i18n


def _placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogues_have_same_keys():
    french = i18n.catalogue("fr")
    english = i18n.catalogue("en")
    assert sorted(set(french) - set(english)) == []
    assert sorted(set(english) - set(french)) == []


def test_catalogues_have_same_placeholders():
    french = i18n.catalogue("fr")
    english = i18n.catalogue("en")
    mismatched = [key for key in french if _placeholders(french[key]) != _placeholders(english.get(key, ""))]
    assert mismatched == []


def test_messages_are_not_empty():
    for lang in i18n.LANGUAGES:
        empty = [key for key, text in i18n.catalogue(lang).items() if not text.strip()]
        assert empty == [], lang


@pytest.mark.parametrize(
    ("cli", "config", "env", "expected"),
    [
        ("en", "fr", "fr_FR.UTF-8", "en"),
        (None, "en", "fr_FR.UTF-8", "en"),
        (None, None, "en_GB.UTF-8", "en"),
        (None, None, "de_DE.UTF-8", "fr"),
        (None, None, None, "fr"),
    ],
)
def test_language_resolution_order(monkeypatch, cli, config, env, expected):
    monkeypatch.delenv("LC_ALL", raising=False)
    if env:
        monkeypatch.setenv("LANG", env)
    else:
        monkeypatch.delenv("LANG", raising=False)
    assert i18n.resolve_language(cli, config) == expected


def test_message_renders_in_current_language():
    message = i18n.Message("common.yes")
    i18n.set_language("en")
    try:
        assert str(message) == "Yes"
        assert message.render("fr") == "Oui"
    finally:
        i18n.set_language("fr")


def _plural_tables(lang: str) -> set[str]:
    return {key.rsplit(".", 1)[0] for key in i18n.catalogue(lang)
            if key.rsplit(".", 1)[-1] in i18n.PLURAL_FORMS}


def test_plural_tables_have_every_form():
    for lang in i18n.LANGUAGES:
        messages = i18n.catalogue(lang)
        incomplete = [key for key in _plural_tables(lang)
                      if any(f"{key}.{form}" not in messages for form in i18n.PLURAL_FORMS)]
        assert incomplete == [], lang


def test_plural_forms_use_count():
    for lang in i18n.LANGUAGES:
        messages = i18n.catalogue(lang)
        without_count = [f"{key}.{form}" for key in _plural_tables(lang) for form in i18n.PLURAL_FORMS
                         if "count" not in _placeholders(messages[f"{key}.{form}"])]
        assert without_count == [], lang


def test_no_parenthesised_plural_left():
    for lang in i18n.LANGUAGES:
        leftovers = [key for key, text in i18n.catalogue(lang).items() if "(s)" in text]
        assert leftovers == [], lang


@pytest.mark.parametrize(
    ("lang", "count", "expected"),
    [
        ("fr", 0, "0 facture rattachée"),
        ("fr", 1, "1 facture rattachée"),
        ("fr", 2, "2 factures rattachées"),
        ("en", 0, "0 invoices linked"),
        ("en", 1, "1 invoice linked"),
        ("en", 2, "2 invoices linked"),
    ],
)
def test_plural_form_follows_language(lang, count, expected):
    i18n.set_language(lang)
    try:
        assert i18n.t("sync.cli_linked_count", count=count) == expected
    finally:
        i18n.set_language("fr")


def test_plural_message_renders_later():
    message = i18n.Message("triage.blocked", {"count": 3})
    assert message.render("fr").startswith("3 points bloquants")
    assert message.render("en").startswith("3 blocking issues")
