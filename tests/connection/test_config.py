"""Configuration file: round trip, atomic write, and errors that name the file, the line and the key."""

from __future__ import annotations

import os
import stat
from datetime import date
from pathlib import Path

import pytest

from chorus_tui import config as config_module
from chorus_tui.chorus.settings import DEFAULT_URLS, Environment
from chorus_tui.config import (
    AppConfig,
    ConfigError,
    EnvironmentUrls,
    ProfileConfig,
    config_path,
    load_config,
    load_language_setting,
    save_config,
    update_profile,
)


def _sample_config() -> AppConfig:
    return AppConfig(
        language="en",
        default_profile="work",
        profiles={
            "work": ProfileConfig(
                environment=Environment.QUALIFICATION,
                urls={Environment.QUALIFICATION: EnvironmentUrls(token_url="http://127.0.0.1:8080/api/oauth/token",
                                                                 api_url="http://127.0.0.1:8080")},
                client_id="client-abc",
                technical_login="TECH_1_12345678901234@cpro.fr",
                supplier_structure_id=25361234,
                supplier_siret="73282932000074",
                bank_account_id=7,
                technical_password_expiry=date(2027, 2, 10),
                poll_interval_seconds=600,
                invoice_folder=Path("/srv/factures"),
            ),
            "prod": ProfileConfig(environment=Environment.PRODUCTION),
        },
    )


def test_config_path_follows_home_override(isolated_home):
    assert config_path() == isolated_home / "config" / "config.toml"


def test_config_path_follows_config_dir_override(monkeypatch, tmp_path):
    monkeypatch.setenv("CHORUS_TUI_CONFIG_DIR", str(tmp_path / "elsewhere"))
    assert config_path() == tmp_path / "elsewhere" / "config.toml"


def test_missing_file_gives_defaults():
    loaded = load_config()
    assert loaded == AppConfig()
    assert loaded.default_profile == "default"
    assert loaded.profile("default").poll_interval_seconds == 300
    assert loaded.profile("default").environment is Environment.QUALIFICATION


def test_round_trip_keeps_every_field():
    original = _sample_config()
    written = save_config(original)
    assert written == config_path()
    assert load_config() == original
    assert load_language_setting() == "en"


def test_written_file_is_plain_toml_with_dates():
    save_config(_sample_config())
    text = config_path().read_text(encoding="utf-8")
    assert "technical_password_expiry = 2027-02-10" in text
    assert 'environment = "qualification"' in text
    assert "[profiles.prod]" in text


def test_default_urls_are_the_piste_gateways():
    profile = ProfileConfig(environment=Environment.PRODUCTION)
    settings = profile.connection_settings()
    assert (settings.token_url, settings.api_url) == DEFAULT_URLS[Environment.PRODUCTION]
    assert settings.api_url == "https://api.piste.gouv.fr"


def test_url_override_applies_to_its_environment_only():
    profile = _sample_config().profiles["work"]
    assert profile.connection_settings().api_url == "http://127.0.0.1:8080"
    assert profile.connection_settings(Environment.PRODUCTION).api_url == "https://api.piste.gouv.fr"


def test_update_profile_creates_and_changes():
    update_profile("alpha", {"client_id": "id-1"})
    update_profile("alpha", {"supplier_siret": "73282932000074"})
    loaded = load_config()
    assert loaded.profiles["alpha"].client_id == "id-1"
    assert loaded.profiles["alpha"].supplier_siret == "73282932000074"


def test_atomic_write_leaves_old_file_when_replace_fails(monkeypatch):
    save_config(_sample_config())
    before = config_path().read_bytes()

    def failing_replace(source, destination):
        raise OSError("disk full")

    monkeypatch.setattr(config_module.os, "replace", failing_replace)
    with pytest.raises(OSError, match="disk full"):
        save_config(AppConfig(language="fr"))

    assert config_path().read_bytes() == before
    leftovers = [path.name for path in config_path().parent.iterdir() if path.name != "config.toml"]
    assert leftovers == []


def test_atomic_write_fsyncs_before_replace(monkeypatch):
    events: list[str] = []
    real_fsync, real_replace = os.fsync, os.replace

    def recording_fsync(descriptor):
        events.append("fsync")
        real_fsync(descriptor)

    def recording_replace(source, destination):
        events.append("replace")
        assert Path(source).parent == Path(destination).parent
        real_replace(source, destination)

    monkeypatch.setattr(config_module.os, "fsync", recording_fsync)
    monkeypatch.setattr(config_module.os, "replace", recording_replace)
    save_config(_sample_config())
    assert events[0] == "fsync"
    assert "replace" in events
    assert events.index("fsync") < events.index("replace")


def _write(text: str) -> Path:
    path = config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def test_syntax_error_names_file_and_line():
    path = _write('language = "fr"\n\n[profiles.work]\nenvironment = "qualification\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert caught.value.path == path
    assert caught.value.line == 4
    text = str(caught.value.message)
    assert str(path) in text
    assert "ligne 4" in text


def test_unterminated_document_names_last_line():
    _write('language = "fr"\nprofiles = [\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert caught.value.line == 2
    assert "ligne 2" in str(caught.value.message)


def test_invalid_value_names_file_key_and_line():
    path = _write('language = "fr"\n\n[profiles.work]\nclient_id = "x"\nenvironment = "staging"\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert caught.value.key == "profiles.work.environment"
    assert caught.value.line == 5
    text = str(caught.value.message)
    assert str(path) in text
    assert "profiles.work.environment" in text
    assert "ligne 5" in text


def test_invalid_poll_interval_is_reported():
    _write("[profiles.default]\npoll_interval_seconds = 5\n")
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert caught.value.key == "profiles.default.poll_interval_seconds"
    assert caught.value.line == 2


def test_dotted_key_line_is_found():
    _write('language = "fr"\nprofiles.work.supplier_siret = "123"\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert caught.value.key == "profiles.work.supplier_siret"
    assert caught.value.line == 2


def test_secret_key_in_file_rejected():
    _write('[profiles.default]\nclient_id = "x"\nclient_secret = "hunter2"\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    text = str(caught.value.message)
    assert caught.value.key == "profiles.default.client_secret"
    assert "secret" in text
    assert "hunter2" not in text
    assert caught.value.line == 3


def test_unknown_key_is_reported():
    _write("colour = 3\n")
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert caught.value.key == "colour"
    assert "colour" in str(caught.value.message)


def test_invalid_profile_name_is_reported():
    _write('[profiles."../escape"]\nclient_id = "x"\n')
    with pytest.raises(ConfigError) as caught:
        load_config()
    assert caught.value.key == "profiles"


def test_language_setting_survives_broken_file():
    _write("language = \n")
    assert load_language_setting() is None


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_unreadable_file_is_reported():
    path = _write('language = "fr"\n')
    path.chmod(0)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as a user that ignores file modes")
        with pytest.raises(ConfigError) as caught:
            load_config()
        assert str(path) in str(caught.value.message)
    finally:
        path.chmod(stat.S_IRUSR | stat.S_IWUSR)
