"""Secrets of a profile: the PISTE client secret and the technical password.

Lookup order, first found wins:

1. environment variables (for cron and CI): `CHORUS_TUI_PISTE_CLIENT_SECRET`
   and `CHORUS_TUI_TECH_PASSWORD`; a profile-specific variant adds
   `__<PROFILE>` (upper case, other characters turned into `_`), e.g.
   `CHORUS_TUI_TECH_PASSWORD__WORK`, and wins over the plain name;
2. the system keyring, service `chorus-tui/<profile>`;
3. the fallback the user chose when the keyring was unusable: the memory of
   this session, or a file readable only by the user
   (`paths.profile_data_dir(profile)/secrets.toml`, mode 0600, not encrypted).

`CHORUS_TUI_PISTE_CLIENT_ID` and `CHORUS_TUI_TECH_LOGIN` (same `__<PROFILE>`
variants) override the non-secret identifiers of the configuration file.
Nothing is stored before the user chose where. Values are `SecretStr`
everywhere, so that a repr or a log line never shows them.
"""

from __future__ import annotations

import enum
import logging
import os
import re
import stat
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import keyring
import keyring.backend
import keyring.backends.chainer
import keyring.backends.fail
import keyring.backends.null
import keyring.core
import keyring.errors
import tomli_w
from pydantic import SecretStr

from chorus_tui import paths
from chorus_tui.i18n import Message

logger = logging.getLogger(__name__)

KEYRING_SERVICE_PREFIX = "chorus-tui/"
SECRETS_FILE_NAME = "secrets.toml"


class SecretName(enum.StrEnum):
    """The two secrets of a profile; the value is the keyring user name and the file key."""

    CLIENT_SECRET = "piste_client_secret"
    TECHNICAL_PASSWORD = "technical_password"


class IdentifierName(enum.StrEnum):
    """The non-secret identifiers that an environment variable may override."""

    CLIENT_ID = "client_id"
    TECHNICAL_LOGIN = "technical_login"


ENVIRONMENT_VARIABLES: dict[str, str] = {
    SecretName.CLIENT_SECRET: "CHORUS_TUI_PISTE_CLIENT_SECRET",
    SecretName.TECHNICAL_PASSWORD: "CHORUS_TUI_TECH_PASSWORD",
    IdentifierName.CLIENT_ID: "CHORUS_TUI_PISTE_CLIENT_ID",
    IdentifierName.TECHNICAL_LOGIN: "CHORUS_TUI_TECH_LOGIN",
}


class SecretSource(enum.StrEnum):
    """Source a secret was read from."""

    ENVIRONMENT = "environment"
    KEYRING = "keyring"
    MEMORY = "memory"
    FILE = "file"


class SecretStorage(enum.StrEnum):
    """Storage the user chose for the secrets entered on the connection screen."""

    KEYRING = "keyring"
    MEMORY = "memory"
    FILE = "file"


class SecretsError(Exception):
    """Secrets cannot be read or stored. `message` gives the reason and what to do."""

    def __init__(self, message: Message) -> None:
        super().__init__(str(message))
        self.message = message


@dataclass(frozen=True)
class KeyringStatus:
    """Whether the system keyring can store secrets, with the backend's name and, if not, why."""

    usable: bool
    backend_name: str
    reason: Message | None = None

    @property
    def message(self) -> Message:
        if self.usable:
            return Message("secrets.keyring_usable", {"backend": self.backend_name})
        return Message("secrets.keyring_unusable", {"backend": self.backend_name, "reason": self.reason or ""})

    @property
    def detail(self) -> Message:
        """The backend's name and why it cannot be used, without the advice of `message`."""
        return Message("secrets.keyring_detail", {"backend": self.backend_name, "reason": self.reason or ""})


def environment_variable_names(name: str, profile: str) -> tuple[str, str]:
    """Return the profile-specific and the plain environment variable names of `name`."""
    base = ENVIRONMENT_VARIABLES[name]
    suffix = re.sub(r"[^A-Z0-9]", "_", profile.upper())
    return f"{base}__{suffix}", base


def secrets_file_path(profile: str) -> Path:
    return paths.profile_data_dir(profile) / SECRETS_FILE_NAME


# Secrets kept for this session only, by (profile, secret name).
_session_secrets: dict[tuple[str, str], SecretStr] = {}


def clear_session_secrets() -> None:
    """Forget every secret kept in memory (tests call it between cases)."""
    _session_secrets.clear()


class SecretStore:
    """Reads and stores one profile's secrets in the order described in the module docstring.

    `environ` and `backend` are injectable for tests; by default they are
    `os.environ` and the keyring backend chosen by `keyring` itself (which
    honours `PYTHON_KEYRING_BACKEND`).
    """

    def __init__(self, profile: str, *, environ: Mapping[str, str] | None = None,
                 backend: keyring.backend.KeyringBackend | None = None) -> None:
        self.profile = profile
        self._environ = os.environ if environ is None else environ
        self._backend = backend

    @property
    def service(self) -> str:
        return KEYRING_SERVICE_PREFIX + self.profile

    @property
    def file_path(self) -> Path:
        return secrets_file_path(self.profile)

    def identifier_override(self, name: IdentifierName) -> str | None:
        """Return the environment variable value overriding `client_id` or `technical_login`, if set."""
        for variable in environment_variable_names(name, self.profile):
            value = self._environ.get(variable)
            if value:
                return value
        return None

    def keyring_status(self) -> KeyringStatus:
        """Tell whether the keyring backend can store secrets.

        Unusable: `keyring.backends.fail.Keyring` (no backend found),
        `keyring.backends.null.Keyring` (drops every secret), a chainer with
        no backends behind it, or a backend that raises when loaded.
        """
        try:
            backend = self._keyring()
        except Exception as exc:  # keyring plug-ins raise anything when their service is missing
            return KeyringStatus(False, "?", Message("secrets.reason_error", {"error": type(exc).__name__}))

        name = f"{type(backend).__module__}.{type(backend).__name__}"
        if isinstance(backend, keyring.backends.fail.Keyring):
            return KeyringStatus(False, name, Message("secrets.reason_no_backend"))
        if isinstance(backend, keyring.backends.null.Keyring):
            return KeyringStatus(False, name, Message("secrets.reason_null"))
        if isinstance(backend, keyring.backends.chainer.ChainerBackend) and not backend.backends:
            return KeyringStatus(False, name, Message("secrets.reason_empty_chainer"))
        return KeyringStatus(True, name)

    def lookup(self, name: SecretName) -> tuple[SecretStr, SecretSource] | None:
        """Return the secret `name` and where it was found, or None when it is nowhere."""
        for variable in environment_variable_names(name, self.profile):
            value = self._environ.get(variable)
            if value:
                return SecretStr(value), SecretSource.ENVIRONMENT

        value = self._keyring_get(name)
        if value:
            return SecretStr(value), SecretSource.KEYRING

        remembered = _session_secrets.get((self.profile, name))
        if remembered is not None:
            return remembered, SecretSource.MEMORY

        stored = self._read_file().get(name)
        if stored:
            return SecretStr(stored), SecretSource.FILE
        return None

    def get(self, name: SecretName) -> SecretStr | None:
        found = self.lookup(name)
        return found[0] if found else None

    def save(self, secrets: Mapping[SecretName, SecretStr], storage: SecretStorage) -> None:
        """Store `secrets` where the user chose; raise SecretsError when that storage fails."""
        if storage is SecretStorage.KEYRING:
            self._keyring_save(secrets)
        elif storage is SecretStorage.MEMORY:
            for name, value in secrets.items():
                _session_secrets[(self.profile, name)] = value
        else:
            current = self._read_file()
            current.update({name: value.get_secret_value() for name, value in secrets.items()})
            self._write_file(current)
        logger.info("secrets of profile %s stored in %s", self.profile, storage)

    def forget(self) -> None:
        """Delete this profile's secrets from the keyring, the memory and the fallback file."""
        for name in SecretName:
            _session_secrets.pop((self.profile, name), None)
            if self.keyring_status().usable:
                try:
                    self._keyring().delete_password(self.service, name)
                except keyring.errors.KeyringError:
                    pass
        self.file_path.unlink(missing_ok=True)

    def _keyring(self) -> keyring.backend.KeyringBackend:
        if self._backend is not None:
            return self._backend
        # load_env reads PYTHON_KEYRING_BACKEND now rather than at the first import,
        # so a changed variable is honoured within one process.
        return keyring.core.load_env() or keyring.get_keyring()

    def _keyring_get(self, name: SecretName) -> str | None:
        if not self.keyring_status().usable:
            return None
        try:
            return self._keyring().get_password(self.service, name)
        except keyring.errors.KeyringError as exc:
            logger.warning("keyring read failed for profile %s: %s", self.profile, type(exc).__name__)
            return None

    def _keyring_save(self, secrets: Mapping[SecretName, SecretStr]) -> None:
        status = self.keyring_status()
        if not status.usable:
            raise SecretsError(status.message)
        backend = self._keyring()
        try:
            for name, value in secrets.items():
                backend.set_password(self.service, name, value.get_secret_value())
                # Read back, because some backends accept a write and keep nothing.
                if backend.get_password(self.service, name) != value.get_secret_value():
                    raise keyring.errors.PasswordSetError("the value read back differs")
        except keyring.errors.KeyringError as exc:
            raise SecretsError(Message("secrets.keyring_write_failed",
                                       {"backend": status.backend_name, "error": type(exc).__name__})) from None

    def _read_file(self) -> dict[str, str]:
        path = self.file_path
        try:
            mode = path.stat().st_mode
        except FileNotFoundError:
            return {}
        if os.name == "posix" and mode & (stat.S_IRWXG | stat.S_IRWXO):
            raise SecretsError(Message("secrets.file_too_open",
                                       {"path": str(path), "mode": f"{stat.S_IMODE(mode):o}"}))
        try:
            with path.open("rb") as handle:
                data = tomllib.load(handle)
        except (OSError, tomllib.TOMLDecodeError) as exc:
            # The TOML error message can quote the line, which may contain a secret.
            raise SecretsError(Message("secrets.file_unreadable",
                                       {"path": str(path), "error": type(exc).__name__})) from None
        return {key: value for key, value in data.items() if isinstance(value, str)}

    def _write_file(self, values: dict[str, str]) -> None:
        """Write the fallback file atomically, created 0600 from the start (never chmod-ed afterwards)."""
        path = self.file_path
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        temporary.unlink(missing_ok=True)

        descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            with os.fdopen(descriptor, "wb") as handle:
                handle.write(tomli_w.dumps(values).encode("utf-8"))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, path)
        except BaseException:
            temporary.unlink(missing_ok=True)
            raise
