"""Profiles: active profile choice, per-profile database and credentials from every source."""

from __future__ import annotations

import pytest
from pydantic import SecretStr

from chorus_tui.chorus.settings import Environment
from chorus_tui.config import AppConfig, ProfileConfig, save_config
from chorus_tui.profiles import active_profile_name, database_path, list_profiles, resolve_profile
from chorus_tui.secrets import SecretName, SecretSource, SecretStorage, SecretStore


def test_active_profile_defaults_to_config():
    config = AppConfig(default_profile="work")
    assert active_profile_name(None, config) == "work"
    assert active_profile_name("other", config) == "other"


def test_active_profile_rejects_path_name():
    with pytest.raises(ValueError):
        active_profile_name("../etc", AppConfig())


def test_each_profile_has_own_database(isolated_home):
    assert database_path("work") == isolated_home / "data" / "profiles" / "work" / "chorus-tui.sqlite3"
    assert database_path("work") != database_path("home")


def test_list_marks_default_and_active():
    config = AppConfig(default_profile="a", profiles={"a": ProfileConfig(), "b": ProfileConfig()})
    infos = {info.name: info for info in list_profiles(config, "b")}
    assert infos["a"].is_default
    assert not infos["a"].is_active
    assert infos["b"].is_active
    assert not infos["b"].is_default


def test_resolve_reports_every_missing_part():
    resolved = resolve_profile(None, config=AppConfig())
    assert resolved.credentials is None
    assert len(resolved.missing) == 4


def test_missing_identifier_message():
    resolved = resolve_profile(None, config=AppConfig())
    texts = [str(message) for message in resolved.missing]
    identifiers = [text for text in texts if text.startswith("Identifiant manquant")]
    secrets = [text for text in texts if text.startswith("Secret manquant")]
    assert len(identifiers) == 2
    assert len(secrets) == 2
    assert "identifiant client de l'application PISTE" in identifiers[0]
    assert "identifiant du compte technique" in identifiers[1]


def test_missing_parts_text():
    resolved = resolve_profile(None, config=AppConfig(profiles={"default": ProfileConfig(client_id="cid")}))
    assert resolved.missing_parts_text() == ("identifiant du compte technique, secret client de l'application PISTE, "
                                             "mot de passe du compte technique")


def test_resolve_combines_file_and_secret_store(memory_keyring):
    save_config(AppConfig(profiles={"work": ProfileConfig(
        environment=Environment.PRODUCTION, client_id="cid", technical_login="TECH_1_1@cpro.fr")}))
    store = SecretStore("work", backend=memory_keyring)
    store.save({SecretName.CLIENT_SECRET: SecretStr("s"), SecretName.TECHNICAL_PASSWORD: SecretStr("p")},
               SecretStorage.KEYRING)

    resolved = resolve_profile("work", store=store)
    assert resolved.missing == []
    assert resolved.credentials.client_id == "cid"
    assert resolved.credentials.technical_password.get_secret_value() == "p"
    assert resolved.settings.api_url == "https://api.piste.gouv.fr"
    assert resolved.sources[SecretName.CLIENT_SECRET] is SecretSource.KEYRING


def test_resolve_from_environment_only(monkeypatch):
    monkeypatch.setenv("CHORUS_TUI_PISTE_CLIENT_ID", "cron-id")
    monkeypatch.setenv("CHORUS_TUI_PISTE_CLIENT_SECRET", "cron-secret")
    monkeypatch.setenv("CHORUS_TUI_TECH_LOGIN", "TECH_1_2@cpro.fr")
    monkeypatch.setenv("CHORUS_TUI_TECH_PASSWORD", "cron-password")
    resolved = resolve_profile("default")
    assert resolved.credentials is not None
    assert resolved.credentials.client_id == "cron-id"
    assert resolved.sources[SecretName.TECHNICAL_PASSWORD] is SecretSource.ENVIRONMENT
