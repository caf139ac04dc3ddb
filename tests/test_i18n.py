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
