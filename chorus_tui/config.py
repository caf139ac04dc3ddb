"""Configuration file (TOML) of chorus-tui: language, profiles and their connection settings.

The file lives in `paths.config_dir()` (`CHORUS_TUI_CONFIG_DIR` or
`CHORUS_TUI_HOME` move it). It is read with `tomllib`, validated by the
pydantic models below and written atomically with `tomli-w`. Secrets (PISTE
client secret, technical password) never go into it: the models reject
those keys, and `chorus_tui.secrets` stores them elsewhere.

Layout:

    language = "fr"
    default_profile = "default"

    [profiles.default]
    environment = "qualification"
    client_id = "…"
    technical_login = "TECH_1_…@cpro.fr"
    supplier_structure_id = 25361234
    supplier_siret = "…"
    bank_account_id = 1
    technical_password_expiry = 2027-02-10
    poll_interval_seconds = 300
    invoice_folder = "/home/me/factures"

    [profiles.default.urls.qualification]
    token_url = "http://127.0.0.1:8080/api/oauth/token"
    api_url = "http://127.0.0.1:8080"
"""

from __future__ import annotations

import logging
import os
import re
import tempfile
import tomllib
from datetime import date
from pathlib import Path
from typing import Any, Literal

import tomli_w
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from chorus_tui import paths
from chorus_tui.chorus.settings import DEFAULT_URLS, ConnectionSettings, Environment
from chorus_tui.i18n import Message

logger = logging.getLogger(__name__)

CONFIG_FILE_NAME = "config.toml"
DEFAULT_PROFILE = "default"
DEFAULT_POLL_INTERVAL_SECONDS = 300

# Profile names become folder names and keyring service names, so they stay
# within a portable file-name alphabet.
PROFILE_NAME_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

# Keys that would hold a secret. They are rejected with a dedicated message,
# because a user who pastes the secret into the file must learn where it goes.
SECRET_KEYS = frozenset({
    "client_secret", "piste_client_secret", "secret",
    "technical_password", "tech_password", "password", "mot_de_passe",
})


class ConfigError(Exception):
    """The configuration file cannot be read, parsed or validated.

    `message` is the user-facing text; `path`, `line` and `key` locate the
    problem when known.
    """

    def __init__(self, message: Message, *, path: Path, line: int | None = None,
                 key: str | None = None) -> None:
        super().__init__(str(message))
        self.message = message
        self.path = path
        self.line = line
        self.key = key


class EnvironmentUrls(BaseModel):
    """Overrides of one environment's PISTE token URL and API gateway root."""

    model_config = ConfigDict(extra="forbid")

    token_url: str | None = None
    api_url: str | None = None

    @field_validator("token_url", "api_url")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^/\s]+", value):
            raise ValueError(str(Message("config.url_invalid")))
        return value.rstrip("/") if value else value


class ProfileConfig(BaseModel):
    """One profile: an environment, a PISTE application, a technical account and a supplier."""

    model_config = ConfigDict(extra="forbid")

    environment: Environment = Environment.QUALIFICATION
    urls: dict[Environment, EnvironmentUrls] = Field(default_factory=dict)
    client_id: str | None = None
    technical_login: str | None = None
    supplier_structure_id: int | None = None
    supplier_siret: str | None = None
    supplier_name: str | None = None
    bank_account_id: int | None = None
    technical_password_expiry: date | None = None
    poll_interval_seconds: int = Field(default=DEFAULT_POLL_INTERVAL_SECONDS, ge=30, le=86_400)
    invoice_folder: Path | None = None

    @field_validator("supplier_siret")
    @classmethod
    def _check_siret(cls, value: str | None) -> str | None:
        if value is not None and not re.fullmatch(r"\d{14}", value):
            raise ValueError(str(Message("config.siret_invalid")))
        return value

    def connection_settings(self, environment: Environment | None = None) -> ConnectionSettings:
        """Return the token and API URLs of `environment` (the profile's by default), overrides applied."""
        environment = environment or self.environment
        token_url, api_url = DEFAULT_URLS[environment]
        override = self.urls.get(environment)
        if override is not None:
            token_url = override.token_url or token_url
            api_url = override.api_url or api_url
        return ConnectionSettings(environment, token_url, api_url)


class AppConfig(BaseModel):
    """The whole configuration file."""

    model_config = ConfigDict(extra="forbid")

    language: Literal["fr", "en"] | None = None
    default_profile: str = DEFAULT_PROFILE
    profiles: dict[str, ProfileConfig] = Field(default_factory=dict)

    @field_validator("default_profile")
    @classmethod
    def _check_default_profile(cls, value: str) -> str:
        check_profile_name(value)
        return value

    @field_validator("profiles")
    @classmethod
    def _check_profile_names(cls, value: dict[str, ProfileConfig]) -> dict[str, ProfileConfig]:
        for name in value:
            check_profile_name(name)
        return value

    def profile(self, name: str) -> ProfileConfig:
        """Return profile `name`, or a profile with default values when the file has none by that name."""
        return self.profiles.get(name) or ProfileConfig()


def check_profile_name(name: str) -> str:
    """Return `name` when it is a valid profile name; raise ValueError naming the rejected characters otherwise."""
    if not PROFILE_NAME_PATTERN.fullmatch(name):
        rejected = sorted({char for char in name if not re.fullmatch(r"[A-Za-z0-9_.-]", char)})
        key = "config.invalid_profile_name" if rejected else "config.invalid_profile_name_shape"
        listed = ", ".join(repr(char) for char in rejected)
        raise ValueError(str(Message(key, {"name": name, "rejected": listed})))
    return name


def config_path() -> Path:
    return paths.config_dir() / CONFIG_FILE_NAME


def load_language_setting() -> str | None:
    """Return the `language` key of the configuration file, or None when absent or unreadable.

    Called before anything else, so it never raises: a broken file is
    reported later by the full configuration loader.
    """
    path = config_path()
    try:
        with path.open("rb") as handle:
            value = tomllib.load(handle).get("language")
    except (OSError, tomllib.TOMLDecodeError):
        return None
    return value if isinstance(value, str) else None


def load_config(path: Path | None = None) -> AppConfig:
    """Read and validate the configuration file; a missing file gives the defaults.

    Raises ConfigError naming the file and the line for a TOML syntax error,
    and the file and the key (with its line when found) for an invalid value.
    """
    path = path or config_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return AppConfig()
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(Message("config.unreadable", {"path": str(path), "error": str(exc)}),
                          path=path) from exc

    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        line, column = _decode_error_position(str(exc), text)
        raise ConfigError(
            Message("config.syntax_error", {"path": str(path), "line": line or "?",
                                            "column": column or "?", "error": _syntax_problem(str(exc))}),
            path=path, line=line,
        ) from exc

    try:
        return AppConfig.model_validate(data)
    except ValidationError as exc:
        raise _validation_config_error(exc, path, text) from None


def save_config(config: AppConfig, path: Path | None = None) -> Path:
    """Write `config` atomically: a temporary file in the same folder, fsync, then os.replace.

    A crash at any point leaves either the old file or the new one, never a
    truncated mix. Returns the path written.
    """
    path = path or config_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = dump_config(config).encode("utf-8")

    descriptor, temporary_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary_name, path)
    except BaseException:
        Path(temporary_name).unlink(missing_ok=True)
        raise

    _fsync_directory(path.parent)
    logger.info("configuration written to %s", path)
    return path


def update_profile(name: str, changes: dict[str, Any], path: Path | None = None) -> AppConfig:
    """Load the file, set `changes` on profile `name` (creating it), validate and save.

    Raises ConfigError when the file is broken, and ValueError (from
    pydantic) when a change is invalid.
    """
    check_profile_name(name)
    config = load_config(path)
    current = config.profile(name).model_dump()
    current.update(changes)
    profiles = dict(config.profiles)
    profiles[name] = ProfileConfig.model_validate(current)
    updated = config.model_copy(update={"profiles": profiles})
    save_config(updated, path)
    return updated


def dump_config(config: AppConfig) -> str:
    """Return the TOML text of `config`, leaving out unset keys."""
    # mode="json" turns enums, dates and paths into TOML-friendly values;
    # dates are turned back into TOML dates below.
    data = config.model_dump(mode="json", exclude_none=True)
    for name, profile in config.profiles.items():
        if profile.technical_password_expiry is not None:
            data["profiles"][name]["technical_password_expiry"] = profile.technical_password_expiry
        if not data["profiles"][name].get("urls"):
            data["profiles"][name].pop("urls", None)
    return tomli_w.dumps(data)


def _fsync_directory(folder: Path) -> None:
    # Persists the rename itself; not every platform can open a folder.
    try:
        descriptor = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(descriptor)
    except OSError:
        pass
    finally:
        os.close(descriptor)


def _decode_error_position(error: str, document: str) -> tuple[int | None, int | None]:
    # Python 3.11's TOMLDecodeError has no lineno attribute; its message ends
    # with "(at line L, column C)" or "(at end of document)".
    match = re.search(r"at line (\d+), column (\d+)", error)
    if match:
        return int(match.group(1)), int(match.group(2))
    if "end of document" in error:
        lines = document.splitlines() or [""]
        return len(lines), len(lines[-1]) + 1
    return None, None


def _validation_config_error(exc: ValidationError, path: Path, text: str) -> ConfigError:
    error = exc.errors()[0]
    location = [str(part) for part in error["loc"]]
    key = ".".join(location)
    line = _find_key_line(text, location)

    if error["type"] == "extra_forbidden" and location and location[-1].lower() in SECRET_KEYS:
        message = Message("config.secret_in_file", {"path": str(path), "key": key, "line": line or "?"})
    elif error["type"] == "extra_forbidden":
        message = Message("config.unknown_key", {"path": str(path), "key": key, "line": line or "?"})
    else:
        message = Message("config.invalid_value" if line else "config.invalid_value_no_line",
                          {"path": str(path), "key": key, "line": line, "error": _value_problem(error)})
    return ConfigError(message, path=path, line=line, key=key)


# Start of tomllib's (Python 3.11) error texts -> key of the French/English explanation.
_SYNTAX_PROBLEMS = (
    ("Expected '=' after a key", "config.syntax_expected_equals"),
    ("Unterminated string", "config.syntax_unterminated_string"),
    # A line break inside a one-line string: the closing quote is missing.
    ("Illegal character '\\n'", "config.syntax_unterminated_string"),
    ("Invalid value", "config.syntax_invalid_value"),
    ("Invalid statement", "config.syntax_invalid_statement"),
    ("Invalid initial character for a key part", "config.syntax_invalid_key"),
    ("Expected newline or end of document", "config.syntax_expected_newline"),
    ("Expected ']' at the end of a table declaration", "config.syntax_unclosed_table"),
    ("Unclosed array", "config.syntax_unclosed_array"),
    ("Unclosed inline table", "config.syntax_unclosed_inline_table"),
    ("Cannot declare", "config.syntax_declared_twice"),
    ("Cannot overwrite a value", "config.syntax_declared_twice"),
    ("Duplicate inline table key", "config.syntax_declared_twice"),
    ("Invalid date or datetime", "config.syntax_invalid_date"),
    ("Illegal character", "config.syntax_illegal_character"),
    ("Found invalid character", "config.syntax_illegal_character"),
)


def _syntax_problem(error: str) -> Message:
    """Explain a tomllib error in the user's language; tomllib's English text stays only in the log."""
    logger.info("configuration syntax error: %s", error)
    for prefix, key in _SYNTAX_PROBLEMS:
        if error.startswith(prefix):
            return Message(key)
    return Message("config.syntax_other")


# pydantic error types -> key of the explanation, which may use {input} and the error's context.
_VALUE_PROBLEMS = {
    "int_parsing": "config.value_int",
    "int_type": "config.value_int",
    "int_from_float": "config.value_int",
    "bool_parsing": "config.value_bool",
    "bool_type": "config.value_bool",
    "date_from_datetime_parsing": "config.value_date",
    "date_from_datetime_inexact": "config.value_date",
    "date_parsing": "config.value_date",
    "date_type": "config.value_date",
    "missing": "config.value_missing",
    "enum": "config.value_choice",
    "literal_error": "config.value_choice",
    "string_type": "config.value_string",
    "greater_than_equal": "config.value_too_small",
    "greater_than": "config.value_too_small",
    "less_than_equal": "config.value_too_large",
    "less_than": "config.value_too_large",
    "dict_type": "config.value_table",
    "model_type": "config.value_table",
    "model_attributes_type": "config.value_table",
    "path_type": "config.value_string",
    "url_parsing": "config.url_invalid",
    "url_scheme": "config.url_invalid",
    "url_type": "config.url_invalid",
}


def _value_problem(error: dict[str, Any]) -> Message | str:
    """Explain one pydantic error in the user's language, with the rejected value."""
    error_type = error["type"]
    context = error.get("ctx") or {}
    if error_type == "value_error" and "error" in context:
        # Validators of this module raise ValueError with a message already in the user's language;
        # the enclosing message adds its own full stop.
        return str(context["error"]).rstrip(".")
    key = _VALUE_PROBLEMS.get(error_type)
    if key is None:
        logger.info("configuration value error without a translation: %s (%s)", error_type, error["msg"])
        return Message("config.value_other", {"detail": error["msg"]})
    shown_input = error.get("input")
    # pydantic lists the choices as "'a', 'b' or 'c'": drop its English "or".
    expected = str(context.get("expected", "")).replace(" or ", ", ")
    limit = next((context[name] for name in ("ge", "gt", "le", "lt") if name in context), "")
    return Message(key, {"input": shown_input, "expected": expected, "limit": limit})


def _find_key_line(text: str, location: list[str]) -> int | None:
    """Return the 1-based line where the dotted key `location` is set, or None.

    Tracks `[table]` headers, so `profiles.work.environment` is found under
    `[profiles.work]` as well as written inline in dotted form.
    """
    if not location:
        return None
    table: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        header = re.fullmatch(r"\[\s*([^\[\]]+?)\s*\]", line)
        if header:
            table = [part.strip().strip('"\'') for part in header.group(1).split(".")]
            if table == location:
                return number
            continue
        assignment = re.match(r"([A-Za-z0-9_.\-\"' ]+?)\s*=", line)
        if assignment:
            key = [part.strip().strip('"\'') for part in assignment.group(1).split(".")]
            if table + key == location:
                return number
    return None
