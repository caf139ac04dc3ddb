"""Message catalogues: French by default, English available.

Each language is one catalogue, stored as several TOML files under
`i18n/<lang>/`, one per area of the program (`common.toml`, `detect.toml`,
…). Each file's top-level tables become dotted keys: the key `missing` of
table `[detect]` is looked up as `detect.missing`. A test checks that every
language has the same keys and the same placeholders.

A message that depends on a number is a table with the sub-keys `one` and
`other`; `t(key, count=n)` picks the form that suits `n` in the current
language (see `plural_form`) and formats it with `count=n`.

The language comes from `--lang`, then the configuration, then `LANG`
(see `resolve_language`).
"""

from __future__ import annotations

import os
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

LANGUAGES = ("fr", "en")
DEFAULT_LANGUAGE = "fr"

_CATALOGUE_DIR = Path(__file__).parent
_current = DEFAULT_LANGUAGE


def _flatten(prefix: str, table: dict[str, Any], out: dict[str, str], origin: Path) -> None:
    for key, value in table.items():
        dotted = f"{prefix}.{key}" if prefix else key
        if isinstance(value, dict):
            _flatten(dotted, value, out, origin)
        elif isinstance(value, str):
            if dotted in out:
                raise ValueError(f"message key {dotted!r} is defined twice (again in {origin})")
            out[dotted] = value
        else:
            raise ValueError(f"message {dotted!r} in {origin} must be a string, not {type(value).__name__}")


@cache
def catalogue(lang: str) -> dict[str, str]:
    """Load every TOML file of one language into a flat `{dotted key: text}` map."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}; choose one of {', '.join(LANGUAGES)}")
    messages: dict[str, str] = {}
    for path in sorted((_CATALOGUE_DIR / lang).glob("*.toml")):
        with path.open("rb") as handle:
            _flatten("", tomllib.load(handle), messages, path)
    return messages


def normalise_language(value: str | None) -> str | None:
    """Map `fr_FR.UTF-8`, `en`, `EN_us` … to a supported language code, or None."""
    if not value:
        return None
    code = value.split(".")[0].split("_")[0].split("-")[0].lower()
    return code if code in LANGUAGES else None


def resolve_language(cli_value: str | None = None, config_value: str | None = None) -> str:
    """Pick the language: `--lang`, then the configuration, then `LANG`, then French."""
    for candidate in (cli_value, config_value, os.environ.get("LC_ALL"), os.environ.get("LANG")):
        lang = normalise_language(candidate)
        if lang:
            return lang
    return DEFAULT_LANGUAGE


def set_language(lang: str) -> None:
    """Make `lang` the language of every later `t()` call."""
    global _current
    catalogue(lang)
    _current = lang


def current_language() -> str:
    return _current


PLURAL_FORMS = ("one", "other")


def plural_form(count: int, lang: str | None = None) -> str:
    """Return the plural sub-key (`one` or `other`) for `count` in `lang`.

    French uses the singular for 0 and 1 ("0 facture lue"), English only
    for 1 ("0 invoices read").
    """
    lang = lang or _current
    if lang == "fr":
        return "one" if abs(count) < 2 else "other"
    return "one" if abs(count) == 1 else "other"


def is_plural(key: str, lang: str | None = None) -> bool:
    """Return True when `key` is a table of plural forms rather than one message."""
    messages = catalogue(lang or _current)
    return key not in messages and all(f"{key}.{form}" in messages for form in PLURAL_FORMS)


def t(key: str, /, **params: Any) -> str:
    """Return the message `key` in the current language, formatted with `params`.

    When `key` is a table of plural forms, `params` must contain `count`,
    which picks the form. A key missing from the catalogue raises KeyError:
    the catalogue test makes sure that never reaches a user.
    """
    messages = catalogue(_current)
    if key not in messages and "count" in params and is_plural(key):
        key = f"{key}.{plural_form(params['count'])}"
    text = messages[key]
    return text.format(**params) if params else text


@dataclass(frozen=True)
class Message:
    """A message kept as its key and parameters, rendered in the current language on demand.

    Core code returns these instead of strings so that a result computed
    once can be shown in French or English.
    """

    key: str
    params: dict[str, Any] = field(default_factory=dict)

    def __str__(self) -> str:
        return t(self.key, **self.params)

    def render(self, lang: str | None = None) -> str:
        if lang is None or lang == current_language():
            return str(self)
        # Parameters that are Messages themselves, or that format per language, read the
        # current language: switch it for the time of this rendering.
        previous = current_language()
        set_language(lang)
        try:
            return str(self)
        finally:
            set_language(previous)
