"""Configuration file (TOML) of chorus-tui.

NOTE: this is the first slice; profiles, typed validation with error
positions and atomic writes are built on top of it.
"""

from __future__ import annotations

import tomllib

from chorus_tui import paths

CONFIG_FILE_NAME = "config.toml"


def config_path():
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
