"""Profiles: one environment, PISTE application, technical account, supplier and database each.

`chorus-tui --profile NAME` picks one; without it the configuration's
`default_profile` is used. A profile's database is
`paths.profile_data_dir(name) / "chorus-tui.sqlite3"`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from chorus_tui import paths
from chorus_tui.chorus.settings import ConnectionSettings, Credentials, Environment
from chorus_tui.config import AppConfig, ProfileConfig, check_profile_name, load_config
from chorus_tui.i18n import Message
from chorus_tui.secrets import IdentifierName, SecretName, SecretSource, SecretStore, environment_variable_names

DATABASE_FILE_NAME = "chorus-tui.sqlite3"


def database_path(profile: str) -> Path:
    return paths.profile_data_dir(profile) / DATABASE_FILE_NAME


def active_profile_name(cli_profile: str | None, config: AppConfig) -> str:
    """Return the profile named by `--profile`, else the configuration's default; raise ValueError if invalid."""
    return check_profile_name(cli_profile) if cli_profile else config.default_profile


@dataclass(frozen=True)
class ProfileInfo:
    """One line of `chorus-tui profiles`."""

    name: str
    environment: Environment
    is_default: bool
    is_active: bool
    in_file: bool
    client_id: str | None
    technical_login: str | None
    supplier_siret: str | None
    database: Path
    has_data: bool = False  # the profile's data folder exists (a database or a secrets file may be there)

    @property
    def is_configured(self) -> bool:
        """Tell whether the file names this profile's PISTE application and technical account."""
        return self.in_file and bool(self.client_id) and bool(self.technical_login)


def data_folder_profiles() -> set[str]:
    """Return the names of the profiles that have a data folder, configured or not."""
    root = paths.profiles_data_dir()
    if not root.is_dir():
        return set()
    names = set()
    for folder in root.iterdir():
        try:
            if folder.is_dir():
                names.add(check_profile_name(folder.name))
        except ValueError:
            continue  # not created by chorus-tui
    return names


def list_profiles(config: AppConfig, active: str) -> list[ProfileInfo]:
    """List the profiles of the file, the default and active ones, and any profile with a data folder.

    A mistyped `--profile` used to start the interface leaves a data folder
    behind: listing it lets the user see and remove it.
    """
    with_data = data_folder_profiles()
    names = sorted(set(config.profiles) | {config.default_profile, active} | with_data)
    infos = []
    for name in names:
        profile = config.profile(name)
        infos.append(ProfileInfo(
            name=name,
            environment=profile.environment,
            is_default=name == config.default_profile,
            is_active=name == active,
            in_file=name in config.profiles,
            client_id=profile.client_id,
            technical_login=profile.technical_login,
            supplier_siret=profile.supplier_siret,
            database=database_path(name),
            has_data=name in with_data,
        ))
    return infos


@dataclass(frozen=True)
class ResolvedProfile:
    """A profile with its settings and, when every part was found, its credentials.

    `missing` lists a message per absent identifier or secret, and `missing_names`
    lists their `IdentifierName` or `SecretName` values. Both are empty exactly
    when `credentials` is set. `sources` maps each found secret to its source.
    """

    name: str
    config: ProfileConfig
    settings: ConnectionSettings
    credentials: Credentials | None
    missing: list[Message] = field(default_factory=list)
    sources: dict[SecretName, SecretSource] = field(default_factory=dict)
    missing_names: tuple[str, ...] = ()

    @property
    def database(self) -> Path:
        return database_path(self.name)

    def missing_parts_text(self) -> str:
        """Name every absent part once, in the current language, separated by commas."""
        return ", ".join(str(_part_name(name)) for name in self.missing_names)


def resolve_profile(name: str | None = None, *, config: AppConfig | None = None,
                    store: SecretStore | None = None) -> ResolvedProfile:
    """Load profile `name` (default: the configured default) with its credentials from every source.

    Raises ConfigError for a broken file and SecretsError for an unreadable
    secrets file; a secret that is simply absent is reported in `missing`.
    """
    config = config if config is not None else load_config()
    name = active_profile_name(name, config)
    profile = config.profile(name)
    store = store or SecretStore(name)
    missing: list[Message] = []
    missing_names: list[str] = []

    identifiers: dict[IdentifierName, str | None] = {
        IdentifierName.CLIENT_ID: store.identifier_override(IdentifierName.CLIENT_ID) or profile.client_id,
        IdentifierName.TECHNICAL_LOGIN:
            store.identifier_override(IdentifierName.TECHNICAL_LOGIN) or profile.technical_login,
    }
    for identifier, value in identifiers.items():
        if not value:
            missing.append(_missing_message(name, identifier))
            missing_names.append(identifier)

    secrets = {}
    sources = {}
    for secret in SecretName:
        found = store.lookup(secret)
        if found is None:
            missing.append(_missing_message(name, secret))
            missing_names.append(secret)
        else:
            secrets[secret], sources[secret] = found

    credentials = None
    if not missing:
        credentials = Credentials(
            client_id=identifiers[IdentifierName.CLIENT_ID] or "",
            client_secret=secrets[SecretName.CLIENT_SECRET],
            technical_login=identifiers[IdentifierName.TECHNICAL_LOGIN] or "",
            technical_password=secrets[SecretName.TECHNICAL_PASSWORD],
        )
    return ResolvedProfile(name, profile, profile.connection_settings(), credentials, missing, sources,
                           tuple(missing_names))


def _part_name(name: str) -> Message:
    return Message(f"secrets.what_{name.removeprefix('piste_')}")


def _missing_message(profile: str, name: str) -> Message:
    # The client id and the technical login are identifiers, not secrets: the file may contain them.
    key = "connection.identifier_missing" if isinstance(name, IdentifierName) else "secrets.missing"
    return Message(key, {"profile": profile, "what": _part_name(name),
                         "variable": environment_variable_names(name, profile)[1]})
