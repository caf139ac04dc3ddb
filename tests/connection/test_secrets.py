"""Secrets: lookup order environment > keyring > fallback, keyring detection, the 0600 fallback file."""

from __future__ import annotations

import os
import stat

import keyring.backends.chainer
import keyring.backends.null
import keyring.errors
import pytest
from pydantic import SecretStr

from chorus_tui.secrets import (
    IdentifierName,
    SecretName,
    SecretsError,
    SecretSource,
    SecretStorage,
    SecretStore,
    clear_session_secrets,
    environment_variable_names,
    secrets_file_path,
)

from .conftest import MemoryKeyring

CLIENT_SECRET = SecretName.CLIENT_SECRET
PASSWORD = SecretName.TECHNICAL_PASSWORD


def test_fail_backend_is_unusable():
    status = SecretStore("default").keyring_status()
    assert status.usable is False
    assert status.backend_name == "keyring.backends.fail.Keyring"
    assert "fail.Keyring" in str(status.message)


def test_empty_chainer_is_unusable(monkeypatch):
    chainer = keyring.backends.chainer.ChainerBackend()
    monkeypatch.setattr(type(chainer), "backends", property(lambda self: []))
    status = SecretStore("default", backend=chainer).keyring_status()
    assert status.usable is False
    assert status.reason.key == "secrets.reason_empty_chainer"


def test_null_backend_is_unusable():
    status = SecretStore("default", backend=keyring.backends.null.Keyring()).keyring_status()
    assert status.usable is False


def test_keyring_that_keeps_nothing_is_reported(memory_keyring, monkeypatch):
    monkeypatch.setattr(memory_keyring, "set_password", lambda service, username, password: None)
    with pytest.raises(SecretsError) as caught:
        SecretStore("default", backend=memory_keyring).save({PASSWORD: SecretStr("pw")}, SecretStorage.KEYRING)
    assert caught.value.message.key == "secrets.keyring_write_failed"


def test_memory_backend_is_usable(memory_keyring):
    assert SecretStore("default", backend=memory_keyring).keyring_status().usable is True


def test_environment_wins_over_keyring(memory_keyring):
    memory_keyring.set_password("chorus-tui/default", CLIENT_SECRET, "from-keyring")
    store = SecretStore("default", environ={"CHORUS_TUI_PISTE_CLIENT_SECRET": "from-env"}, backend=memory_keyring)
    value, source = store.lookup(CLIENT_SECRET)
    assert value.get_secret_value() == "from-env"
    assert source is SecretSource.ENVIRONMENT


def test_profile_variable_wins_over_plain_variable():
    environ = {"CHORUS_TUI_TECH_PASSWORD": "plain", "CHORUS_TUI_TECH_PASSWORD__WORK_2": "profile"}
    store = SecretStore("work-2", environ=environ)
    assert store.get(PASSWORD).get_secret_value() == "profile"
    assert SecretStore("other", environ=environ).get(PASSWORD).get_secret_value() == "plain"


def test_environment_variable_names_are_documented_ones():
    assert environment_variable_names(CLIENT_SECRET, "work") == (
        "CHORUS_TUI_PISTE_CLIENT_SECRET__WORK", "CHORUS_TUI_PISTE_CLIENT_SECRET")
    assert environment_variable_names(IdentifierName.TECHNICAL_LOGIN, "a.b")[1] == "CHORUS_TUI_TECH_LOGIN"


def test_identifier_overrides_come_from_environment(monkeypatch):
    monkeypatch.setenv("CHORUS_TUI_PISTE_CLIENT_ID", "cron-client")
    monkeypatch.setenv("CHORUS_TUI_TECH_LOGIN__DEFAULT", "TECH_1_00000000000000@cpro.fr")
    store = SecretStore("default")
    assert store.identifier_override(IdentifierName.CLIENT_ID) == "cron-client"
    assert store.identifier_override(IdentifierName.TECHNICAL_LOGIN) == "TECH_1_00000000000000@cpro.fr"


def test_keyring_wins_over_file(memory_keyring):
    store = SecretStore("default", backend=memory_keyring)
    store.save({CLIENT_SECRET: SecretStr("from-file")}, SecretStorage.FILE)
    store.save({CLIENT_SECRET: SecretStr("from-keyring")}, SecretStorage.KEYRING)
    value, source = store.lookup(CLIENT_SECRET)
    assert value.get_secret_value() == "from-keyring"
    assert source is SecretSource.KEYRING
    assert memory_keyring.passwords[("chorus-tui/default", "piste_client_secret")] == "from-keyring"


def test_fallback_file_used_when_keyring_fails():
    store = SecretStore("default")
    store.save({CLIENT_SECRET: SecretStr("s3cret"), PASSWORD: SecretStr("pw")}, SecretStorage.FILE)
    value, source = store.lookup(PASSWORD)
    assert value.get_secret_value() == "pw"
    assert source is SecretSource.FILE


def test_memory_storage_writes_nothing(isolated_home):
    store = SecretStore("default")
    store.save({PASSWORD: SecretStr("session-only")}, SecretStorage.MEMORY)
    value, source = store.lookup(PASSWORD)
    assert value.get_secret_value() == "session-only"
    assert source is SecretSource.MEMORY
    assert not secrets_file_path("default").exists()
    written = [path for path in isolated_home.rglob("*") if path.is_file()]
    assert written == []


def test_nothing_stored_before_a_choice(isolated_home):
    assert SecretStore("default").lookup(PASSWORD) is None
    assert [path for path in isolated_home.rglob("*") if path.is_file()] == []


def test_saving_to_unusable_keyring_raises():
    with pytest.raises(SecretsError) as caught:
        SecretStore("default").save({PASSWORD: SecretStr("pw")}, SecretStorage.KEYRING)
    assert "pw" not in str(caught.value)


def test_keyring_write_error_is_reported(memory_keyring, monkeypatch):
    def broken(service, username, password):
        raise keyring.errors.PasswordSetError("locked")

    monkeypatch.setattr(memory_keyring, "set_password", broken)
    with pytest.raises(SecretsError) as caught:
        SecretStore("default", backend=memory_keyring).save({PASSWORD: SecretStr("pw")}, SecretStorage.KEYRING)
    assert caught.value.message.key == "secrets.keyring_write_failed"


def test_keyring_read_error_falls_through(memory_keyring, monkeypatch):
    store = SecretStore("default", backend=memory_keyring)
    store.save({PASSWORD: SecretStr("from-file")}, SecretStorage.FILE)

    def broken(service, username):
        raise keyring.errors.KeyringLocked("locked")

    monkeypatch.setattr(memory_keyring, "get_password", broken)
    assert store.get(PASSWORD).get_secret_value() == "from-file"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_fallback_file_mode_is_0600():
    store = SecretStore("default")
    store.save({PASSWORD: SecretStr("pw")}, SecretStorage.FILE)
    path = secrets_file_path("default")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    store.save({CLIENT_SECRET: SecretStr("s")}, SecretStorage.FILE)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert store.get(PASSWORD).get_secret_value() == "pw"


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_fallback_file_0600_despite_umask():
    previous = os.umask(0)
    try:
        SecretStore("default").save({PASSWORD: SecretStr("pw")}, SecretStorage.FILE)
    finally:
        os.umask(previous)
    assert stat.S_IMODE(secrets_file_path("default").stat().st_mode) == 0o600


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_group_readable_file_is_refused():
    store = SecretStore("default")
    store.save({PASSWORD: SecretStr("pw")}, SecretStorage.FILE)
    path = secrets_file_path("default")
    path.chmod(0o640)
    with pytest.raises(SecretsError) as caught:
        store.get(PASSWORD)
    assert "chmod 600" in str(caught.value.message)
    assert "pw" not in str(caught.value.message)


def test_corrupt_file_error_does_not_quote_it():
    path = secrets_file_path("default")
    path.parent.mkdir(parents=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT, 0o600)
    os.write(descriptor, b'technical_password = "leaked\n')
    os.close(descriptor)
    with pytest.raises(SecretsError) as caught:
        SecretStore("default").get(PASSWORD)
    assert "leaked" not in str(caught.value.message)


def test_forget_removes_every_copy(memory_keyring):
    store = SecretStore("default", backend=memory_keyring)
    store.save({PASSWORD: SecretStr("a")}, SecretStorage.KEYRING)
    store.save({PASSWORD: SecretStr("b")}, SecretStorage.FILE)
    store.save({PASSWORD: SecretStr("c")}, SecretStorage.MEMORY)
    store.forget()
    assert store.lookup(PASSWORD) is None


def test_profiles_are_separate(memory_keyring):
    SecretStore("one", backend=memory_keyring).save({PASSWORD: SecretStr("first")}, SecretStorage.KEYRING)
    assert SecretStore("two", backend=memory_keyring).lookup(PASSWORD) is None


def test_repr_hides_values():
    store = SecretStore("default", environ={"CHORUS_TUI_TECH_PASSWORD": "visible?"})
    assert "visible?" not in repr(store.get(PASSWORD))


def test_lookup_order_peels_source_by_source(memory_keyring):
    environ = {"CHORUS_TUI_TECH_PASSWORD": "env"}
    store = SecretStore("default", environ=environ, backend=memory_keyring)
    store.save({PASSWORD: SecretStr("file")}, SecretStorage.FILE)
    store.save({PASSWORD: SecretStr("memory")}, SecretStorage.MEMORY)
    store.save({PASSWORD: SecretStr("keyring")}, SecretStorage.KEYRING)

    seen = []
    seen.append(store.lookup(PASSWORD))
    environ.clear()
    seen.append(store.lookup(PASSWORD))
    memory_keyring.passwords.clear()
    seen.append(store.lookup(PASSWORD))
    clear_session_secrets()
    seen.append(store.lookup(PASSWORD))
    secrets_file_path("default").unlink()
    seen.append(store.lookup(PASSWORD))

    assert [(value.get_secret_value(), source) for value, source in seen[:4]] == [
        ("env", SecretSource.ENVIRONMENT),
        ("keyring", SecretSource.KEYRING),
        ("memory", SecretSource.MEMORY),
        ("file", SecretSource.FILE),
    ]
    assert seen[4] is None
